// SPDX-License-Identifier: Apache-2.0
package org.lightbox.archive;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.TransferSyntax;
import org.lightbox.dicom.Vr;
import org.lightbox.dicom.io.DicomWriter;

/** Small synthetic instances for the archive tests. */
final class Instances {
    static final String SC = "1.2.840.10008.5.1.4.1.1.7";
    static final String CT = "1.2.840.10008.5.1.4.1.1.2";
    static final String EVRLE = TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN.uid();

    private Instances() {}

    static Dataset.Builder instance(String study, String series, String sop) {
        return Dataset.builder()
                .setStrings(Tag.SOPClassUID, Vr.UI, CT)
                .setStrings(Tag.SOPInstanceUID, Vr.UI, sop)
                .setStrings(Tag.StudyDate, Vr.DA, "20240131")
                .setStrings(Tag.StudyTime, Vr.TM, "101500")
                .setStrings(Tag.AccessionNumber, Vr.SH, "ACC1")
                .setStrings(Tag.Modality, Vr.CS, "CT")
                .setStrings(Tag.ReferringPhysicianName, Vr.PN, "Who^Doctor")
                .setStrings(Tag.StudyDescription, Vr.LO, "Chest")
                .setStrings(Tag.SeriesDescription, Vr.LO, "Axial")
                .setStrings(Tag.PatientName, Vr.PN, "Doe^Jane")
                .setStrings(Tag.PatientID, Vr.LO, "P1")
                .setStrings(Tag.PatientBirthDate, Vr.DA, "19700101")
                .setStrings(Tag.PatientSex, Vr.CS, "F")
                .setStrings(Tag.StudyInstanceUID, Vr.UI, study)
                .setStrings(Tag.SeriesInstanceUID, Vr.UI, series)
                .setStrings(Tag.StudyID, Vr.SH, "S1")
                .setStrings(Tag.SeriesNumber, Vr.IS, "3")
                .setStrings(Tag.InstanceNumber, Vr.IS, "7")
                .add(org.lightbox.dicom.Element.of(Tag.PixelData, Vr.OB, new byte[64]));
    }

    /** The data set as DIMSE carries it: no File Meta Information. */
    static byte[] bare(Dataset ds) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            DicomWriter.writeDataset(ds, TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN, out, DicomWriter.Lengths.AS_READ);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The data set as a Part 10 file. */
    static byte[] part10(Dataset ds) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            DicomWriter.write(DicomWriter.newFile(ds, TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN), out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
