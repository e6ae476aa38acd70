// SPDX-License-Identifier: Apache-2.0
package org.lightbox.imaging.internal.jpegls;

import org.lightbox.imaging.ImageDescription;

/**
 * Reads one JPEG-LS codestream (T.87 Annex C): the markers, then each scan through {@link JlsDecoder}, into
 * little-endian interleaved samples of the width Bits Allocated gives.
 */
final class JlsFrameReader {
    private final byte[] in;
    private final ImageDescription image;
    private int pos;

    private int precision;
    private int width;
    private int height;
    private int[] componentIds;
    private boolean[] decoded;
    private int[] preset;
    private int restartInterval;
    private int bytesPerSample;
    private byte[] out;

    JlsFrameReader(byte[] in, ImageDescription image) {
        this.in = in;
        this.image = image;
    }

    byte[] read() {
        if (in.length < 4 || (in[0] & 0xFF) != 0xFF || (in[1] & 0xFF) != 0xD8) {
            throw new JlsFormatException("the frame does not start with an SOI marker");
        }
        pos = 2;
        while (true) {
            int marker = nextMarker();
            if (marker < 0 || marker == 0xD9) {
                break;
            }
            switch (marker) {
                case 0xF7 -> readFrameHeader(segment());
                case 0xF8 -> readPresets(segment());
                case 0xDD -> readRestartInterval(segment());
                case 0xDA -> readScan(segment());
                case 0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF ->
                        throw new JlsFormatException(String.format("a JPEG SOF marker FF%02X, not JPEG-LS", marker));
                case 0xD8 -> throw new JlsFormatException("a second SOI marker");
                default -> {
                    if (marker >= 0xD0 && marker <= 0xD7 || marker == 0x01) {
                        continue; // stray restart marker or TEM: no segment follows
                    }
                    int[] body = segment(); // APPn, COM and others we do not need
                    if (marker == 0xE8 && colourTransformed(body)) {
                        throw new JlsFormatException("HP colour transforms (APP8 \"mrfx\") are not supported");
                    }
                }
            }
        }
        if (componentIds == null) {
            throw new JlsFormatException("no SOF55 frame header");
        }
        for (int i = 0; i < decoded.length; i++) {
            if (!decoded[i]) {
                throw new JlsFormatException("no scan holds component " + componentIds[i]);
            }
        }
        return out;
    }

    /** The code of the next marker at or after {@code pos} (fill bytes skipped), or -1 at the end. */
    private int nextMarker() {
        while (pos < in.length && (in[pos] & 0xFF) != 0xFF) {
            pos++;
        }
        while (pos < in.length && (in[pos] & 0xFF) == 0xFF) {
            pos++;
        }
        if (pos >= in.length) {
            return -1;
        }
        return in[pos++] & 0xFF;
    }

    /** The bounds of a marker segment's body; {@code pos} moves past it. */
    private int[] segment() {
        if (pos + 2 > in.length) {
            throw new JlsFormatException("a marker segment is cut off");
        }
        int length = u16(pos);
        if (length < 2 || pos + length > in.length) {
            throw new JlsFormatException("a marker segment of " + length + " bytes does not fit the frame");
        }
        int[] body = {pos + 2, pos + length};
        pos += length;
        return body;
    }

    /** An HP colour transform segment (not allowed in DICOM, PS3.5 8.2.3) that changes the samples. */
    private boolean colourTransformed(int[] s) {
        return s[1] - s[0] >= 5 && in[s[0]] == 'm' && in[s[0] + 1] == 'r' && in[s[0] + 2] == 'f'
                && in[s[0] + 3] == 'x' && in[s[0] + 4] != 0;
    }

    private int u16(int at) {
        return (in[at] & 0xFF) << 8 | in[at + 1] & 0xFF;
    }

