// SPDX-License-Identifier: Apache-2.0
package org.lightbox.imaging.internal.jpeg;

import java.io.ByteArrayOutputStream;
import org.lightbox.imaging.ImageDescription;

/**
 * JPEG Extended sequential DCT with 12-bit samples (ISO 10918-1 process 4, SOF1), one component: what DICOM's
 * JPEG Extended syntax (.51) holds for 9- to 12-bit monochrome images. The JDK's writer stops at 8 bits. The
 * quantization table is the Annex K luminance table scaled by quality as IJG libjpeg does (so a quality means
 * what it means to {@code dcmcjpeg +ee +q}); the Huffman tables are built from the frame's own statistics.
 */
final class DctEncoder {
    private static final int[] LUMINANCE = {
        16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22,
        29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103,
        121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99};
    private static final int[] ZIGZAG = {
        0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14,
        21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53,
        60, 61, 54, 47, 55, 62, 63};
    private static final double[][] COS = new double[8][8];

    static {
        for (int x = 0; x < 8; x++) {
            for (int u = 0; u < 8; u++) {
                COS[x][u] = Math.cos((2 * x + 1) * u * Math.PI / 16) * (u == 0 ? Math.sqrt(0.5) : 1);
            }
        }
    }

    private DctEncoder() {}

    /** Encodes unsigned samples of up to 12 bits, one component, row by row. */
    static byte[] encode(int[] samples, ImageDescription image, int quality) {
        int w = image.columns();
        int h = image.rows();
        int[] q = quantTable(quality);
        int bw = (w + 7) / 8;
        int bh = (h + 7) / 8;
        int[] coef = new int[bw * bh * 64];
        double[] block = new double[64];
        double[] tmp = new double[64];
        for (int by = 0; by < bh; by++) {
            for (int bx = 0; bx < bw; bx++) {
                for (int y = 0; y < 8; y++) {
                    // Edge blocks repeat the last row and column, as libjpeg pads them.
                    int sy = Math.min(by * 8 + y, h - 1);
                    for (int x = 0; x < 8; x++) {
                        int sx = Math.min(bx * 8 + x, w - 1);
                        block[y * 8 + x] = (samples[sy * w + sx] & 0xFFF) - 2048;
                    }
                }
                fdct(block, tmp);
                int base = (by * bw + bx) * 64;
                for (int k = 0; k < 64; k++) {
                    int natural = ZIGZAG[k];
                    // 12-bit AC coefficients fit 14 bits (libjpeg's limit); clamp rounding strays.
                    coef[base + k] = (int) Math.clamp(Math.round(block[natural] / q[natural]), -16383, 16383);
                }
            }
        }
        // Pass 1: symbol statistics; pass 2: the bits.
        long[] dcFreq = new long[257];
        long[] acFreq = new long[257];
        symbols(coef, dcFreq, acFreq, null, null, null);
        int[] dcBits = new int[33];
        int[] dcValues = LosslessEncoder.huffmanTable(dcFreq, dcBits);
        int[] acBits = new int[33];
        int[] acValues = LosslessEncoder.huffmanTable(acFreq, acBits);

        ByteArrayOutputStream out = new ByteArrayOutputStream(coef.length + 1024);
        out.write(0xFF);
        out.write(0xD8);
        boolean wide = false;
        for (int v : q) {
            wide |= v > 255;
        }
        LosslessEncoder.segment(out, 0xDB, 1 + (wide ? 128 : 64));
        out.write(wide ? 0x10 : 0x00);
        for (int k = 0; k < 64; k++) {
            if (wide) {
                out.write(q[ZIGZAG[k]] >> 8);
            }
            out.write(q[ZIGZAG[k]]);
        }
        LosslessEncoder.segment(out, 0xC1, 9);
        out.write(12);
        LosslessEncoder.short16(out, h);
        LosslessEncoder.short16(out, w);
        out.write(1);
        out.write(1);
        out.write(0x11);
        out.write(0);
        huffmanSegment(out, 0x00, dcBits, dcValues);
        huffmanSegment(out, 0x10, acBits, acValues);
        LosslessEncoder.segment(out, 0xDA, 6);
        out.write(1);
        out.write(1);
        out.write(0x00);
        out.write(0);
        out.write(63);
        out.write(0);
        LosslessEncoder.BitWriter bits = new LosslessEncoder.BitWriter(out);
        symbols(coef, null, null, codes(dcBits, dcValues), codes(acBits, acValues), bits);
        bits.flush();
        out.write(0xFF);
        out.write(0xD9);
        return out.toByteArray();
    }

