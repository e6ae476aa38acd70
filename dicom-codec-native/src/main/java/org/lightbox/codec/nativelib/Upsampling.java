// SPDX-License-Identifier: Apache-2.0
package org.lightbox.codec.nativelib;

/**
 * Chroma upsampling as libjpeg 6b does it (jdsample.c), which is what the JDK's JPEG reader, DCMTK's dcmdjpeg and so
 * the pure-Java codec produce: a triangle ("fancy") filter for 2:1 horizontal and 2:1 both ways, when the plane is
 * wider than 2 samples; plain replication otherwise. Edges repeat the outermost sample, as libjpeg's context rows do.
 */
final class Upsampling {
    private Upsampling() {}

    /**
     * @param plane the subsampled plane, {@code stride} bytes a row, at least {@code height} rows
     * @param width samples a row that carry data (libjpeg's downsampled width)
     * @return {@code width * hf} by {@code height * vf} samples, packed
     */
    static byte[] upsample(byte[] plane, int stride, int width, int height, int hf, int vf) {
        if (hf == 2 && vf == 1 && width > 2) {
            return h2v1(plane, stride, width, height);
        }
        if (hf == 2 && vf == 2 && width > 2) {
            return h2v2(plane, stride, width, height);
        }
        int ow = width * hf;
        byte[] out = new byte[ow * height * vf];
        for (int y = 0; y < height * vf; y++) {
            int in = y / vf * stride;
            int o = y * ow;
            for (int x = 0; x < ow; x++) {
                out[o + x] = plane[in + x / hf];
            }
        }
        return out;
    }

    /** Each output sample is 3/4 of the nearer input sample and 1/4 of the further one. */
    private static byte[] h2v1(byte[] p, int stride, int width, int height) {
        int ow = width * 2;
        byte[] out = new byte[ow * height];
        for (int y = 0; y < height; y++) {
            int in = y * stride;
            int o = y * ow;
            for (int x = 0; x < width; x++) {
                int here = (p[in + x] & 0xFF) * 3;
                int left = p[in + Math.max(0, x - 1)] & 0xFF;
                int right = p[in + Math.min(width - 1, x + 1)] & 0xFF;
                // libjpeg's rounding: +1 to the left output, +2 to the right one; the ends copy the edge sample.
                out[o + 2 * x] = (byte) (x == 0 ? here / 3 : here + left + 1 >> 2);
                out[o + 2 * x + 1] = (byte) (x == width - 1 ? here / 3 : here + right + 2 >> 2);
            }
        }
        return out;
    }

    /** Column sums of 3/4 the nearer row and 1/4 the further one, then the same weighting across columns. */
    private static byte[] h2v2(byte[] p, int stride, int width, int height) {
        int ow = width * 2;
        byte[] out = new byte[ow * height * 2];
        int[] sum = new int[width];
        for (int y = 0; y < height; y++) {
            for (int v = 0; v < 2; v++) {
                int near = y * stride;
                int far = Math.clamp(v == 0 ? y - 1 : y + 1, 0, height - 1) * stride;
                for (int x = 0; x < width; x++) {
                    sum[x] = (p[near + x] & 0xFF) * 3 + (p[far + x] & 0xFF);
                }
                int o = (2 * y + v) * ow;
                for (int x = 0; x < width; x++) {
                    int here = sum[x] * 3;
                    out[o + 2 * x] = (byte) (x == 0 ? sum[x] * 4 + 8 >> 4 : here + sum[x - 1] + 8 >> 4);
                    out[o + 2 * x + 1] = (byte) (x == width - 1 ? sum[x] * 4 + 7 >> 4 : here + sum[x + 1] + 7 >> 4);
                }
            }
        }
        return out;
    }
}
