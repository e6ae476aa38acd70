// SPDX-License-Identifier: Apache-2.0
package org.lightbox.imaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.TransferSyntax;
import org.lightbox.dicom.Uid;
import org.lightbox.dicom.io.DicomFile;
import org.lightbox.dicom.io.DicomReader;
import org.lightbox.dicom.io.ReadOptions;
import org.lightbox.testkit.SharedData;

/** Every decodable shared image survives a lossless trip through RLE and back to native, pixel for pixel. */
class TranscoderTest {

    @TestFactory
    Stream<DynamicTest> losslessTripsKeepEveryPixel() {
        assumeTrue(SharedData.dataDir().isPresent(), "../shared/data is absent");
        Path data = SharedData.dataDir().orElseThrow();
        return SharedData.manifest().stream()
                .filter(r -> !r.get("pixel_md5").isEmpty() && !r.get("file").startsWith("malformed/"))
                .filter(r -> !r.get("transfer_syntax_uid").isEmpty())
                .filter(r -> TransferSyntax.of(r.get("transfer_syntax_uid")).isNative()
                        || r.get("transfer_syntax_uid").equals(Uid.RLELossless))
                .filter(r -> !r.get("bits_allocated").equals("1") && !r.get("photometric_interpretation")
                        .equals("YBR_FULL_422"))
                .map(r -> DynamicTest.dynamicTest(r.get("file"), () -> trip(data.resolve(r.get("file")))));
    }

    private static void trip(Path file) throws Exception {
        DicomFile original = DicomReader.read(file);
        Frames frames = Frames.of(original.dataset());
        DicomFile rle = transcode(original, TransferSyntax.of(Uid.RLELossless));
        assertThat(rle.transferSyntax().uid()).isEqualTo(Uid.RLELossless);
        assertThat(rle.dataset().contains(Tag.LossyImageCompression)
                && rle.dataset().string(Tag.LossyImageCompression).orElse("").equals("01"))
                .as("a lossless trip never marks the image lossy")
                .isEqualTo(original.dataset().string(Tag.LossyImageCompression).orElse("").equals("01"));
        DicomFile back = transcode(rle, TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN);
        for (int i = 0; i < frames.count(); i++) {
            byte[] expected = PixelData.decode(frames, original.transferSyntax(), i).pixels();
            assertThat(PixelData.decode(rle, i).pixels()).as("frame %d as RLE", i).isEqualTo(expected);
            assertThat(PixelData.decode(back, i).pixels()).as("frame %d back to native", i).isEqualTo(expected);
        }
        assertThat(back.dataset().string(Tag.SOPInstanceUID)).isEqualTo(original.dataset().string(Tag.SOPInstanceUID));
    }

    private static DicomFile transcode(DicomFile in, TransferSyntax ts) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Transcoder.transcode(in, ts, PixelCodec.EncodeOptions.DEFAULT, out);
        return DicomReader.read(new ByteArrayInputStream(out.toByteArray()), ReadOptions.DEFAULT);
    }
}
