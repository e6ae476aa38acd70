// SPDX-License-Identifier: Apache-2.0
package org.lightbox.archive;

import java.util.List;

/**
 * What start-up reconciliation of the blob store and the index found and did.
 *
 * @param tempFilesRemoved leftover temporary files (writes a crash interrupted) that were deleted
 * @param deletionsFinished blobs of deleted instances that a deletion listed but had not removed (a crash came
 *     between its index transaction and the files, or a file would not go), removed now
 * @param blobsIndexed blobs that had no index row and were indexed (paths relative to the blob folder)
 * @param blobsQuarantined blobs that had no index row and could not be indexed, moved to {@code quarantine/}, each
 *     with the reason
 * @param missingBlobs index rows whose blob is gone: reported, not removed
 */
public record ReconcileReport(int tempFilesRemoved, List<String> deletionsFinished, List<String> blobsIndexed,
        List<Quarantined> blobsQuarantined, List<MissingBlob> missingBlobs) {

    public record Quarantined(String blobPath, String movedTo, String reason) {}

    public record MissingBlob(String sopInstanceUid, String studyInstanceUid, String blobPath) {}

    public ReconcileReport {
        deletionsFinished = List.copyOf(deletionsFinished);
        blobsIndexed = List.copyOf(blobsIndexed);
        blobsQuarantined = List.copyOf(blobsQuarantined);
        missingBlobs = List.copyOf(missingBlobs);
    }

    public boolean isClean() {
        return tempFilesRemoved == 0 && deletionsFinished.isEmpty() && blobsIndexed.isEmpty()
                && blobsQuarantined.isEmpty() && missingBlobs.isEmpty();
    }
}
