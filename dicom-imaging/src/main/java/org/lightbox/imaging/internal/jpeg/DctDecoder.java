// SPDX-License-Identifier: Apache-2.0
package org.lightbox.imaging.internal.jpeg;

/**
 * Sequential Huffman DCT JPEG (ISO 10918-1 processes 1, 2 and 4: SOF0 and SOF1, 8- or 12-bit samples). The JDK's
 * reader, which TwelveMonkeys delegates to, stops at 8 bits, so 12-bit Extended frames come here. The inverse DCT
 * is the standard's formula in floating point (A.3.3), so samples may differ by one level from DCMTK's and GDCM's
 * integer transforms.
 * Components must share one sampling factor (12-bit colour with subsampling is not supported).
 */
final class DctDecoder {
    private static final int[] ZIGZAG = {
        0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14,
        21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53,
        60, 61, 54, 47, 55, 62, 63};

    /** The decoded frame: samples interleaved, row by row. */
    record Image(int width, int height, int components, int precision, int[] samples) {}

    /** A codestream the decoder cannot read; the codec turns it into a CodecException naming the frame. */
    static final class Malformed extends Exception {
        Malformed(String message) {
            super(message);
        }
    }

    private final byte[] in;
    private int pos;
    private final int[][] quant = new int[4][];
    private final Huffman[] dc = new Huffman[4];
    private final Huffman[] ac = new Huffman[4];
    private int restartInterval;
    private int width;
    private int height;
    private int precision;
    private Component[] components;
    private int hmax;
    private int vmax;

    private static final class Component {
        int id;
        int h;
        int v;
        int tq;
        int blocksWide;
        int blocksHigh;
        int[] plane; // blocksWide * 8 by blocksHigh * 8 samples
        int pred;
        Huffman dc;
        Huffman ac;
    }

    private DctDecoder(byte[] in) {
        this.in = in;
    }

    static Image decode(byte[] codestream) throws Malformed {
        return new DctDecoder(codestream).run();
    }

    private Image run() throws Malformed {
        if (in.length < 4 || u8(0) != 0xFF || u8(1) != 0xD8) {
            throw new Malformed("the frame does not start with a JPEG SOI marker");
        }
        pos = 2;
        boolean scanned = false;
        while (true) {
            int marker = nextMarker();
            switch (marker) {
                case 0xD9 -> {
                    if (!scanned) {
                        throw new Malformed("the codestream ends before any scan");
                    }
                    return output();
                }
                case 0xC0, 0xC1 -> frameHeader(segment());
                case 0xC4 -> huffmanTables(segment());
                case 0xDB -> quantTables(segment());
                case 0xDD -> {
                    int[] s = segment();
                    restartInterval = s.length >= 2 ? s[0] << 8 | s[1] : 0;
                }
                case 0xDA -> {
                    scan(segment());
                    scanned = true;
                }
                default -> {
                    if (marker >= 0xC2 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC) {
                        throw new Malformed(String.format("JPEG process with SOF marker FF%02X is not supported here",
                                marker));
                    }
                    segment(); // APPn, COM, DNL and the like: skipped
                }
            }
        }
    }

    private int nextMarker() throws Malformed {
        while (pos < in.length && u8(pos) != 0xFF) {
            pos++; // tolerate fill bytes between segments
        }
        while (pos < in.length && u8(pos) == 0xFF) {
            pos++;
        }
        if (pos >= in.length) {
            throw new Malformed("the codestream ends without an EOI marker");
        }
        return u8(pos++);
    }

    private int[] segment() throws Malformed {
        if (pos + 2 > in.length) {
            throw new Malformed("a marker segment is cut off");
        }
        int length = u8(pos) << 8 | u8(pos + 1);
        if (length < 2 || pos + length > in.length) {
            throw new Malformed("a marker segment of " + length + " bytes runs past the end of the codestream");
        }
        int[] s = new int[length - 2];
        for (int i = 0; i < s.length; i++) {
            s[i] = u8(pos + 2 + i);
        }
        pos += length;
        return s;
    }

