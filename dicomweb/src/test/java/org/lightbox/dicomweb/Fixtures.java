// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicomweb;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Element;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.TransferSyntax;
import org.lightbox.dicom.Uid;
import org.lightbox.dicom.Vr;
import org.lightbox.dicom.io.DicomWriter;
import org.lightbox.testkit.ProcessResult;
import org.lightbox.testkit.Tools;

/**
 * Test images made here: a 512 x 512 CT (16-bit signed, 12 bits stored, a window, a rescale, a sequence holding a
 * bulk value) and a five-frame 64 x 64 MR, written in Explicit VR Little Endian by dicom-core, and their compressed
 * variants made by GDCM's gdcmconv (an encoder independent of Lightbox's).
 */
final class Fixtures {
    static final String STUDY = "1.2.826.0.1.3680043.10.1";
    static final String SERIES = STUDY + ".1";
    static final String MR_SERIES = STUDY + ".2";
    static final String CT = "1.2.840.10008.5.1.4.1.1.2";
    static final String MR = "1.2.840.10008.5.1.4.1.1.4";
    /** The bulk value inside the CT's sequence: (0054,0016)[0] > (0028,1201), 4096 bytes. */
    static final byte[] NESTED = pattern(4096, 7);

    private Fixtures() {}

    /** The CT's stored pixel values, row by row: a gradient, a disc and some texture, -1024 to 2000 HU. */
    static short[] ctPixels(int seed) {
        short[] p = new short[512 * 512];
        for (int y = 0; y < 512; y++) {
            for (int x = 0; x < 512; x++) {
                int dx = x - 256;
                int dy = y - 256;
                int v = dx * dx + dy * dy < 200 * 200 ? 1024 + 40 + ((x * 7 + y * 13 + seed) % 97) : 0;
                if (dx * dx + dy * dy < 40 * 40) {
                    v = 1024 + 1500 + (x + seed) % 500;
                }
                p[y * 512 + x] = (short) v; // stored values; Rescale Intercept -1024 gives HU
            }
        }
        return p;
    }

    static Dataset.Builder ct(String sop, int instanceNumber, int seed) {
        short[] px = ctPixels(seed);
        byte[] bytes = new byte[px.length * 2];
        for (int i = 0; i < px.length; i++) {
            bytes[2 * i] = (byte) px[i];
            bytes[2 * i + 1] = (byte) (px[i] >> 8);
        }
        Dataset item = Dataset.builder().add(Element.of(Tag.RedPaletteColorLookupTableData, Vr.OW, NESTED)).build();
        return common(CT, sop, SERIES, "CT", instanceNumber)
                .setNumbers(Tag.Rows, Vr.US, 512).setNumbers(Tag.Columns, Vr.US, 512)
                .setNumbers(Tag.BitsAllocated, Vr.US, 16).setNumbers(Tag.BitsStored, Vr.US, 12)
                .setNumbers(Tag.HighBit, Vr.US, 11).setNumbers(Tag.PixelRepresentation, Vr.US, 0)
                .setNumbers(Tag.SamplesPerPixel, Vr.US, 1)
                .setStrings(Tag.PhotometricInterpretation, Vr.CS, "MONOCHROME2")
                .setStrings(Tag.RescaleIntercept, Vr.DS, "-1024").setStrings(Tag.RescaleSlope, Vr.DS, "1")
                .setStrings(Tag.WindowCenter, Vr.DS, "40").setStrings(Tag.WindowWidth, Vr.DS, "400")
                .setItems(Tag.RadiopharmaceuticalInformationSequence, List.of(item))
                .add(Element.of(Tag.PixelData, Vr.OW, bytes));
    }

    /** A five-frame 64 x 64 MR, 16 bits: frame k holds values k * 1000 + a pattern. */
    static Dataset.Builder mr(String sop) {
        int frames = 5;
        byte[] bytes = new byte[frames * 64 * 64 * 2];
        for (int k = 0; k < frames; k++) {
            for (int i = 0; i < 64 * 64; i++) {
                int v = k * 1000 + (i * 31 + k * 7) % 1000;
                int at = 2 * (k * 64 * 64 + i);
                bytes[at] = (byte) v;
                bytes[at + 1] = (byte) (v >> 8);
            }
        }
        return common(MR, sop, MR_SERIES, "MR", 1)
                .setNumbers(Tag.Rows, Vr.US, 64).setNumbers(Tag.Columns, Vr.US, 64)
                .setNumbers(Tag.BitsAllocated, Vr.US, 16).setNumbers(Tag.BitsStored, Vr.US, 16)
                .setNumbers(Tag.HighBit, Vr.US, 15).setNumbers(Tag.PixelRepresentation, Vr.US, 0)
                .setNumbers(Tag.SamplesPerPixel, Vr.US, 1).setStrings(Tag.NumberOfFrames, Vr.IS, "5")
                .setStrings(Tag.PhotometricInterpretation, Vr.CS, "MONOCHROME2")
                .add(Element.of(Tag.PixelData, Vr.OW, bytes));
    }

