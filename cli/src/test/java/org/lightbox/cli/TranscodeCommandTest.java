// SPDX-License-Identifier: Apache-2.0
package org.lightbox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Element;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.TransferSyntax;
import org.lightbox.dicom.Uid;
import org.lightbox.dicom.Vr;
import org.lightbox.dicom.io.DicomFile;
import org.lightbox.dicom.io.DicomReader;
import org.lightbox.dicom.io.DicomWriter;
import org.lightbox.imaging.PixelData;

/** {@code lightbox transcode} on files and folders made here. */
class TranscodeCommandTest {
    @TempDir
    Path dir;

    private Path image(Path file, int seed) throws IOException {
        byte[] pixels = new byte[32 * 32 * 2];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (i * seed / 64);
        }
        Dataset ds = Dataset.builder().setStrings(Tag.SOPClassUID, Vr.UI, "1.2.840.10008.5.1.4.1.1.7")
                .setStrings(Tag.SOPInstanceUID, Vr.UI, "1.2.826.0.1.3680043.99.9." + seed)
                .setNumbers(Tag.SamplesPerPixel, Vr.US, 1).setStrings(Tag.PhotometricInterpretation, Vr.CS, "MONOCHROME2")
                .setNumbers(Tag.Rows, Vr.US, 32).setNumbers(Tag.Columns, Vr.US, 32)
                .setNumbers(Tag.BitsAllocated, Vr.US, 16).setNumbers(Tag.BitsStored, Vr.US, 16)
                .setNumbers(Tag.HighBit, Vr.US, 15).setNumbers(Tag.PixelRepresentation, Vr.US, 0)
                .add(Element.of(Tag.PixelData, Vr.OW, pixels)).build();
        Files.createDirectories(file.getParent());
        try (OutputStream out = Files.newOutputStream(file)) {
            DicomWriter.write(DicomWriter.newFile(ds, TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN), out);
        }
        return file;
    }

    @Test
    void transcodesAFileByKeywordOrUid() throws IOException {
        Path in = image(dir.resolve("in.dcm"), 3);
        Path out = dir.resolve("out.dcm");
        assertThat(DumpCommandTest.run("transcode", "--ts", "RLELossless", in.toString(), out.toString()).status())
                .isZero();
        DicomFile rle = DicomReader.read(out);
        assertThat(rle.transferSyntax().uid()).isEqualTo(Uid.RLELossless);
        Path again = dir.resolve("again.dcm");
        assertThat(DumpCommandTest.run("transcode", "--ts", "1.2.840.10008.1.2", out.toString(), again.toString())
                .status()).isZero();
        DicomFile implicit = DicomReader.read(again);
        assertThat(implicit.transferSyntax().uid()).isEqualTo(Uid.ImplicitVRLittleEndian);
        assertThat(PixelData.decode(implicit, 0).pixels()).isEqualTo(PixelData.decode(DicomReader.read(in), 0).pixels());
    }

    @Test
    void transcodesAFolderIntoAMirroredFolder() throws IOException {
        image(dir.resolve("in/a/1.dcm"), 1);
        image(dir.resolve("in/b/2.dcm"), 2);
        Files.writeString(dir.resolve("in/b/notes.txt"), "not DICOM");
        DumpCommandTest.Run r = DumpCommandTest.run("transcode", "--ts", "RLELossless", dir.resolve("in").toString(),
                dir.resolve("out").toString());
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err().lines()).hasSize(1).allMatch(l -> l.contains("notes.txt"));
        assertThat(DicomReader.read(dir.resolve("out/a/1.dcm")).transferSyntax().uid()).isEqualTo(Uid.RLELossless);
        assertThat(DicomReader.read(dir.resolve("out/b/2.dcm")).transferSyntax().uid()).isEqualTo(Uid.RLELossless);
        assertThat(dir.resolve("out/b/notes.txt")).doesNotExist();
        try (var files = Files.list(dir.resolve("out/b"))) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("2.dcm");
        }
    }

    @Test
    void badArgumentsSayWhatIsWrong() throws IOException {
        Path in = image(dir.resolve("in.dcm"), 1);
        assertThat(DumpCommandTest.run("transcode", "--ts", "NoSuchSyntax", in.toString(), "x").err())
                .contains("names no transfer syntax");
        assertThat(DumpCommandTest.run("transcode", in.toString(), "x").status()).isEqualTo(2);
        assertThat(DumpCommandTest.run("transcode", "--ts", "RLELossless", "--quality", "0", in.toString(), "x")
                .status()).isEqualTo(2);
        DumpCommandTest.Run unsupported = DumpCommandTest.run("transcode", "--ts", "1.2.840.10008.1.2.4.100",
                in.toString(), dir.resolve("mpeg.dcm").toString());
        assertThat(unsupported.status()).isEqualTo(1);
        assertThat(unsupported.err()).contains("no encoder");
        assertThat(dir.resolve("mpeg.dcm")).doesNotExist();
    }
}
