// SPDX-License-Identifier: Apache-2.0
package org.lightbox.archive;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.lightbox.archive.query.Query;
import org.lightbox.archive.query.QueryExecutor;
import org.lightbox.archive.query.QueryOutcome;
import org.lightbox.archive.query.QuerySink;

/**
 * The archive: a filesystem blob store and an SQLite index under one data folder, and the one ingest path that the
 * DIMSE and DICOMweb front doors share. Opening it migrates the index (refusing a schema newer than this code),
 * then reconciles blobs and index. Safe for concurrent use.
 */
public final class Archive implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Archive.class.getName());

    private final ArchiveConfig config;
    private final FileBlobStore blobs;
    private final SqlIndex index;
    private final IngestService ingest;
    private final DeleteService deletes;
    private final Reconciler reconciler;
    private final ReconcileReport startupReport;

    private Archive(ArchiveConfig config, FileBlobStore blobs, SqlIndex index) throws IOException {
        this.config = config;
        this.blobs = blobs;
        this.index = index;
        this.ingest = new IngestService(blobs, index, config.duplicatePolicy());
        this.deletes = new DeleteService(blobs, index, ingest);
        this.reconciler = new Reconciler(blobs, index, ingest, deletes);
        this.startupReport = reconciler.run();
    }

    /** Opens (creating if need be) the archive in the configured data folder. */
    public static Archive open(ArchiveConfig config) throws IOException {
        Files.createDirectories(config.dataDir());
        SqlIndex index = SqlIndex.openSqlite(config.indexFile(), config.indexPoolSize());
        try {
            Archive a = new Archive(config, new FileBlobStore(config.blobDir()), index);
            LOG.log(System.Logger.Level.INFO, "archive open in {0} (index schema {1}, duplicates: {2})",
                    config.dataDir(), index.schemaVersion(), config.duplicatePolicy());
            return a;
        } catch (IOException | RuntimeException e) {
            index.close();
            throw e;
        }
    }

    /**
     * Ingests a data set as a DIMSE C-STORE carries it: the bare data set in {@code transferSyntaxUid}, stored behind
     * a File Meta Information naming the given SOP Class and Instance (which must match the data set's).
     *
     * @throws IOException when the stream or the disk or index fails; nothing is left behind
     */
    public IngestResult store(String sopClassUid, String sopInstanceUid, String transferSyntaxUid, InputStream data)
            throws IOException {
        return ingest.ingestDataset(sopClassUid, sopInstanceUid, transferSyntaxUid, data);
    }

    /** Ingests a whole Part 10 stream (as STOW-RS carries it), stored exactly as received. */
    public IngestResult storePart10(InputStream part10) throws IOException {
        return ingest.ingestPart10(part10, null);
    }

    /**
     * Ingests a whole Part 10 stream that must belong to the given study (STOW-RS to {@code /studies/{study}}): an
     * instance of another study fails with {@link IngestResult.Failure#INVALID_ATTRIBUTE} on
     * {@code StudyInstanceUID}, and nothing of it is stored.
     */
    public IngestResult storePart10(InputStream part10, String studyInstanceUid) throws IOException {
        return ingest.ingestPart10(part10, java.util.Objects.requireNonNull(studyInstanceUid));
    }

    /**
     * Deletes a study (all its series and instances), a series or an instance: index rows and blobs, the series,
     * study and patient rows left empty, and the conflicts recorded for what is deleted; the counts and computed
     * attributes of what remains stay true. Once this returns, nothing of the target is found or retrieved, and a
     * crash at any point never brings it back (see {@code DeleteService}). Safe to run beside ingest of the same
     * UIDs: an instance stored into the target after it was listed is kept.
     *
     * @return what was deleted, or what was not found (a level missing, or not under the parent the target names)
     * @throws IOException when the index fails; nothing was deleted then
     */
    public DeleteResult delete(DeleteTarget target) throws IOException {
        return deletes.delete(target);
    }

    /** The stored instance with this SOP Instance UID. */
    public Optional<StoredInstance> find(String sopInstanceUid) throws IOException {
        return index.lookup(c -> index.findInstance(c, sopInstanceUid));
    }

    /** The instance's metadata as DICOM JSON up to Pixel Data, bulk values as {@code bulk:<JSON pointer>} URIs. */
    public Optional<String> metadata(String sopInstanceUid) throws IOException {
        return Optional.ofNullable(index.lookup(c -> index.metadata(c, sopInstanceUid)));
    }

    /**
     * Streams the stored metadata of the instances of a study, of one series of it, or of one instance of that series
     * (each level must belong to the one above), one index query read row by row: no instance file is opened. The
     * order is the index's (stable while the instances do not change).
     *
     * @param seriesInstanceUid null for every series of the study
     * @param sopInstanceUid null for every instance of the series (or study)
     * @return the number of instances handed to the sink; 0 when none is found
     * @throws IOException when the index or the sink fails
     */
    public long metadata(String studyInstanceUid, String seriesInstanceUid, String sopInstanceUid,
            InstanceMetadata.Sink sink) throws IOException {
        try {
            return index.lookup(c -> {
                try {
                    return index.metadata(c, studyInstanceUid, seriesInstanceUid, sopInstanceUid, sink);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /**
     * A version of what {@link #metadata(String, String, String, InstanceMetadata.Sink)} would stream for the same
     * arguments: a digest of the instances' SOP Instance UIDs and blob checksums (the stored metadata is derived from
     * the blob), which changes whenever an instance is added, replaced or deleted. For ETags: read it before the
     * metadata, so that a change in between gives an older version with newer content, never the reverse.
     *
     * @return lower-case hexadecimal, or empty when no instance matches
     */
    public Optional<String> metadataVersion(String studyInstanceUid, String seriesInstanceUid, String sopInstanceUid)
            throws IOException {
        return Optional.ofNullable(index.lookup(c -> index.metadataVersion(c, studyInstanceUid, seriesInstanceUid,
                sopInstanceUid)));
    }

    /**
     * Runs a C-FIND / QIDO-RS query, handing each match to the sink as it is read from the index (never the whole
     * result in memory) and stopping between two rows once the sink reports cancellation.
     *
     * @throws IOException when the index or the sink fails
     */
    public QueryOutcome query(Query query, QuerySink sink) throws IOException {
        try {
            return index.lookup(c -> {
                try {
                    return QueryExecutor.run(c, query, sink);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** The conflicts recorded for a study. */
    public List<IngestResult.Conflict> conflicts(String studyInstanceUid) throws IOException {
        return index.lookup(c -> index.conflicts(c, studyInstanceUid));
    }

    /** The file that holds a stored instance. */
    public Path blobFile(StoredInstance instance) {
        return blobs.resolve(instance.blobPath());
    }

    /** What reconciliation found when the archive was opened. */
    public ReconcileReport startupReport() {
        return startupReport;
    }

    /** Reconciles again (start-up does it once). */
    public ReconcileReport reconcile() throws IOException {
        return reconciler.run();
    }

    public ArchiveConfig config() {
        return config;
    }

    SqlIndex index() {
        return index;
    }


    @Override
    public void close() {
        index.close();
    }
}
