// SPDX-License-Identifier: Apache-2.0
package org.lightbox.codec.nativelib;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.lightbox.dicom.io.DicomFile;
import org.lightbox.dicom.io.DicomReader;
import org.lightbox.imaging.CodecException;
import org.lightbox.imaging.Frames;
import org.lightbox.imaging.ImageDescription;
import org.lightbox.imaging.PixelCodec;
import org.lightbox.imaging.PixelData;
import org.lightbox.testkit.SharedData;

/** CharLS through FFM: the shared JPEG-LS files decode to the manifest's pixels, and round trips are exact. */
class CharlsCodecTest {
    private static final CharlsCodec CHARLS = new CharlsCodec();

    @Test
    void isFoundThroughTheServiceLoaderWhenInstalled() {
        assumeTrue(CharlsCodec.available(), "libcharls2 is not installed");
        assertThat(PixelData.decoder("1.2.840.10008.1.2.4.80")).get().extracting(PixelCodec::name)
                .isEqualTo("JPEG-LS (CharLS)");
    }

    @TestFactory
    Stream<DynamicTest> sharedJpegLsFilesMatchTheManifest() {
        assumeTrue(CharlsCodec.available(), "libcharls2 is not installed");
        assumeTrue(SharedData.dataDir().isPresent(), "../shared/data is absent");
        Path data = SharedData.dataDir().orElseThrow();
        return SharedData.manifest().stream()
                .filter(r -> r.get("transfer_syntax_uid").matches("1\\.2\\.840\\.10008\\.1\\.2\\.4\\.8[01]"))
                .filter(r -> !r.get("pixel_md5").isEmpty() && !r.get("file").startsWith("malformed/"))
                .map(r -> DynamicTest.dynamicTest(r.get("file"), () -> {
                    DicomFile f = DicomReader.read(data.resolve(r.get("file")));
                    Frames frames = Frames.of(f.dataset());
                    ByteArrayOutputStream all = new ByteArrayOutputStream();
                    for (int i = 0; i < frames.count(); i++) {
                        all.writeBytes(CHARLS.decode(frames.frame(i), frames.image(), i).pixels());
                    }
                    String md5 = HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(all.toByteArray()));
                    assertThat(md5).isEqualTo(r.get("pixel_md5"));
                }));
    }

    @Property(tries = 60)
    void losslessAndNearLosslessRoundTrips(@ForAll @IntRange(min = 1, max = 80) int rows,
            @ForAll @IntRange(min = 1, max = 80) int cols, @ForAll boolean colour, @ForAll boolean sixteen,
            @ForAll @IntRange(max = 3) int near, @ForAll long seed) throws CodecException {
        assumeTrue(CharlsCodec.available(), "libcharls2 is not installed");
        int bits = sixteen && !colour ? 12 : 8;
        ImageDescription image = new ImageDescription(rows, cols, colour ? 3 : 1, sixteen && !colour ? 16 : 8, bits,
                bits - 1, false, 0, colour ? "RGB" : "MONOCHROME2", 1, 0);
        byte[] p = new byte[image.frameBytes()];
        Random r = new Random(seed);
        int sampleBytes = image.bitsAllocated() / 8;
        for (int i = 0; i < p.length / sampleBytes; i++) {
            int v = (i / 7 + r.nextInt(3)) & ((1 << bits) - 1);
            p[i * sampleBytes] = (byte) v;
            if (sampleBytes == 2) {
                p[i * sampleBytes + 1] = (byte) (v >> 8);
            }
        }
        String ts = near == 0 ? "1.2.840.10008.1.2.4.80" : "1.2.840.10008.1.2.4.81";
        byte[] encoded = CHARLS.encode(p, image, ts, new PixelCodec.EncodeOptions(90, near), 0);
        byte[] back = CHARLS.decode(encoded, image, 0).pixels();
        for (int i = 0; i < p.length / sampleBytes; i++) {
            int a = sampleBytes == 2 ? p[2 * i] & 0xFF | (p[2 * i + 1] & 0xFF) << 8 : p[i] & 0xFF;
            int b = sampleBytes == 2 ? back[2 * i] & 0xFF | (back[2 * i + 1] & 0xFF) << 8 : back[i] & 0xFF;
            assertThat(Math.abs(a - b)).isLessThanOrEqualTo(near);
        }
    }

    @Property(tries = 30)
    void bitsAboveBitsStoredAreDroppedBeforeEncoding(@ForAll @IntRange(min = 1, max = 40) int rows,
            @ForAll @IntRange(min = 1, max = 41) int cols, @ForAll @IntRange(min = 9, max = 15) int bits,
            @ForAll boolean dirty, @ForAll long seed) throws CodecException {
        assumeTrue(CharlsCodec.available(), "libcharls2 is not installed");
        ImageDescription image = new ImageDescription(rows, cols, 1, 16, bits, bits - 1, false, 0, "MONOCHROME2", 1,
                0);
        byte[] p = new byte[image.frameBytes()];
        Random r = new Random(seed);
        for (int i = 0; i < p.length / 2; i++) {
            // Garbage above Bits Stored in some samples (an overlay or padding left in the high bits), or none.
            int v = r.nextInt(1 << bits) | (dirty && r.nextInt(5) == 0 ? r.nextInt(1 << 16) & ~((1 << bits) - 1) : 0);
            p[2 * i] = (byte) v;
            p[2 * i + 1] = (byte) (v >> 8);
        }
        byte[] sent = p.clone();
        byte[] back = CHARLS.decode(CHARLS.encode(p, image, "1.2.840.10008.1.2.4.80",
                PixelCodec.EncodeOptions.DEFAULT, 0), image, 0).pixels();
        assertThat(p).as("the caller's pixels are left alone").isEqualTo(sent);
        for (int i = 0; i < p.length / 2; i++) {
            int v = (p[2 * i] & 0xFF | (p[2 * i + 1] & 0xFF) << 8) & ((1 << bits) - 1);
            assertThat(back[2 * i] & 0xFF | (back[2 * i + 1] & 0xFF) << 8).isEqualTo(v);
        }
    }

    @Test
    void corruptCodestreamsGiveCodecExceptions() throws CodecException {
        assumeTrue(CharlsCodec.available(), "libcharls2 is not installed");
        ImageDescription image = new ImageDescription(32, 32, 1, 8, 8, 7, false, 0, "MONOCHROME2", 1, 0);
        byte[] good = CHARLS.encode(new byte[image.frameBytes()], image, "1.2.840.10008.1.2.4.80",
                PixelCodec.EncodeOptions.DEFAULT, 0);
        assertThatThrownBy(() -> CHARLS.decode(java.util.Arrays.copyOf(good, 10), image, 2))
                .isInstanceOf(CodecException.class).hasMessageContaining("frame 3").hasMessageContaining("CharLS");
        ImageDescription wrong = new ImageDescription(16, 32, 1, 8, 8, 7, false, 0, "MONOCHROME2", 1, 0);
        assertThatThrownBy(() -> CHARLS.decode(good, wrong, 0)).isInstanceOf(CodecException.class)
                .hasMessageContaining("data set says");
    }
}
