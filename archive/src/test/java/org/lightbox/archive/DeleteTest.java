// SPDX-License-Identifier: Apache-2.0
package org.lightbox.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.lightbox.archive.IngestTest.row;
import static org.lightbox.archive.Instances.CT;
import static org.lightbox.archive.Instances.instance;
import static org.lightbox.archive.Instances.part10;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lightbox.archive.IngestResult.Status;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.Vr;

class DeleteTest {
    static final String MR = "1.2.840.10008.5.1.4.1.1.4";

    @TempDir
    Path dir;

    private Archive open() throws IOException {
        return Archive.open(ArchiveConfig.of(dir));
    }

    private static StoredInstance store(Archive a, Dataset ds) throws IOException {
        IngestResult r = a.storePart10(new ByteArrayInputStream(part10(ds)));
        assertThat(r.isSuccess()).as(r.message()).isTrue();
        return r.stored().orElseThrow();
    }

    private static Dataset mr(String study, String series, String sop) {
        return instance(study, series, sop).setStrings(Tag.Modality, Vr.CS, "MR")
                .setStrings(Tag.SOPClassUID, Vr.UI, MR).build();
    }

    /** Study 1.1: CT series 1.1.1 (two instances) and MR series 1.1.2 (one); study 1.2 of the same patient. */
    private static List<StoredInstance> storeTwoStudies(Archive a) throws IOException {
        return List.of(store(a, instance("1.1", "1.1.1", "1.1.1.1").build()),
                store(a, instance("1.1", "1.1.1", "1.1.1.2").build()),
                store(a, mr("1.1", "1.1.2", "1.1.2.1")),
                store(a, instance("1.2", "1.2.1", "1.2.1.1").build()));
    }

    @Test
    void deletingAnInstanceRemovesItsRowAndBlobAndKeepsTheCountsTrue() throws Exception {
        try (Archive a = open()) {
            List<StoredInstance> s = storeTwoStudies(a);
            DeleteResult r = a.delete(new DeleteTarget.Instance("1.1", "1.1.1", "1.1.1.2"));
            assertThat(r).isEqualTo(new DeleteResult.Deleted(r.target(), 1, 0, 0, s.get(1).size()));
            assertThat(a.find("1.1.1.2")).isEmpty();
            assertThat(a.blobFile(s.get(1))).doesNotExist();
            assertThat(a.blobFile(s.get(0))).exists();
            assertThat(row(a, "SELECT number_of_series, number_of_instances, modalities_in_study FROM study"
                    + " WHERE study_instance_uid = '1.1'")).containsExactly("2", "2", "CT\\MR");
            assertThat(row(a, "SELECT number_of_instances FROM series WHERE series_instance_uid = '1.1.1'"))
                    .containsExactly("1");
            assertCountsTrue(a);
            assertThat(row(a, "SELECT COUNT(*) FROM deleted_blob")).containsExactly("0");
            assertThat(a.reconcile().isClean()).isTrue();
        }
    }

    @Test
    void deletingASeriesRecomputesModalitiesAndSopClassesInStudy() throws Exception {
        try (Archive a = open()) {
            List<StoredInstance> s = storeTwoStudies(a);
            assertThat(row(a, "SELECT sop_classes_in_study FROM study WHERE study_instance_uid = '1.1'"))
                    .containsExactly(CT + "\\" + MR);
            DeleteResult r = a.delete(new DeleteTarget.Series("1.1", "1.1.2"));
            assertThat(r).isEqualTo(new DeleteResult.Deleted(r.target(), 1, 1, 0, s.get(2).size()));
            assertThat(a.blobFile(s.get(2))).doesNotExist();
            assertThat(row(a, "SELECT number_of_series, number_of_instances, modalities_in_study,"
                    + " sop_classes_in_study FROM study WHERE study_instance_uid = '1.1'"))
                    .containsExactly("1", "2", "CT", CT);
            assertThat(row(a, "SELECT COUNT(*) FROM series WHERE series_instance_uid = '1.1.2'"))
                    .containsExactly("0");
            assertCountsTrue(a);
        }
    }

