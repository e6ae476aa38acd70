// SPDX-License-Identifier: Apache-2.0
package org.lightbox.codec.nativelib;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.lightbox.dicom.io.DicomReader;
import org.lightbox.imaging.CodecException;
import org.lightbox.imaging.Frames;
import org.lightbox.imaging.ImageDescription;
import org.lightbox.imaging.PixelCodec;
import org.lightbox.imaging.PixelData;
import org.lightbox.imaging.internal.j2k.J2kCodec;
import org.lightbox.testkit.SharedData;

/**
 * OpenJPEG through FFM: the shared JPEG 2000 files decode to the manifest's pixels (lossless) or to within 2 of the
 * pure-Java codec's (lossy), broken codestreams give CodecExceptions, and round trips are exact when lossless.
 */
class OpenJpegCodecTest {
    private static final OpenJpegCodec OPENJPEG = new OpenJpegCodec();
    private static final String LOSSLESS = "1.2.840.10008.1.2.4.90";
    private static final String LOSSY = "1.2.840.10008.1.2.4.91";
    /**
     * Files with a pixel MD5 that OpenJPEG refuses, and why. (ts/GDCMJ2K_TextGBR.dcm, which Pillow's OpenJPEG refuses as
     * a JP2 file, is not one: given only its codestream, as here, OpenJPEG decodes it to GDCM's pixels.)
     */
    private static final Map<String, String> REFUSED = Map.of(
            "malformed/JPEG2000-embedded-sequence-delimiter.dcm", "SIZ width holds the sequence delimiter bytes");
    private static final String SMALL_CT = "ts/CT_small.j2k-lossless.dcm";
    private static final int MAX_LOSSY_ERROR = 2;

    @Test
    void isFoundThroughTheServiceLoaderWhenInstalled() {
        assumeTrue(OpenJpegCodec.available(), "libopenjp2-7 is not installed");
        assertThat(PixelData.decoder(LOSSLESS)).get().extracting(PixelCodec::name).isEqualTo("JPEG 2000 (OpenJPEG)");
    }

