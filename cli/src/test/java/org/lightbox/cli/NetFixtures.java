// SPDX-License-Identifier: Apache-2.0
package org.lightbox.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Element;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.TransferSyntax;
import org.lightbox.dicom.Uid;
import org.lightbox.dicom.Vr;
import org.lightbox.dicom.io.DicomReader;
import org.lightbox.dicom.io.DicomWriter;
import org.lightbox.imaging.PixelCodec;
import org.lightbox.imaging.Transcoder;

/** Small images made here for the network tests: two patients, studies and series, in any transfer syntax. */
final class NetFixtures {
    private NetFixtures() {}

    /** Instance {@code n} of study {@code study} (patient DOE^JOHN for study 1, ROE^JANE for study 2). */
    static Dataset instance(int study, int n, String sopClass) {
        byte[] pixels = new byte[64 * 64 * 2];
        for (int i = 0; i < pixels.length; i += 2) {
            int v = (i / 2 % 64) * n + study * 100 + (i / 128);
            pixels[i] = (byte) v;
            pixels[i + 1] = (byte) ((v >>> 8) & 0x0F);
        }
        return Dataset.builder()
                .setStrings(Tag.SpecificCharacterSet, Vr.CS, "ISO_IR 100")
                .setStrings(Tag.SOPClassUID, Vr.UI, sopClass)
                .setStrings(Tag.SOPInstanceUID, Vr.UI, "1.2.826.0.1.3680043.99.4." + study + "." + n)
                .setStrings(Tag.StudyDate, Vr.DA, study == 1 ? "20240102" : "20250304")
                .setStrings(Tag.StudyTime, Vr.TM, "101500")
                .setStrings(Tag.AccessionNumber, Vr.SH, "ACC" + study)
                .setStrings(Tag.Modality, Vr.CS, "OT")
                .setStrings(Tag.ConversionType, Vr.CS, "WSD")
                .setStrings(Tag.PatientName, Vr.PN, study == 1 ? "DOE^JOHN" : "ROE^JANE")
                .setStrings(Tag.PatientID, Vr.LO, "PID" + study)
                .setStrings(Tag.PatientBirthDate, Vr.DA, "19700101")
                .setStrings(Tag.PatientSex, Vr.CS, study == 1 ? "M" : "F")
                .setStrings(Tag.StudyInstanceUID, Vr.UI, "1.2.826.0.1.3680043.99.2." + study)
                .setStrings(Tag.SeriesInstanceUID, Vr.UI, "1.2.826.0.1.3680043.99.3." + study)
                .setStrings(Tag.StudyID, Vr.SH, "S" + study)
                .setStrings(Tag.SeriesNumber, Vr.IS, "1")
                .setStrings(Tag.InstanceNumber, Vr.IS, String.valueOf(n))
                .setNumbers(Tag.SamplesPerPixel, Vr.US, 1)
                .setStrings(Tag.PhotometricInterpretation, Vr.CS, "MONOCHROME2")
                .setNumbers(Tag.Rows, Vr.US, 64).setNumbers(Tag.Columns, Vr.US, 64)
                .setNumbers(Tag.BitsAllocated, Vr.US, 16).setNumbers(Tag.BitsStored, Vr.US, 12)
                .setNumbers(Tag.HighBit, Vr.US, 11).setNumbers(Tag.PixelRepresentation, Vr.US, 0)
                .add(Element.of(Tag.PixelData, Vr.OW, pixels))
                .build();
    }

    /** Writes {@code ds} as a Part 10 file in {@code ts}; encapsulated syntaxes go through the codec. */
    static Path write(Dataset ds, TransferSyntax ts, Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        try (OutputStream out = Files.newOutputStream(file)) {
            if (ts.isEncapsulated()) {
                Transcoder.transcode(DicomWriter.newFile(ds, TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN), ts,
                        new PixelCodec.EncodeOptions(90, 0), out);
            } else {
                DicomWriter.write(DicomWriter.newFile(ds, ts), out);
            }
        }
        return file;
    }

    /** The files in {@code dir} (any depth), read, by SOP Instance UID. */
    static Map<String, org.lightbox.dicom.io.DicomFile> readAll(Path dir) throws IOException {
        Map<String, org.lightbox.dicom.io.DicomFile> byUid = new HashMap<>();
        List<Path> files;
        try (Stream<Path> s = Files.walk(dir)) {
            files = s.filter(Files::isRegularFile).toList();
        }
        for (Path f : files) {
            org.lightbox.dicom.io.DicomFile d = DicomReader.read(f);
            byUid.put(d.dataset().string(Tag.SOPInstanceUID).orElseThrow(), d);
        }
        return byUid;
    }

    static final String SC = Uid.SecondaryCaptureImageStorage;
}
