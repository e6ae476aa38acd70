// SPDX-License-Identifier: Apache-2.0
package org.lightbox.codec.nativelib;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.lightbox.imaging.CodecException;
import org.lightbox.imaging.ImageDescription;
import org.lightbox.imaging.PixelCodec;

/** OpenJPEG's worker threads ({@code lightbox.openjpeg.threads}): the setting, auto's share, and equal results. */
class OpenJpegThreadsTest {
    private static final String LOSSLESS = "1.2.840.10008.1.2.4.90";
    private static final String LOSSY = "1.2.840.10008.1.2.4.91";

    @Test
    void theSettingIsAutoOrOneToSixtyFour() {
        assertThat(OpenJpegCodec.parseThreads("auto")).isZero();
        assertThat(OpenJpegCodec.parseThreads(" AUTO ")).isZero();
        assertThat(OpenJpegCodec.parseThreads("1")).isEqualTo(1);
        assertThat(OpenJpegCodec.parseThreads("64")).isEqualTo(64);
        for (String bad : new String[] {"0", "65", "-2", "two", ""}) {
            assertThat(OpenJpegCodec.parseThreads(bad)).as(bad).isEqualTo(-1);
        }
    }

    @Test
    void autoSharesTheProcessorsAmongTheFramesInFlight() {
        assertThat(OpenJpegCodec.threadsFor(0, 2, 1)).isEqualTo(2);
        assertThat(OpenJpegCodec.threadsFor(0, 2, 2)).isEqualTo(1);
        assertThat(OpenJpegCodec.threadsFor(0, 2, 9)).isEqualTo(1);
        assertThat(OpenJpegCodec.threadsFor(0, 1, 1)).isEqualTo(1);
        assertThat(OpenJpegCodec.threadsFor(0, 16, 4)).isEqualTo(4);
        assertThat(OpenJpegCodec.threadsFor(0, 64, 1)).isEqualTo(OpenJpegCodec.MAX_AUTO_THREADS);
        assertThat(OpenJpegCodec.threadsFor(3, 2, 5)).as("a fixed number is kept").isEqualTo(3);
    }

    @Test
    void anyNumberOfThreadsGivesTheSameCodestreamAndPixels() throws CodecException {
        assumeTrue(OpenJpegCodec.available(), "libopenjp2-7 is not installed");
        // Large enough for many code-blocks, so the workers really share the frame.
        ImageDescription image = new ImageDescription(300, 520, 1, 16, 12, 11, false, 0, "MONOCHROME2", 1, 0);
        byte[] p = phantom(image, 9);
        OpenJpegCodec one = new OpenJpegCodec("1");
        PixelCodec.EncodeOptions q = new PixelCodec.EncodeOptions(80, 0);
        for (String ts : new String[] {LOSSLESS, LOSSY}) {
            byte[] reference = one.encode(p, image, ts, q, 0);
            byte[] decoded = one.decode(reference, image, 0).pixels();
            if (ts.equals(LOSSLESS)) {
                assertThat(decoded).isEqualTo(p);
            }
            for (String threads : new String[] {"2", "4", "auto"}) {
                OpenJpegCodec many = new OpenJpegCodec(threads);
                assertThat(many.encode(p, image, ts, q, 0)).as(ts + " with " + threads).isEqualTo(reference);
                assertThat(many.decode(reference, image, 0).pixels()).as(ts + " with " + threads)
                        .isEqualTo(decoded);
            }
        }
    }

    @Test
    void aSettingNotUnderstoodNamesTheProperty() throws CodecException {
        assumeTrue(OpenJpegCodec.available(), "libopenjp2-7 is not installed");
        ImageDescription image = new ImageDescription(16, 16, 1, 8, 8, 7, false, 0, "MONOCHROME2", 1, 0);
        byte[] p = phantom(image, 1);
        byte[] encoded = new OpenJpegCodec("1").encode(p, image, LOSSLESS, PixelCodec.EncodeOptions.DEFAULT, 0);
        OpenJpegCodec bad = new OpenJpegCodec("lots");
        assertThatThrownBy(() -> bad.decode(encoded, image, 0)).isInstanceOf(CodecException.class)
                .hasMessageContaining(OpenJpegCodec.THREADS_PROPERTY).hasMessageContaining("'lots'");
        assertThatThrownBy(() -> bad.encode(p, image, LOSSLESS, PixelCodec.EncodeOptions.DEFAULT, 0))
                .isInstanceOf(CodecException.class).hasMessageContaining(OpenJpegCodec.THREADS_PROPERTY);
    }

    /** A disc with a gradient and noise, within Bits Stored. */
    private static byte[] phantom(ImageDescription image, long seed) {
        Random r = new Random(seed);
        int bytes = image.bitsAllocated() / 8;
        int max = (1 << image.bitsStored()) - 1;
        byte[] out = new byte[image.frameBytes()];
        for (int y = 0, i = 0; y < image.rows(); y++) {
            for (int x = 0; x < image.columns(); x++, i++) {
                double dx = (x - image.columns() / 2.0) / (image.columns() / 2.2);
                double dy = (y - image.rows() / 2.0) / (image.rows() / 2.2);
                int v = dx * dx + dy * dy <= 1 ? max / 4 + (x + y) % 50 + r.nextInt(16) : 24 + r.nextInt(8);
                v = Math.min(v, max);
                out[i * bytes] = (byte) v;
                if (bytes == 2) {
                    out[i * bytes + 1] = (byte) (v >> 8);
                }
            }
        }
        return out;
    }
}