    @Test
    void deletingAStudyRemovesEverythingOfItAndItsConflictsButNotThePatientsOtherStudy() throws Exception {
        try (Archive a = open()) {
            List<StoredInstance> s = storeTwoStudies(a);
            IngestResult conflicting = a.storePart10(new ByteArrayInputStream(part10(instance("1.1", "1.1.1",
                    "1.1.1.3").setStrings(Tag.PatientName, Vr.PN, "Doe^John").build())));
            assertThat(conflicting.status()).isEqualTo(Status.CONFLICT_RECORDED);
            assertThat(a.conflicts("1.1")).isNotEmpty();
            assertThat(row(a, "SELECT number_of_studies FROM patient")).containsExactly("2");

            DeleteResult r = a.delete(new DeleteTarget.Study("1.1"));
            long bytes = s.get(0).size() + s.get(1).size() + s.get(2).size() + conflicting.stored().orElseThrow().size();
            assertThat(r).isEqualTo(new DeleteResult.Deleted(r.target(), 4, 2, 1, bytes));
            for (StoredInstance i : s.subList(0, 3)) {
                assertThat(a.find(i.sopInstanceUid())).isEmpty();
                assertThat(a.blobFile(i)).doesNotExist();
            }
            assertThat(a.conflicts("1.1")).isEmpty();
            assertThat(row(a, "SELECT COUNT(*) FROM study WHERE study_instance_uid = '1.1'")).containsExactly("0");
            assertThat(row(a, "SELECT COUNT(*) FROM series")).containsExactly("1");
            assertThat(row(a, "SELECT number_of_studies FROM patient")).containsExactly("1");
            assertThat(a.find("1.2.1.1")).contains(s.get(3));
            assertCountsTrue(a);

            // The patient's last study takes the patient with it.
            assertThat(a.delete(new DeleteTarget.Study("1.2"))).isInstanceOf(DeleteResult.Deleted.class);
            assertThat(row(a, "SELECT COUNT(*) FROM patient")).containsExactly("0");
            assertThat(blobFiles()).isEmpty();
            assertThat(a.reconcile().isClean()).isTrue();
        }
    }

    @Test
    void deletingTheLastInstanceRemovesItsSeriesAndStudy() throws Exception {
        try (Archive a = open()) {
            StoredInstance only = store(a, instance("2.1", "2.1.1", "2.1.1.1").build());
            DeleteResult r = a.delete(new DeleteTarget.Instance("2.1", "2.1.1", "2.1.1.1"));
            assertThat(r).isEqualTo(new DeleteResult.Deleted(r.target(), 1, 1, 1, only.size()));
            for (String table : List.of("patient", "study", "series", "instance", "deleted_blob")) {
                assertThat(row(a, "SELECT COUNT(*) FROM " + table)).as(table).containsExactly("0");
            }
            // Stored again, it is new: nothing of the deletion lingers.
            IngestResult again = a.storePart10(new ByteArrayInputStream(part10(instance("2.1", "2.1.1", "2.1.1.1")
                    .build())));
            assertThat(again.status()).isEqualTo(Status.STORED);
            assertThat(a.blobFile(again.stored().orElseThrow())).exists();
            assertCountsTrue(a);
        }
    }

    @Test
    void whatIsNotThereIsNamedAndNothingIsDeleted() throws Exception {
        try (Archive a = open()) {
            storeTwoStudies(a);
            assertThat(a.delete(new DeleteTarget.Study("9.9")))
                    .isEqualTo(new DeleteResult.NotFound(new DeleteTarget.Study("9.9"), "study 9.9 not found"));
            assertThat(message(a.delete(new DeleteTarget.Series("9.9", "1.1.1")))).isEqualTo("study 9.9 not found");
            // A series that exists, but under another study.
            assertThat(message(a.delete(new DeleteTarget.Series("1.2", "1.1.1"))))
                    .isEqualTo("series 1.1.1 not found in study 1.2");
            assertThat(message(a.delete(new DeleteTarget.Instance("1.1", "1.1.2", "1.1.1.1"))))
                    .isEqualTo("instance 1.1.1.1 not found in series 1.1.2 of study 1.1");
            assertThat(message(a.delete(new DeleteTarget.Instance("1.1", "1.1.1", "1.1.1.9"))))
                    .isEqualTo("instance 1.1.1.9 not found in series 1.1.1 of study 1.1");
            assertThat(row(a, "SELECT COUNT(*) FROM instance")).containsExactly("4");
            assertThat(blobFiles()).hasSize(4);
        }
    }

    private static String message(DeleteResult r) {
        return ((DeleteResult.NotFound) r).message();
    }

