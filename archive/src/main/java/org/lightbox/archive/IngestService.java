// SPDX-License-Identifier: Apache-2.0
package org.lightbox.archive;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import org.lightbox.archive.IngestResult.Failure;
import org.lightbox.archive.IngestResult.Status;
import org.lightbox.dicom.io.DicomFile;
import org.lightbox.dicom.io.DicomParseException;
import org.lightbox.dicom.io.DicomReader;
import org.lightbox.dicom.io.DicomWriter;
import org.lightbox.dicom.io.ReadOptions;

/**
 * The one ingest path: stream to a durable temporary blob, read the data set back from it up to Pixel Data, check
 * it, give the blob its final name (durably), commit the index transaction, and only then answer. A failure leaves
 * nothing behind. Instances with the same SOP Instance UID are handled one at a time (a lock per UID stripe).
 */
final class IngestService {
    private static final System.Logger LOG = System.getLogger(IngestService.class.getName());
    /** Binary values of this size or more stay in the blob and are referred to from the metadata. */
    static final long BULK_THRESHOLD = 1024;
    static final ReadOptions INDEX_READ = ReadOptions.DEFAULT.withStopBeforePixelData(true)
            .withBulkDataThreshold(BULK_THRESHOLD);
    private static final int STRIPES = 64;

    private final FileBlobStore blobs;
    private final SqlIndex index;
    private final DuplicatePolicy policy;
    private final ReentrantLock[] stripes = new ReentrantLock[STRIPES];

