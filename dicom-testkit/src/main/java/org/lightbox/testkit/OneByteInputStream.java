// SPDX-License-Identifier: Apache-2.0
package org.lightbox.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * An input stream that hands out at most one byte per call, however many were asked for.
 *
 * <p>A parser must give the same result through this stream as through the stream it wraps; if it does not,
 * it assumes somewhere that one {@code read} fills the buffer (Okio's {@code ONE_BYTE_AT_A_TIME} idea).
 * {@link #skip} also moves at most one byte, and {@link #available} says at most 1. Marks are not supported.
 * Not thread-safe; closing it closes the wrapped stream.
 */
public final class OneByteInputStream extends InputStream {
    private final InputStream in;

    /** Wraps {@code in}, which this stream then owns. */
    public OneByteInputStream(InputStream in) {
        this.in = Objects.requireNonNull(in, "in");
    }

    @Override
    public int read() throws IOException {
        return in.read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        return in.read(b, off, 1);
    }

    @Override
    public long skip(long n) throws IOException {
        return n <= 0 ? 0 : in.skip(1);
    }

    @Override
    public int available() throws IOException {
        return Math.min(in.available(), 1);
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
