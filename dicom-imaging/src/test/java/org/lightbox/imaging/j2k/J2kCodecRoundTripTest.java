// SPDX-License-Identifier: Apache-2.0
package org.lightbox.imaging.j2k;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.lightbox.dicom.Uid;
import org.lightbox.imaging.ImageDescription;
import org.lightbox.imaging.PixelCodec;
import org.lightbox.imaging.PixelCodec.EncodeOptions;
import org.lightbox.imaging.internal.j2k.J2kCodec;
import org.lightbox.imaging.jpeg.CodecTestSupport;
import org.lightbox.testkit.Tools;

/**
 * Encode, then decode, by us and by GDCM ({@code gdcmconv --raw}, OpenJPEG inside): lossless gives back every
 * sample, lossy stays within a PSNR bound and agrees with GDCM's decoding of the same codestream to within 2.
 */
class J2kCodecRoundTripTest {
    private static final J2kCodec CODEC = new J2kCodec();
    private static final double MIN_LOSSY_PSNR = 30;

    static Stream<Arguments> images() {
        return Stream.of(
                Arguments.of("8-bit mono", CodecTestSupport.image(61, 77, 1, 8, 8, false, "MONOCHROME2")),
                Arguments.of("12-bit mono", CodecTestSupport.image(64, 48, 1, 16, 12, false, "MONOCHROME2")),
                Arguments.of("16-bit unsigned", CodecTestSupport.image(33, 70, 1, 16, 16, false, "MONOCHROME2")),
                Arguments.of("16-bit signed", CodecTestSupport.image(50, 50, 1, 16, 16, true, "MONOCHROME2")),
                Arguments.of("12-bit signed", CodecTestSupport.image(40, 31, 1, 16, 12, true, "MONOCHROME2")),
                Arguments.of("8-bit RGB", CodecTestSupport.image(45, 67, 3, 8, 8, false, "RGB")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("images")
    void losslessRoundTripsExactly(String name, ImageDescription image) throws Exception {
        byte[] pixels = CodecTestSupport.synthetic(image, name.hashCode());
        byte[] encoded = CODEC.encode(pixels, image, Uid.JPEG2000Lossless, EncodeOptions.DEFAULT, 0);
        assertThat(encoded).startsWith((byte) 0xFF, (byte) 0x4F);
        PixelCodec.Decoded decoded = CODEC.decode(encoded, image, 0);
        assertThat(decoded.pixels()).isEqualTo(pixels);
        assertThat(decoded.image().photometricInterpretation()).isEqualTo(image.photometricInterpretation());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("images")
    void lossyRoundTripsWithinBounds(String name, ImageDescription small) throws Exception {
        // Big enough that the rate, not JJ2000's minimum header budget, decides the size.
        ImageDescription image = CodecTestSupport.image(160, 192, small.samplesPerPixel(), small.bitsAllocated(),
                small.bitsStored(), small.signed(), small.photometricInterpretation());
        byte[] pixels = CodecTestSupport.synthetic(image, name.hashCode());
        byte[] encoded = CODEC.encode(pixels, image, Uid.JPEG2000, new EncodeOptions(90, 0), 0);
        byte[] back = CODEC.decode(encoded, image, 0).pixels();
        assertThat(CodecTestSupport.error(pixels, back, image).psnr()).isGreaterThanOrEqualTo(MIN_LOSSY_PSNR);
        assertThat(CODEC.encode(pixels, image, Uid.JPEG2000, new EncodeOptions(30, 0), 0).length)
                .isLessThan(encoded.length);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("images")
    void gdcmDecodesOurFramesAsWeDo(String name, ImageDescription image, @TempDir Path tmp) throws Exception {
        assumeTrue(Tools.available("gdcmconv"), "GDCM's gdcmconv is not installed (apt-get install libgdcm-tools)");
        byte[] pixels = CodecTestSupport.synthetic(image, name.hashCode());
        for (String ts : List.of(Uid.JPEG2000Lossless, Uid.JPEG2000)) {
            byte[] encoded = CODEC.encode(pixels, image, ts, EncodeOptions.DEFAULT, 0);
            Path file = tmp.resolve("j2k.dcm");
            CodecTestSupport.writeEncapsulated(file, image, org.lightbox.imaging.Transcoder.encodedPhotometric(image, ts), ts, encoded);
            byte[] theirs = CodecTestSupport.decodeWith(List.of("gdcmconv", "--raw", "-i", "IN", "-o", "OUT"), file,
                    tmp.resolve("gdcm.dcm"));
            if (ts.equals(Uid.JPEG2000Lossless)) {
                assertThat(theirs).as("lossless").isEqualTo(pixels);
            } else {
                byte[] ours = CODEC.decode(encoded, image, 0).pixels();
                assertThat(CodecTestSupport.error(ours, theirs, image).max()).as("lossy").isLessThanOrEqualTo(2);
            }
        }
    }
}
