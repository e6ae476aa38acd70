// SPDX-License-Identifier: Apache-2.0
package org.lightbox.archive;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Brings blob store and index back into agreement after a crash: leftover temporary files are deleted, deletions
 * interrupted after their index transaction are finished (their blobs removed, never indexed again), a blob without
 * an index row is indexed (or quarantined when it cannot be: unreadable, a mandatory UID missing, or its SOP
 * Instance UID already indexed with another blob, as after a crash during REPLACE), and an index row whose blob is
 * gone is reported. Nothing the index holds is ever removed here.
 */
final class Reconciler {
    private static final System.Logger LOG = System.getLogger(Reconciler.class.getName());

    private final FileBlobStore blobs;
    private final SqlIndex index;
    private final IngestService ingest;
    private final DeleteService deletes;

    Reconciler(FileBlobStore blobs, SqlIndex index, IngestService ingest, DeleteService deletes) {
        this.blobs = blobs;
        this.index = index;
        this.ingest = ingest;
        this.deletes = deletes;
    }

    ReconcileReport run() throws IOException {
        int temps = blobs.removeTempFiles();
        if (temps > 0) {
            LOG.log(System.Logger.Level.INFO, "removed {0} leftover temporary blob files", temps);
        }
        // Before the orphans are looked for: these blobs have no index row, and must not get one again.
        List<String> deleted = deletes.finishPending();
        if (!deleted.isEmpty()) {
            LOG.log(System.Logger.Level.INFO, "removed {0} blobs of deleted instances that an interrupted deletion"
                    + " left", deleted.size());
        }
        List<String> indexed = new ArrayList<>();
        List<ReconcileReport.Quarantined> quarantined = new ArrayList<>();
        List<String> orphans = new ArrayList<>();
        try {
            index.read(c -> {
                try {
                    blobs.forEachBlob(path -> {
                        try {
                            if (!index.knowsBlob(c, path)) {
                                orphans.add(path);
                            }
                        } catch (java.sql.SQLException e) {
                            throw new IllegalStateException(e);
                        }
                    });
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                return null;
            });
        } catch (IndexEntry.Rejection | IllegalStateException e) {
            throw new IOException("reconciliation could not read the index: " + e.getMessage(), e);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        for (String path : orphans) {
            adopt(path, indexed, quarantined);
        }
        List<ReconcileReport.MissingBlob> missing = new ArrayList<>();
        try {
            index.read(c -> {
                index.forEachInstance(c, (sop, study, path) -> {
                    if (!Files.isRegularFile(blobs.resolve(path))) {
                        LOG.log(System.Logger.Level.WARNING, "instance {0} of study {1} is indexed but its blob {2}"
                                + " is missing", sop, study, path);
                        missing.add(new ReconcileReport.MissingBlob(sop, study, path));
                    }
                });
                return null;
            });
        } catch (IndexEntry.Rejection e) {
            throw new IllegalStateException(e);
        }
        ReconcileReport report = new ReconcileReport(temps, deleted, indexed, quarantined, missing);
        if (!report.isClean()) {
            LOG.log(System.Logger.Level.WARNING, "reconciliation: {0} temporary files removed, {1} blobs indexed,"
                    + " {2} quarantined, {3} indexed instances without blob, {4} blobs of deleted instances removed",
                    temps, indexed.size(), quarantined.size(), missing.size(), deleted.size());
        }
        return report;
    }

    /** Indexes a blob the index does not know, or quarantines it. */
    private void adopt(String path, List<String> indexed, List<ReconcileReport.Quarantined> quarantined)
            throws IOException {
        Path file = blobs.resolve(path);
        IndexEntry entry;
        try {
            entry = IngestService.parse(file, null);
        } catch (IndexEntry.Rejection r) {
            quarantine(file, path, r.getMessage(), quarantined);
            return;
        }
        ReentrantLock lock = ingest.stripe(entry.sopInstanceUid());
        lock.lock();
        try {
            Optional<StoredInstance> existing = index.read(c -> index.findInstance(c, entry.sopInstanceUid()));
            if (existing.isPresent()) {
                quarantine(file, path, "SOPInstanceUID " + entry.sopInstanceUid() + " is already indexed with blob "
                        + existing.get().blobPath(), quarantined);
                return;
            }
            long size = Files.size(file);
            String sha = FileBlobStore.sha256Of(file);
            long received = Files.getLastModifiedTime(file).toMillis();
            index.write(c -> index.insert(c, entry, path, size, sha, received));
            LOG.log(System.Logger.Level.INFO, "indexed blob {0} ({1}) that the index did not know", path,
                    entry.sopInstanceUid());
            indexed.add(path);
        } catch (IndexEntry.Rejection r) {
            quarantine(file, path, r.getMessage(), quarantined);
        } finally {
            lock.unlock();
        }
    }

    private void quarantine(Path file, String path, String reason, List<ReconcileReport.Quarantined> quarantined)
            throws IOException {
        String moved = blobs.quarantine(file);
        LOG.log(System.Logger.Level.WARNING, "blob {0} quarantined as {1}: {2}", path, moved, reason);
        quarantined.add(new ReconcileReport.Quarantined(path, moved, reason));
    }
}