    private void readFrameHeader(int[] s) {
        if (componentIds != null) {
            throw new JlsFormatException("a second frame header");
        }
        if (s[1] - s[0] < 6) {
            throw new JlsFormatException("the SOF55 segment is too short");
        }
        precision = in[s[0]] & 0xFF;
        height = u16(s[0] + 1);
        width = u16(s[0] + 3);
        int count = in[s[0] + 5] & 0xFF;
        if (s[1] - s[0] < 6 + 3 * count) {
            throw new JlsFormatException("the SOF55 segment is too short for " + count + " components");
        }
        if (precision < 2 || precision > 16) {
            throw new JlsFormatException("a sample precision of " + precision + " bits");
        }
        bytesPerSample = image.bitsAllocated() / 8;
        if (bytesPerSample != 1 && bytesPerSample != 2 || precision > 8 * bytesPerSample) {
            throw new JlsFormatException(precision + "-bit samples cannot be held in Bits Allocated "
                    + image.bitsAllocated());
        }
        if (height == 0) {
            throw new JlsFormatException("the number of lines is not in the frame header (DNL is not supported)");
        }
        if (width != image.columns() || height != image.rows() || count != image.samplesPerPixel()) {
            throw new JlsFormatException("the codestream is " + width + " x " + height + " with " + count
                    + " components; the data set says " + image.columns() + " x " + image.rows() + " with "
                    + image.samplesPerPixel());
        }
        componentIds = new int[count];
        for (int i = 0; i < count; i++) {
            componentIds[i] = in[s[0] + 6 + 3 * i] & 0xFF;
            if (in[s[0] + 7 + 3 * i] != in[s[0] + 7]) {
                throw new JlsFormatException("subsampled components are not supported");
            }
        }
        decoded = new boolean[count];
        out = new byte[image.frameBytes()];
    }

    private void readPresets(int[] s) {
        if (s[1] - s[0] < 1) {
            throw new JlsFormatException("an empty LSE segment");
        }
        int id = in[s[0]] & 0xFF;
        if (id == 1) {
            if (s[1] - s[0] < 11) {
                throw new JlsFormatException("the preset parameters segment is too short");
            }
            preset = new int[5];
            for (int i = 0; i < 5; i++) {
                preset[i] = u16(s[0] + 1 + 2 * i);
            }
        } else if (id == 2 || id == 3) {
            // Mapping tables matter only if a scan selects one; that is refused there.
        } else {
            throw new JlsFormatException("LSE segment of type " + id + " is not supported");
        }
    }

    private void readRestartInterval(int[] s) {
        if (s[1] - s[0] < 2) {
            throw new JlsFormatException("the DRI segment is too short");
        }
        int len = s[1] - s[0];
        int ri = 0;
        for (int i = 0; i < Math.min(len, 4); i++) {
            ri = ri << 8 | in[s[0] + i] & 0xFF;
        }
        restartInterval = ri;
    }

    private void readScan(int[] s) {
        if (componentIds == null) {
            throw new JlsFormatException("a scan before the frame header");
        }
        int count = s[1] - s[0] >= 1 ? in[s[0]] & 0xFF : 0;
        if (count < 1 || s[1] - s[0] < 4 + 2 * count) {
            throw new JlsFormatException("a malformed SOS segment");
        }
        int[] comps = new int[count];
        for (int i = 0; i < count; i++) {
            int id = in[s[0] + 1 + 2 * i] & 0xFF;
            int table = in[s[0] + 2 + 2 * i] & 0xFF;
            if (table != 0) {
                throw new JlsFormatException("mapping tables (palettised JPEG-LS) are not supported");
            }
            comps[i] = indexOf(id);
            if (decoded[comps[i]]) {
                throw new JlsFormatException("component " + id + " is in two scans");
            }
            decoded[comps[i]] = true;
        }
        int at = s[0] + 1 + 2 * count;
        int near = in[at] & 0xFF;
        int ilv = in[at + 1] & 0xFF;
        int pointTransform = in[at + 2] & 0x0F;
        if (ilv > 2) {
            throw new JlsFormatException("interleave mode " + ilv);
        }
        if (ilv == 0 && count != 1) {
            throw new JlsFormatException("a scan of " + count + " components without interleaving");
        }
        if (pointTransform != 0) {
            throw new JlsFormatException("point transform " + pointTransform + " is not supported");
        }
        JlsParameters params = JlsParameters.of(precision, near, preset);
        JlsDecoder decoder = new JlsDecoder(params, in, pos, in.length);
        decodeLines(decoder, comps, count == 1 ? 0 : ilv);
        if (decoder.overran()) {
            throw new JlsFormatException("the scan's data ends early");
        }
        pos = decoder.position();
        // Leave pos on the marker that ends the scan; any bytes before it are padding.
        while (pos + 1 < in.length && !((in[pos] & 0xFF) == 0xFF && (in[pos + 1] & 0xFF) >= 0x80)) {
            pos++;
        }
    }

