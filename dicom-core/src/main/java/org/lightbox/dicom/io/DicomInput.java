// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicom.io;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A byte source with an explicit look-ahead buffer (no mark/reset) that knows its absolute position, and, when the
 * source is a file, how many bytes remain, so that every length can be checked before anything is allocated.
 */
final class DicomInput {
    /** Values up to this size are allocated at once; larger ones grow as their bytes actually arrive. */
    private static final int DIRECT_ALLOCATION = 1 << 20;

    private final InputStream in;
    private final long size;
    private byte[] buf;
    private int pos;
    private int lim;
    private long base;
    private boolean eof;

    /** @param size the total length of the source, or -1 when unknown */
    DicomInput(InputStream in, long size, int bufferSize) {
        this.in = in;
        this.size = size;
        this.buf = new byte[bufferSize];
    }

    long position() {
        return base + pos;
    }

    /** Bytes left in the source, or Long.MAX_VALUE when its length is unknown. */
    long remaining() {
        return size < 0 ? Long.MAX_VALUE : size - position();
    }

    /** Buffers at least {@code n} bytes; false when the source ends first. */
    boolean ensure(int n) throws IOException {
        if (lim - pos >= n) {
            return true;
        }
        if (n > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(n, buf.length * 2));
        }
        if (pos > 0) {
            System.arraycopy(buf, pos, buf, 0, lim - pos);
            base += pos;
            lim -= pos;
            pos = 0;
        }
        while (lim < n && !eof) {
            int r = in.read(buf, lim, buf.length - lim);
            if (r < 0) {
                eof = true;
            } else {
                lim += r;
            }
        }
        return lim - pos >= n;
    }

    /** Bytes buffered now (after a failed {@link #ensure}, what the source still had). */
    int available() {
        return lim - pos;
    }

    byte[] buffer() {
        return buf;
    }

    /** Index in {@link #buffer()} of the next byte; valid after {@link #ensure}. */
    int index() {
        return pos;
    }

    void advance(int n) {
        pos += n;
    }

    int u8(int at) {
        return buf[pos + at] & 0xFF;
    }

    int u16(int at, boolean be) {
        int i = pos + at;
        return be ? (buf[i] & 0xFF) << 8 | buf[i + 1] & 0xFF : buf[i] & 0xFF | (buf[i + 1] & 0xFF) << 8;
    }

    int i32(int at, boolean be) {
        int i = pos + at;
        return be ? (buf[i] & 0xFF) << 24 | (buf[i + 1] & 0xFF) << 16 | (buf[i + 2] & 0xFF) << 8 | buf[i + 3] & 0xFF
                : buf[i] & 0xFF | (buf[i + 1] & 0xFF) << 8 | (buf[i + 2] & 0xFF) << 16 | (buf[i + 3] & 0xFF) << 24;
    }

    /** Reads exactly {@code n} bytes, or returns null when the source ends first (having consumed what there was). */
    byte[] read(int n) throws IOException {
        if (n <= lim - pos) {
            byte[] out = Arrays.copyOfRange(buf, pos, pos + n);
            pos += n;
            return out;
        }
        if (n <= DIRECT_ALLOCATION || size >= 0) {
            byte[] out = new byte[n];
            return fill(out, 0) ? out : null;
        }
        // Unknown length source and a large claimed length: allocate only as bytes arrive, so a lying length
        // field costs no more memory than the data actually sent.
        List<byte[]> chunks = new ArrayList<>();
        int left = n;
        while (left > 0) {
            byte[] chunk = new byte[Math.min(left, DIRECT_ALLOCATION)];
            if (!fill(chunk, 0)) {
                return null;
            }
            chunks.add(chunk);
            left -= chunk.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] c : chunks) {
            System.arraycopy(c, 0, out, at, c.length);
            at += c.length;
        }
        return out;
    }

    private boolean fill(byte[] out, int from) throws IOException {
        int buffered = Math.min(lim - pos, out.length - from);
        System.arraycopy(buf, pos, out, from, buffered);
        pos += buffered;
        int at = from + buffered;
        if (at == out.length) {
            return true;
        }
        base += pos;
        pos = lim = 0;
        while (at < out.length) {
            int r = in.read(out, at, out.length - at);
            if (r < 0) {
                eof = true;
                return false;
            }
            at += r;
            base += r;
        }
        return true;
    }

    /** Skips {@code n} bytes; false when the source ends first. */
    boolean skip(long n) throws IOException {
        long buffered = Math.min(lim - pos, n);
        pos += (int) buffered;
        long left = n - buffered;
        base += pos;
        lim -= pos;
        System.arraycopy(buf, pos, buf, 0, lim);
        pos = 0;
        while (left > 0) {
            long s = in.skip(left);
            if (s <= 0) {
                // skip() may return 0 before the end; one read tells whether the source is exhausted.
                if (in.read() < 0) {
                    eof = true;
                    return false;
                }
                s = 1;
            }
            left -= s;
            base += s;
        }
        return true;
    }

    /** The bytes not yet consumed followed by the rest of the source, for switching to an inflating stream. */
    InputStream rest() {
        InputStream head = new ByteArrayInputStream(buf, pos, lim - pos);
        pos = lim;
        return new SequenceInputStream(head, in);
    }

    /** A stream of the next {@code n} bytes, consumed from this input as it is read. */
    InputStream slice(long n) {
        return new InputStream() {
            private long left = n;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
            }

            @Override
            public int read(byte[] dst, int off, int len) throws IOException {
                if (left <= 0) {
                    return -1;
                }
                if (lim == pos && !ensure(1)) {
                    return -1;
                }
                int k = (int) Math.min(Math.min(len, left), lim - pos);
                System.arraycopy(buf, pos, dst, off, k);
                pos += k;
                left -= k;
                return k;
            }
        };
    }
}
