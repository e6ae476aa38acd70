// SPDX-License-Identifier: Apache-2.0
package org.lightbox.imaging.internal.jpegls;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Decodes the entropy-coded segment of one scan (T.87 Annex A, decoder side), line by line. Every
 * read is bounded by the input: past the end or at a marker the reader supplies zero bits, counts them, and a scan
 * that needed them is reported as truncated.
 */
final class JlsDecoder extends JlsModel {
    /** Zero bits supplied past the data before giving up: far more than any valid scan's tail can need. */
    private static final int MAX_PADDING = 1 << 16;
    private static final VarHandle BIG_ENDIAN_LONG =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private final byte[] in;
    private final int end;
    private int pos;
    /** Unread bits, left aligned. */
    private long acc;
    private int nbits;
    private int padBits;
    private boolean afterFf;

    JlsDecoder(JlsParameters p, byte[] in, int pos, int end) {
        super(p);
        this.in = in;
        this.pos = pos;
        this.end = end;
    }

    /** Where reading stopped: the first byte not yet taken into the bit buffer. */
    int position() {
        return pos;
    }

    /** Starts reading again at {@code at} (after a restart marker), with an empty bit buffer. */
    void restartAt(int at) {
        pos = at;
        acc = 0;
        nbits = 0;
        padBits = 0;
        afterFf = false;
    }

    /** Whether the scan so far needed bits beyond its data. */
    boolean overran() {
        return nbits < padBits;
    }

    private void fill() {
        if (!afterFf && pos + 8 <= end) {
            // Fast path: eight bytes with no 0xFF among them need no unstuffing and hold no marker.
            long word = (long) BIG_ENDIAN_LONG.get(in, pos);
            long inverted = ~word;
            if (((inverted - 0x0101010101010101L) & ~inverted & 0x8080808080808080L) == 0) {
                int bytes = (64 - nbits) >>> 3;
                acc |= word >>> (64 - 8 * bytes) << (64 - 8 * bytes - nbits);
                nbits += 8 * bytes;
                pos += bytes;
                return;
            }
        }
        while (nbits <= 56) {
            if (pos >= end) {
                pad();
                continue;
            }
            int v = in[pos] & 0xFF;
            if (afterFf) {
                // A byte after 0xFF carries 7 bits; its high bit is the stuffed zero (T.87 A.1).
                acc |= (long) v << (57 - nbits);
                nbits += 7;
                pos++;
                afterFf = false;
                continue;
            }
            if (v == 0xFF) {
                if (pos + 1 >= end || (in[pos + 1] & 0xFF) >= 0x80) {
                    pad();
                    continue;
                }
                afterFf = true;
            }
            acc |= (long) v << (56 - nbits);
            nbits += 8;
            pos++;
        }
    }

    private void pad() {
        nbits += 8;
        padBits += 8;
        if (padBits > MAX_PADDING) {
            throw new JlsFormatException("the scan's data ends early");
        }
    }

    private int readBits(int count) {
        if (count == 0) {
            return 0;
        }
        if (nbits < count) {
            fill();
        }
        int v = (int) (acc >>> (64 - count));
        acc <<= count;
        nbits -= count;
        return v;
    }

    private boolean readBit() {
        if (nbits == 0) {
            fill();
        }
        boolean one = acc < 0;
        acc <<= 1;
        nbits--;
        return one;
    }

    /** Counts zero bits up to and including the next one bit; more than {@code max} zeros is corrupt data. */
    private int readUnary(int max) {
        int count = 0;
        while (true) {
            if (nbits < 32) {
                fill();
            }
            int z = Long.numberOfLeadingZeros(acc);
            if (z < nbits) {
                count += z;
                acc = acc << z << 1;
                nbits -= z + 1;
                if (count > max) {
                    throw new JlsFormatException("a Golomb code is longer than LIMIT allows");
                }
                return count;
            }
            count += nbits;
            acc = 0;
            nbits = 0;
            if (count > max) {
                throw new JlsFormatException("a Golomb code is longer than LIMIT allows");
            }
        }
    }

    /** A limited-length Golomb code (T.87 A.5.3). */
    private int decodeValue(int k, int glimit) {
        int escape = glimit - qbpp - 1;
        int high = readUnary(escape);
        if (high < escape) {
            return high << k | readBits(k);
        }
        return readBits(qbpp) + 1;
    }

