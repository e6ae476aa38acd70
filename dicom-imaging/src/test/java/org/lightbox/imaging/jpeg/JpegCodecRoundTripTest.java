// SPDX-License-Identifier: Apache-2.0
package org.lightbox.imaging.jpeg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.lightbox.dicom.Uid;
import org.lightbox.imaging.CodecException;
import org.lightbox.imaging.ImageDescription;
import org.lightbox.imaging.PixelCodec;
import org.lightbox.imaging.PixelCodec.EncodeOptions;
import org.lightbox.imaging.internal.jpeg.JpegCodec;
import org.lightbox.testkit.Tools;

/**
 * Encode, then decode: by us, and by DCMTK's {@code dcmdjpeg} and GDCM's {@code gdcmconv --raw}. Lossless
 * syntaxes give back every sample; Baseline stays within a PSNR bound of the input.
 */
class JpegCodecRoundTripTest {
    private static final JpegCodec CODEC = new JpegCodec();
    private static final double MIN_BASELINE_PSNR = 30;

    static Stream<Arguments> losslessImages() {
        return Stream.of(
                Arguments.of("8-bit mono", CodecTestSupport.image(61, 77, 1, 8, 8, false, "MONOCHROME2")),
                Arguments.of("12-bit mono", CodecTestSupport.image(64, 48, 1, 16, 12, false, "MONOCHROME2")),
                Arguments.of("16-bit unsigned", CodecTestSupport.image(33, 70, 1, 16, 16, false, "MONOCHROME2")),
                Arguments.of("16-bit signed", CodecTestSupport.image(50, 50, 1, 16, 16, true, "MONOCHROME2")),
                Arguments.of("12-bit signed", CodecTestSupport.image(40, 31, 1, 16, 12, true, "MONOCHROME2")),
                Arguments.of("8-bit RGB", CodecTestSupport.image(45, 67, 3, 8, 8, false, "RGB")));
    }

    @ParameterizedTest(name = "{0} {2}")
    @MethodSource("losslessCases")
    void losslessRoundTripsExactly(String name, ImageDescription image, String ts) throws Exception {
        byte[] pixels = CodecTestSupport.synthetic(image, name.hashCode());
        byte[] encoded = CODEC.encode(pixels, image, ts, EncodeOptions.DEFAULT, 0);
        PixelCodec.Decoded decoded = CODEC.decode(encoded, image, 0);
        assertThat(decoded.pixels()).isEqualTo(pixels);
        assertThat(decoded.image().photometricInterpretation()).isEqualTo(image.photometricInterpretation());
    }

    static Stream<Arguments> losslessCases() {
        return losslessImages().flatMap(a -> Stream.of(Uid.JPEGLosslessSV1, Uid.JPEGLossless)
                .map(ts -> Arguments.of(a.get()[0], a.get()[1], ts)));
    }

    @ParameterizedTest(name = "{0} {2}")
    @MethodSource("losslessCases")
    void dcmtkAndGdcmDecodeOurLosslessFrames(String name, ImageDescription image, String ts, @TempDir Path tmp)
            throws Exception {
        assumeTrue(Tools.available("dcmdjpeg") || Tools.available("gdcmconv"), "neither DCMTK nor GDCM installed");
        byte[] pixels = CodecTestSupport.synthetic(image, name.hashCode());
        byte[] encoded = CODEC.encode(pixels, image, ts, EncodeOptions.DEFAULT, 0);
        Path file = tmp.resolve("jpeg.dcm");
        CodecTestSupport.writeEncapsulated(file, image, image.photometricInterpretation(), ts, encoded);
        if (Tools.available("dcmdjpeg")) {
            // DCMTK leaves the bits above High Bit clear rather than sign-extending: compare the stored bits.
            assertThat(CodecTestSupport.storedBits(CodecTestSupport.decodeWith(List.of("dcmdjpeg", "+cn", "IN",
                    "OUT"), file, tmp.resolve("dcmtk.dcm")), image)).as("dcmdjpeg")
                    .isEqualTo(CodecTestSupport.storedBits(pixels, image));
        }
        if (Tools.available("gdcmconv")) {
            assertThat(CodecTestSupport.decodeWith(List.of("gdcmconv", "--raw", "-i", "IN", "-o", "OUT"), file,
                    tmp.resolve("gdcm.dcm"))).as("gdcmconv").isEqualTo(pixels);
        }
    }

