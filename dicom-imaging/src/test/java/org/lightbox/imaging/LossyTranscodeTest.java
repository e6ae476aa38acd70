// SPDX-License-Identifier: Apache-2.0
package org.lightbox.imaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.TransferSyntax;
import org.lightbox.dicom.Uid;
import org.lightbox.dicom.io.DicomFile;
import org.lightbox.dicom.io.DicomReader;
import org.lightbox.dicom.io.ReadOptions;
import org.lightbox.testkit.ProcessResult;
import org.lightbox.testkit.SharedData;
import org.lightbox.testkit.Tools;

/** Lossy transcoding marks the image lossy (PS3.3 C.7.6.1.1.5), sets the photometric interpretation, and stays close. */
class LossyTranscodeTest {
    @TempDir
    Path dir;

    private static DicomFile transcode(DicomFile in, String ts) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Transcoder.transcode(in, TransferSyntax.of(ts), new PixelCodec.EncodeOptions(85, 2), out);
        return DicomReader.read(new ByteArrayInputStream(out.toByteArray()), ReadOptions.DEFAULT);
    }

    @Test
    void colourToJpegBaselineIsMarkedLossyAndDcmtkDecodesIt() throws Exception {
        assumeTrue(SharedData.dataDir().isPresent(), "../shared/data is absent");
        DicomFile rgb = DicomReader.read(SharedData.dataDir().orElseThrow().resolve("color/SC_rgb.dcm"));
        DicomFile jpeg = transcode(rgb, Uid.JPEGBaseline8Bit);
        assertThat(jpeg.dataset().string(Tag.LossyImageCompression)).contains("01");
        assertThat(jpeg.dataset().strings(Tag.LossyImageCompressionMethod)).containsExactly("ISO_10918_1");
        assertThat(jpeg.dataset().doubleValue(Tag.LossyImageCompressionRatio).orElseThrow()).isGreaterThan(1);
        assertThat(jpeg.dataset().string(Tag.PhotometricInterpretation)).contains("YBR_FULL_422");
        // Back through our decoder and the renderer: the colours are those of the original, within JPEG's loss.
        var original = Renderer.render(rgb, Renderer.Options.DEFAULT);
        var decoded = Renderer.render(jpeg, Renderer.Options.DEFAULT);
        long sum = 0;
        for (int y = 0; y < original.getHeight(); y++) {
            for (int x = 0; x < original.getWidth(); x++) {
                int a = original.getRGB(x, y);
                int b = decoded.getRGB(x, y);
                for (int s = 0; s < 24; s += 8) {
                    sum += Math.abs((a >> s & 0xFF) - (b >> s & 0xFF));
                }
            }
        }
        assertThat((double) sum / (3.0 * original.getWidth() * original.getHeight())).isLessThan(6);
        assumeTrue(Tools.available("dcmdjpeg"), "DCMTK is not installed");
        Path file = dir.resolve("jpeg.dcm");
        try (OutputStream out = Files.newOutputStream(file)) {
            Transcoder.transcode(rgb, TransferSyntax.of(Uid.JPEGBaseline8Bit), new PixelCodec.EncodeOptions(85, 2), out);
        }
        ProcessResult r = Tools.run(List.of("dcmdjpeg", file.toString(), dir.resolve("raw.dcm").toString()),
                Duration.ofMinutes(1));
        assertThat(r.exitCode()).as(r.stderr()).isZero();
    }

    @Test
    void alreadyLossyStaysLossyAndRatiosAccumulate() throws Exception {
        assumeTrue(SharedData.dataDir().isPresent(), "../shared/data is absent");
        DicomFile ct = DicomReader.read(SharedData.dataDir().orElseThrow().resolve("ts/CT_small.dcm"));
        DicomFile j2k = transcode(ct, Uid.JPEG2000);
        assertThat(j2k.dataset().string(Tag.LossyImageCompression)).contains("01");
        DicomFile near = transcode(j2k, Uid.JPEGLSNearLossless);
        assertThat(near.dataset().strings(Tag.LossyImageCompressionMethod)).containsExactly("ISO_15444_1",
                "ISO_14495_1");
        assertThat(near.dataset().strings(Tag.LossyImageCompressionRatio)).hasSize(2);
        DicomFile lossless = transcode(near, Uid.JPEG2000Lossless);
        assertThat(lossless.dataset().string(Tag.LossyImageCompression)).as("never relabelled lossless").contains("01");
        DicomFile exact = transcode(ct, Uid.JPEGLSLossless);
        assertThat(exact.dataset().contains(Tag.LossyImageCompression)
                && exact.dataset().string(Tag.LossyImageCompression).orElse("").equals("01")).isFalse();
        assertThat(PixelData.decode(exact, 0).pixels()).isEqualTo(PixelData.decode(ct, 0).pixels());
    }
}
