// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicom.io;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Element;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.TransferSyntax;
import org.lightbox.dicom.Vr;

/**
 * Files the project makes itself, so that the interoperability tests (dcmdump, pydicom) and the round trips have
 * something to chew on where ../shared/data is absent: a few realistic data sets (an image with nested sequences
 * and a private block, person names in several character sets, numbers of every binary VR) in each uncompressed
 * transfer syntax, with defined and undefined lengths.
 */
public final class Fixtures {
    private static List<Path> files;

    private Fixtures() {}

    /** The fixture files, written once per test JVM into a temporary folder. */
    public static synchronized List<Path> files() {
        if (files == null) {
            try {
                files = write(Files.createTempDirectory("lightbox-fixtures"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return files;
    }

    private static List<Path> write(Path dir) throws IOException {
        List<Path> out = new ArrayList<>();
        List<Dataset> datasets = List.of(image(), names("ISO_IR 100", "Müller^Jürgen"),
                names("ISO_IR 192", "Müller^Jürgen=山田^太郎=やまだ^たろう"),
                names("\\ISO 2022 IR 87", "Yamada^Tarou=山田^太郎=やまだ^たろう"),
                names("\\ISO 2022 IR 149", "Hong^Gildong=洪^吉洞=홍^길동"), numbers());
        int n = 0;
        for (Dataset ds : datasets) {
            for (TransferSyntax ts : RoundTripTest.UNCOMPRESSED) {
                DicomWriter.Lengths lengths = DicomWriter.Lengths.values()[n % 3];
                Path file = dir.resolve(String.format("fixture-%02d-%s-%s.dcm", n++, ts.keyword(), lengths));
                try (OutputStream o = Files.newOutputStream(file)) {
                    DicomWriter.write(DicomWriter.newFile(ds, ts), o, lengths);
                }
                out.add(file);
            }
        }
        return List.copyOf(out);
    }

    private static Dataset.Builder base(String sopInstance) {
        return Dataset.builder()
                .setStrings(Tag.SOPClassUID, Vr.UI, "1.2.840.10008.5.1.4.1.1.7")
                .setStrings(Tag.SOPInstanceUID, Vr.UI, "1.2.826.0.1.3680043.99.100." + sopInstance)
                .setStrings(Tag.StudyInstanceUID, Vr.UI, "1.2.826.0.1.3680043.99.100")
                .setStrings(Tag.SeriesInstanceUID, Vr.UI, "1.2.826.0.1.3680043.99.100.1")
                .setStrings(Tag.Modality, Vr.CS, "OT").setStrings(Tag.PatientID, Vr.LO, "FIX-" + sopInstance)
                .setStrings(Tag.StudyDate, Vr.DA, "20240105").setStrings(Tag.StudyTime, Vr.TM, "101530.25");
    }

    private static Dataset image() {
        byte[] pixels = new byte[16 * 16 * 2];
        for (int i = 0; i < pixels.length; i += 2) {
            pixels[i] = (byte) i;
            pixels[i + 1] = (byte) (i >> 8);
        }
        Dataset code = Dataset.builder().setStrings(Tag.CodeValue, Vr.SH, "T-A0100")
                .setStrings(Tag.CodingSchemeDesignator, Vr.SH, "SRT").setStrings(Tag.CodeMeaning, Vr.LO, "Brain")
                .build();
        Dataset reference = Dataset.builder()
                .setStrings(Tag.ReferencedSOPClassUID, Vr.UI, "1.2.840.10008.5.1.4.1.1.2")
                .setStrings(Tag.ReferencedSOPInstanceUID, Vr.UI, "1.2.826.0.1.3680043.99.7")
                .setItems(Tag.PurposeOfReferenceCodeSequence, List.of(code)).undefinedLength(true).build();
        return base("1").setStrings(Tag.SpecificCharacterSet, Vr.CS, "ISO_IR 100")
                .setStrings(Tag.ImageType, Vr.CS, "DERIVED", "SECONDARY")
                .setStrings(Tag.PatientName, Vr.PN, "Fixture^Image")
                .setItems(Tag.AnatomicRegionSequence, List.of(code))
                .setItems(Tag.SourceImageSequence, List.of(reference, reference))
                .setStrings(Tag.ImagePositionPatient, Vr.DS, "-125.5", "-125.5", "42")
                .setNumbers(Tag.SamplesPerPixel, Vr.US, 1).setStrings(Tag.PhotometricInterpretation, Vr.CS, "MONOCHROME2")
                .setNumbers(Tag.Rows, Vr.US, 16).setNumbers(Tag.Columns, Vr.US, 16)
                .setNumbers(Tag.BitsAllocated, Vr.US, 16).setNumbers(Tag.BitsStored, Vr.US, 12)
                .setNumbers(Tag.HighBit, Vr.US, 11).setNumbers(Tag.PixelRepresentation, Vr.US, 0)
                .setStrings(0x00090010, Vr.LO, "LIGHTBOX FIXTURE")
                .setStrings(0x00091001, Vr.LO, "private text").setNumbers(0x00091002, Vr.US, 7, 8)
                .add(Element.of(Tag.PixelData, Vr.OW, pixels))
                .build();
    }

    private static Dataset names(String charset, String name) {
        return base(Integer.toString(Math.abs(charset.hashCode() % 1000)))
                .setStrings(Tag.SpecificCharacterSet, Vr.CS, charset.split("\\\\", -1))
                .setStrings(Tag.PatientName, Vr.PN, name)
                .setStrings(Tag.ReferringPhysicianName, Vr.PN, name.substring(0, name.indexOf('^')) + "^Dr")
                .setStrings(Tag.StudyDescription, Vr.LO, "Fixture " + charset.strip())
                .build();
    }

    private static Dataset numbers() {
        return base("9")
                .setNumbers(Tag.RecommendedDisplayFrameRateInFloat, Vr.FL, 12.5)
                .setNumbers(Tag.DiffusionGradientOrientation, Vr.FD, 0.1, 33.25, -1e-3)
                .setNumbers(Tag.ReferencePixelX0, Vr.SL, -12)
                .setNumbers(Tag.SimpleFrameList, Vr.UL, 1, 4_000_000_000L)
                .setNumbers(Tag.TagAngleSecondAxis, Vr.SS, -3)
                .add(Element.of(Tag.FrameIncrementPointer, Vr.AT, new byte[] {0x18, 0, 0x63, 0x10}))
                .setNumbers(Tag.InstanceNumber, Vr.IS, 12)
                .build();
    }
}
