// SPDX-License-Identifier: Apache-2.0
package org.lightbox.imaging.internal.jpeg;

/**
 * Lossless JPEG (ISO 10918-1 process 14, SOF3, Annex H): Huffman-coded differences from one of seven predictors,
 * any precision from 2 to 16 bits, components interleaved in one scan or in a scan each, restart intervals and a
 * point transform. Written for speed: a 64-bit bit buffer and 9-bit Huffman lookup tables.
 */
final class LosslessDecoder {
    private static final int LOOKUP_BITS = 9;

    private final byte[] in;
    private int pos;
    private int precision;
    private int rows;
    private int columns;
    private int[] ids = new int[0];
    private final Table[] tables = new Table[4];
    private int restartInterval;
    private int[][] planes;

    private LosslessDecoder(byte[] in) {
        this.in = in;
    }

    /** Samples interleaved per pixel, row by row, or throws Malformed for what this decoder does not read. */
    static DctDecoder.Image decode(byte[] codestream) throws DctDecoder.Malformed {
        return new LosslessDecoder(codestream).run();
    }

    private DctDecoder.Image run() throws DctDecoder.Malformed {
        if (in.length < 4 || (in[0] & 0xFF) != 0xFF || (in[1] & 0xFF) != 0xD8) {
            throw new DctDecoder.Malformed("the frame does not start with a JPEG SOI marker (FF D8)");
        }
        pos = 2;
        boolean frame = false;
        int scans = 0;
        while (true) {
            int marker = nextMarker();
            if (marker == 0xD9) {
                break;
            }
            int length = u16(pos);
            if (length < 2 || pos + length > in.length) {
                throw new DctDecoder.Malformed("a marker segment runs past the end of the codestream");
            }
            int body = pos + 2;
            pos += length;
            switch (marker) {
                case 0xC3 -> {
                    frameHeader(body, length - 2);
                    frame = true;
                }
                case 0xC4 -> huffmanTables(body, body + length - 2);
                case 0xDD -> restartInterval = length >= 4 ? u16(body) : 0;
                case 0xDA -> {
                    if (!frame) {
                        throw new DctDecoder.Malformed("a scan comes before the frame header");
                    }
                    scan(body, length - 2);
                    scans++;
                }
                default -> {
                    if (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC) {
                        throw new DctDecoder.Malformed("not a lossless Huffman JPEG (SOF" + (marker - 0xC0) + ")");
                    }
                }
            }
        }
        if (!frame || scans == 0) {
            throw new DctDecoder.Malformed("the codestream has no frame or no scan");
        }
        int n = ids.length;
        int[] out = new int[rows * columns * n];
        for (int c = 0; c < n; c++) {
            int[] plane = planes[c];
            for (int i = 0, o = c; i < plane.length; i++, o += n) {
                out[o] = plane[i];
            }
        }
        return new DctDecoder.Image(columns, rows, n, precision, out);
    }

    private int nextMarker() throws DctDecoder.Malformed {
        while (pos + 1 < in.length) {
            if ((in[pos] & 0xFF) == 0xFF && (in[pos + 1] & 0xFF) != 0xFF && (in[pos + 1] & 0xFF) != 0) {
                int m = in[pos + 1] & 0xFF;
                pos += 2;
                return m;
            }
            pos++;
        }
        throw new DctDecoder.Malformed("the codestream ends before its EOI marker (truncated)");
    }

    private int u16(int at) {
        return (in[at] & 0xFF) << 8 | in[at + 1] & 0xFF;
    }

