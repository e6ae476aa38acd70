// SPDX-License-Identifier: Apache-2.0
package org.lightbox.imaging.jpegls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.lightbox.imaging.CodecException;
import org.lightbox.imaging.ImageDescription;
import org.lightbox.imaging.PixelCodec;
import org.lightbox.imaging.PixelCodec.EncodeOptions;
import org.lightbox.imaging.internal.jpegls.JpegLsCodec;

/** Encode then decode: exact when lossless, within NEAR when near-lossless. */
class JpegLsRoundTripTest {
    private static final String LOSSLESS = "1.2.840.10008.1.2.4.80";
    private static final String NEAR = "1.2.840.10008.1.2.4.81";
    private final JpegLsCodec codec = new JpegLsCodec();

    static Stream<Arguments> cases() {
        List<Arguments> all = new ArrayList<>();
        int[][] sizes = {{37, 23}, {1, 1}, {1, 40}, {40, 1}, {64, 64}};
        for (int bits : new int[] {2, 5, 8, 12, 16}) {
            for (int samples : new int[] {1, 3}) {
                for (JlsImages.Kind kind : JlsImages.Kind.values()) {
                    for (int near : new int[] {0, 1, 3}) {
                        int[] size = sizes[(bits + samples + kind.ordinal() + near) % sizes.length];
                        all.add(Arguments.of(bits, samples, kind, near, size[0], size[1]));
                    }
                }
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0} bits, {1} samples, {2}, NEAR {3}, {4} x {5}")
    @MethodSource("cases")
    void roundTrips(int bits, int samples, JlsImages.Kind kind, int near, int rows, int columns) throws Exception {
        ImageDescription image = JlsImages.image(rows, columns, samples, bits);
        byte[] pixels = JlsImages.pixels(image, kind, 31L * bits + near);
        int allowed = Math.min(near, ((1 << bits) - 1) / 2);
        String ts = allowed == 0 ? LOSSLESS : NEAR;
        byte[] encoded = codec.encode(pixels, image, ts, new EncodeOptions(90, allowed), 0);
        PixelCodec.Decoded decoded = codec.decode(encoded, image, 0);
        assertThat(decoded.image().planarConfiguration()).isZero();
        if (allowed == 0) {
            assertThat(decoded.pixels()).isEqualTo(pixels);
        } else {
            assertThat(decoded.pixels()).hasSameSizeAs(pixels);
            assertThat(JlsImages.maxError(pixels, decoded.pixels(), image.bitsAllocated() / 8))
                    .isLessThanOrEqualTo(allowed);
        }
    }

    @Test
    void largeSmoothImagesCompress() throws Exception {
        ImageDescription image = JlsImages.image(256, 256, 1, 12);
        byte[] pixels = JlsImages.pixels(image, JlsImages.Kind.SMOOTH, 5);
        byte[] encoded = codec.encode(pixels, image, LOSSLESS, EncodeOptions.DEFAULT, 0);
        assertThat(encoded.length).isLessThan(pixels.length / 2);
        assertThat(codec.decode(encoded, image, 0).pixels()).isEqualTo(pixels);
    }

    @Test
    void signedSamplesKeepTheirBits() throws Exception {
        ImageDescription image = new ImageDescription(8, 9, 1, 16, 16, 15, true, 0, "MONOCHROME2", 1, 0);
        byte[] pixels = JlsImages.pixels(image, JlsImages.Kind.NOISE, 9);
        byte[] encoded = codec.encode(pixels, image, LOSSLESS, EncodeOptions.DEFAULT, 0);
        assertThat(codec.decode(encoded, image, 0).pixels()).isEqualTo(pixels);
    }

    @Test
    void refusesWhatJpegLsCannotHold() {
        ImageDescription oneBit = new ImageDescription(4, 4, 1, 8, 1, 0, false, 0, "MONOCHROME2", 1, 0);
        assertThatThrownBy(() -> codec.encode(new byte[16], oneBit, LOSSLESS, EncodeOptions.DEFAULT, 2))
                .isInstanceOf(CodecException.class).hasMessageContaining("frame 3");
        ImageDescription image = JlsImages.image(4, 4, 1, 8);
        assertThatThrownBy(() -> codec.encode(new byte[16], image, "1.2.840.10008.1.2.5", EncodeOptions.DEFAULT, 0))
                .isInstanceOf(CodecException.class);
        assertThatThrownBy(() -> codec.encode(new byte[16], image, NEAR, new EncodeOptions(90, 300), 0))
                .isInstanceOf(CodecException.class).hasMessageContaining("NEAR");
    }
}
