// SPDX-License-Identifier: Apache-2.0
package org.lightbox.imaging;

import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Tag;

/**
 * What the Image Pixel module (PS3.3 C.7.6.3) says about the pixels: their geometry and encoding.
 *
 * @param planarConfiguration 0 = samples interleaved per pixel, 1 = one plane per sample
 * @param floatBits 0 for integer pixel data, 32 or 64 for Float / Double Float Pixel Data
 */
public record ImageDescription(int rows, int columns, int samplesPerPixel, int bitsAllocated, int bitsStored,
        int highBit, boolean signed, int planarConfiguration, String photometricInterpretation, int frames,
        int floatBits) {

    public ImageDescription {
        if (rows <= 0 || columns <= 0) {
            throw new IllegalArgumentException("an image needs Rows and Columns above zero, not " + rows + " x " + columns);
        }
        if (samplesPerPixel != 1 && samplesPerPixel != 3 && samplesPerPixel != 4) {
            throw new IllegalArgumentException("Samples per Pixel must be 1, 3 or 4, not " + samplesPerPixel);
        }
        if (bitsAllocated != 1 && bitsAllocated % 8 != 0 || bitsAllocated < 1 || bitsAllocated > 64) {
            throw new IllegalArgumentException("Bits Allocated must be 1 or a multiple of 8 up to 64, not " + bitsAllocated);
        }
        if (bitsStored < 1 || bitsStored > bitsAllocated) {
            throw new IllegalArgumentException("Bits Stored " + bitsStored + " does not fit Bits Allocated " + bitsAllocated);
        }
        if (frames < 1) {
            throw new IllegalArgumentException("Number of Frames must be at least 1, not " + frames);
        }
    }

    /** Reads the description from a data set; missing optional attributes take their PS3.3 defaults. */
    public static ImageDescription of(Dataset ds) {
        int floatBits = ds.contains(Tag.FloatPixelData) ? 32 : ds.contains(Tag.DoubleFloatPixelData) ? 64 : 0;
        int bitsAllocated = ds.integer(Tag.BitsAllocated).orElse(floatBits == 0 ? 0 : floatBits);
        int bitsStored = ds.integer(Tag.BitsStored).orElse(bitsAllocated);
        return new ImageDescription(require(ds, Tag.Rows, "Rows"), require(ds, Tag.Columns, "Columns"),
                ds.integer(Tag.SamplesPerPixel).orElse(1), bitsAllocated, bitsStored,
                ds.integer(Tag.HighBit).orElse(bitsStored - 1), ds.integer(Tag.PixelRepresentation).orElse(0) == 1,
                ds.integer(Tag.PlanarConfiguration).orElse(0),
                ds.string(Tag.PhotometricInterpretation).orElse(ds.integer(Tag.SamplesPerPixel).orElse(1) == 1
                        ? "MONOCHROME2" : "RGB"),
                Math.max(1, ds.integer(Tag.NumberOfFrames).orElse(1)), floatBits);
    }

    private static int require(Dataset ds, int tag, String name) {
        return ds.integer(tag).orElseThrow(() -> new IllegalArgumentException("the data set has no " + name));
    }

    /** Pixels per frame. */
    public int pixels() {
        return rows * columns;
    }

    /** Bytes of one native frame: for 1-bit data the frame's bits, which need not end on a byte (PS3.5 8.1.1). */
    public long frameBits() {
        // Native YBR_FULL_422 keeps two luminance samples per chrominance pair: 2 samples a pixel (PS3.3 C.7.6.3.1.2).
        int stored = isYbr422() ? 2 : samplesPerPixel;
        return (long) rows * columns * stored * bitsAllocated;
    }

    public boolean isYbr422() {
        return photometricInterpretation.equals("YBR_FULL_422") && samplesPerPixel == 3;
    }

    /** Bytes one decoded frame takes in memory (1-bit data unpacked to one byte per pixel). */
    public int frameBytes() {
        long bytes = (long) rows * columns * samplesPerPixel * Math.max(1, bitsAllocated / 8);
        if (bytes > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("a frame of " + bytes + " bytes is too large to hold");
        }
        return (int) bytes;
    }

    public ImageDescription withPhotometricInterpretation(String pi) {
        return new ImageDescription(rows, columns, samplesPerPixel, bitsAllocated, bitsStored, highBit, signed,
                planarConfiguration, pi, frames, floatBits);
    }

    public ImageDescription withPlanarConfiguration(int pc) {
        return new ImageDescription(rows, columns, samplesPerPixel, bitsAllocated, bitsStored, highBit, signed, pc,
                photometricInterpretation, frames, floatBits);
    }
}
