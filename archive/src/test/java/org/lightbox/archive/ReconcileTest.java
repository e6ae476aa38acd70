// SPDX-License-Identifier: Apache-2.0
package org.lightbox.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.lightbox.archive.Instances.instance;
import static org.lightbox.archive.Instances.part10;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReconcileTest {
    @TempDir
    Path dir;

    @Test
    void startUpRemovesTempFilesIndexesOrphansQuarantinesGarbageAndReportsMissingBlobs() throws Exception {
        StoredInstance kept;
        StoredInstance lost;
        try (Archive a = Archive.open(ArchiveConfig.of(dir))) {
            kept = a.storePart10(new ByteArrayInputStream(part10(instance("5.1", "5.1.1", "5.1.1.1").build())))
                    .stored().orElseThrow();
            lost = a.storePart10(new ByteArrayInputStream(part10(instance("5.1", "5.1.1", "5.1.1.2").build())))
                    .stored().orElseThrow();
        }
        Path blobs = dir.resolve("blobs");
        // A crash mid-write leaves a temporary file; a crash between rename and commit leaves an unindexed blob.
        Files.write(blobs.resolve("tmp/0000.part"), new byte[1000]);
        byte[] orphan = part10(instance("5.2", "5.2.1", "5.2.1.1").build());
        String orphanPath = FileBlobStore.pathFor("5.2", "5.2.1", FileBlobStore.sha256Hex("x"));
        Files.createDirectories(blobs.resolve(orphanPath).getParent());
        Files.write(blobs.resolve(orphanPath), orphan);
        Path garbage = blobs.resolve("ab/cd/garbage.dcm");
        Files.createDirectories(garbage.getParent());
        Files.write(garbage, "truncated".getBytes());
        Path superseded = blobs.resolve(kept.blobPath()).resolveSibling("old-copy.dcm");
        Files.write(superseded, part10(instance("5.1", "5.1.1", "5.1.1.1").setStrings(
                org.lightbox.dicom.Tag.InstanceNumber, org.lightbox.dicom.Vr.IS, "1").build()));
        Files.delete(blobs.resolve(lost.blobPath()));

        try (Archive a = Archive.open(ArchiveConfig.of(dir))) {
            ReconcileReport r = a.startupReport();
            assertThat(r.tempFilesRemoved()).isEqualTo(1);
            assertThat(r.blobsIndexed()).containsExactly(orphanPath);
            assertThat(r.blobsQuarantined()).extracting(ReconcileReport.Quarantined::blobPath)
                    .containsExactlyInAnyOrder("ab/cd/garbage.dcm", blobs.relativize(superseded).toString());
            assertThat(r.blobsQuarantined()).allSatisfy(q -> assertThat(blobs.resolve(q.movedTo())).exists());
            assertThat(r.blobsQuarantined()).anySatisfy(q -> assertThat(q.reason()).contains("already indexed"));
            assertThat(r.missingBlobs()).containsExactly(
                    new ReconcileReport.MissingBlob("5.1.1.2", "5.1", lost.blobPath()));
            StoredInstance adopted = a.find("5.2.1.1").orElseThrow();
            assertThat(adopted.sha256()).isEqualTo(FileBlobStore.sha256Of(blobs.resolve(orphanPath)));
            assertThat(a.find("5.1.1.1")).contains(kept);
            assertThat(garbage).doesNotExist();
            // A second pass finds only the still-missing blob, which it keeps reporting rather than deleting.
            ReconcileReport again = a.reconcile();
            assertThat(again.blobsIndexed()).isEmpty();
            assertThat(again.blobsQuarantined()).isEmpty();
            assertThat(again.missingBlobs()).hasSize(1);
        }
    }
}