    @TestFactory
    Stream<DynamicTest> sharedJpeg2000FilesMatchTheManifest() {
        assumeTrue(OpenJpegCodec.available(), "libopenjp2-7 is not installed");
        assumeTrue(SharedData.dataDir().isPresent(), "../shared/data is absent");
        Path data = SharedData.dataDir().orElseThrow();
        return SharedData.manifest().stream()
                .filter(r -> r.get("transfer_syntax_uid").equals(LOSSLESS) || r.get("transfer_syntax_uid").equals(LOSSY))
                .filter(r -> !r.get("pixel_md5").isEmpty() && !REFUSED.containsKey(r.get("file")))
                .map(r -> DynamicTest.dynamicTest(r.get("file"), () -> {
                    Frames frames = Frames.of(DicomReader.read(data.resolve(r.get("file"))).dataset());
                    byte[] ours = decodeAll(OPENJPEG, frames);
                    // The same description as the pure-Java codec's: RGB after a component transform.
                    assertThat(OPENJPEG.decode(frames.frame(0), frames.image(), 0).image())
                            .isEqualTo(new J2kCodec().decode(frames.frame(0), frames.image(), 0).image());
                    String md5 = HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(ours));
                    if (r.get("transfer_syntax_uid").equals(LOSSLESS) || md5.equals(r.get("pixel_md5"))) {
                        assertThat(md5).as(r.get("file")).isEqualTo(r.get("pixel_md5"));
                        return;
                    }
                    // Lossy: 9/7 arithmetic rounds differently from one decoder to the next.
                    byte[] theirs = decodeAll(new J2kCodec(), frames);
                    assertThat(maxError(ours, theirs, frames.image())).as(r.get("file"))
                            .isLessThanOrEqualTo(MAX_LOSSY_ERROR);
                }));
    }

    @Test
    void knownRefusalsAreCodecExceptions() throws Exception {
        assumeTrue(OpenJpegCodec.available(), "libopenjp2-7 is not installed");
        assumeTrue(SharedData.dataDir().isPresent(), "../shared/data is absent");
        for (String name : REFUSED.keySet()) {
            Path file = SharedData.dataDir().orElseThrow().resolve(name);
            assumeTrue(Files.exists(file));
            Frames frames = Frames.of(DicomReader.read(file).dataset());
            assertThatThrownBy(() -> OPENJPEG.decode(frames.frame(0), frames.image(), 0)).as(REFUSED.get(name))
                    .isInstanceOf(CodecException.class).hasMessageContaining("JPEG 2000 (OpenJPEG), frame 1");
        }
    }

    @Test
    void aCodestreamCutShortIsRefused() throws Exception {
        assumeTrue(OpenJpegCodec.available(), "libopenjp2-7 is not installed");
        ImageDescription image = grey(40, 30, 12, false);
        byte[] good = OPENJPEG.encode(ramp(image, 1), image, LOSSLESS, PixelCodec.EncodeOptions.DEFAULT, 0);
        for (int cut : new int[] {0, 1, 2, 4, 10, 40, good.length / 2, good.length - 2}) {
            assertThatThrownBy(() -> OPENJPEG.decode(Arrays.copyOf(good, cut), image, 4))
                    .isInstanceOf(CodecException.class).hasMessageContaining("JPEG 2000 (OpenJPEG), frame 5");
        }
        // With an EOC marker put back, the cut reaches OpenJPEG itself, whose strict mode refuses it.
        for (int cut : new int[] {good.length / 4, good.length / 2, good.length - 6}) {
            byte[] resealed = Arrays.copyOf(good, cut + 2);
            resealed[cut] = (byte) 0xFF;
            resealed[cut + 1] = (byte) 0xD9;
            assertThatThrownBy(() -> OPENJPEG.decode(resealed, image, 0)).isInstanceOf(CodecException.class)
                    .hasMessageContaining("JPEG 2000 (OpenJPEG), frame 1");
        }
        ImageDescription wrong = grey(30, 40, 12, false);
        assertThatThrownBy(() -> OPENJPEG.decode(good, wrong, 0)).isInstanceOf(CodecException.class)
                .hasMessageContaining("data set says");
    }

    @Test
    void randomlyMutatedCodestreamsFailCleanlyOrDecodeToTheRightSize() throws Exception {
        assumeTrue(OpenJpegCodec.available(), "libopenjp2-7 is not installed");
        ImageDescription image = grey(24, 20, 8, false);
        Random random = new Random(42);
        for (String ts : new String[] {LOSSLESS, LOSSY}) {
            byte[] good = OPENJPEG.encode(ramp(image, 7), image, ts, PixelCodec.EncodeOptions.DEFAULT, 0);
            int refused = 0;
            for (int round = 0; round < 400; round++) {
                byte[] bad = good.clone();
                for (int k = 1 + random.nextInt(4); k > 0; k--) {
                    bad[random.nextInt(bad.length)] = (byte) random.nextInt(256);
                }
                try {
                    // A flipped bit in entropy-coded data may decode to other pixels; that is no error to detect.
                    assertThat(OPENJPEG.decode(bad, image, 0).pixels()).hasSize(image.frameBytes());
                } catch (CodecException e) {
                    assertThat(e.getMessage()).startsWith("JPEG 2000 (OpenJPEG), frame 1: ");
                    refused++;
                }
            }
            assertThat(refused).as(ts).isPositive();
        }
    }

    @Test
    void aMutatedRealCodestreamFailsCleanlyOrDecodesToTheRightSize() throws Exception {
        assumeTrue(OpenJpegCodec.available(), "libopenjp2-7 is not installed");
        assumeTrue(SharedData.dataDir().isPresent(), "../shared/data is absent");
        Path file = SharedData.dataDir().orElseThrow().resolve(SMALL_CT);
        assumeTrue(Files.exists(file));
        Frames frames = Frames.of(DicomReader.read(file).dataset());
        byte[] good = frames.frame(0);
        Random random = new Random(7);
        int refused = 0;
        for (int round = 0; round < 150; round++) {
            byte[] bad = good.clone();
            // Mostly in the headers, where a wrong byte changes sizes and counts, sometimes anywhere.
            int span = random.nextBoolean() ? Math.min(300, bad.length) : bad.length;
            for (int k = 1 + random.nextInt(3); k > 0; k--) {
                bad[random.nextInt(span)] = (byte) random.nextInt(256);
            }
            try {
                assertThat(OPENJPEG.decode(bad, frames.image(), 0).pixels()).hasSize(frames.image().frameBytes());
            } catch (CodecException e) {
                assertThat(e.codec()).isEqualTo("JPEG 2000 (OpenJPEG)");
                refused++;
            }
        }
        assertThat(refused).isPositive();
    }

    @Test
    void threadsDecodeAtTheSameTime() throws Exception {
        assumeTrue(OpenJpegCodec.available(), "libopenjp2-7 is not installed");
        ImageDescription image = grey(64, 64, 16, true);
        byte[] p = ramp(image, 11);
        byte[] encoded = OPENJPEG.encode(p, image, LOSSLESS, PixelCodec.EncodeOptions.DEFAULT, 0);
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(4)) {
            var results = pool.invokeAll(java.util.Collections.nCopies(32,
                    () -> OPENJPEG.decode(encoded, image, 0).pixels()));
            for (var r : results) {
                assertThat(r.get()).isEqualTo(p);
            }
        }
    }

    @Property(tries = 60)
    void losslessRoundTripsAreExact(@ForAll @IntRange(min = 1, max = 70) int rows,
            @ForAll @IntRange(min = 1, max = 70) int cols, @ForAll boolean colour, @ForAll boolean sixteen,
            @ForAll boolean signed, @ForAll long seed) throws CodecException {
        assumeTrue(OpenJpegCodec.available(), "libopenjp2-7 is not installed");
        int bits = sixteen ? (colour ? 16 : 12) : 8;
        ImageDescription image = new ImageDescription(rows, cols, colour ? 3 : 1, sixteen ? 16 : 8, bits, bits - 1,
                signed && !colour, 0, colour ? "RGB" : "MONOCHROME2", 1, 0);
        byte[] p = ramp(image, seed);
        byte[] encoded = OPENJPEG.encode(p, image, LOSSLESS, PixelCodec.EncodeOptions.DEFAULT, 0);
        PixelCodec.Decoded back = OPENJPEG.decode(encoded, image, 0);
        assertThat(back.pixels()).isEqualTo(p);
        assertThat(back.image().photometricInterpretation()).isEqualTo(colour ? "RGB" : "MONOCHROME2");
        assertThat(org.lightbox.imaging.Transcoder.encodedPhotometric(image, LOSSLESS)).isEqualTo(colour ? "YBR_RCT" : "MONOCHROME2");
    }

    @Test
    void whatOpenJpegEncodesThePureJavaCodecDecodesAndTheReverse() throws CodecException {
        assumeTrue(OpenJpegCodec.available(), "libopenjp2-7 is not installed");
        J2kCodec java = new J2kCodec();
        for (ImageDescription image : new ImageDescription[] {grey(64, 48, 12, false), grey(33, 17, 16, true),
                new ImageDescription(40, 50, 3, 8, 8, 7, false, 0, "RGB", 1, 0)}) {
            byte[] p = ramp(image, 3);
            assertThat(java.decode(OPENJPEG.encode(p, image, LOSSLESS, PixelCodec.EncodeOptions.DEFAULT, 0), image, 0)
                    .pixels()).isEqualTo(p);
            assertThat(OPENJPEG.decode(java.encode(p, image, LOSSLESS, PixelCodec.EncodeOptions.DEFAULT, 0), image, 0)
                    .pixels()).isEqualTo(p);
        }
    }

    @Test
    void lossyEncodingStaysClose() throws CodecException {
        assumeTrue(OpenJpegCodec.available(), "libopenjp2-7 is not installed");
        ImageDescription image = grey(128, 96, 12, false);
        byte[] p = ramp(image, 5);
        byte[] encoded = OPENJPEG.encode(p, image, LOSSY, new PixelCodec.EncodeOptions(90, 0), 0);
        assertThat(encoded.length).isLessThan(p.length);
        byte[] back = OPENJPEG.decode(encoded, image, 0).pixels();
        assertThat(maxError(p, back, image)).isLessThan(64);
    }

    private static ImageDescription grey(int rows, int cols, int bits, boolean signed) {
        int allocated = bits > 8 ? 16 : 8;
        return new ImageDescription(rows, cols, 1, allocated, bits, bits - 1, signed, 0, "MONOCHROME2", 1, 0);
    }

    /** A smooth image with noise, every sample within Bits Stored (sign-extended when signed). */
    private static byte[] ramp(ImageDescription image, long seed) {
        Random r = new Random(seed);
        int bytes = image.bitsAllocated() / 8;
        int n = image.pixels() * image.samplesPerPixel();
        int bits = image.bitsStored();
        byte[] p = new byte[n * bytes];
        for (int i = 0; i < n; i++) {
            int v = (i * 37 / 5 + r.nextInt(9)) & (1 << bits) - 1;
            if (image.signed()) {
                v = v << (32 - bits) >> (32 - bits);
            }
            p[i * bytes] = (byte) v;
            if (bytes == 2) {
                p[i * bytes + 1] = (byte) (v >> 8);
            }
        }
        return p;
    }

    private static byte[] decodeAll(PixelCodec codec, Frames frames) throws Exception {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (int i = 0; i < frames.count(); i++) {
            all.writeBytes(codec.decode(frames.frame(i), frames.image(), i).pixels());
        }
        return all.toByteArray();
    }

    private static int maxError(byte[] a, byte[] b, ImageDescription image) {
        assertThat(a).hasSameSizeAs(b);
        int bytes = image.bitsAllocated() / 8;
        int max = 0;
        for (int i = 0; i + bytes <= a.length; i += bytes) {
            int x = bytes == 1 ? a[i] & 0xFF : (short) (a[i] & 0xFF | (a[i + 1] & 0xFF) << 8);
            int y = bytes == 1 ? b[i] & 0xFF : (short) (b[i] & 0xFF | (b[i + 1] & 0xFF) << 8);
            if (!image.signed() && bytes == 2) {
                x &= 0xFFFF;
                y &= 0xFFFF;
            }
            max = Math.max(max, Math.abs(x - y));
        }
        return max;
    }
}