    private int indexOf(int id) {
        for (int i = 0; i < componentIds.length; i++) {
            if (componentIds[i] == id) {
                return i;
            }
        }
        throw new JlsFormatException("a scan names component " + id + ", which the frame header does not");
    }

    private void decodeLines(JlsDecoder decoder, int[] comps, int ilv) {
        int w = width;
        int count = comps.length;
        int[][] prev = new int[count][w + 2];
        int[][] cur = new int[count][w + 2];
        int[] runIndex = new int[count];
        for (int y = 0; y < height; y++) {
            if (restartInterval > 0 && y > 0 && y % restartInterval == 0) {
                restart(decoder, y / restartInterval - 1);
                for (int ci = 0; ci < count; ci++) {
                    java.util.Arrays.fill(prev[ci], 0);
                    runIndex[ci] = 0;
                }
            }
            for (int ci = 0; ci < count; ci++) {
                int[] p = prev[ci];
                p[w + 1] = p[w];
                cur[ci][0] = p[1];
            }
            if (ilv == 2) {
                runIndex[0] = decoder.decodeInterleavedLine(prev, cur, w, runIndex[0]);
            } else {
                // ILV 1 shares the contexts between components but keeps a RUNindex for each.
                for (int ci = 0; ci < count; ci++) {
                    runIndex[ci] = decoder.decodeLine(prev[ci], cur[ci], w, runIndex[ci]);
                }
            }
            for (int ci = 0; ci < count; ci++) {
                store(cur[ci], y, comps[ci]);
                int[] t = prev[ci];
                prev[ci] = cur[ci];
                cur[ci] = t;
            }
        }
    }

    /** Moves the decoder past the restart marker that must follow {@code interval} and resets its state. */
    private void restart(JlsDecoder decoder, int interval) {
        if (decoder.overran()) {
            throw new JlsFormatException("the data before restart marker " + (interval + 1) + " ends early");
        }
        int at = decoder.position();
        while (at + 1 < in.length && !((in[at] & 0xFF) == 0xFF && (in[at + 1] & 0xFF) >= 0x80)) {
            at++;
        }
        while (at + 1 < in.length && (in[at + 1] & 0xFF) == 0xFF) {
            at++;
        }
        if (at + 1 >= in.length || (in[at + 1] & 0xFF) != 0xD0 + (interval & 7)) {
            throw new JlsFormatException("restart marker " + (interval + 1) + " is missing");
        }
        decoder.restartAt(at + 2);
        decoder.resetModel();
    }

    private void store(int[] line, int y, int comp) {
        int stride = componentIds.length;
        int w = width;
        if (bytesPerSample == 1) {
            int o = y * w * stride + comp;
            for (int x = 1; x <= w; x++, o += stride) {
                out[o] = (byte) line[x];
            }
        } else {
            int o = (y * w * stride + comp) * 2;
            int step = stride * 2;
            for (int x = 1; x <= w; x++, o += step) {
                int v = line[x];
                out[o] = (byte) v;
                out[o + 1] = (byte) (v >>> 8);
            }
        }
    }
}
