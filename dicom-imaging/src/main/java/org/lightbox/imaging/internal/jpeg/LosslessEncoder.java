// SPDX-License-Identifier: Apache-2.0
package org.lightbox.imaging.internal.jpeg;

import java.io.ByteArrayOutputStream;
import org.lightbox.imaging.ImageDescription;

/**
 * JPEG Lossless, process 14, first-order prediction (selection value 1, ISO 10918-1 H.1): what the DICOM syntaxes
 * .57 and .70 both accept. No library we can use writes it, so this is ours. One Huffman table, built from the
 * frame's own difference statistics (Annex K.2), serves every component; precision is Bits Stored.
 */
final class LosslessEncoder {
    private LosslessEncoder() {}

    static byte[] encode(int[] samples, ImageDescription image) {
        int w = image.columns();
        int h = image.rows();
        int n = image.samplesPerPixel();
        int p = Math.clamp(image.bitsStored(), 2, 16);
        int mask = (1 << p) - 1;
        int[] ssss = new int[samples.length];
        int[] diffs = new int[samples.length];
        long[] freq = new long[257];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int c = 0; c < n; c++) {
                    int i = (y * w + x) * n + c;
                    int pred;
                    if (x == 0 && y == 0) {
                        pred = 1 << (p - 1);
                    } else if (y == 0 || x > 0) {
                        pred = samples[i - n] & mask;
                    } else {
                        pred = samples[i - w * n] & mask; // first column: the sample above
                    }
                    // Differences are taken modulo 2^16 (H.1.2.1), held in -32767..32768.
                    int d = ((samples[i] & mask) - pred) & 0xFFFF;
                    if (d > 32768) {
                        d -= 65536;
                    }
                    int s = d == 0 ? 0 : 32 - Integer.numberOfLeadingZeros(Math.abs(d));
                    ssss[i] = s;
                    diffs[i] = d;
                    freq[s]++;
                }
            }
        }
        int[] bits = new int[33];
        int[] values = huffmanTable(freq, bits);
        int[] code = new int[17];
        int[] size = new int[17];
        int next = 0;
        int k = 0;
        for (int len = 1; len <= 16; len++) {
            for (int j = 0; j < bits[len]; j++) {
                code[values[k]] = next++;
                size[values[k]] = len;
                k++;
            }
            next <<= 1;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(samples.length + 1024);
        out.write(0xFF);
        out.write(0xD8);
        // SOF3
        segment(out, 0xC3, 6 + 3 * n);
        out.write(p);
        short16(out, h);
        short16(out, w);
        out.write(n);
        for (int c = 0; c < n; c++) {
            out.write(c + 1);
            out.write(0x11);
            out.write(0);
        }
        // DHT, table 0 class 0
        segment(out, 0xC4, 17 + values.length);
        out.write(0x00);
        for (int len = 1; len <= 16; len++) {
            out.write(bits[len]);
        }
        for (int v : values) {
            out.write(v);
        }
        // SOS: selection value 1, point transform 0
        segment(out, 0xDA, 4 + 2 * n);
        out.write(n);
        for (int c = 0; c < n; c++) {
            out.write(c + 1);
            out.write(0x00);
        }
        out.write(1);
        out.write(0);
        out.write(0);
        BitWriter bw = new BitWriter(out);
        for (int i = 0; i < samples.length; i++) {
            int s = ssss[i];
            bw.write(code[s], size[s]);
            if (s > 0 && s < 16) {
                int d = diffs[i];
                bw.write(d > 0 ? d : d - 1, s);
            }
        }
        bw.flush();
        out.write(0xFF);
        out.write(0xD9);
        return out.toByteArray();
    }

    /** ISO 10918-1 K.2: code lengths limited to 16 bits; fills {@code bits} and returns the symbols in order. */
    static int[] huffmanTable(long[] counts, int[] bits) {
        long[] freq = counts.clone();
        freq[256] = 1; // reserves the all-ones code
        int[] codesize = new int[257];
        int[] others = new int[257];
        java.util.Arrays.fill(others, -1);
        while (true) {
            int v1 = -1;
            for (int i = 0; i < 257; i++) {
                if (freq[i] > 0 && (v1 < 0 || freq[i] <= freq[v1])) {
                    v1 = i;
                }
            }
            int v2 = -1;
            for (int i = 0; i < 257; i++) {
                if (i != v1 && freq[i] > 0 && (v2 < 0 || freq[i] <= freq[v2])) {
                    v2 = i;
                }
            }
            if (v2 < 0) {
                break;
            }
            freq[v1] += freq[v2];
            freq[v2] = 0;
            codesize[v1]++;
            while (others[v1] >= 0) {
                v1 = others[v1];
                codesize[v1]++;
            }
            others[v1] = v2;
            codesize[v2]++;
            while (others[v2] >= 0) {
                v2 = others[v2];
                codesize[v2]++;
            }
        }
        for (int i = 0; i < 257; i++) {
            if (codesize[i] > 0) {
                bits[Math.min(codesize[i], 32)]++;
            }
        }
        for (int i = 32; i > 16; i--) {
            while (bits[i] > 0) {
                int j = i - 2;
                while (bits[j] == 0) {
                    j--;
                }
                bits[i] -= 2;
                bits[i - 1]++;
                bits[j + 1] += 2;
                bits[j]--;
            }
        }
        int i = 16;
        while (bits[i] == 0) {
            i--;
        }
        bits[i]--; // drop the reserved symbol
        int total = 0;
        for (int len = 1; len <= 16; len++) {
            total += bits[len];
        }
        int[] values = new int[total];
        int k = 0;
        for (int len = 1; len <= 32 && k < total; len++) {
            for (int s = 0; s < 256; s++) {
                if (codesize[s] == len) {
                    values[k++] = s;
                }
            }
        }
        return values;
    }

    static void segment(ByteArrayOutputStream out, int marker, int length) {
        out.write(0xFF);
        out.write(marker);
        short16(out, length + 2);
    }

    static void short16(ByteArrayOutputStream out, int v) {
        out.write(v >> 8);
        out.write(v);
    }

    /** Entropy-coded bits, most significant first, with a zero stuffed after each 0xFF byte. */
    static final class BitWriter {
        private final ByteArrayOutputStream out;
        private long acc;
        private int count;

        BitWriter(ByteArrayOutputStream out) {
            this.out = out;
        }

        void write(int value, int n) {
            acc = acc << n | (value & ((1L << n) - 1));
            count += n;
            while (count >= 8) {
                count -= 8;
                emit((int) (acc >> count) & 0xFF);
            }
        }

        void flush() {
            if (count > 0) {
                write((1 << (8 - count)) - 1, 8 - count); // pad with ones (F.1.2.3)
            }
        }

        private void emit(int b) {
            out.write(b);
            if (b == 0xFF) {
                out.write(0);
            }
        }
    }
}