    @Test
    void aTargetWithAMalformedUidCannotBeMade() {
        assertThatThrownBy(() -> new DeleteTarget.Study("1.2.x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("StudyInstanceUID is no UID: character 'x'");
        assertThatThrownBy(() -> new DeleteTarget.Series("1.2", "")).hasMessageContaining("SeriesInstanceUID is empty");
        assertThatThrownBy(() -> new DeleteTarget.Instance("1.2", "1.2.3", "1." + "2".repeat(64)))
                .hasMessageContaining("SOPInstanceUID is 66 characters long");
        // What ingest accepts (digits and dots, even a leading zero in a component) can be deleted.
        assertThat(new DeleteTarget.Study("1.02").studyInstanceUid()).isEqualTo("1.02");
    }

    @Test
    void aCrashBetweenTheIndexTransactionAndTheBlobsIsFinishedAtStartUpNotUndone() throws Exception {
        List<StoredInstance> s;
        DeleteTarget study = new DeleteTarget.Study("1.1");
        try (Archive a = open()) {
            s = storeTwoStudies(a);
            // What delete does up to its crash point: the rows out and the blobs listed, in one durable commit.
            List<String> sops = a.index().read(c -> a.index().instanceUids(c, study));
            a.index().writeDurably(c -> a.index().remove(c, study, sops, System.currentTimeMillis()));
            assertThat(a.find("1.1.1.1")).isEmpty();
            assertThat(a.blobFile(s.get(0))).exists();
        }
        try (Archive a = open()) {
            ReconcileReport r = a.startupReport();
            assertThat(r.deletionsFinished()).containsExactlyInAnyOrder(s.get(0).blobPath(), s.get(1).blobPath(),
                    s.get(2).blobPath());
            assertThat(r.blobsIndexed()).isEmpty(); // not resurrected
            assertThat(r.blobsQuarantined()).isEmpty();
            assertThat(r.missingBlobs()).isEmpty();
            for (StoredInstance i : s.subList(0, 3)) {
                assertThat(a.find(i.sopInstanceUid())).isEmpty();
                assertThat(a.blobFile(i)).doesNotExist();
            }
            assertThat(a.find("1.2.1.1")).isPresent();
            assertThat(row(a, "SELECT COUNT(*) FROM deleted_blob")).containsExactly("0");
            assertCountsTrue(a);
        }
        try (Archive a = open()) {
            assertThat(a.startupReport().isClean()).as(a.startupReport().toString()).isTrue();
        }
    }

    @Test
    void theSameBytesStoredAgainBeforeAnUnfinishedDeletionIsFinishedKeepTheirBlob() throws Exception {
        StoredInstance again;
        try (Archive a = open()) {
            StoredInstance first = store(a, instance("3.1", "3.1.1", "3.1.1.1").build());
            DeleteTarget t = new DeleteTarget.Instance("3.1", "3.1.1", "3.1.1.1");
            a.index().writeDurably(c -> a.index().remove(c, t, List.of("3.1.1.1"), System.currentTimeMillis()));
            // The file was never removed, so the same bytes land on it; the new row makes it theirs.
            again = store(a, instance("3.1", "3.1.1", "3.1.1.1").build());
            assertThat(again.blobPath()).isEqualTo(first.blobPath());
            assertThat(row(a, "SELECT COUNT(*) FROM deleted_blob")).containsExactly("0");
        }
        try (Archive a = open()) {
            assertThat(a.startupReport().isClean()).as(a.startupReport().toString()).isTrue();
            assertThat(a.find("3.1.1.1")).contains(again);
            assertThat(a.blobFile(again)).exists();
        }
    }

    @Test
    void aBlobThatWillNotGoIsLeftListedAndRemovedByTheNextReconciliation() throws Exception {
        try (Archive a = open()) {
            StoredInstance s = store(a, instance("4.1", "4.1.1", "4.1.1.1").build());
            // A non-empty folder in the blob's place cannot be deleted like a file (root ignores permissions).
            Path blob = a.blobFile(s);
            Files.delete(blob);
            Files.createDirectories(blob.resolve("obstacle"));
            DeleteResult r = a.delete(new DeleteTarget.Study("4.1"));
            assertThat(r).isInstanceOf(DeleteResult.Deleted.class);
            assertThat(a.find("4.1.1.1")).isEmpty();
            assertThat(row(a, "SELECT blob_path, sop_instance_uid FROM deleted_blob"))
                    .containsExactly(s.blobPath(), "4.1.1.1");
            assertThat(a.reconcile().deletionsFinished()).isEmpty(); // still in the way
            Files.delete(blob.resolve("obstacle"));
            ReconcileReport later = a.reconcile();
            assertThat(later.deletionsFinished()).containsExactly(s.blobPath());
            assertThat(later.blobsIndexed()).isEmpty();
            assertThat(blob).doesNotExist();
            assertThat(row(a, "SELECT COUNT(*) FROM deleted_blob")).containsExactly("0");
        }
    }

    @Test
    void deletionsBesideIngestOfTheSameUidsLoseNothingAcknowledgedAndKeepTheCountsTrue() throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        try (Archive a = open(); ExecutorService pool = Executors.newFixedThreadPool(4)) {
            AtomicBoolean stop = new AtomicBoolean();
            List<Future<Integer>> workers = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                int thread = t;
                workers.add(pool.submit(() -> {
                    int n = 0;
                    for (int i = 0; !stop.get(); i++) {
                        // The same 24 instances of study 5.1 over and over, from every thread.
                        int k = (i * 7 + thread) % 24;
                        String series = "5.1." + (k % 3);
                        IngestResult r = a.storePart10(new ByteArrayInputStream(part10(instance("5.1", series,
                                series + "." + k).build())));
                        assertThat(r.isSuccess()).as(r.message()).isTrue();
                        n++;
                    }
                    return n;
                }));
            }
            int deleted = 0;
            long deadline = System.nanoTime() + 20_000_000_000L;
            for (int i = 0; (i < 100 || deleted < 50) && System.nanoTime() < deadline; i++) {
                Thread.sleep(1); // let ingest go on between deletions
                int k = random.nextInt(24);
                String series = "5.1." + (k % 3);
                DeleteTarget t = switch (random.nextInt(3)) {
                    case 0 -> new DeleteTarget.Study("5.1");
                    case 1 -> new DeleteTarget.Series("5.1", series);
                    default -> new DeleteTarget.Instance("5.1", series, series + "." + k);
                };
                if (a.delete(t) instanceof DeleteResult.Deleted d) {
                    deleted += d.instances();
                }
            }
            stop.set(true);
            int stored = 0;
            for (Future<Integer> f : workers) {
                stored += f.get();
            }
            System.out.printf("seed %d: %d stores, %d instances deleted%n", seed, stored, deleted);
            assertThat(deleted).as("seed " + seed).isPositive();
            // Every indexed instance has its blob, no blob is unaccounted for, nothing is left pending.
            ReconcileReport r = a.reconcile();
            assertThat(r.isClean()).as("seed " + seed + ": " + r).isTrue();
            assertThat(row(a, "SELECT COUNT(*) FROM deleted_blob")).containsExactly("0");
            assertThat(blobFiles()).hasSize(Integer.parseInt(row(a, "SELECT COUNT(*) FROM instance").get(0)));
            assertCountsTrue(a);
        }
    }

