// SPDX-License-Identifier: Apache-2.0
package org.lightbox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Element;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.TransferSyntax;
import org.lightbox.dicom.Vr;
import org.lightbox.dicom.io.DicomWriter;

/** {@code lightbox render} on a ramp image made here. */
class RenderCommandTest {
    @TempDir
    Path dir;

    private Path ramp() throws IOException {
        byte[] pixels = new byte[64 * 64 * 2];
        for (int i = 0; i < 64 * 64; i++) {
            int v = (i % 64) * 64; // 0..4032 along each row
            pixels[2 * i] = (byte) v;
            pixels[2 * i + 1] = (byte) (v >> 8);
        }
        Dataset ds = Dataset.builder().setStrings(Tag.SOPClassUID, Vr.UI, "1.2.840.10008.5.1.4.1.1.7")
                .setStrings(Tag.SOPInstanceUID, Vr.UI, "1.2.826.0.1.3680043.99.11")
                .setNumbers(Tag.SamplesPerPixel, Vr.US, 1).setStrings(Tag.PhotometricInterpretation, Vr.CS, "MONOCHROME2")
                .setNumbers(Tag.Rows, Vr.US, 64).setNumbers(Tag.Columns, Vr.US, 64)
                .setNumbers(Tag.BitsAllocated, Vr.US, 16).setNumbers(Tag.BitsStored, Vr.US, 12)
                .setNumbers(Tag.HighBit, Vr.US, 11).setNumbers(Tag.PixelRepresentation, Vr.US, 0)
                .setNumbers(Tag.RescaleIntercept, Vr.DS, -1024).setNumbers(Tag.RescaleSlope, Vr.DS, 1)
                .setNumbers(Tag.WindowCenter, Vr.DS, 0).setNumbers(Tag.WindowWidth, Vr.DS, 2000)
                .add(Element.of(Tag.PixelData, Vr.OW, pixels)).build();
        Path file = dir.resolve("ramp.dcm");
        try (OutputStream out = Files.newOutputStream(file)) {
            DicomWriter.write(DicomWriter.newFile(ds, TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN), out);
        }
        return file;
    }

    @Test
    void rendersThroughTheWindowToPngAndJpeg() throws IOException {
        Path in = ramp();
        Path png = dir.resolve("out.png");
        assertThat(DumpCommandTest.run("render", in.toString(), png.toString()).status()).isZero();
        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image.getWidth()).isEqualTo(64);
        // Modality values run from -1024 to 3008; the window 0 +/- 1000 maps -1000 to black and 1000 to white.
        assertThat(image.getRaster().getSample(0, 0, 0)).isZero();
        assertThat(image.getRaster().getSample(63, 0, 0)).isEqualTo(255);
        int mid = image.getRaster().getSample(16, 0, 0); // 16 * 64 - 1024 = 0: the window centre
        assertThat(mid).isBetween(125, 130);
        Path jpg = dir.resolve("small.jpg");
        assertThat(DumpCommandTest.run("render", "--size", "32x32", "--window", "1000,100", in.toString(),
                jpg.toString()).status()).isZero();
        assertThat(ImageIO.read(jpg.toFile()).getWidth()).isEqualTo(32);
    }

    @Test
    void badRequestsSayWhatIsWrong() throws IOException {
        Path in = ramp();
        DumpCommandTest.Run frame = DumpCommandTest.run("render", "--frame", "2", in.toString(),
                dir.resolve("x.png").toString());
        assertThat(frame.status()).isEqualTo(1);
        assertThat(frame.err()).contains("frame 2 of 1");
        assertThat(DumpCommandTest.run("render", "--window", "abc", in.toString(), "x.png").status()).isEqualTo(2);
        assertThat(dir.resolve("x.png")).doesNotExist();
    }
}
