// SPDX-License-Identifier: Apache-2.0
package org.lightbox.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Element;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.TransferSyntax;
import org.lightbox.dicom.Uid;
import org.lightbox.dicom.Vr;

/**
 * The studies OhifIT shows in OHIF, made here: three patients, each study in a different transfer syntax, with
 * pictures a viewer must draw with many grey levels or colours (a body outline, a gradient, a lesion that grows from
 * slice to slice), so that a blank or uniform viewport is told apart from a drawn one.
 */
final class OhifFixtures {
    static final String ROOT = "1.2.826.0.1.3680043.9.7777.8.";

    /** One study as the test expects to see it. */
    record Study(String patientName, String shownName, String patientId, String studyUid, String modality,
            String transferSyntax, int instances) {}

    /** A CT of 20 slices, 512 x 512, 16 bits, as Explicit VR Little Endian. */
    static final Study CT = new Study("Ohif^Cecil", "Ohif, Cecil", "OHIF-CT", ROOT + "1.1", "CT",
            Uid.ExplicitVRLittleEndian, 20);
    /** An MR of 6 slices, 256 x 256, 12 bits stored, as JPEG-LS lossless. */
    static final Study MR = new Study("Ohif^Marta", "Ohif, Marta", "OHIF-MR", ROOT + "1.2", "MR",
            Uid.JPEGLSLossless, 6);
    /** A secondary capture in colour, 320 x 240, 8-bit RGB, as JPEG baseline. */
    static final Study SC = new Study("Ohif^Scott", "Ohif, Scott", "OHIF-SC", ROOT + "1.3", "OT",
            Uid.JPEGBaseline8Bit, 2);

    static final List<Study> STUDIES = List.of(CT, MR, SC);

    private OhifFixtures() {}

    /** Writes every instance of every study as a Part 10 file under {@code dir}; returns the files. */
    static List<Path> write(Path dir) throws IOException {
        List<Path> files = new ArrayList<>();
        for (Study s : STUDIES) {
            for (int i = 1; i <= s.instances(); i++) {
                Dataset ds = switch (s.modality()) {
                    case "CT" -> ct(i);
                    case "MR" -> mr(i);
                    default -> sc(i);
                };
                files.add(NetFixtures.write(ds, TransferSyntax.of(s.transferSyntax()),
                        dir.resolve(s.patientId() + "/" + i + ".dcm")));
            }
        }
        return files;
    }

    private static Dataset.Builder common(Study s, int series, int n, String sopClass) {
        return Dataset.builder()
                .setStrings(Tag.SpecificCharacterSet, Vr.CS, "ISO_IR 100")
                .setStrings(Tag.SOPClassUID, Vr.UI, sopClass)
                .setStrings(Tag.SOPInstanceUID, Vr.UI, s.studyUid() + "." + series + "." + n)
                .setStrings(Tag.StudyDate, Vr.DA, "2025061" + (STUDIES.indexOf(s) + 1))
                .setStrings(Tag.StudyTime, Vr.TM, "093000")
                .setStrings(Tag.AccessionNumber, Vr.SH, "ACC-" + s.patientId())
                .setStrings(Tag.Modality, Vr.CS, s.modality())
                .setStrings(Tag.ReferringPhysicianName, Vr.PN, "Ref^Erin")
                .setStrings(Tag.StudyDescription, Vr.LO, s.modality() + " study of " + s.patientId())
                .setStrings(Tag.SeriesDescription, Vr.LO, s.modality() + " series " + series)
                .setStrings(Tag.PatientName, Vr.PN, s.patientName())
                .setStrings(Tag.PatientID, Vr.LO, s.patientId())
                .setStrings(Tag.PatientBirthDate, Vr.DA, "19600101")
                .setStrings(Tag.PatientSex, Vr.CS, "O")
                .setStrings(Tag.StudyInstanceUID, Vr.UI, s.studyUid())
                .setStrings(Tag.SeriesInstanceUID, Vr.UI, s.studyUid() + "." + series)
                .setStrings(Tag.StudyID, Vr.SH, "1")
                .setStrings(Tag.SeriesNumber, Vr.IS, String.valueOf(series))
                .setStrings(Tag.InstanceNumber, Vr.IS, String.valueOf(n));
    }

    /** Geometry of an axial slice: {@code spacing} mm pixels, slices {@code thickness} mm apart. */
    private static Dataset.Builder axial(Dataset.Builder b, Study s, int n, int size, double spacing,
            double thickness) {
        double half = size * spacing / 2;
        return b.setStrings(Tag.FrameOfReferenceUID, Vr.UI, s.studyUid() + ".9")
                .setStrings(Tag.PositionReferenceIndicator, Vr.LO, "")
                .setStrings(Tag.ImagePositionPatient, Vr.DS, ds(-half), ds(-half), ds(n * thickness))
                .setStrings(Tag.ImageOrientationPatient, Vr.DS, "1", "0", "0", "0", "1", "0")
                .setStrings(Tag.PixelSpacing, Vr.DS, ds(spacing), ds(spacing))
                .setStrings(Tag.SliceThickness, Vr.DS, ds(thickness))
                .setStrings(Tag.SliceLocation, Vr.DS, ds(n * thickness));
    }

    private static String ds(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }

