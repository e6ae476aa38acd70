// SPDX-License-Identifier: Apache-2.0
package org.lightbox.imaging.jpegls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.lightbox.dicom.io.DicomReader;
import org.lightbox.imaging.Frames;
import org.lightbox.imaging.ImageDescription;
import org.lightbox.imaging.PixelCodec.EncodeOptions;
import org.lightbox.imaging.internal.jpegls.JpegLsCodec;
import org.lightbox.testkit.SharedData;

/**
 * A rough throughput figure, not a timed test: runs only with {@code -Djpegls.speed=true} and prints MB/s of pixels
 * for a 512 x 512 16-bit frame (the JMH benchmarks in {@code bench} are the real measurement).
 */
class JpegLsSpeedTest {
    @Test
    void printsThroughput() throws Exception {
        assumeTrue(Boolean.getBoolean("jpegls.speed"), "set -Djpegls.speed=true to measure");
        JpegLsCodec codec = new JpegLsCodec();
        ImageDescription image;
        byte[] pixels;
        Path ct = SharedData.dataDir().map(d -> d.resolve("ts/CT_small.jpegls.fragmented.dcm")).orElse(null);
        // A real CT slice tiled to 512 x 512 compresses like one; fall back to a synthetic image without the data.
        image = new ImageDescription(512, 512, 1, 16, 16, 15, true, 0, "MONOCHROME2", 1, 0);
        pixels = JlsImages.pixels(JlsImages.image(512, 512, 1, 16), JlsImages.Kind.SMOOTH, 1);
        if (ct != null && ct.toFile().isFile()) {
            Frames f = Frames.of(DicomReader.read(ct).dataset());
            byte[] small = codec.decode(f.frame(0), f.image(), 0).pixels();
            int w = f.image().columns();
            int h = f.image().rows();
            for (int y = 0; y < 512; y++) {
                for (int x = 0; x < 512; x++) {
                    int from = ((y % h) * w + x % w) * 2;
                    pixels[(y * 512 + x) * 2] = small[from];
                    pixels[(y * 512 + x) * 2 + 1] = small[from + 1];
                }
            }
        }
        for (int near : new int[] {0, 2}) {
            String ts = near == 0 ? "1.2.840.10008.1.2.4.80" : "1.2.840.10008.1.2.4.81";
            EncodeOptions options = new EncodeOptions(90, near);
            byte[] encoded = codec.encode(pixels, image, ts, options, 0);
            for (int i = 0; i < 100; i++) {
                codec.decode(codec.encode(pixels, image, ts, options, 0), image, 0);
            }
            int runs = 200;
            long t0 = System.nanoTime();
            for (int i = 0; i < runs; i++) {
                encoded = codec.encode(pixels, image, ts, options, 0);
            }
            long t1 = System.nanoTime();
            byte[] decoded = null;
            for (int i = 0; i < runs; i++) {
                decoded = codec.decode(encoded, image, 0).pixels();
            }
            long t2 = System.nanoTime();
            double mb = pixels.length * (double) runs / 1e6;
            System.out.printf("JPEG-LS NEAR %d, 512x512x16: ratio %.2f, encode %.1f MB/s, decode %.1f MB/s%n", near,
                    pixels.length / (double) encoded.length, mb / ((t1 - t0) / 1e9), mb / ((t2 - t1) / 1e9));
            assertThat(decoded).hasSize(pixels.length);
        }
    }
}