    /**
     * Decodes one line of one component in regular and run mode. {@code prev} and {@code cur} hold the line above and
     * this line at indices 1..w, with borders at 0 and w + 1 already set.
     *
     * @return the RUNindex after the line
     */
    int decodeLine(int[] prev, int[] cur, int w, int runIndex) {
        int ri = runIndex;
        int x = 1;
        while (x <= w) {
            int ra = cur[x - 1];
            int rb = prev[x];
            int rc = prev[x - 1];
            int q = context(ra, rb, rc, prev[x + 1]);
            if (q != 0) {
                cur[x] = regular(q, ra, rb, rc);
                x++;
                continue;
            }
            // Run mode (T.87 A.7.1): a run of Ra, ended by the line's end or an interruption sample.
            int remaining = w - x + 1;
            int count = 0;
            while (readBit()) {
                int len = 1 << J[ri];
                int got = Math.min(len, remaining - count);
                count += got;
                if (got == len && ri < 31) {
                    ri++;
                }
                if (count == remaining) {
                    break;
                }
            }
            if (count < remaining) {
                count += readBits(J[ri]);
                if (count >= remaining) {
                    throw new JlsFormatException("a run goes past the end of the line");
                }
            }
            for (int i = 0; i < count; i++) {
                cur[x + i] = ra;
            }
            x += count;
            if (x > w) {
                break;
            }
            rb = prev[x];
            int riType = Math.abs(ra - rb) <= near ? 1 : 0;
            int px = riType == 1 ? ra : rb;
            int err = runInterruptionError(riType, ri);
            cur[x] = reconstruct(px, riType == 0 && ra > rb ? -err : err);
            x++;
            if (ri > 0) {
                ri--;
            }
        }
        return ri;
    }

    private int regular(int q, int ra, int rb, int rc) {
        int sign = 1;
        if (q < 0) {
            q = -q;
            sign = -1;
        }
        int px = correct(predict(ra, rb, rc), q, sign);
        int k = golombK(q);
        int m = decodeValue(k, limit);
        int err;
        if (near == 0 && k == 0 && 2 * b[q] <= -n[q]) {
            err = (m & 1) != 0 ? (m - 1) >> 1 : -(m >> 1) - 1;
        } else {
            err = (m & 1) != 0 ? -((m + 1) >>> 1) : m >>> 1;
        }
        update(q, err);
        return reconstruct(px, sign * err);
    }

    /** The error of a run interruption sample, before its sign is applied (T.87 A.7.2). */
    private int runInterruptionError(int riType, int ri) {
        int k = runGolombK(riType);
        int em = decodeValue(k, limit - J[ri] - 1);
        int t = em + riType;
        int abs = (t + 1) >>> 1;
        boolean map = (t & 1) != 0;
        boolean cond = k == 0 && 2 * nn[riType] < n[RUN_CONTEXT + riType];
        int err = map != cond ? -abs : abs;
        updateRun(riType, err, em);
        return err;
    }

    /**
     * Decodes one line of sample-interleaved components (ILV 2): every component's context is formed per pixel, and
     * run mode applies only when all of them are flat.
     */
    int decodeInterleavedLine(int[][] prev, int[][] cur, int w, int runIndex) {
        int comps = prev.length;
        int[] qs = new int[comps];
        int ri = runIndex;
        int x = 1;
        while (x <= w) {
            boolean flat = true;
            for (int ci = 0; ci < comps; ci++) {
                int[] p = prev[ci];
                int q = context(cur[ci][x - 1], p[x], p[x - 1], p[x + 1]);
                qs[ci] = q;
                flat &= q == 0;
            }
            if (!flat) {
                for (int ci = 0; ci < comps; ci++) {
                    int[] p = prev[ci];
                    cur[ci][x] = regular(qs[ci], cur[ci][x - 1], p[x], p[x - 1]);
                }
                x++;
                continue;
            }
            int remaining = w - x + 1;
            int count = 0;
            while (readBit()) {
                int len = 1 << J[ri];
                int got = Math.min(len, remaining - count);
                count += got;
                if (got == len && ri < 31) {
                    ri++;
                }
                if (count == remaining) {
                    break;
                }
            }
            if (count < remaining) {
                count += readBits(J[ri]);
                if (count >= remaining) {
                    throw new JlsFormatException("a run goes past the end of the line");
                }
            }
            for (int ci = 0; ci < comps; ci++) {
                int[] line = cur[ci];
                int ra = line[x - 1];
                for (int i = 0; i < count; i++) {
                    line[x + i] = ra;
                }
            }
            x += count;
            if (x > w) {
                break;
            }
            // Each component's interruption sample is coded with RItype 0 and predicted from Rb.
            for (int ci = 0; ci < comps; ci++) {
                int ra = cur[ci][x - 1];
                int rb = prev[ci][x];
                int err = runInterruptionError(0, ri);
                cur[ci][x] = reconstruct(rb, ra > rb ? -err : err);
            }
            x++;
            if (ri > 0) {
                ri--;
            }
        }
        return ri;
    }
}
