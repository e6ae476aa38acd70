// SPDX-License-Identifier: Apache-2.0
package org.lightbox.imaging.jpegls;

import java.util.Random;
import org.lightbox.imaging.ImageDescription;

/** Synthetic images for the JPEG-LS tests: noise, smooth gradients and flat areas that exercise run mode. */
final class JlsImages {
    enum Kind { NOISE, SMOOTH, BLOCKS }

    private JlsImages() {}

    static ImageDescription image(int rows, int columns, int samples, int bitsStored) {
        int allocated = bitsStored > 8 ? 16 : 8;
        return new ImageDescription(rows, columns, samples, allocated, bitsStored, bitsStored - 1, false, 0,
                samples == 1 ? "MONOCHROME2" : "RGB", 1, 0);
    }

    /** Little-endian interleaved samples of the image's stored bits. */
    static byte[] pixels(ImageDescription image, Kind kind, long seed) {
        Random r = new Random(seed);
        int max = (1 << image.bitsStored()) - 1;
        int spp = image.samplesPerPixel();
        int bps = image.bitsAllocated() / 8;
        byte[] out = new byte[image.frameBytes()];
        for (int y = 0; y < image.rows(); y++) {
            for (int x = 0; x < image.columns(); x++) {
                for (int s = 0; s < spp; s++) {
                    int v = switch (kind) {
                        case NOISE -> r.nextInt(max + 1);
                        case SMOOTH -> (int) Math.round(max * (0.5 + 0.25 * Math.sin(x * 0.07 + s)
                                + 0.2 * Math.cos(y * 0.05)) + r.nextInt(3) - 1);
                        case BLOCKS -> ((x / 9 + y / 7 + s) % 3 == 0) ? r.nextInt(max + 1)
                                : ((x / 13 + y / 11) % 2) * max / 3;
                    };
                    v = Math.max(0, Math.min(max, v));
                    int o = ((y * image.columns() + x) * spp + s) * bps;
                    out[o] = (byte) v;
                    if (bps == 2) {
                        out[o + 1] = (byte) (v >>> 8);
                    }
                }
            }
        }
        return out;
    }

    static int sample(byte[] p, int i, int bps) {
        return bps == 1 ? p[i] & 0xFF : (p[2 * i] & 0xFF) | (p[2 * i + 1] & 0xFF) << 8;
    }

    /** The largest absolute difference between two frames' samples. */
    static int maxError(byte[] a, byte[] b, int bps) {
        int worst = 0;
        for (int i = 0; i < a.length / bps; i++) {
            worst = Math.max(worst, Math.abs(sample(a, i, bps) - sample(b, i, bps)));
        }
        return worst;
    }
}
