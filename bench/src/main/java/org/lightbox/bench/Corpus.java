// SPDX-License-Identifier: Apache-2.0
package org.lightbox.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Element;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.TransferSyntax;
import org.lightbox.dicom.Vr;
import org.lightbox.dicom.io.DicomWriter;

/**
 * The files a benchmark reads: those under {@code -Dlightbox.bench.corpus=DIR} (for example the CT corpus that
 * {@code bench/scripts/dump-vs-dcmdump.sh} makes with ../shared/bench/gen_dataset.py), else a synthetic CT series
 * made here, seeded, with the header attributes a CT scanner writes.
 */
final class Corpus {
    private Corpus() {}

    static List<Path> files() {
        String dir = System.getProperty("lightbox.bench.corpus", "");
        try {
            Path root = dir.isEmpty() ? synthetic() : Path.of(dir);
            try (Stream<Path> s = Files.walk(root)) {
                List<Path> files = s.filter(Files::isRegularFile).filter(p -> !p.toString().endsWith(".json"))
                        .sorted().toList();
                if (files.isEmpty()) {
                    throw new IllegalStateException("no files under " + root);
                }
                return files;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static long totalBytes(List<Path> files) {
        long n = 0;
        for (Path p : files) {
            try {
                n += Files.size(p);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return n;
    }

    private static Path synthetic() throws IOException {
        Path root = Path.of(System.getProperty("java.io.tmpdir"), "lightbox-bench-corpus-v1");
        if (Files.isDirectory(root)) {
            return root;
        }
        Path tmp = Files.createTempDirectory("lightbox-bench-corpus");
        Random r = new Random(7);
        byte[] pixels = new byte[512 * 512 * 2];
        r.nextBytes(pixels);
        for (int i = 0; i < 500; i++) {
            try (OutputStream out = Files.newOutputStream(tmp.resolve(String.format("ct%04d.dcm", i)))) {
                DicomWriter.write(DicomWriter.newFile(ct(i, pixels), TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN), out);
            }
        }
        try {
            Files.move(tmp, root);
        } catch (IOException raced) {
            // Another fork made it first; theirs is the same.
        }
        return root;
    }

    private static Dataset ct(int i, byte[] pixels) {
        String study = "2.25.1000" + i / 100;
        return Dataset.builder()
                .setStrings(Tag.SpecificCharacterSet, Vr.CS, "ISO_IR 100")
                .setStrings(Tag.ImageType, Vr.CS, "ORIGINAL", "PRIMARY", "AXIAL")
                .setStrings(Tag.SOPClassUID, Vr.UI, "1.2.840.10008.5.1.4.1.1.2")
                .setStrings(Tag.SOPInstanceUID, Vr.UI, "2.25.2000" + i)
                .setStrings(Tag.StudyDate, Vr.DA, "20240105").setStrings(Tag.SeriesDate, Vr.DA, "20240105")
                .setStrings(Tag.ContentDate, Vr.DA, "20240105").setStrings(Tag.StudyTime, Vr.TM, "101500")
                .setStrings(Tag.SeriesTime, Vr.TM, "101500").setStrings(Tag.ContentTime, Vr.TM, "101512.25")
                .setStrings(Tag.AccessionNumber, Vr.SH, "A" + i / 100).setStrings(Tag.Modality, Vr.CS, "CT")
                .setStrings(Tag.Manufacturer, Vr.LO, "LIGHTBOX BENCH")
                .setStrings(Tag.ReferringPhysicianName, Vr.PN, "REFERRER^ROSA")
                .setStrings(Tag.StudyDescription, Vr.LO, "CT CHEST").setStrings(Tag.SeriesDescription, Vr.LO, "AXIAL 1MM")
                .setStrings(Tag.PatientName, Vr.PN, "MUELLER^ANNA").setStrings(Tag.PatientID, Vr.LO, "P" + i / 100)
                .setStrings(Tag.PatientBirthDate, Vr.DA, "19600101").setStrings(Tag.PatientSex, Vr.CS, "F")
                .setStrings(Tag.SliceThickness, Vr.DS, "1.0").setStrings(Tag.KVP, Vr.DS, "120")
                .setStrings(Tag.StudyInstanceUID, Vr.UI, study).setStrings(Tag.SeriesInstanceUID, Vr.UI, study + ".1")
                .setStrings(Tag.StudyID, Vr.SH, "1").setNumbers(Tag.SeriesNumber, Vr.IS, 1)
                .setNumbers(Tag.InstanceNumber, Vr.IS, i % 100 + 1)
                .setStrings(Tag.ImagePositionPatient, Vr.DS, "-250", "-250", Double.toString(-i * 1.0))
                .setStrings(Tag.ImageOrientationPatient, Vr.DS, "1", "0", "0", "0", "1", "0")
                .setStrings(Tag.FrameOfReferenceUID, Vr.UI, study + ".9")
                .setNumbers(Tag.SliceLocation, Vr.DS, -i)
                .setNumbers(Tag.SamplesPerPixel, Vr.US, 1).setStrings(Tag.PhotometricInterpretation, Vr.CS, "MONOCHROME2")
                .setNumbers(Tag.Rows, Vr.US, 512).setNumbers(Tag.Columns, Vr.US, 512)
                .setStrings(Tag.PixelSpacing, Vr.DS, "0.78125", "0.78125")
                .setNumbers(Tag.BitsAllocated, Vr.US, 16).setNumbers(Tag.BitsStored, Vr.US, 12)
                .setNumbers(Tag.HighBit, Vr.US, 11).setNumbers(Tag.PixelRepresentation, Vr.US, 0)
                .setStrings(Tag.WindowCenter, Vr.DS, "40").setStrings(Tag.WindowWidth, Vr.DS, "400")
                .setStrings(Tag.RescaleIntercept, Vr.DS, "-1024").setStrings(Tag.RescaleSlope, Vr.DS, "1")
                .add(Element.of(Tag.PixelData, Vr.OW, pixels))
                .build();
    }
}