    /** Walks the coefficients: counts symbols when {@code bits} is null, else writes them. */
    private static void symbols(int[] coef, long[] dcFreq, long[] acFreq, int[][] dc, int[][] ac,
            LosslessEncoder.BitWriter bits) {
        int pred = 0;
        for (int base = 0; base < coef.length; base += 64) {
            int diff = coef[base] - pred;
            pred = coef[base];
            int s = size(diff);
            if (bits == null) {
                dcFreq[s]++;
            } else {
                bits.write(dc[0][s], dc[1][s]);
                bits.write(diff < 0 ? diff - 1 : diff, s);
            }
            int run = 0;
            for (int k = 1; k < 64; k++) {
                int v = coef[base + k];
                if (v == 0) {
                    run++;
                    continue;
                }
                while (run > 15) {
                    emit(0xF0, 0, 0, acFreq, ac, bits);
                    run -= 16;
                }
                int size = size(v);
                emit(run << 4 | size, v < 0 ? v - 1 : v, size, acFreq, ac, bits);
                run = 0;
            }
            if (run > 0) {
                emit(0x00, 0, 0, acFreq, ac, bits);
            }
        }
    }

    private static void emit(int symbol, int extra, int size, long[] freq, int[][] codes,
            LosslessEncoder.BitWriter bits) {
        if (bits == null) {
            freq[symbol]++;
            return;
        }
        bits.write(codes[0][symbol], codes[1][symbol]);
        if (size > 0) {
            bits.write(extra, size);
        }
    }

    private static int size(int v) {
        return v == 0 ? 0 : 32 - Integer.numberOfLeadingZeros(Math.abs(v));
    }

    /** Code and length per symbol for a table in DHT form. */
    private static int[][] codes(int[] bits, int[] values) {
        int[][] c = new int[2][256];
        int code = 0;
        int k = 0;
        for (int len = 1; len <= 16; len++) {
            for (int j = 0; j < bits[len]; j++) {
                c[0][values[k]] = code++;
                c[1][values[k]] = len;
                k++;
            }
            code <<= 1;
        }
        return c;
    }

    private static void huffmanSegment(ByteArrayOutputStream out, int classAndId, int[] bits, int[] values) {
        LosslessEncoder.segment(out, 0xC4, 17 + values.length);
        out.write(classAndId);
        for (int len = 1; len <= 16; len++) {
            out.write(bits[len]);
        }
        for (int v : values) {
            out.write(v);
        }
    }

    /** IJG's jpeg_quality_scaling applied to the Annex K luminance table (natural order). */
    private static int[] quantTable(int quality) {
        int qy = Math.clamp(quality, 1, 100);
        int scale = qy < 50 ? 5000 / qy : 200 - 2 * qy;
        int[] q = new int[64];
        for (int i = 0; i < 64; i++) {
            q[i] = Math.clamp((LUMINANCE[i] * scale + 50) / 100, 1, 32767);
        }
        return q;
    }

    /** The separable 2-D DCT-II of ISO 10918-1 A.3.3, in doubles; {@code b} is replaced by its coefficients. */
    private static void fdct(double[] b, double[] tmp) {
        for (int y = 0; y < 8; y++) {
            for (int u = 0; u < 8; u++) {
                double s = 0;
                for (int x = 0; x < 8; x++) {
                    s += b[y * 8 + x] * COS[x][u];
                }
                tmp[y * 8 + u] = s / 2;
            }
        }
        for (int u = 0; u < 8; u++) {
            for (int v = 0; v < 8; v++) {
                double s = 0;
                for (int y = 0; y < 8; y++) {
                    s += tmp[y * 8 + u] * COS[y][v];
                }
                b[v * 8 + u] = s / 2;
            }
        }
    }
}
