// SPDX-License-Identifier: Apache-2.0
package org.lightbox.archive;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Deletes a study, a series or an instance, in an order that keeps the archive's rules after a crash at any point:
 * nothing deleted is ever served again, and no indexed instance loses its blob.
 * <ol>
 *   <li>The target's instances are listed and the ingest locks of their SOP Instance UIDs taken, so that none of
 *       them can be stored again while its blob is being removed (the same bytes would get the same file name).
 *   <li>One index transaction, forced to disk, removes the rows and lists each blob in {@code deleted_blob}. From
 *       its commit on, nothing of the target is found, retrieved or counted.
 *   <li>The blobs are removed, each folder forced.
 *   <li>Their {@code deleted_blob} rows are removed.
 * </ol>
 * A crash between 2 and 4 leaves listed blobs, which reconciliation removes ({@link #finishPending}) where it would
 * otherwise index them again as orphans. Instances stored into the target while it is deleted, after it was
 * listed, are kept. Blob folders are left in place, even empty: ingest may be creating a file in them.
 */
final class DeleteService {
    private static final System.Logger LOG = System.getLogger(DeleteService.class.getName());

    private final FileBlobStore blobs;
    private final SqlIndex index;
    private final IngestService ingest;

    DeleteService(FileBlobStore blobs, SqlIndex index, IngestService ingest) {
        this.blobs = blobs;
        this.index = index;
        this.ingest = ingest;
    }

    private record Listed(String missing, List<String> sopInstanceUids) {}

    DeleteResult delete(DeleteTarget target) throws IOException {
        Listed listed = index.lookup(c -> {
            String missing = index.missing(c, target);
            return new Listed(missing, missing == null ? index.instanceUids(c, target) : List.of());
        });
        if (listed.missing() != null) {
            return new DeleteResult.NotFound(target, listed.missing());
        }
        List<ReentrantLock> locks = ingest.stripes(listed.sopInstanceUids());
        locks.forEach(ReentrantLock::lock);
        try {
            long now = System.currentTimeMillis();
            SqlIndex.Removal removal;
            try {
                removal = index.writeDurably(c -> index.remove(c, target, listed.sopInstanceUids(), now));
            } catch (IndexEntry.Rejection r) {
                throw new IllegalStateException("a deletion does not reject", r);
            }
            if (removal.instances().isEmpty()) { // another deletion came first
                String missing = index.lookup(c -> index.missing(c, target));
                return new DeleteResult.NotFound(target, missing != null ? missing : target.describe() + " not found");
            }
            List<String> paths = removal.instances().stream().map(StoredInstance::blobPath).toList();
            List<String> removed = blobs.deleteAll(paths);
            try {
                index.update(c -> {
                    for (String p : removed) {
                        index.clearPendingDeletion(c, p);
                    }
                    return null;
                });
            } catch (IOException e) {
                // The deletion stands (rows gone, blobs gone); reconciliation clears the list.
                LOG.log(System.Logger.Level.WARNING, "deleted {0}, but its pending-deletion rows stay: {1}",
                        target.describe(), e.getMessage());
            }
            if (removed.size() < paths.size()) {
                LOG.log(System.Logger.Level.WARNING, "deleted {0}, but {1} of its {2} blobs are still on disk;"
                        + " reconciliation will remove them", target.describe(), paths.size() - removed.size(),
                        paths.size());
            }
            long bytes = removal.instances().stream().mapToLong(StoredInstance::size).sum();
            return new DeleteResult.Deleted(target, removal.instances().size(), removal.series(), removal.studies(),
                    bytes);
        } finally {
            for (int i = locks.size() - 1; i >= 0; i--) {
                locks.get(i).unlock();
            }
        }
    }

    /**
     * Removes the blobs that deletions listed but did not get to remove (a crash, or a file that would not go),
     * and their list entries.
     *
     * @return the blob paths removed
     */
    List<String> finishPending() throws IOException {
        List<String> finished = new ArrayList<>();
        for (SqlIndex.PendingDeletion p : index.lookup(index::pendingDeletions)) {
            ReentrantLock lock = ingest.stripe(p.sopInstanceUid());
            lock.lock();
            try {
                // Checked again under the lock: a deletion running now holds it until it has cleared its entries.
                if (!index.lookup(c -> index.isPendingDeletion(c, p.blobPath()))
                        || blobs.deleteAll(List.of(p.blobPath())).isEmpty()) {
                    continue;
                }
                index.update(c -> {
                    index.clearPendingDeletion(c, p.blobPath());
                    return null;
                });
                finished.add(p.blobPath());
            } finally {
                lock.unlock();
            }
        }
        return finished;
    }


}
