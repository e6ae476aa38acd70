// SPDX-License-Identifier: Apache-2.0
package org.lightbox.imaging.internal;

import org.lightbox.imaging.ImageDescription;

/** Native pixel data as stored, to and from the codecs' layout: little endian, interleaved, 1-bit unpacked. */
public final class NativeLayout {
    private NativeLayout() {}

    /** A native frame in little endian (as {@code Frames} gives it) to the codecs' layout. */
    public static byte[] toCodecLayout(byte[] raw, ImageDescription image) {
        byte[] b = raw;
        if (image.bitsAllocated() == 1) {
            int n = image.pixels() * image.samplesPerPixel();
            byte[] out = new byte[n];
            for (int i = 0; i < n; i++) {
                out[i] = (byte) (b[i >>> 3] >>> (i & 7) & 1);
            }
            return out;
        }
        if (image.isYbr422()) {
            return expand422(b, image);
        }
        int expected = image.frameBytes();
        if (b.length < expected) {
            throw new IllegalArgumentException("a native frame needs " + expected + " bytes but has " + b.length);
        }
        if (image.samplesPerPixel() > 1 && image.planarConfiguration() == 1) {
            b = interleave(b, image);
        } else if (b.length != expected) {
            b = java.util.Arrays.copyOf(b, expected);
        }
        return b;
    }

    /** Y1 Y2 Cb Cr per pair of pixels to Y Cb Cr per pixel (8-bit samples; odd widths end on a lone pixel). */
    private static byte[] expand422(byte[] b, ImageDescription image) {
        if (image.bitsAllocated() != 8) {
            throw new IllegalArgumentException("native YBR_FULL_422 of " + image.bitsAllocated() + " bits");
        }
        int cols = image.columns();
        byte[] out = new byte[image.pixels() * 3];
        int in = 0;
        for (int r = 0; r < image.rows(); r++) {
            for (int c = 0; c < cols; c += 2) {
                int o = (r * cols + c) * 3;
                byte y1 = b[in];
                byte y2 = b[in + 1];
                byte cb = b[in + 2];
                byte cr = b[in + 3];
                in += 4;
                out[o] = y1;
                out[o + 1] = cb;
                out[o + 2] = cr;
                if (c + 1 < cols) {
                    out[o + 3] = y2;
                    out[o + 4] = cb;
                    out[o + 5] = cr;
                }
            }
        }
        return out;
    }

    /** Planes (RRR...GGG...BBB...) to pixels (RGBRGB...), sample by sample of {@code bytes} bytes. */
    public static byte[] interleave(byte[] planar, ImageDescription image) {
        int samples = image.samplesPerPixel();
        int size = Math.max(1, image.bitsAllocated() / 8);
        int pixels = image.pixels();
        byte[] out = new byte[pixels * samples * size];
        for (int s = 0; s < samples; s++) {
            int plane = s * pixels * size;
            for (int p = 0; p < pixels; p++) {
                System.arraycopy(planar, plane + p * size, out, (p * samples + s) * size, size);
            }
        }
        return out;
    }

    /** Pixels back to planes, for writing planar configuration 1. */
    public static byte[] deinterleave(byte[] pixels, ImageDescription image) {
        int samples = image.samplesPerPixel();
        int size = Math.max(1, image.bitsAllocated() / 8);
        int count = image.pixels();
        byte[] out = new byte[pixels.length];
        for (int s = 0; s < samples; s++) {
            for (int p = 0; p < count; p++) {
                System.arraycopy(pixels, (p * samples + s) * size, out, (s * count + p) * size, size);
            }
        }
        return out;
    }
}
