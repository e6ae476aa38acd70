// SPDX-License-Identifier: Apache-2.0
package org.lightbox.imaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lightbox.dicom.Uid;
import org.lightbox.dicom.io.DicomReader;
import org.lightbox.imaging.jpeg.CodecTestSupport;

/** Real encodes and decodes through the codecs PixelData hands out show up in its metrics, per codec. */
class CodecMetricsTest {
    private static final String RLE = "RLE Lossless (Lightbox)";

    @Test
    void encodesDecodesAndFailuresAreCounted(@TempDir Path tmp) throws IOException {
        ImageDescription image = CodecTestSupport.image(48, 40, 1, 16, 12, false, "MONOCHROME2");
        byte[] pixels = CodecTestSupport.synthetic(image, 9);
        CodecMetrics.Counts encodesBefore = counts(RLE, CodecMetrics.Operation.ENCODE);
        CodecMetrics.Counts decodesBefore = counts(RLE, CodecMetrics.Operation.DECODE);
        List<CodecMetrics.Counts> earlier = PixelData.metrics().snapshot();

        PixelCodec encoder = PixelData.encoder(Uid.RLELossless, image).orElseThrow();
        assertThat(encoder.name()).isEqualTo(RLE);
        byte[] rle = encoder.encode(pixels, image, Uid.RLELossless, PixelCodec.EncodeOptions.DEFAULT, 0);
        Path file = tmp.resolve("rle.dcm");
        CodecTestSupport.writeEncapsulated(file, image, "MONOCHROME2", Uid.RLELossless, rle);
        var read = DicomReader.read(file);
        byte[] stored = Frames.of(read.dataset()).frame(0);
        assertThat(PixelData.decode(read, 0).pixels()).isEqualTo(pixels);
        PixelCodec decoder = PixelData.decoder(Uid.RLELossless, image).orElseThrow();
        assertThatThrownBy(() -> decoder.decode(new byte[] {1, 2, 3}, image, 4)).isInstanceOf(CodecException.class);

        CodecMetrics.Counts encodes = counts(RLE, CodecMetrics.Operation.ENCODE);
        assertThat(encodes.frames() - encodesBefore.frames()).isEqualTo(1);
        assertThat(encodes.inputBytes() - encodesBefore.inputBytes()).isEqualTo(pixels.length);
        assertThat(encodes.outputBytes() - encodesBefore.outputBytes()).isEqualTo(rle.length);
        assertThat(encodes.failures()).isEqualTo(encodesBefore.failures());
        CodecMetrics.Counts decodes = counts(RLE, CodecMetrics.Operation.DECODE);
        assertThat(decodes.frames() - decodesBefore.frames()).isEqualTo(1);
        assertThat(decodes.inputBytes() - decodesBefore.inputBytes()).isEqualTo(stored.length);
        assertThat(decodes.outputBytes() - decodesBefore.outputBytes()).isEqualTo(pixels.length);
        assertThat(decodes.failures() - decodesBefore.failures()).isEqualTo(1);
        assertThat(decodes.nanos()).isGreaterThan(decodesBefore.nanos());

        // A snapshot is a copy: later work does not change it.
        assertThat(PixelData.metrics().snapshot()).isNotEqualTo(earlier);
        assertThatThrownBy(() -> earlier.add(encodes)).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void snapshotsAreOrderedByCodecThenOperation() throws IOException {
        ImageDescription image = CodecTestSupport.image(8, 8, 1, 8, 8, false, "MONOCHROME2");
        for (String ts : List.of(Uid.RLELossless, Uid.JPEGLosslessSV1)) {
            PixelData.encoder(ts, image).orElseThrow().encode(new byte[64], image, ts,
                    PixelCodec.EncodeOptions.DEFAULT, 0);
        }
        List<CodecMetrics.Counts> all = PixelData.metrics().snapshot();
        assertThat(all).extracting(CodecMetrics.Counts::codec).isSorted().contains(RLE);
        assertThat(all).extracting(c -> c.codec() + " " + c.operation()).doesNotHaveDuplicates();
        for (int i = 1; i < all.size(); i++) {
            if (all.get(i).codec().equals(all.get(i - 1).codec())) {
                assertThat(all.get(i).operation()).isGreaterThan(all.get(i - 1).operation());
            }
        }
    }

    private static CodecMetrics.Counts counts(String codec, CodecMetrics.Operation op) {
        return PixelData.metrics().snapshot().stream().filter(c -> c.codec().equals(codec) && c.operation() == op)
                .findFirst().orElse(new CodecMetrics.Counts(codec, op, 0, 0, 0, 0, 0));
    }
}
