// SPDX-License-Identifier: Apache-2.0
package org.lightbox.codec.nativelib;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.lightbox.imaging.CodecException;
import org.lightbox.imaging.ImageDescription;
import org.lightbox.imaging.PixelCodec;
import org.lightbox.imaging.internal.j2k.J2kCodec;

/**
 * Lossy JPEG 2000 quality means the same in both codecs: the same image at the same quality comes out of OpenJPEG and
 * of jai-imageio (JJ2000) at about the same size and fidelity, and both grow with the quality. (jai-imageio's writer
 * used to stop at about 59:1 on a 12-bit frame whatever the quality, 60 to 90 times smaller than OpenJPEG's output.)
 */
class J2kQualityTest {
    private static final String LOSSY = "1.2.840.10008.1.2.4.91";
    private static final int[] QUALITIES = {40, 60, 75, 90, 95};

    @Test
    void bothCodecsGiveComparableSizeAndFidelityForEachQuality() throws CodecException {
        assumeTrue(OpenJpegCodec.available(), "libopenjp2-7 is not installed");
        ImageDescription ct = new ImageDescription(384, 384, 1, 16, 12, 11, false, 0, "MONOCHROME2", 1, 0);
        ImageDescription colour = new ImageDescription(240, 320, 3, 8, 8, 7, false, 0, "RGB", 1, 0);
        ImageDescription eight = new ImageDescription(384, 320, 1, 8, 8, 7, false, 0, "MONOCHROME2", 1, 0);
        for (ImageDescription image : new ImageDescription[] {ct, colour, eight}) {
            byte[] pixels = phantom(image, 3);
            PixelCodec openJpeg = new OpenJpegCodec("1");
            PixelCodec jai = new J2kCodec();
            double lastPsnrO = 0;
            double lastPsnrJ = 0;
            int lastSizeO = 0;
            int lastSizeJ = 0;
            for (int q : QUALITIES) {
                PixelCodec.EncodeOptions options = new PixelCodec.EncodeOptions(q, 0);
                byte[] o = openJpeg.encode(pixels, image, LOSSY, options, 0);
                byte[] j = jai.encode(pixels, image, LOSSY, options, 0);
                String what = image.samplesPerPixel() + " x " + image.bitsStored() + " bits, quality " + q + ": "
                        + o.length + " bytes (OpenJPEG), " + j.length + " (jai-imageio)";
                // Each decoded by the other codec, so neither codec's own decoder hides anything.
                double psnrO = psnr(pixels, jai.decode(o, image, 0).pixels(), image);
                double psnrJ = psnr(pixels, openJpeg.decode(j, image, 0).pixels(), image);
                if (q <= 75) {
                    // Here both follow the rate closely. Above it OpenJPEG may stop short of the rate, once every
                    // bit plane its own quantiser keeps (steps of about a grey level) is written: on 8-bit colour it
                    // stays near 36 KB and 46 dB from quality 90 up, where JJ2000's finer step goes on.
                    assertThat((double) Math.max(o.length, j.length) / Math.min(o.length, j.length)).as(what)
                            .isLessThan(1.25);
                    assertThat(Math.abs(psnrO - psnrJ)).as(what).isLessThan(3.0);
                }
                // jai-imageio's output is never much worse than OpenJPEG's (it was 60 to 90 times smaller).
                assertThat(psnrJ).as(what).isGreaterThan(psnrO - 3.0);
                // The nominal ratio to Bits Stored, within what headers and the image allow.
                double nominal = image.pixels() * image.samplesPerPixel() * image.bitsStored() / 8.0
                        / J2kCodec.compressionRatio(q);
                assertThat(o.length).as(what).isLessThan((int) (nominal * 1.1) + 512);
                assertThat(j.length).as(what).isBetween((int) (nominal / 2), (int) (nominal * 1.1) + 1024);
                assertThat(psnrO).as(what).isGreaterThanOrEqualTo(lastPsnrO).isGreaterThan(30);
                assertThat(psnrJ).as(what).isGreaterThan(lastPsnrJ).isGreaterThan(30);
                assertThat(o.length).as(what).isGreaterThanOrEqualTo(lastSizeO);
                assertThat(j.length).as(what).isGreaterThan(lastSizeJ);
                lastPsnrO = psnrO;
                lastPsnrJ = psnrJ;
                lastSizeO = o.length;
                lastSizeJ = j.length;
            }
            // Quality 95 is close to the original: a few grey levels at most, on average.
            assertThat(lastPsnrO).isGreaterThan(image.bitsStored() > 8 ? 70 : 40);
            assertThat(lastPsnrJ).isGreaterThan(image.bitsStored() > 8 ? 70 : 40);
        }
    }

    /** Peak signal-to-noise ratio in dB against the full range of Bits Stored; 200 for identical pixels. */
    static double psnr(byte[] a, byte[] b, ImageDescription image) {
        int bytes = image.bitsAllocated() / 8;
        int n = a.length / bytes;
        double sum = 0;
        for (int i = 0; i < n; i++) {
            int x = bytes == 1 ? a[i] & 0xFF : a[2 * i] & 0xFF | (a[2 * i + 1] & 0xFF) << 8;
            int y = bytes == 1 ? b[i] & 0xFF : b[2 * i] & 0xFF | (b[2 * i + 1] & 0xFF) << 8;
            sum += (double) (x - y) * (x - y);
        }
        double max = (1 << image.bitsStored()) - 1;
        return sum == 0 ? 200 : 10 * Math.log10(max * max / (sum / n));
    }

    /** A CT-like disc: a gradient inside, a flat background, noise of a few grey levels (per sample for colour). */
    private static byte[] phantom(ImageDescription image, long seed) {
        Random r = new Random(seed);
        int bytes = image.bitsAllocated() / 8;
        int spp = image.samplesPerPixel();
        int max = (1 << image.bitsStored()) - 1;
        int noise = Math.max(4, max / 256);
        byte[] out = new byte[image.frameBytes()];
        for (int y = 0, i = 0; y < image.rows(); y++) {
            for (int x = 0; x < image.columns(); x++) {
                double dx = (x - image.columns() / 2.0) / (image.columns() / 2.3);
                double dy = (y - image.rows() / 2.0) / (image.rows() / 2.8);
                boolean inside = dx * dx + dy * dy <= 1;
                for (int c = 0; c < spp; c++, i++) {
                    int base = inside ? max / 4 + (x + 2 * y + 40 * c) * max / 2048 : max / 64;
                    int v = Math.clamp(base + r.nextInt(noise), 0, max);
                    out[i * bytes] = (byte) v;
                    if (bytes == 2) {
                        out[i * bytes + 1] = (byte) (v >> 8);
                    }
                }
            }
        }
        return out;
    }
}