    private void frameHeader(int at, int length) throws DctDecoder.Malformed {
        if (length < 6) {
            throw new DctDecoder.Malformed("the frame header is too short");
        }
        precision = in[at] & 0xFF;
        rows = u16(at + 1);
        columns = u16(at + 3);
        int n = in[at + 5] & 0xFF;
        if (precision < 2 || precision > 16 || rows == 0 || columns == 0 || n == 0 || length < 6 + 3 * n) {
            throw new DctDecoder.Malformed("a frame header of " + precision + " bits, " + columns + " x " + rows
                    + ", " + n + " components is not one this decoder reads");
        }
        ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = in[at + 6 + 3 * i] & 0xFF;
            if ((in[at + 7 + 3 * i] & 0xFF) != 0x11) {
                throw new DctDecoder.Malformed("subsampled lossless JPEG components are not supported");
            }
        }
        if ((long) rows * columns > 1L << 28) {
            throw new DctDecoder.Malformed("a frame of " + columns + " x " + rows + " is too large");
        }
        planes = new int[n][rows * columns];
    }

    private void huffmanTables(int at, int end) throws DctDecoder.Malformed {
        while (at < end) {
            int tcth = in[at] & 0xFF;
            if (at + 17 > end || (tcth >> 4) != 0 || (tcth & 0xF) > 3) {
                throw new DctDecoder.Malformed("a Huffman table that lossless JPEG cannot use");
            }
            int[] counts = new int[17];
            int total = 0;
            for (int i = 1; i <= 16; i++) {
                counts[i] = in[at + i] & 0xFF;
                total += counts[i];
            }
            if (total > 256 || at + 17 + total > end) {
                throw new DctDecoder.Malformed("a Huffman table runs past its segment");
            }
            int[] values = new int[total];
            for (int i = 0; i < total; i++) {
                values[i] = in[at + 17 + i] & 0xFF;
            }
            tables[tcth & 0xF] = new Table(counts, values);
            at += 17 + total;
        }
    }

    private void scan(int at, int length) throws DctDecoder.Malformed {
        int ns = in[at] & 0xFF;
        if (ns == 0 || length < 4 + 2 * ns) {
            throw new DctDecoder.Malformed("a scan header of " + ns + " components is too short");
        }
        int[] comps = new int[ns];
        Table[] t = new Table[ns];
        for (int i = 0; i < ns; i++) {
            int id = in[at + 1 + 2 * i] & 0xFF;
            int k = 0;
            while (k < ids.length && ids[k] != id) {
                k++;
            }
            if (k == ids.length) {
                throw new DctDecoder.Malformed("a scan names component " + id + ", which the frame lacks");
            }
            comps[i] = k;
            t[i] = tables[(in[at + 2 + 2 * i] & 0xFF) >> 4];
            if (t[i] == null) {
                throw new DctDecoder.Malformed("a scan uses a Huffman table that was not defined");
            }
        }
        int predictor = in[at + 1 + 2 * ns] & 0xFF;
        int pointTransform = in[at + 3 + 2 * ns] & 0x0F;
        if (predictor < 1 || predictor > 7) {
            throw new DctDecoder.Malformed("lossless predictor " + predictor + " does not exist");
        }
        decodeScan(comps, t, predictor, pointTransform);
    }

    // The entropy-coded segment's bit buffer.
    private long bits;
    private int count;
    private boolean atMarker;

    private void fill() {
        while (count <= 56) {
            int b = 0;
            if (!atMarker && pos < in.length) {
                b = in[pos] & 0xFF;
                if (b == 0xFF) {
                    int next = pos + 1 < in.length ? in[pos + 1] & 0xFF : 0xD9;
                    if (next == 0) {
                        pos += 2;
                    } else {
                        // A marker ends the segment: feed zeros, which a valid stream never reads.
                        atMarker = true;
                        b = 0;
                    }
                } else {
                    pos++;
                }
            }
            bits |= (long) b << (56 - count);
            count += 8;
        }
    }

    private int huffman(Table table) throws DctDecoder.Malformed {
        if (count < LOOKUP_BITS) {
            fill();
        }
        int peek = (int) (bits >>> (64 - LOOKUP_BITS));
        int entry = table.lookup[peek];
        if (entry != 0) {
            int length = entry >>> 8;
            bits <<= length;
            count -= length;
            return entry & 0xFF;
        }
        // A code longer than the table: the canonical walk of F.2.2.3.
        int code = 0;
        for (int length = 1; length <= 16; length++) {
            if (count == 0) {
                fill();
            }
            code = code << 1 | (int) (bits >>> 63);
            bits <<= 1;
            count--;
            if (code <= table.maxCode[length]) {
                return table.values[table.valPtr[length] + code - table.minCode[length]];
            }
        }
        throw new DctDecoder.Malformed("an invalid Huffman code (corrupt data)");
    }

    private int receive(int ssss) {
        if (count < ssss) {
            fill();
        }
        int v = (int) (bits >>> (64 - ssss));
        bits <<= ssss;
        count -= ssss;
        return v;
    }

    private void decodeScan(int[] comps, Table[] t, int predictor, int pt) throws DctDecoder.Malformed {
        int ns = comps.length;
        int initial = 1 << (precision - pt - 1);
        int mask = 0xFFFF;
        bits = 0;
        count = 0;
        atMarker = false;
        int mcus = 0;
        boolean firstLine = true;
        int[][] p = new int[ns][];
        for (int i = 0; i < ns; i++) {
            p[i] = planes[comps[i]];
        }
        for (int y = 0; y < rows; y++) {
            for (int x = 0; x < columns; x++) {
                if (restartInterval > 0 && mcus > 0 && mcus % restartInterval == 0) {
                    restart();
                    firstLine = true;
                }
                boolean startOfInterval = restartInterval > 0 ? mcus % restartInterval == 0 : mcus == 0;
                for (int c = 0; c < ns; c++) {
                    int[] plane = p[c];
                    int i = y * columns + x;
                    int ssss = huffman(t[c]);
                    int diff;
                    if (ssss == 0) {
                        diff = 0;
                    } else if (ssss == 16) {
                        diff = 32768;
                    } else if (ssss > 16) {
                        throw new DctDecoder.Malformed("a difference category of " + ssss + " bits (corrupt data)");
                    } else {
                        int v = receive(ssss);
                        diff = v < 1 << (ssss - 1) ? v - (1 << ssss) + 1 : v;
                    }
                    int px;
                    if (startOfInterval) {
                        px = initial;
                    } else if (firstLine) {
                        px = plane[i - 1];
                    } else if (x == 0) {
                        px = plane[i - columns];
                    } else {
                        int ra = plane[i - 1];
                        int rb = plane[i - columns];
                        int rc = plane[i - columns - 1];
                        px = switch (predictor) {
                            case 1 -> ra;
                            case 2 -> rb;
                            case 3 -> rc;
                            case 4 -> ra + rb - rc;
                            case 5 -> ra + ((rb - rc) >> 1);
                            case 6 -> rb + ((ra - rc) >> 1);
                            default -> (ra + rb) >> 1;
                        };
                    }
                    plane[i] = (px + diff) & mask;
                }
                mcus++;
            }
            firstLine = false;
        }
        if (pt > 0) {
            for (int c : comps) {
                int[] plane = planes[c];
                for (int i = 0; i < plane.length; i++) {
                    plane[i] <<= pt;
                }
            }
        }
        // The bit buffer never reads past a marker, so the next marker lies at or after pos; a stream cut short
        // (zeros fed past its end) is caught by the missing EOI marker.
    }

    /** At a restart interval's end the bit buffer is dropped and an RSTn marker must follow. */
    private void restart() throws DctDecoder.Malformed {
        bits = 0;
        count = 0;
        atMarker = false;
        while (pos + 1 < in.length && !((in[pos] & 0xFF) == 0xFF && (in[pos + 1] & 0xFF) >= 0xD0
                && (in[pos + 1] & 0xFF) <= 0xD7)) {
            pos++;
        }
        if (pos + 1 >= in.length) {
            throw new DctDecoder.Malformed("a restart marker is missing (corrupt or truncated)");
        }
        pos += 2;
    }

    /** A Huffman table as canonical code ranges (F.2.2.3) plus a lookup of the codes of up to 9 bits. */
    private static final class Table {
        final int[] maxCode = new int[18];
        final int[] minCode = new int[17];
        final int[] valPtr = new int[17];
        final int[] values;
        /** For each 9-bit prefix: (code length << 8 | value), or 0 when the code is longer. */
        final int[] lookup = new int[1 << LOOKUP_BITS];

        Table(int[] counts, int[] values) throws DctDecoder.Malformed {
            this.values = values;
            int code = 0;
            int k = 0;
            for (int length = 1; length <= 16; length++) {
                valPtr[length] = k;
                minCode[length] = code;
                for (int i = 0; i < counts[length]; i++) {
                    if (length <= LOOKUP_BITS) {
                        int shift = LOOKUP_BITS - length;
                        for (int fill = 0; fill < 1 << shift; fill++) {
                            lookup[(code << shift) | fill] = length << 8 | values[k];
                        }
                    }
                    code++;
                    k++;
                }
                maxCode[length] = counts[length] == 0 ? -1 : code - 1;
                if (code > 1 << length) {
                    throw new DctDecoder.Malformed("a Huffman table with more codes than fit");
                }
                code <<= 1;
            }
            maxCode[17] = Integer.MAX_VALUE;
        }
    }
}