    /** Slice {@code n}: air, an elliptic body with a left-right gradient, a bone ring and a growing lesion (HU). */
    static Dataset ct(int n) {
        int size = 512;
        byte[] pixels = new byte[size * size * 2];
        double lesion = 10 + 3.0 * n;
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                double ex = (x - 256) / 220.0;
                double ey = (y - 266) / 170.0;
                double r = ex * ex + ey * ey;
                int hu;
                if (r > 1) {
                    hu = -1000;
                } else if (r > 0.85) {
                    hu = -100; // fat under the skin
                } else {
                    hu = 20 + (x - 256) / 8; // soft tissue with a gradient
                    double bx = (x - 256) / 60.0;
                    double by = (y - 300) / 45.0;
                    double b = bx * bx + by * by;
                    if (b < 1 && b > 0.6) {
                        hu = 900; // vertebral ring
                    }
                    double lx = x - 180;
                    double ly = y - 200;
                    if (lx * lx + ly * ly < lesion * lesion) {
                        hu = 120; // the lesion, bigger on each slice
                    }
                }
                int stored = hu + 1024;
                int i = (y * size + x) * 2;
                pixels[i] = (byte) stored;
                pixels[i + 1] = (byte) (stored >>> 8);
            }
        }
        Dataset.Builder b = common(CT, 1, n, Uid.CTImageStorage)
                .setStrings(Tag.ImageType, Vr.CS, "ORIGINAL", "PRIMARY", "AXIAL")
                .setStrings(Tag.KVP, Vr.DS, "120")
                .setStrings(Tag.BodyPartExamined, Vr.CS, "CHEST");
        return axial(b, CT, n, size, 0.7, 2.5)
                .setNumbers(Tag.SamplesPerPixel, Vr.US, 1)
                .setStrings(Tag.PhotometricInterpretation, Vr.CS, "MONOCHROME2")
                .setNumbers(Tag.Rows, Vr.US, size).setNumbers(Tag.Columns, Vr.US, size)
                .setNumbers(Tag.BitsAllocated, Vr.US, 16).setNumbers(Tag.BitsStored, Vr.US, 16)
                .setNumbers(Tag.HighBit, Vr.US, 15).setNumbers(Tag.PixelRepresentation, Vr.US, 0)
                .setStrings(Tag.WindowCenter, Vr.DS, "40").setStrings(Tag.WindowWidth, Vr.DS, "400")
                .setStrings(Tag.RescaleIntercept, Vr.DS, "-1024").setStrings(Tag.RescaleSlope, Vr.DS, "1")
                .setStrings(Tag.RescaleType, Vr.LO, "HU")
                .add(Element.of(Tag.PixelData, Vr.OW, pixels))
                .build();
    }

    /** Slice {@code n} of a head-like MR: a bright ring, a darker inside with rings of texture, 12 bits. */
    static Dataset mr(int n) {
        int size = 256;
        byte[] pixels = new byte[size * size * 2];
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                double dx = x - 128;
                double dy = y - 128;
                double d = Math.sqrt(dx * dx + dy * dy);
                int v;
                if (d > 110) {
                    v = 0;
                } else if (d > 100) {
                    v = 3000;
                } else {
                    v = (int) (1200 + 600 * Math.sin(d / (4.0 + n)) + 4 * (y - 128));
                }
                v = Math.max(0, Math.min(4095, v));
                int i = (y * size + x) * 2;
                pixels[i] = (byte) v;
                pixels[i + 1] = (byte) (v >>> 8);
            }
        }
        Dataset.Builder b = common(MR, 1, n, Uid.MRImageStorage)
                .setStrings(Tag.ImageType, Vr.CS, "ORIGINAL", "PRIMARY", "M", "NONE")
                .setStrings(Tag.ScanningSequence, Vr.CS, "SE")
                .setStrings(Tag.SequenceVariant, Vr.CS, "NONE")
                .setStrings(Tag.MagneticFieldStrength, Vr.DS, "1.5");
        return axial(b, MR, n, size, 0.9, 5)
                .setNumbers(Tag.SamplesPerPixel, Vr.US, 1)
                .setStrings(Tag.PhotometricInterpretation, Vr.CS, "MONOCHROME2")
                .setNumbers(Tag.Rows, Vr.US, size).setNumbers(Tag.Columns, Vr.US, size)
                .setNumbers(Tag.BitsAllocated, Vr.US, 16).setNumbers(Tag.BitsStored, Vr.US, 12)
                .setNumbers(Tag.HighBit, Vr.US, 11).setNumbers(Tag.PixelRepresentation, Vr.US, 0)
                .add(Element.of(Tag.PixelData, Vr.OW, pixels))
                .build();
    }

    /** Image {@code n} of a colour secondary capture: hue across, brightness down, a white frame. */
    static Dataset sc(int n) {
        int w = 320;
        int h = 240;
        byte[] pixels = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = (y * w + x) * 3;
                boolean frame = x < 8 || y < 8 || x >= w - 8 || y >= h - 8;
                int rgb = frame ? 0xFFFFFF : java.awt.Color.HSBtoRGB((x + 40f * n) / w, 0.8f, 0.3f + 0.7f * y / h);
                pixels[i] = (byte) (rgb >>> 16);
                pixels[i + 1] = (byte) (rgb >>> 8);
                pixels[i + 2] = (byte) rgb;
            }
        }
        return common(SC, 1, n, Uid.SecondaryCaptureImageStorage)
                .setStrings(Tag.ConversionType, Vr.CS, "WSD")
                .setNumbers(Tag.SamplesPerPixel, Vr.US, 3)
                .setStrings(Tag.PhotometricInterpretation, Vr.CS, "RGB")
                .setNumbers(Tag.PlanarConfiguration, Vr.US, 0)
                .setNumbers(Tag.Rows, Vr.US, h).setNumbers(Tag.Columns, Vr.US, w)
                .setNumbers(Tag.BitsAllocated, Vr.US, 8).setNumbers(Tag.BitsStored, Vr.US, 8)
                .setNumbers(Tag.HighBit, Vr.US, 7).setNumbers(Tag.PixelRepresentation, Vr.US, 0)
                .add(Element.of(Tag.PixelData, Vr.OB, pixels))
                .build();
    }
}
