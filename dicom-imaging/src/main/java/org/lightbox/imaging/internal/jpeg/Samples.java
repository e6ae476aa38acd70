// SPDX-License-Identifier: Apache-2.0
package org.lightbox.imaging.internal.jpeg;

import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import org.lightbox.imaging.ImageDescription;

/**
 * Moves samples between ImageIO rasters and the codecs' native layout (little endian, interleaved, 1 or 2 bytes a
 * sample as Bits Allocated says). Shared by the JPEG and JPEG 2000 codecs.
 */
public final class Samples {
    private Samples() {}

    /**
     * The raster's samples in native layout. Signed images are sign-extended from Bits Stored, since JPEG stores
     * the two's complement bit pattern as an unsigned number of that many bits.
     */
    public static byte[] fromRaster(Raster r, ImageDescription image) {
        int w = r.getWidth();
        int h = r.getHeight();
        int bands = r.getNumBands();
        int[] row = new int[w * bands];
        int bytes = Math.max(1, image.bitsAllocated() / 8);
        byte[] out = new byte[w * h * bands * bytes];
        int o = 0;
        for (int y = 0; y < h; y++) {
            r.getPixels(r.getMinX(), r.getMinY() + y, w, 1, row);
            o = put(row, row.length, image, bytes, out, o);
        }
        return out;
    }

    /** Interleaved int samples in native layout (see {@link #fromRaster}). */
    public static byte[] fromInts(int[] samples, ImageDescription image) {
        int bytes = Math.max(1, image.bitsAllocated() / 8);
        byte[] out = new byte[samples.length * bytes];
        put(samples, samples.length, image, bytes, out, 0);
        return out;
    }

    private static int put(int[] s, int n, ImageDescription image, int bytes, byte[] out, int o) {
        int stored = image.bitsStored();
        boolean extend = image.signed() && stored < 32;
        int shift = 32 - stored;
        for (int i = 0; i < n; i++) {
            int v = extend ? s[i] << shift >> shift : s[i];
            out[o++] = (byte) v;
            if (bytes == 2) {
                out[o++] = (byte) (v >> 8);
            }
        }
        return o;
    }

    /**
     * Native pixels as int samples, interleaved; signed values stay negative, so callers that need the unsigned
     * bit pattern mask with {@code (1 << bitsStored) - 1}.
     */
    public static int[] toInts(byte[] pixels, ImageDescription image) {
        int bytes = Math.max(1, image.bitsAllocated() / 8);
        int n = image.pixels() * image.samplesPerPixel();
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            if (bytes == 1) {
                out[i] = image.signed() ? pixels[i] : pixels[i] & 0xFF;
            } else {
                int v = pixels[2 * i] & 0xFF | (pixels[2 * i + 1] & 0xFF) << 8;
                out[i] = image.signed() ? (short) v : v;
            }
        }
        return out;
    }

    /** A raster of the given data buffer type (TYPE_BYTE, TYPE_USHORT) holding {@code samples}. */
    public static WritableRaster raster(int[] samples, ImageDescription image, int dataType) {
        WritableRaster r = Raster.createInterleavedRaster(dataType, image.columns(), image.rows(),
                image.samplesPerPixel(), null);
        r.setPixels(0, 0, image.columns(), image.rows(), samples);
        return r;
    }

    /** The buffer type ImageIO uses for samples of this many bits. */
    public static int dataType(int bits) {
        return bits <= 8 ? DataBuffer.TYPE_BYTE : DataBuffer.TYPE_USHORT;
    }
}
