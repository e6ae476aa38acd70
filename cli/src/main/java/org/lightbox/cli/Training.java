// SPDX-License-Identifier: Apache-2.0
package org.lightbox.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Element;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.TransferSyntax;
import org.lightbox.dicom.Vr;
import org.lightbox.dicom.io.DicomWriter;

/**
 * The run the launcher makes once after each build to record a class-data-sharing archive: it dumps a small file
 * made here in every format, so that the archive holds the classes a real dump loads (an archive recorded by a
 * {@code --help} would hold almost none).
 */
final class Training {
    private Training() {}

    static int run() {
        try {
            Path file = Files.createTempFile("lightbox-training", ".dcm");
            try {
                Dataset ds = Dataset.builder()
                        .setStrings(Tag.SpecificCharacterSet, Vr.CS, "ISO_IR 100")
                        .setStrings(Tag.SOPClassUID, Vr.UI, "1.2.840.10008.5.1.4.1.1.2")
                        .setStrings(Tag.SOPInstanceUID, Vr.UI, "1.2.826.0.1.3680043.99.1")
                        .setStrings(Tag.StudyDate, Vr.DA, "20240101")
                        .setStrings(Tag.PatientName, Vr.PN, "Doe^Jane")
                        .setNumbers(Tag.SliceThickness, Vr.DS, 1.5)
                        .setNumbers(Tag.Rows, Vr.US, 64).setNumbers(Tag.Columns, Vr.US, 64)
                        .setItems(Tag.ReferencedImageSequence, List.of(Dataset.builder()
                                .setStrings(Tag.ReferencedSOPInstanceUID, Vr.UI, "1.2.3").build()))
                        .add(Element.of(Tag.PixelData, Vr.OW, new byte[64 * 64 * 2]))
                        .build();
                try (OutputStream out = Files.newOutputStream(file)) {
                    DicomWriter.write(DicomWriter.newFile(ds, TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN), out);
                }
                PrintStream sink = new PrintStream(OutputStream.nullOutputStream());
                for (String format : new String[] {"--width=64", "--json", "--xml", "--no-bulk"}) {
                    Main.run(sink, sink, "dump", format, file.toString(), file.toString());
                }
                Main.run(sink, sink, "--help");
                return 0;
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            System.err.println("lightbox: training run failed: " + e.getMessage());
            return 1;
        }
    }
}