    private void frameHeader(int[] s) throws Malformed {
        if (components != null) {
            throw new Malformed("more than one frame header");
        }
        if (s.length < 6) {
            throw new Malformed("the frame header is too short");
        }
        precision = s[0];
        height = s[1] << 8 | s[2];
        width = s[3] << 8 | s[4];
        int n = s[5];
        if (precision != 8 && precision != 12 || width == 0 || height == 0 || n == 0 || n > 4 || s.length < 6 + 3 * n) {
            throw new Malformed("unsupported frame header: " + precision + "-bit, " + width + " x " + height + ", "
                    + n + " components");
        }
        components = new Component[n];
        for (int i = 0; i < n; i++) {
            Component c = new Component();
            c.id = s[6 + 3 * i];
            c.h = s[7 + 3 * i] >> 4;
            c.v = s[7 + 3 * i] & 15;
            c.tq = s[8 + 3 * i];
            if (c.h < 1 || c.h > 4 || c.v < 1 || c.v > 4 || c.tq > 3) {
                throw new Malformed("bad sampling factors or table number for component " + c.id);
            }
            hmax = Math.max(hmax, c.h);
            vmax = Math.max(vmax, c.v);
            components[i] = c;
        }
        int mcusWide = ceilDiv(width, 8 * hmax);
        int mcusHigh = ceilDiv(height, 8 * vmax);
        for (Component c : components) {
            if (c.h != hmax || c.v != vmax) {
                throw new Malformed("subsampled components are not supported by the 12-bit decoder");
            }
            c.blocksWide = mcusWide * c.h;
            c.blocksHigh = mcusHigh * c.v;
            c.plane = new int[c.blocksWide * 8 * c.blocksHigh * 8];
        }
    }

    private void quantTables(int[] s) throws Malformed {
        int i = 0;
        while (i < s.length) {
            int pq = s[i] >> 4;
            int tq = s[i] & 15;
            int size = pq == 0 ? 64 : 128;
            if (tq > 3 || pq > 1 || i + 1 + size > s.length) {
                throw new Malformed("bad quantization table segment");
            }
            int[] q = new int[64];
            for (int k = 0; k < 64; k++) {
                q[ZIGZAG[k]] = pq == 0 ? s[i + 1 + k] : s[i + 1 + 2 * k] << 8 | s[i + 2 + 2 * k];
            }
            quant[tq] = q;
            i += 1 + size;
        }
    }

    private void huffmanTables(int[] s) throws Malformed {
        int i = 0;
        while (i < s.length) {
            if (i + 17 > s.length) {
                throw new Malformed("bad Huffman table segment");
            }
            int tc = s[i] >> 4;
            int th = s[i] & 15;
            int[] counts = new int[17];
            int total = 0;
            for (int l = 1; l <= 16; l++) {
                counts[l] = s[i + l];
                total += counts[l];
            }
            if (tc > 1 || th > 3 || total > 256 || i + 17 + total > s.length) {
                throw new Malformed("bad Huffman table segment");
            }
            int[] values = new int[total];
            System.arraycopy(s, i + 17, values, 0, total);
            (tc == 0 ? dc : ac)[th] = new Huffman(counts, values);
            i += 17 + total;
        }
    }

