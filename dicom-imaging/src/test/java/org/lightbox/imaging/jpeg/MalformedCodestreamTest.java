// SPDX-License-Identifier: Apache-2.0
package org.lightbox.imaging.jpeg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.lightbox.dicom.Uid;
import org.lightbox.imaging.CodecException;
import org.lightbox.imaging.ImageDescription;
import org.lightbox.imaging.PixelCodec;
import org.lightbox.imaging.PixelCodec.EncodeOptions;
import org.lightbox.imaging.internal.j2k.J2kCodec;
import org.lightbox.imaging.internal.jpeg.JpegCodec;

/**
 * Truncated and corrupted codestreams: a truncated one is a CodecException naming the frame; a corrupted one is
 * a CodecException or some image, but never another exception, a crash or a hang.
 */
class MalformedCodestreamTest {
    private static final ImageDescription MONO8 = CodecTestSupport.image(64, 64, 1, 8, 8, false, "MONOCHROME2");
    private static final ImageDescription MONO12 = CodecTestSupport.image(64, 64, 1, 16, 12, false, "MONOCHROME2");
    private static final ImageDescription RGB = CodecTestSupport.image(32, 48, 3, 8, 8, false, "RGB");

    static Stream<Arguments> codestreams() throws Exception {
        PixelCodec jpeg = new JpegCodec();
        PixelCodec j2k = new J2kCodec();
        return Stream.of(
                Arguments.of("baseline", jpeg, MONO8, encode(jpeg, MONO8, Uid.JPEGBaseline8Bit)),
                Arguments.of("baseline RGB", jpeg, RGB, encode(jpeg, RGB, Uid.JPEGBaseline8Bit)),
                Arguments.of("lossless 8", jpeg, MONO8, encode(jpeg, MONO8, Uid.JPEGLosslessSV1)),
                Arguments.of("lossless 12", jpeg, MONO12, encode(jpeg, MONO12, Uid.JPEGLosslessSV1)),
                Arguments.of("extended 12", jpeg, MONO12, encode(jpeg, MONO12, Uid.JPEGExtended12Bit)),
                Arguments.of("j2k lossless", j2k, MONO12, encode(j2k, MONO12, Uid.JPEG2000Lossless)),
                Arguments.of("j2k lossy", j2k, RGB, encode(j2k, RGB, Uid.JPEG2000)));
    }

    private static byte[] encode(PixelCodec codec, ImageDescription image, String ts) throws Exception {
        return codec.encode(CodecTestSupport.synthetic(image, 3), image, ts, EncodeOptions.DEFAULT, 0);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("codestreams")
    void theIntactCodestreamDecodes(String name, PixelCodec codec, ImageDescription image, byte[] codestream)
            throws Exception {
        assertThat(codec.decode(codestream, image, 0).pixels()).hasSize(image.frameBytes());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("codestreams")
    void truncatedCodestreamsAreCodecExceptions(String name, PixelCodec codec, ImageDescription image,
            byte[] codestream) {
        for (int cut : new int[] {0, 1, 2, 10, codestream.length / 3, codestream.length / 2,
                codestream.length - 40}) {
            byte[] truncated = Arrays.copyOf(codestream, Math.max(0, cut));
            assertTimeoutPreemptively(Duration.ofSeconds(20), () -> assertThatThrownBy(
                    () -> codec.decode(truncated, image, 6)).as("cut at %d", cut)
                    .isInstanceOf(CodecException.class).hasMessageContaining("frame 7"));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("codestreams")
    void corruptedCodestreamsNeverEscape(String name, PixelCodec codec, ImageDescription image, byte[] codestream) {
        Random random = new Random(name.hashCode());
        for (int round = 0; round < 40; round++) {
            byte[] bad = codestream.clone();
            int flips = 1 + random.nextInt(8);
            for (int i = 0; i < flips; i++) {
                bad[random.nextInt(bad.length)] = (byte) random.nextInt(256);
            }
            assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
                try {
                    PixelCodec.Decoded d = codec.decode(bad, image, 0);
                    assertThat(d.pixels()).hasSize(image.frameBytes());
                } catch (CodecException expected) {
                    assertThat(expected).hasMessageContaining("frame 1");
                }
            });
        }
    }
}