    IngestService(FileBlobStore blobs, SqlIndex index, DuplicatePolicy policy) {
        this.blobs = blobs;
        this.index = index;
        this.policy = policy;
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new ReentrantLock();
        }
    }

    /**
     * What the request said the data set is, checked against it: DIMSE's Affected SOP Class and Instance UIDs, or the
     * study a STOW-RS request names. A null component is not checked.
     */
    record Expected(String sopClassUid, String sopInstanceUid, String studyInstanceUid) {}

    /** A data set as DIMSE carries it, in the given transfer syntax; stored behind a File Meta Information. */
    IngestResult ingestDataset(String sopClassUid, String sopInstanceUid, String transferSyntaxUid, InputStream data)
            throws IOException {
        FileBlobStore.Temp temp = blobs.receive(out -> {
            DicomWriter.writeFileHead(sopClassUid, sopInstanceUid, transferSyntaxUid, out);
            FileBlobStore.copy(data, out);
        });
        return complete(temp, new Expected(sopClassUid, sopInstanceUid, null));
    }

    /**
     * A whole Part 10 stream, as STOW-RS carries it; stored exactly as received.
     *
     * @param studyInstanceUid the study the instance must belong to, or null for any
     */
    IngestResult ingestPart10(InputStream part10, String studyInstanceUid) throws IOException {
        FileBlobStore.Temp temp = blobs.receive(out -> FileBlobStore.copy(part10, out));
        return complete(temp, studyInstanceUid == null ? null : new Expected(null, null, studyInstanceUid));
    }

    private IngestResult complete(FileBlobStore.Temp temp, Expected expected) throws IOException {
        try {
            IndexEntry entry;
            try {
                entry = parse(temp.path(), expected);
            } catch (IndexEntry.Rejection r) {
                String uid = expected != null && expected.sopInstanceUid() != null ? expected.sopInstanceUid() : "";
                LOG.log(System.Logger.Level.WARNING, "ingest of {0} failed: {1}", uid.isEmpty() ? "an instance" : uid,
                        r.getMessage());
                return IngestResult.failed(uid, r.failure, r.attribute, r.getMessage());
            }
            ReentrantLock lock = stripe(entry.sopInstanceUid());
            lock.lock();
            try {
                return place(temp, entry);
            } finally {
                lock.unlock();
            }
        } finally {
            blobs.discard(temp);
        }
    }

    /** Reads the data set back from the stored bytes (never past Pixel Data) and extracts what the index keeps. */
    static IndexEntry parse(Path file, Expected expected) throws IndexEntry.Rejection, IOException {
        DicomFile df;
        try {
            df = DicomReader.read(file, INDEX_READ);
        } catch (DicomParseException e) {
            throw new IndexEntry.Rejection(Failure.MALFORMED, null, "the data set cannot be read: " + e.getMessage());
        }
        IndexEntry entry = IndexEntry.of(df.dataset(), df.transferSyntax().uid());
        if (expected != null) {
            if (expected.studyInstanceUid() != null && !entry.studyInstanceUid().equals(expected.studyInstanceUid())) {
                throw new IndexEntry.Rejection(Failure.INVALID_ATTRIBUTE, "StudyInstanceUID", "StudyInstanceUID "
                        + entry.studyInstanceUid() + " of " + entry.sopInstanceUid() + " is not the study "
                        + expected.studyInstanceUid() + " the request names");
            }
            if (expected.sopInstanceUid() != null && !entry.sopInstanceUid().equals(expected.sopInstanceUid())) {
                throw new IndexEntry.Rejection(Failure.INVALID_ATTRIBUTE, "SOPInstanceUID", "SOPInstanceUID "
                        + entry.sopInstanceUid() + " in the data set differs from the request's "
                        + expected.sopInstanceUid());
            }
            if (expected.sopClassUid() != null && !entry.sopClassUid().equals(expected.sopClassUid())) {
                throw new IndexEntry.Rejection(Failure.INVALID_ATTRIBUTE, "SOPClassUID", "SOPClassUID "
                        + entry.sopClassUid() + " in the data set differs from the request's "
                        + expected.sopClassUid());
            }
        }
        return entry;
    }

    private IngestResult place(FileBlobStore.Temp temp, IndexEntry entry) throws IOException {
        String uid = entry.sopInstanceUid();
        Optional<StoredInstance> existing = index.lookup(c -> index.findInstance(c, uid));
        if (existing.isPresent()) {
            StoredInstance old = existing.get();
            boolean same = old.sha256().equals(temp.sha256());
            switch (policy) {
                case KEEP_FIRST -> {
                    List<IngestResult.Conflict> conflicts = List.of();
                    if (!same) {
                        IngestResult.Conflict k = new IngestResult.Conflict("DUPLICATE", "SOPInstanceUID",
                                old.sha256(), temp.sha256());
                        index.update(c -> {
                            index.recordConflict(c, old.studyInstanceUid(), uid, k, null, System.currentTimeMillis());
                            return null;
                        });
                        conflicts = List.of(k);
                    }
                    LOG.log(System.Logger.Level.INFO, "duplicate {0} ({1}): the first copy is kept", uid,
                            same ? "identical" : "different content");
                    return IngestResult.ok(Status.DUPLICATE, old, "SOPInstanceUID " + uid + " is already stored ("
                            + (same ? "identical" : "different content, recorded") + "); the first copy is kept",
                            conflicts);
                }
                case REJECT -> {
                    LOG.log(System.Logger.Level.WARNING, "duplicate {0} rejected", uid);
                    return IngestResult.failed(uid, Failure.DUPLICATE_REJECTED, "SOPInstanceUID",
                            "SOPInstanceUID " + uid + " is already stored and duplicates are rejected");
                }
                case REPLACE -> {
                    if (same) {
                        return IngestResult.ok(Status.STORED, old, "identical to the stored copy", List.of());
                    }
                }
            }
        }
        String path = FileBlobStore.pathFor(entry.studyInstanceUid(), entry.seriesInstanceUid(), temp.sha256());
        boolean created = blobs.place(temp, path);
        long now = System.currentTimeMillis();
        List<IngestResult.Conflict> conflicts;
        try {
            conflicts = index.write(c -> {
                if (existing.isPresent()) {
                    index.deleteInstance(c, uid);
                }
                return index.insert(c, entry, path, temp.size(), temp.sha256(), now);
            });
        } catch (IndexEntry.Rejection r) {
            if (created) {
                blobs.delete(path);
            }
            LOG.log(System.Logger.Level.WARNING, "ingest of {0} failed: {1}", uid, r.getMessage());
            return IngestResult.failed(uid, r.failure, r.attribute, r.getMessage());
        } catch (IOException | RuntimeException e) {
            if (created) {
                try {
                    blobs.delete(path);
                } catch (IOException d) {
                    e.addSuppressed(d);
                }
            }
            throw e;
        }
        if (existing.isPresent()) {
            try {
                blobs.delete(existing.get().blobPath());
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "replaced blob {0} could not be removed ({1});"
                        + " reconciliation will quarantine it", existing.get().blobPath(), e.getMessage());
            }
        }
        StoredInstance stored = new StoredInstance(entry.studyInstanceUid(), entry.seriesInstanceUid(), uid,
                entry.sopClassUid(), entry.transferSyntaxUid(), path, temp.size(), temp.sha256(),
                java.time.Instant.ofEpochMilli(now));
        if (!conflicts.isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, "{0} stored as received; its patient data disagree with study {1}:"
                    + " {2}", uid, entry.studyInstanceUid(), conflicts);
            return IngestResult.ok(Status.CONFLICT_RECORDED, stored, "stored as received; patient data disagree"
                    + " with the index: " + describe(conflicts), conflicts);
        }
        return IngestResult.ok(Status.STORED, stored, existing.isPresent() ? "stored, replacing the earlier copy"
                : "stored", List.of());
    }

    private static String describe(List<IngestResult.Conflict> conflicts) {
        StringBuilder sb = new StringBuilder();
        for (IngestResult.Conflict k : conflicts) {
            sb.append(sb.isEmpty() ? "" : ", ").append(k.attribute()).append(" \"").append(k.receivedValue())
                    .append("\" vs indexed \"").append(k.indexedValue()).append('"');
        }
        return sb.toString();
    }

    ReentrantLock stripe(String sopInstanceUid) {
        return stripes[stripeIndex(sopInstanceUid)];
    }

    private static int stripeIndex(String sopInstanceUid) {
        return Math.floorMod(sopInstanceUid.hashCode(), STRIPES);
    }

    /**
     * The locks of these instances' stripes, each once, in one fixed order: whoever takes several takes them in
     * this order (ingest takes one), so no two holders wait on each other.
     */
    List<ReentrantLock> stripes(Collection<String> sopInstanceUids) {
        BitSet used = new BitSet(STRIPES);
        sopInstanceUids.forEach(uid -> used.set(stripeIndex(uid)));
        return used.stream().mapToObj(i -> stripes[i]).toList();
    }



}