    static Dataset.Builder common(String sopClass, String sop, String series, String modality, int number) {
        return Dataset.builder()
                .setStrings(Tag.SpecificCharacterSet, Vr.CS, "ISO_IR 100")
                .setStrings(Tag.SOPClassUID, Vr.UI, sopClass).setStrings(Tag.SOPInstanceUID, Vr.UI, sop)
                .setStrings(Tag.StudyDate, Vr.DA, "20260101").setStrings(Tag.Modality, Vr.CS, modality)
                .setStrings(Tag.PatientName, Vr.PN, "Wado^Test").setStrings(Tag.PatientID, Vr.LO, "WADO1")
                .setStrings(Tag.StudyInstanceUID, Vr.UI, STUDY).setStrings(Tag.SeriesInstanceUID, Vr.UI, series)
                .setStrings(Tag.SeriesNumber, Vr.IS, series.equals(SERIES) ? "1" : "2")
                .setStrings(Tag.InstanceNumber, Vr.IS, String.valueOf(number));
    }

    static Path write(Path dir, String name, Dataset ds) throws IOException {
        Path f = dir.resolve(name);
        try (OutputStream out = Files.newOutputStream(f)) {
            DicomWriter.write(DicomWriter.newFile(ds, TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN), out);
        }
        return f;
    }

    /**
     * {@code in} compressed by gdcmconv with the given option ({@code --rle}, {@code --jpegls}, {@code --j2k},
     * {@code --jpeg}: all lossless), then given a new SOP Instance UID so that it is an instance of its own.
     */
    static Path gdcm(Path in, String option, String sop) {
        Path out = in.resolveSibling(sop + ".dcm");
        run(List.of("gdcmconv", option, in.toString(), out.toString()));
        run(List.of("dcmodify", "-nb", "-m", "SOPInstanceUID=" + sop, "-m", "InstanceNumber=" + sop.substring(
                sop.lastIndexOf('.') + 1), out.toString()));
        return out;
    }

    static void run(List<String> command) {
        ProcessResult r = Tools.run(command, Duration.ofSeconds(120));
        if (!r.isSuccess()) {
            throw new IllegalStateException(command + " failed: " + r);
        }
    }

    static boolean toolsPresent() {
        return Tools.available("gdcmconv") && Tools.available("dcmodify");
    }

    /**
     * pydicom's pixel array of each file, frame by frame, as the MD5 of its little-endian bytes (one line per file,
     * frames separated by spaces): the independent reading the frames are checked against.
     */
    static List<String> pydicomFrameMd5s(Path python, List<Path> files) {
        List<String> cmd = new ArrayList<>(List.of(python.toString(), "-c", """
                import sys, hashlib, pydicom
                for f in sys.argv[1:]:
                    ds = pydicom.dcmread(f)
                    a = ds.pixel_array
                    n = int(getattr(ds, 'NumberOfFrames', 1) or 1)
                    frames = [a] if n == 1 else list(a)
                    print(' '.join(hashlib.md5(x.astype(x.dtype.newbyteorder('<')).tobytes()).hexdigest()
                                   for x in frames))
                """));
        files.forEach(f -> cmd.add(f.toString()));
        ProcessResult r = Tools.run(cmd, Duration.ofSeconds(120));
        if (!r.isSuccess()) {
            throw new IllegalStateException("pydicom failed: " + r);
        }
        return r.stdout().lines().toList();
    }

    static byte[] pattern(int length, int seed) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (i * 31 + seed);
        }
        return b;
    }

    static String uid(String syntax) {
        return switch (syntax) {
            case "--rle" -> Uid.RLELossless;
            case "--jpegls" -> Uid.JPEGLSLossless;
            case "--j2k" -> Uid.JPEG2000Lossless;
            default -> Uid.JPEGLosslessSV1;
        };
    }
}
