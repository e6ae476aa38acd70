// SPDX-License-Identifier: Apache-2.0
package org.lightbox.imaging.internal.jpegls;

import java.util.Arrays;

/**
 * Encodes the lines of one scan (T.87 Annex A, encoder side), appending the entropy-coded bytes, with a zero bit
 * stuffed after every 0xFF, to a growing buffer.
 */
final class JlsEncoder extends JlsModel {
    private byte[] out;
    private int pos;
    /** Pending bits, right aligned: the low {@code nbits} bits of {@code acc}. */
    private long acc;
    private int nbits;
    private boolean afterFf;

    JlsEncoder(JlsParameters p, byte[] out, int pos) {
        super(p);
        this.out = out;
        this.pos = pos;
    }

    byte[] buffer() {
        return out;
    }

    int position() {
        return pos;
    }

    /** Makes room for {@code bytes} more bytes. */
    void ensure(int bytes) {
        if (out.length - pos < bytes) {
            out = Arrays.copyOf(out, Math.max(out.length * 2, pos + bytes));
        }
    }

    /** Appends raw bytes (markers and headers) after the scan has been flushed. */
    void putByte(int v) {
        ensure(1);
        out[pos++] = (byte) v;
    }

    private void put(int value, int count) {
        acc = acc << count | value;
        nbits += count;
        while (true) {
            int need = afterFf ? 7 : 8;
            if (nbits < need) {
                return;
            }
            int v = (int) (acc >>> (nbits - need)) & (1 << need) - 1;
            nbits -= need;
            out[pos++] = (byte) v;
            afterFf = v == 0xFF;
        }
    }

    private void putZeros(int count) {
        while (count > 0) {
            int c = Math.min(count, 32);
            put(0, c);
            count -= c;
        }
    }

    /** Pads the last byte with zeros; a final 0xFF gets its stuffed byte so no marker can be misread. */
    void flush() {
        if (nbits > 0) {
            put(0, (afterFf ? 7 : 8) - nbits);
        }
        if (afterFf) {
            put(0, 7);
        }
    }

    /** A limited-length Golomb code (T.87 A.5.3). */
    private void encodeValue(int k, int m, int glimit) {
        int escape = glimit - qbpp - 1;
        int high = m >>> k;
        if (high < escape) {
            putZeros(high);
            put(1 << k | m & (1 << k) - 1, k + 1);
        } else {
            putZeros(escape);
            put(1 << qbpp | m - 1, qbpp + 1);
        }
    }

    /** The prediction error quantised for NEAR and reduced modulo RANGE (T.87 A.4.4, A.4.5). */
    private int reduce(int err) {
        if (near > 0) {
            err = err > 0 ? (err + near) / step : -((near - err) / step);
        }
        if (err < 0) {
            err += range;
        }
        if (err >= (range + 1) / 2) {
            err -= range;
        }
        return err;
    }

    /**
     * Encodes one line of one component. {@code src} holds the samples at 1..w; {@code cur} receives what the
     * decoder will reconstruct (the same as {@code src} when lossless), the context of the following samples.
     *
     * @return the RUNindex after the line
     */
    int encodeLine(int[] prev, int[] cur, int[] src, int w, int runIndex) {
        ensure(w * 12 + 64);
        int ri = runIndex;
        int x = 1;
        while (x <= w) {
            int ra = cur[x - 1];
            int rb = prev[x];
            int rc = prev[x - 1];
            int q = context(ra, rb, rc, prev[x + 1]);
            if (q != 0) {
                cur[x] = regular(q, ra, rb, rc, src[x]);
                x++;
                continue;
            }
            int start = x;
            while (x <= w && Math.abs(src[x] - ra) <= near) {
                cur[x] = ra;
                x++;
            }
            ri = encodeRun(x - start, x > w, ri);
            if (x > w) {
                break;
            }
            rb = prev[x];
            int riType = Math.abs(ra - rb) <= near ? 1 : 0;
            int px = riType == 1 ? ra : rb;
            cur[x] = runInterruption(riType, px, riType == 0 && ra > rb ? -1 : 1, src[x], ri);
            x++;
            if (ri > 0) {
                ri--;
            }
        }
        return ri;
    }

    /** The run length code (T.87 A.7.1.2); returns the new RUNindex. */
    private int encodeRun(int runLength, boolean endOfLine, int ri) {
        while (runLength >= 1 << J[ri]) {
            put(1, 1);
            runLength -= 1 << J[ri];
            if (ri < 31) {
                ri++;
            }
        }
        if (endOfLine) {
            if (runLength > 0) {
                put(1, 1);
            }
        } else {
            put(runLength, J[ri] + 1);
        }
        return ri;
    }

    private int regular(int q, int ra, int rb, int rc, int ix) {
        int sign = 1;
        if (q < 0) {
            q = -q;
            sign = -1;
        }
        int px = correct(predict(ra, rb, rc), q, sign);
        int err = reduce(sign > 0 ? ix - px : px - ix);
        int k = golombK(q);
        int m;
        if (near == 0 && k == 0 && 2 * b[q] <= -n[q]) {
            m = err >= 0 ? 2 * err + 1 : -2 * (err + 1);
        } else {
            m = err >= 0 ? 2 * err : -2 * err - 1;
        }
        encodeValue(k, m, limit);
        update(q, err);
        return reconstruct(px, sign * err);
    }

    private int runInterruption(int riType, int px, int sign, int ix, int ri) {
        int err = reduce(sign > 0 ? ix - px : px - ix);
        int k = runGolombK(riType);
        int nq = n[RUN_CONTEXT + riType];
        boolean map;
        if (k == 0 && err > 0 && 2 * nn[riType] < nq) {
            map = true;
        } else {
            map = err < 0 && (2 * nn[riType] >= nq || k != 0);
        }
        int em = 2 * Math.abs(err) - riType - (map ? 1 : 0);
        encodeValue(k, em, limit - J[ri] - 1);
        updateRun(riType, err, em);
        return reconstruct(px, sign * err);
    }

    /** Encodes one line of sample-interleaved components (ILV 2), the mirror of the decoder's. */
    int encodeInterleavedLine(int[][] prev, int[][] cur, int[][] src, int w, int runIndex) {
        int comps = prev.length;
        ensure(w * comps * 12 + 64);
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
                    cur[ci][x] = regular(qs[ci], cur[ci][x - 1], p[x], p[x - 1], src[ci][x]);
                }
                x++;
                continue;
            }
            int start = x;
            while (x <= w && sameAsLeft(cur, src, x, start, comps)) {
                for (int ci = 0; ci < comps; ci++) {
                    cur[ci][x] = cur[ci][start - 1];
                }
                x++;
            }
            ri = encodeRun(x - start, x > w, ri);
            if (x > w) {
                break;
            }
            for (int ci = 0; ci < comps; ci++) {
                int ra = cur[ci][x - 1];
                int rb = prev[ci][x];
                cur[ci][x] = runInterruption(0, rb, ra > rb ? -1 : 1, src[ci][x], ri);
            }
            x++;
            if (ri > 0) {
                ri--;
            }
        }
        return ri;
    }

    private boolean sameAsLeft(int[][] cur, int[][] src, int x, int start, int comps) {
        for (int ci = 0; ci < comps; ci++) {
            if (Math.abs(src[ci][x] - cur[ci][start - 1]) > near) {
                return false;
            }
        }
        return true;
    }
}
