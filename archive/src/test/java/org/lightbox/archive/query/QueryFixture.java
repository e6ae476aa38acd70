// SPDX-License-Identifier: Apache-2.0
package org.lightbox.archive.query;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.lightbox.archive.Archive;
import org.lightbox.archive.IngestResult;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Element;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.TransferSyntax;
import org.lightbox.dicom.Vr;
import org.lightbox.dicom.io.DicomWriter;

/**
 * The synthetic corpus of the query tests, one record per instance, and the plain-Java model the expectations are
 * computed from. Five patients (accents, lower and upper case, a Latin-1 one, an issuer), two or three studies each
 * spread over dates and times of mixed precision, two series per study, three instances per study.
 */
record QueryFixture(String pid, String issuer, String name, String charset, String birth, String study,
        String date, String time, String accession, String studyDescription, String procedureCode, String series,
        String modality, int seriesNumber, String seriesTime, String bodyPart, String sop, String sopClass,
        int instanceNumber) {

    static final String CT = "1.2.840.10008.5.1.4.1.1.2";
    static final String MR = "1.2.840.10008.5.1.4.1.1.4";
    static final String SC = "1.2.840.10008.5.1.4.1.1.7";

    static final String[] NAMES = {"Müller^Hans", "muller^anna", "O'Brien^Seán", "DOE^JOHN", "doe^jane"};
    static final String[] CHARSETS = {"ISO_IR 192", "", "ISO_IR 100", "", ""};
    static final String[] DATES = {"20190315", "20200101", "20200615", "20211231", "20220720", "20230101",
        "20240229", "20200101"};
    static final String[] TIMES = {"0930", "101500", "235959.5", "1200", "083000.123456", "1530", "0000",
        "1300"};
    static final String[] SECOND_MODALITY = {"MR", "US", "SR", "CT", "PT"};

    static List<QueryFixture> corpus() {
        List<QueryFixture> all = new ArrayList<>();
        int k = 0;
        for (int p = 0; p < 5; p++) {
            for (int s = 0; s < (p % 2 == 0 ? 2 : 1) + (p == 4 ? 1 : 0); s++, k++) {
                String study = "1.2.826.0.1.9." + p + "." + s;
                String acc = p == 0 && s == 0 ? "ACC%1" : p == 1 ? "A_2" : p == 2 && s == 0 ? "AB2"
                        : p == 3 ? "" : "ACC" + p + s;
                String desc = p == 4 && s == 0 ? "x' OR '1'='1" : "Desc " + p + s;
                for (int se = 0; se < 2; se++) {
                    String modality = se == 0 ? (p == 1 ? "MR" : "CT") : SECOND_MODALITY[p];
                    String sopClass = modality.equals("CT") ? CT : modality.equals("MR") ? MR : SC;
                    for (int i = 0; i < (se == 0 ? 2 : 1); i++) {
                        all.add(new QueryFixture("P" + (p + 1), p == 4 ? "HOSP" : "", NAMES[p], CHARSETS[p],
                                "19" + (6 + p) + "00101", study, DATES[k % DATES.length], TIMES[k % TIMES.length],
                                acc, desc, p % 2 == 0 ? "X1" : "Y2", study + "." + (se + 1), modality, se + 1,
                                se == 0 ? "1010" : "1420", se == 0 ? "CHEST" : "HEAD",
                                study + "." + (se + 1) + "." + (i + 1), sopClass, i + 1));
                    }
                }
            }
        }
        return all;
    }

    Dataset dataset() {
        Dataset.Builder b = Dataset.builder();
        if (!charset.isEmpty()) {
            b.setStrings(Tag.SpecificCharacterSet, Vr.CS, charset);
        }
        Dataset code = Dataset.builder().inheritCharset(b.charset())
                .setStrings(Tag.CodeValue, Vr.SH, procedureCode)
                .setStrings(Tag.CodingSchemeDesignator, Vr.SH, "99LB")
                .setStrings(Tag.CodeMeaning, Vr.LO, "Procedure " + procedureCode).build();
        return b.setStrings(Tag.SOPClassUID, Vr.UI, sopClass)
                .setStrings(Tag.SOPInstanceUID, Vr.UI, sop)
                .setStrings(Tag.StudyDate, Vr.DA, date)
                .setStrings(Tag.SeriesDate, Vr.DA, date)
                .setStrings(Tag.ContentDate, Vr.DA, date)
                .setStrings(Tag.StudyTime, Vr.TM, time)
                .setStrings(Tag.SeriesTime, Vr.TM, seriesTime)
                .setStrings(Tag.AccessionNumber, Vr.SH, accession)
                .setStrings(Tag.Modality, Vr.CS, modality)
                .setStrings(Tag.ReferringPhysicianName, Vr.PN, "Ref^Doc")
                .setStrings(Tag.StudyDescription, Vr.LO, studyDescription)
                .setItems(Tag.ProcedureCodeSequence, List.of(code))
                .setStrings(Tag.PatientName, Vr.PN, name)
                .setStrings(Tag.PatientID, Vr.LO, pid)
                .setStrings(Tag.IssuerOfPatientID, Vr.LO, issuer)
                .setStrings(Tag.PatientBirthDate, Vr.DA, birth)
                .setStrings(Tag.PatientSex, Vr.CS, pid.equals("P2") || pid.equals("P5") ? "F" : "M")
                .setStrings(Tag.BodyPartExamined, Vr.CS, bodyPart)
                .setStrings(Tag.StudyInstanceUID, Vr.UI, study)
                .setStrings(Tag.SeriesInstanceUID, Vr.UI, series)
                .setStrings(Tag.StudyID, Vr.SH, "S" + study.substring(study.length() - 3))
                .setStrings(Tag.SeriesNumber, Vr.IS, Integer.toString(seriesNumber))
                .setStrings(Tag.InstanceNumber, Vr.IS, Integer.toString(instanceNumber))
                .add(Element.of(Tag.PixelData, Vr.OB, new byte[2048]))
                .build();
    }

    void storeIn(Archive a) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DicomWriter.writeDataset(dataset(), TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN, out, DicomWriter.Lengths.AS_READ);
        IngestResult r = a.store(sopClass, sop, TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN.uid(),
                new ByteArrayInputStream(out.toByteArray()));
        if (r.status() != IngestResult.Status.STORED) {
            throw new IllegalStateException(sop + ": " + r);
        }
    }

    /** Seconds of the day of a TM value, for the model. */
    double seconds() {
        String t = time.length() < 6 ? (time + "0000").substring(0, 6) : time;
        return Integer.parseInt(t.substring(0, 2)) * 3600 + Integer.parseInt(t.substring(2, 4)) * 60
                + Double.parseDouble(t.substring(4));
    }

    String key(QueryLevel level) {
        return switch (level) {
            case PATIENT -> pid;
            case STUDY -> study;
            case SERIES -> series;
            case IMAGE -> sop;
        };
    }
}
