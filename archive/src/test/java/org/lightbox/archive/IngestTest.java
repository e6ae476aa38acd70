// SPDX-License-Identifier: Apache-2.0
package org.lightbox.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.lightbox.archive.Instances.CT;
import static org.lightbox.archive.Instances.EVRLE;
import static org.lightbox.archive.Instances.bare;
import static org.lightbox.archive.Instances.instance;
import static org.lightbox.archive.Instances.part10;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lightbox.archive.IngestResult.Failure;
import org.lightbox.archive.IngestResult.Status;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.Vr;
import org.lightbox.dicom.io.DicomReader;

class IngestTest {
    @TempDir
    Path dir;

    private Archive open(DuplicatePolicy policy) throws IOException {
        return Archive.open(ArchiveConfig.of(dir).withDuplicatePolicy(policy));
    }

    private static IngestResult dimse(Archive a, Dataset ds) throws IOException {
        return a.store(ds.string(Tag.SOPClassUID).orElse(CT), ds.string(Tag.SOPInstanceUID).orElse("1.9"), EVRLE,
                new ByteArrayInputStream(bare(ds)));
    }

    @Test
    void aDimseDataSetIsStoredAsPart10WithItsBytesUnchangedAndIndexed() throws Exception {
        try (Archive a = open(DuplicatePolicy.KEEP_FIRST)) {
            Dataset ds = instance("1.2.1", "1.2.1.1", "1.2.1.1.1").build();
            IngestResult r = dimse(a, ds);
            assertThat(r.status()).isEqualTo(Status.STORED);
            StoredInstance s = r.stored().orElseThrow();
            Path file = a.blobFile(s);
            byte[] stored = Files.readAllBytes(file);
            byte[] body = bare(ds);
            assertThat(Arrays.copyOfRange(stored, stored.length - body.length, stored.length)).isEqualTo(body);
            assertThat(new String(stored, 128, 4, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("DICM");
            assertThat(DicomReader.read(file).dataset()).isEqualTo(ds);
            assertThat(s.size()).isEqualTo(stored.length);
            assertThat(s.sha256()).isEqualTo(FileBlobStore.sha256Of(file));
            assertThat(a.find("1.2.1.1.1")).contains(s);
            String json = a.metadata("1.2.1.1.1").orElseThrow();
            assertThat(json).contains("\"00100010\"").contains("Doe^Jane").doesNotContain("7FE00010");
            assertThat(row(a, "SELECT patient_name, patient_birth_date, patient_sex, number_of_studies FROM patient"))
                    .containsExactly("Doe^Jane", "19700101", "F", "1");
            assertThat(row(a, "SELECT study_date, study_time, accession_number, study_id, study_description,"
                    + " referring_physician_name, modalities_in_study, sop_classes_in_study, number_of_series,"
                    + " number_of_instances FROM study"))
                    .containsExactly("20240131", "101500", "ACC1", "S1", "Chest", "Who^Doctor", "CT", CT, "1", "1");
            assertThat(row(a, "SELECT modality, series_number, series_description, number_of_instances FROM series"))
                    .containsExactly("CT", "3", "Axial", "1");
            assertThat(row(a, "SELECT instance_number, transfer_syntax_uid FROM instance"))
                    .containsExactly("7", EVRLE);
        }
    }

    @Test
    void aPart10StreamIsStoredByteForByte() throws Exception {
        try (Archive a = open(DuplicatePolicy.KEEP_FIRST)) {
            byte[] file = part10(instance("1.2.2", "1.2.2.1", "1.2.2.1.1").build());
            IngestResult r = a.storePart10(new ByteArrayInputStream(file));
            assertThat(r.status()).isEqualTo(Status.STORED);
            assertThat(Files.readAllBytes(a.blobFile(r.stored().orElseThrow()))).isEqualTo(file);
        }
    }

    @Test
    void aPart10StreamOfAnotherStudyThanTheOneNamedFailsAndLeavesNothing() throws Exception {
        try (Archive a = open(DuplicatePolicy.KEEP_FIRST)) {
            byte[] file = part10(instance("1.2.3", "1.2.3.1", "1.2.3.1.1").build());
            IngestResult wrong = a.storePart10(new ByteArrayInputStream(file), "1.2.4");
            assertThat(wrong.failure()).contains(Failure.INVALID_ATTRIBUTE);
            assertThat(wrong.attribute()).contains("StudyInstanceUID");
            assertThat(wrong.message()).contains("1.2.3.1.1").contains("not the study 1.2.4");
            assertThat(blobFiles()).isEmpty();
            assertThat(a.find("1.2.3.1.1")).isEmpty();
            IngestResult right = a.storePart10(new ByteArrayInputStream(file), "1.2.3");
            assertThat(right.status()).isEqualTo(Status.STORED);
            assertThat(Files.readAllBytes(a.blobFile(right.stored().orElseThrow()))).isEqualTo(file);
        }
    }

    @Test
    void computedAttributesFollowTheStudy() throws Exception {
        try (Archive a = open(DuplicatePolicy.KEEP_FIRST)) {
            dimse(a, instance("1.3", "1.3.1", "1.3.1.1").build());
            dimse(a, instance("1.3", "1.3.1", "1.3.1.2").build());
            dimse(a, instance("1.3", "1.3.2", "1.3.2.1").setStrings(Tag.Modality, Vr.CS, "MR")
                    .setStrings(Tag.SOPClassUID, Vr.UI, Instances.SC).build());
            assertThat(row(a, "SELECT modalities_in_study, sop_classes_in_study, number_of_series,"
                    + " number_of_instances FROM study")).containsExactly("CT\\MR", CT + "\\" + Instances.SC, "2", "3");
        }
    }

    @Test
    void aMissingMandatoryUidFailsNamingItAndLeavesNothingBehind() throws Exception {
        try (Archive a = open(DuplicatePolicy.KEEP_FIRST)) {
            for (int tag : new int[] {Tag.StudyInstanceUID, Tag.SeriesInstanceUID, Tag.SOPClassUID}) {
                Dataset ds = instance("1.4", "1.4.1", "1.4.1.1").remove(tag).build();
                IngestResult r = a.storePart10(new ByteArrayInputStream(part10(ds)));
                assertThat(r.status()).isEqualTo(Status.FAILED);
                assertThat(r.failure()).contains(Failure.MISSING_ATTRIBUTE);
                assertThat(r.attribute()).contains(org.lightbox.dicom.ElementDictionary.keywordOf(tag));
                assertThat(r.message()).contains("is missing");
            }
            IngestResult empty = dimse(a, instance("1.4", "", "1.4.1.1").build());
            assertThat(empty.attribute()).contains("SeriesInstanceUID");
            assertThat(empty.message()).contains("is empty");
            IngestResult noSop = a.storePart10(new ByteArrayInputStream(part10(
                    instance("1.4", "1.4.1", "x").remove(Tag.SOPInstanceUID).build())));
            assertThat(noSop.attribute()).contains("SOPInstanceUID");
            assertThat(blobFiles()).isEmpty();
            assertThat(row(a, "SELECT COUNT(*) FROM instance")).containsExactly("0");
        }
    }

    @Test
    void patientIdMayBeEmptyOrAbsent() throws Exception {
        try (Archive a = open(DuplicatePolicy.KEEP_FIRST)) {
            assertThat(dimse(a, instance("1.5", "1.5.1", "1.5.1.1").setStrings(Tag.PatientID, Vr.LO, "").build())
                    .status()).isEqualTo(Status.STORED);
            assertThat(dimse(a, instance("1.6", "1.6.1", "1.6.1.1").remove(Tag.PatientID).build()).status())
                    .isEqualTo(Status.STORED);
        }
    }

    @Test
    void malformedInputAndContradictionsFailClearly() throws Exception {
        try (Archive a = open(DuplicatePolicy.KEEP_FIRST)) {
            IngestResult garbage = a.storePart10(new ByteArrayInputStream("not dicom at all".getBytes()));
            assertThat(garbage.failure()).contains(Failure.MALFORMED);
            IngestResult wrongUid = a.store(CT, "1.7.9.9", EVRLE,
                    new ByteArrayInputStream(bare(instance("1.7", "1.7.1", "1.7.1.1").build())));
            assertThat(wrongUid.failure()).contains(Failure.INVALID_ATTRIBUTE);
            assertThat(wrongUid.attribute()).contains("SOPInstanceUID");
            IngestResult badUid = dimse(a, instance("1.7", "1.7.1", "1.7.1.abc").build());
            assertThat(badUid.attribute()).contains("SOPInstanceUID");
            assertThat(badUid.message()).contains("no UID");
            dimse(a, instance("1.8", "1.8.1", "1.8.1.1").build());
            IngestResult moved = dimse(a, instance("1.9", "1.8.1", "1.8.1.2").build());
            assertThat(moved.attribute()).contains("SeriesInstanceUID");
            assertThat(moved.message()).contains("belongs to study 1.8");
            assertThat(blobFiles()).hasSize(1);
        }
    }

    @Test
    void keepFirstAnswersDuplicateAndRecordsDifferentContent() throws Exception {
        try (Archive a = open(DuplicatePolicy.KEEP_FIRST)) {
            IngestResult first = dimse(a, instance("2.1", "2.1.1", "2.1.1.1").build());
            IngestResult same = dimse(a, instance("2.1", "2.1.1", "2.1.1.1").build());
            assertThat(same.status()).isEqualTo(Status.DUPLICATE);
            assertThat(same.conflicts()).isEmpty();
            IngestResult other = dimse(a, instance("2.1", "2.1.1", "2.1.1.1").setStrings(Tag.InstanceNumber, Vr.IS,
                    "99").build());
            assertThat(other.status()).isEqualTo(Status.DUPLICATE);
            assertThat(other.stored()).isEqualTo(first.stored());
            assertThat(a.conflicts("2.1")).extracting(IngestResult.Conflict::kind).containsExactly("DUPLICATE");
            assertThat(blobFiles()).hasSize(1);
        }
    }

    @Test
    void rejectFailsTheSecondCopy() throws Exception {
        try (Archive a = open(DuplicatePolicy.REJECT)) {
            dimse(a, instance("2.2", "2.2.1", "2.2.1.1").build());
            IngestResult r = dimse(a, instance("2.2", "2.2.1", "2.2.1.1").build());
            assertThat(r.failure()).contains(Failure.DUPLICATE_REJECTED);
            assertThat(r.attribute()).contains("SOPInstanceUID");
            assertThat(blobFiles()).hasSize(1);
        }
    }

    @Test
    void replaceSwapsTheBlobAndTheRow() throws Exception {
        try (Archive a = open(DuplicatePolicy.REPLACE)) {
            IngestResult first = dimse(a, instance("2.3", "2.3.1", "2.3.1.1").build());
            IngestResult second = dimse(a, instance("2.3", "2.3.1", "2.3.1.1").setStrings(Tag.InstanceNumber, Vr.IS,
                    "42").build());
            assertThat(second.status()).isEqualTo(Status.STORED);
            assertThat(second.stored().orElseThrow().sha256()).isNotEqualTo(first.stored().orElseThrow().sha256());
            assertThat(a.blobFile(first.stored().orElseThrow())).doesNotExist();
            assertThat(blobFiles()).hasSize(1);
            assertThat(row(a, "SELECT instance_number FROM instance")).containsExactly("42");
            assertThat(row(a, "SELECT number_of_series, number_of_instances FROM study")).containsExactly("1", "1");
        }
    }

    @Test
    void disagreeingPatientDataIsStoredAsReceivedAndRecorded() throws Exception {
        try (Archive a = open(DuplicatePolicy.KEEP_FIRST)) {
            dimse(a, instance("3.1", "3.1.1", "3.1.1.1").build());
            IngestResult r = dimse(a, instance("3.1", "3.1.1", "3.1.1.2").setStrings(Tag.PatientName, Vr.PN,
                    "Doe^John").setStrings(Tag.PatientID, Vr.LO, "P2").build());
            assertThat(r.status()).isEqualTo(Status.CONFLICT_RECORDED);
            assertThat(r.conflicts()).extracting(IngestResult.Conflict::attribute)
                    .containsExactly("PatientID", "PatientName");
            assertThat(a.metadata("3.1.1.2").orElseThrow()).contains("Doe^John");
            assertThat(a.conflicts("3.1")).hasSize(2);
            assertThat(row(a, "SELECT patient_name FROM patient")).containsExactly("Doe^Jane");
            // Another study of the same patient ID with another birth date: recorded at patient level.
            IngestResult other = dimse(a, instance("3.2", "3.2.1", "3.2.1.1").setStrings(Tag.PatientBirthDate, Vr.DA,
                    "19710101").build());
            assertThat(other.status()).isEqualTo(Status.CONFLICT_RECORDED);
            assertThat(other.conflicts()).extracting(IngestResult.Conflict::attribute)
                    .containsExactly("PatientBirthDate");
            assertThat(row(a, "SELECT number_of_studies FROM patient")).containsExactly("2");
        }
    }

    @Test
    void concurrentIngestIsSafe() throws Exception {
        int threads = 12;
        int perThread = 20;
        try (Archive a = open(DuplicatePolicy.KEEP_FIRST);
                ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            List<Future<List<IngestResult>>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    List<IngestResult> results = new ArrayList<>();
                    for (int i = 0; i < perThread; i++) {
                        String study = "4." + (i % 3);
                        String series = study + "." + (thread % 4);
                        results.add(dimse(a, instance(study, series, series + "." + thread + "." + i).build()));
                        // every thread also sends the same shared instance: exactly one copy is stored
                        results.add(dimse(a, instance("4.9", "4.9.1", "4.9.1." + i).build()));
                    }
                    return results;
                }));
            }
            int stored = 0;
            int duplicates = 0;
            for (Future<List<IngestResult>> f : futures) {
                for (IngestResult r : f.get()) {
                    assertThat(r.isSuccess()).as(r.message()).isTrue();
                    stored += r.status() == Status.STORED ? 1 : 0;
                    duplicates += r.status() == Status.DUPLICATE ? 1 : 0;
                }
            }
            assertThat(stored).isEqualTo(threads * perThread + perThread);
            assertThat(duplicates).isEqualTo((threads - 1) * perThread);
            assertThat(row(a, "SELECT COUNT(*) FROM instance")).containsExactly(String.valueOf(stored));
            assertThat(row(a, "SELECT SUM(number_of_instances) FROM study")).containsExactly(String.valueOf(stored));
            assertThat(row(a, "SELECT number_of_series FROM study WHERE study_instance_uid = '4.0'"))
                    .containsExactly("4");
            assertThat(blobFiles()).hasSize(stored);
            assertThat(a.reconcile().isClean()).isTrue();
        }
    }

    private List<Path> blobFiles() throws IOException {
        try (Stream<Path> s = Files.walk(dir.resolve("blobs"))) {
            return s.filter(Files::isRegularFile).toList();
        }
    }

    static List<String> row(Archive a, String sql) throws Exception {
        return a.index().read(c -> {
            try (var st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
                List<String> out = new ArrayList<>();
                if (rs.next()) {
                    for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                        out.add(rs.getString(i));
                    }
                }
                return out;
            }
        });
    }
}
