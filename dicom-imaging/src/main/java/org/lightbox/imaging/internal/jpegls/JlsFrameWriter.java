// SPDX-License-Identifier: Apache-2.0
package org.lightbox.imaging.internal.jpegls;

import org.lightbox.imaging.ImageDescription;

/**
 * Writes one JPEG-LS codestream: SOI, SOF55, one scan with default parameters (ILV 0 for one component, ILV 2 for
 * more), EOI.
 */
final class JlsFrameWriter {
    private JlsFrameWriter() {}

    static byte[] write(byte[] pixels, ImageDescription image, int near) {
        int bits = image.bitsStored();
        int bytesPerSample = image.bitsAllocated() / 8;
        if (image.floatBits() != 0 || bytesPerSample != 1 && bytesPerSample != 2) {
            throw new IllegalArgumentException("JPEG-LS holds 8- or 16-bit integer samples, not Bits Allocated "
                    + image.bitsAllocated());
        }
        if (bits < 2 || bits > 16) {
            throw new IllegalArgumentException("JPEG-LS holds 2 to 16 bits per sample, not " + bits);
        }
        int maxval = (1 << bits) - 1;
        if (near < 0 || near > Math.min(255, maxval / 2)) {
            throw new IllegalArgumentException("NEAR " + near + " is out of range for " + bits + "-bit samples");
        }
        if (pixels.length < image.frameBytes()) {
            throw new IllegalArgumentException("the frame holds " + pixels.length + " bytes, not "
                    + image.frameBytes());
        }
        int w = image.columns();
        int h = image.rows();
        int comps = image.samplesPerPixel();
        if (w > 0xFFFF || h > 0xFFFF) {
            throw new IllegalArgumentException(w + " x " + h + " is too large for a JPEG-LS frame header");
        }
        JlsParameters params = JlsParameters.of(bits, near, null);
        byte[] buffer = new byte[Math.max(1024, image.frameBytes() / 2 + 256)];
        JlsEncoder enc = new JlsEncoder(params, buffer, 0);
        int ilv = comps == 1 ? 0 : 2;
        header(enc, bits, w, h, comps, near, ilv);

        int[][] prev = new int[comps][w + 2];
        int[][] cur = new int[comps][w + 2];
        int[][] src = new int[comps][w + 2];
        int runIndex = 0;
        for (int y = 0; y < h; y++) {
            for (int ci = 0; ci < comps; ci++) {
                load(pixels, src[ci], y, ci, w, comps, bytesPerSample, maxval);
                int[] p = prev[ci];
                p[w + 1] = p[w];
                cur[ci][0] = p[1];
            }
            if (comps == 1) {
                runIndex = enc.encodeLine(prev[0], cur[0], src[0], w, runIndex);
            } else {
                runIndex = enc.encodeInterleavedLine(prev, cur, src, w, runIndex);
            }
            int[][] t = prev;
            prev = cur;
            cur = t;
        }
        enc.flush();
        if (enc.position() % 2 != 0) {
            // DICOM fragments have even lengths: a fill byte before EOI (T.81 B.1.1.2) keeps the codestream whole.
            enc.putByte(0xFF);
        }
        enc.putByte(0xFF);
        enc.putByte(0xD9);
        return java.util.Arrays.copyOf(enc.buffer(), enc.position());
    }

    private static void header(JlsEncoder enc, int bits, int w, int h, int comps, int near, int ilv) {
        enc.putByte(0xFF);
        enc.putByte(0xD8);
        enc.putByte(0xFF);
        enc.putByte(0xF7);
        u16(enc, 8 + 3 * comps);
        enc.putByte(bits);
        u16(enc, h);
        u16(enc, w);
        enc.putByte(comps);
        for (int i = 0; i < comps; i++) {
            enc.putByte(i + 1);
            enc.putByte(0x11);
            enc.putByte(0);
        }
        enc.putByte(0xFF);
        enc.putByte(0xDA);
        u16(enc, 6 + 2 * comps);
        enc.putByte(comps);
        for (int i = 0; i < comps; i++) {
            enc.putByte(i + 1);
            enc.putByte(0);
        }
        enc.putByte(near);
        enc.putByte(ilv);
        enc.putByte(0);
    }

    private static void u16(JlsEncoder enc, int v) {
        enc.putByte(v >>> 8);
        enc.putByte(v & 0xFF);
    }

    /** One line of one component, masked to the stored bits (signed samples become their two's complement bits). */
    private static void load(byte[] pixels, int[] line, int y, int comp, int w, int comps, int bytesPerSample,
            int maxval) {
        if (bytesPerSample == 1) {
            int o = y * w * comps + comp;
            for (int x = 1; x <= w; x++, o += comps) {
                line[x] = pixels[o] & maxval;
            }
        } else {
            int o = (y * w * comps + comp) * 2;
            int step = comps * 2;
            for (int x = 1; x <= w; x++, o += step) {
                line[x] = ((pixels[o] & 0xFF) | (pixels[o + 1] & 0xFF) << 8) & maxval;
            }
        }
    }
}