    private void scan(int[] s) throws Malformed {
        if (components == null) {
            throw new Malformed("a scan comes before the frame header");
        }
        int n = s.length > 0 ? s[0] : 0;
        if (n < 1 || n > 4 || s.length < 1 + 2 * n + 3) {
            throw new Malformed("bad scan header");
        }
        Component[] inScan = new Component[n];
        for (int i = 0; i < n; i++) {
            int id = s[1 + 2 * i];
            for (Component c : components) {
                if (c.id == id) {
                    inScan[i] = c;
                }
            }
            if (inScan[i] == null) {
                throw new Malformed("the scan names component " + id + ", which the frame does not have");
            }
            inScan[i].dc = dc[s[2 + 2 * i] >> 4 & 3];
            inScan[i].ac = ac[s[2 + 2 * i] & 3];
            if (inScan[i].dc == null || inScan[i].ac == null || quant[inScan[i].tq] == null) {
                throw new Malformed("the scan uses a Huffman or quantization table that was not defined");
            }
            inScan[i].pred = 0;
        }
        if (s[1 + 2 * n] != 0 || s[2 + 2 * n] != 63 || s[3 + 2 * n] != 0) {
            throw new Malformed("not a sequential scan (spectral selection or successive approximation)");
        }
        Bits bits = new Bits();
        int[] block = new int[64];
        int[] work = new int[64];
        int mcus;
        int mcusWide;
        if (n == 1) {
            // A non-interleaved scan covers only the component's own blocks, not the MCU padding.
            Component c = inScan[0];
            mcusWide = ceilDiv(ceilDiv(width * c.h, hmax), 8);
            mcus = mcusWide * ceilDiv(ceilDiv(height * c.v, vmax), 8);
        } else {
            mcusWide = ceilDiv(width, 8 * hmax);
            mcus = mcusWide * ceilDiv(height, 8 * vmax);
        }
        for (int m = 0; m < mcus; m++) {
            if (restartInterval > 0 && m > 0 && m % restartInterval == 0) {
                bits.restart();
                for (Component c : inScan) {
                    c.pred = 0;
                }
            }
            int mx = m % mcusWide;
            int my = m / mcusWide;
            for (Component c : inScan) {
                int bh = n == 1 ? 1 : c.h;
                int bv = n == 1 ? 1 : c.v;
                for (int y = 0; y < bv; y++) {
                    for (int x = 0; x < bh; x++) {
                        decodeBlock(bits, c, block);
                        idct(block, quant[c.tq], work, c.plane, c.blocksWide * 8,
                                ((my * bv + y) * 8) * c.blocksWide * 8 + (mx * bh + x) * 8);
                    }
                }
            }
        }
        pos = bits.end();
    }

    private void decodeBlock(Bits bits, Component c, int[] block) throws Malformed {
        java.util.Arrays.fill(block, 0);
        int t = c.dc.decode(bits);
        if (t > 16) {
            throw new Malformed("a DC difference category of " + t);
        }
        c.pred += t == 0 ? 0 : extend(bits.get(t), t);
        block[0] = c.pred;
        for (int k = 1; k < 64; k++) {
            int rs = c.ac.decode(bits);
            int r = rs >> 4;
            int size = rs & 15;
            if (size == 0) {
                if (r != 15) {
                    break;
                }
                k += 15;
                continue;
            }
            k += r;
            if (k > 63) {
                throw new Malformed("AC coefficients run past the end of a block");
            }
            block[ZIGZAG[k]] = extend(bits.get(size), size);
        }
    }

    private static int extend(int v, int t) {
        return v < 1 << (t - 1) ? v - (1 << t) + 1 : v;
    }

    /** cos((2x + 1) u pi / 16) with C(u) of ISO 10918-1 A.3.3 folded in: COS[u][x]. */
    private static final double[][] COS = new double[8][8];

    static {
        for (int u = 0; u < 8; u++) {
            for (int x = 0; x < 8; x++) {
                COS[u][x] = (u == 0 ? Math.sqrt(0.5) : 1.0) * Math.cos((2 * x + 1) * u * Math.PI / 16);
            }
        }
    }