    @Test
    void theDurableCommitOfADeletionLeavesThePooledConnectionAsConfigured() throws Exception {
        try (Archive a = Archive.open(new ArchiveConfig(dir, DuplicatePolicy.KEEP_FIRST, 1))) {
            store(a, instance("6.1", "6.1.1", "6.1.1.1").build());
            assertThat(a.delete(new DeleteTarget.Study("6.1"))).isInstanceOf(DeleteResult.Deleted.class);
            assertThat(row(a, "PRAGMA synchronous")).containsExactly("1"); // NORMAL, the only connection
        }
    }

    /** Every stored count equals a count of the rows, and no series, study or patient is left empty. */
    static void assertCountsTrue(Archive a) throws Exception {
        assertThat(row(a, "SELECT COUNT(*) FROM series s WHERE s.number_of_instances = 0 OR s.number_of_instances"
                + " <> (SELECT COUNT(*) FROM instance i WHERE i.series_instance_uid = s.series_instance_uid)"))
                .as("series counts").containsExactly("0");
        assertThat(row(a, "SELECT COUNT(*) FROM study s WHERE s.number_of_instances = 0 OR s.number_of_instances"
                + " <> (SELECT COUNT(*) FROM instance i WHERE i.study_instance_uid = s.study_instance_uid)"
                + " OR s.number_of_series <> (SELECT COUNT(*) FROM series x"
                + " WHERE x.study_instance_uid = s.study_instance_uid)")).as("study counts").containsExactly("0");
        assertThat(row(a, "SELECT COUNT(*) FROM patient p WHERE p.number_of_studies = 0 OR p.number_of_studies"
                + " <> (SELECT COUNT(*) FROM study s WHERE s.patient_id = p.patient_id"
                + " AND s.issuer_of_patient_id = p.issuer_of_patient_id)")).as("patient counts").containsExactly("0");
    }

    private List<Path> blobFiles() throws IOException {
        try (Stream<Path> s = Files.walk(dir.resolve("blobs"))) {
            return s.filter(Files::isRegularFile).filter(p -> p.toString().endsWith(".dcm")).toList();
        }
    }
}