    static Stream<Arguments> baselineImages() {
        return Stream.of(
                Arguments.of("mono", CodecTestSupport.image(64, 80, 1, 8, 8, false, "MONOCHROME2")),
                Arguments.of("odd mono", CodecTestSupport.image(13, 7, 1, 8, 8, false, "MONOCHROME2")),
                Arguments.of("RGB", CodecTestSupport.image(48, 66, 3, 8, 8, false, "RGB")),
                Arguments.of("odd RGB", CodecTestSupport.image(15, 9, 3, 8, 8, false, "RGB")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("baselineImages")
    void baselineRoundTripsWithinBounds(String name, ImageDescription image) throws Exception {
        byte[] pixels = CodecTestSupport.synthetic(image, 7);
        byte[] encoded = CODEC.encode(pixels, image, Uid.JPEGBaseline8Bit, new EncodeOptions(95, 0), 0);
        assertThat(encoded).startsWith((byte) 0xFF, (byte) 0xD8);
        PixelCodec.Decoded decoded = CODEC.decode(encoded, image, 0);
        byte[] back = decoded.pixels();
        if (image.samplesPerPixel() == 3) {
            assertThat(decoded.image().photometricInterpretation()).isEqualTo("YBR_FULL");
            assertThat(org.lightbox.imaging.Transcoder.encodedPhotometric(image, Uid.JPEGBaseline8Bit)).isEqualTo("YBR_FULL_422");
            back = yccToRgb(back);
        }
        assertThat(CodecTestSupport.error(pixels, back, image).psnr()).isGreaterThanOrEqualTo(MIN_BASELINE_PSNR);
        // A lower quality makes a smaller codestream.
        assertThat(CODEC.encode(pixels, image, Uid.JPEGBaseline8Bit, new EncodeOptions(20, 0), 0).length)
                .isLessThan(encoded.length);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("baselineImages")
    void dcmtkDecodesOurBaselineFramesAsWeDo(String name, ImageDescription image, @TempDir Path tmp)
            throws Exception {
        assumeTrue(Tools.available("dcmdjpeg"), "DCMTK's dcmdjpeg is not installed");
        byte[] pixels = CodecTestSupport.synthetic(image, 7);
        byte[] encoded = CODEC.encode(pixels, image, Uid.JPEGBaseline8Bit, EncodeOptions.DEFAULT, 0);
        Path file = tmp.resolve("jpeg.dcm");
        CodecTestSupport.writeEncapsulated(file, image,
                org.lightbox.imaging.Transcoder.encodedPhotometric(image, Uid.JPEGBaseline8Bit), Uid.JPEGBaseline8Bit, encoded);
        byte[] theirs = CodecTestSupport.decodeWith(List.of("dcmdjpeg", "+cn", "IN", "OUT"), file,
                tmp.resolve("dcmtk.dcm"));
        byte[] ours = CODEC.decode(encoded, image, 0).pixels();
        assertThat(CodecTestSupport.error(ours, theirs, image).max()).isLessThanOrEqualTo(1);
    }

    @ParameterizedTest(name = "quality {0}")
    @org.junit.jupiter.params.provider.ValueSource(ints = {50, 90, 100})
    void ourTwelveBitDecoderAgreesWithDcmtk(int quality, @TempDir Path tmp) throws Exception {
        assumeTrue(Tools.available("dcmcjpeg") && Tools.available("dcmdjpeg"), "DCMTK is not installed");
        ImageDescription image = CodecTestSupport.image(203, 317, 1, 16, 12, false, "MONOCHROME2");
        byte[] pixels = CodecTestSupport.synthetic(image, quality);
        Path lossless = tmp.resolve("sv1.dcm");
        CodecTestSupport.writeEncapsulated(lossless, image, "MONOCHROME2", Uid.JPEGLosslessSV1,
                CODEC.encode(pixels, image, Uid.JPEGLosslessSV1, EncodeOptions.DEFAULT, 0));
        Path raw = tmp.resolve("raw.dcm");
        assertThat(CodecTestSupport.decodeWith(List.of("dcmdjpeg", "IN", "OUT"), lossless, raw)).isEqualTo(pixels);
        Path extended = tmp.resolve("ext.dcm");
        var r = Tools.run(List.of("dcmcjpeg", "+ee", "+q", String.valueOf(quality), raw.toString(),
                extended.toString()), java.time.Duration.ofSeconds(60));
        assertThat(r.isSuccess()).as(r.stderr()).isTrue();
        var frames = org.lightbox.imaging.Frames.of(org.lightbox.dicom.io.DicomReader.read(extended).dataset());
        byte[] ours = CODEC.decode(frames.frame(0), frames.image(), 0).pixels();
        byte[] theirs = CodecTestSupport.decodeWith(List.of("dcmdjpeg", "IN", "OUT"), extended,
                tmp.resolve("back.dcm"));
        // Our inverse DCT is the standard's formula in floating point; DCMTK's is libjpeg's integer one.
        assertThat(CodecTestSupport.error(theirs, ours, image).max()).isLessThanOrEqualTo(1);
        assertThat(CodecTestSupport.error(pixels, ours, image).psnr()).isGreaterThan(30);
    }

    @ParameterizedTest(name = "{0} bits, quality {1}")
    @org.junit.jupiter.params.provider.CsvSource({"12, 90", "12, 50", "10, 100", "9, 75"})
    void twelveBitExtendedRoundTripsAndDcmtkAgrees(int bits, int quality, @TempDir Path tmp) throws Exception {
        ImageDescription image = CodecTestSupport.image(77, 130, 1, 16, bits, false, "MONOCHROME2");
        byte[] pixels = CodecTestSupport.synthetic(image, bits);
        byte[] encoded = CODEC.encode(pixels, image, Uid.JPEGExtended12Bit, new EncodeOptions(quality, 0), 0);
        byte[] ours = CODEC.decode(encoded, image, 0).pixels();
        assertThat(CodecTestSupport.error(pixels, ours, image).psnr()).isGreaterThanOrEqualTo(MIN_BASELINE_PSNR);
        assumeTrue(Tools.available("dcmdjpeg"), "DCMTK's dcmdjpeg is not installed");
        Path file = tmp.resolve("ext.dcm");
        CodecTestSupport.writeEncapsulated(file, image, "MONOCHROME2", Uid.JPEGExtended12Bit, encoded);
        byte[] theirs = CodecTestSupport.decodeWith(List.of("dcmdjpeg", "IN", "OUT"), file, tmp.resolve("raw.dcm"));
        assertThat(CodecTestSupport.error(theirs, ours, image).max()).isLessThanOrEqualTo(1);
    }

    @Test
    void signedOrColourTwelveBitDctEncodingIsRefusedClearly() {
        ImageDescription image = CodecTestSupport.image(8, 8, 1, 16, 12, true, "MONOCHROME2");
        assertThatThrownBy(() -> CODEC.encode(new byte[128], image, Uid.JPEGExtended12Bit, EncodeOptions.DEFAULT, 3))
                .isInstanceOf(CodecException.class).hasMessageContaining("frame 4");
    }

    private static byte[] yccToRgb(byte[] ycc) {
        byte[] out = new byte[ycc.length];
        for (int i = 0; i < ycc.length; i += 3) {
            double y = ycc[i] & 0xFF;
            double cb = (ycc[i + 1] & 0xFF) - 128;
            double cr = (ycc[i + 2] & 0xFF) - 128;
            out[i] = (byte) Math.clamp(Math.round(y + 1.402 * cr), 0, 255);
            out[i + 1] = (byte) Math.clamp(Math.round(y - 0.344136 * cb - 0.714136 * cr), 0, 255);
            out[i + 2] = (byte) Math.clamp(Math.round(y + 1.772 * cb), 0, 255);
        }
        return out;
    }
}