    /**
     * The inverse DCT of ISO 10918-1 A.3.3, computed as written: columns then rows in floating point, rounded once
     * at the end. Lossy by nature, it may differ by one level from integer transforms (libjpeg's among them).
     */
    private void idct(int[] in, int[] q, int[] ws, int[] out, int stride, int at) {
        double[] coef = new double[64];
        for (int i = 0; i < 64; i++) {
            coef[i] = in[i] * q[i];
        }
        double[] tmp = new double[64];
        // Columns: for each horizontal frequency u, the vertical inverse over v.
        for (int u = 0; u < 8; u++) {
            for (int y = 0; y < 8; y++) {
                double sum = 0;
                for (int v = 0; v < 8; v++) {
                    sum += COS[v][y] * coef[8 * v + u];
                }
                tmp[8 * y + u] = sum;
            }
        }
        int max = (1 << precision) - 1;
        int center = 1 << (precision - 1);
        for (int y = 0; y < 8; y++) {
            int o = at + y * stride;
            for (int x = 0; x < 8; x++) {
                double sum = 0;
                for (int u = 0; u < 8; u++) {
                    sum += COS[u][x] * tmp[8 * y + u];
                }
                out[o + x] = clamp((int) Math.round(sum / 4) + center, max);
            }
        }
    }

    private static int clamp(int v, int max) {
        return v < 0 ? 0 : Math.min(v, max);
    }

    private Image output() throws Malformed {
        int n = components.length;
        int[] samples = new int[width * height * n];
        for (int ci = 0; ci < n; ci++) {
            Component c = components[ci];
            if (c.plane == null) {
                throw new Malformed("component " + c.id + " has no scan");
            }
            int stride = c.blocksWide * 8;
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    samples[(y * width + x) * n + ci] = c.plane[y * stride + x];
                }
            }
        }
        return new Image(width, height, n, precision, samples);
    }

    private int u8(int i) {
        return in[i] & 0xFF;
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    /** Entropy-coded bits: skips stuffed zero bytes and stops at a marker. */
    private final class Bits {
        private int p = pos;
        private int acc;
        private int count;

        int bit() throws Malformed {
            if (count == 0) {
                if (p >= in.length) {
                    throw new Malformed("the entropy-coded data ends early (truncated codestream)");
                }
                int b = in[p] & 0xFF;
                if (b == 0xFF) {
                    int next = p + 1 < in.length ? in[p + 1] & 0xFF : -1;
                    if (next != 0) {
                        throw new Malformed("the entropy-coded data ends early at a marker (corrupt or truncated)");
                    }
                    p += 2;
                } else {
                    p++;
                }
                acc = b;
                count = 8;
            }
            count--;
            return acc >> count & 1;
        }

        int get(int n) throws Malformed {
            int v = 0;
            for (int i = 0; i < n; i++) {
                v = v << 1 | bit();
            }
            return v;
        }

        void restart() throws Malformed {
            count = 0;
            if (p + 1 >= in.length || (in[p] & 0xFF) != 0xFF || (in[p + 1] & 0xF8) != 0xD0) {
                throw new Malformed("a restart marker is missing");
            }
            p += 2;
        }

        int end() {
            return p;
        }
    }

    /** A Huffman table decoded one bit at a time with the code ranges of ISO 10918-1 F.2.2.3. */
    private static final class Huffman {
        final int[] maxCode = new int[18];
        final int[] valPtr = new int[17];
        final int[] minCode = new int[17];
        final int[] values;

        Huffman(int[] counts, int[] values) {
            this.values = values;
            int code = 0;
            int k = 0;
            for (int l = 1; l <= 16; l++) {
                valPtr[l] = k;
                minCode[l] = code;
                code += counts[l];
                k += counts[l];
                maxCode[l] = counts[l] == 0 ? -1 : code - 1;
                code <<= 1;
            }
            maxCode[17] = Integer.MAX_VALUE;
        }

        int decode(Bits bits) throws Malformed {
            int code = bits.bit();
            for (int l = 1; l <= 16; l++) {
                if (code <= maxCode[l]) {
                    int i = valPtr[l] + code - minCode[l];
                    if (i < 0 || i >= values.length) {
                        throw new Malformed("a Huffman code matches no table entry (corrupt table)");
                    }
                    return values[i];
                }
                code = code << 1 | bits.bit();
            }
            throw new Malformed("a Huffman code matches no table entry (corrupt data)");
        }
    }
}
