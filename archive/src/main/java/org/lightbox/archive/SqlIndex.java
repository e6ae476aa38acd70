// SPDX-License-Identifier: Apache-2.0
package org.lightbox.archive;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.locks.ReentrantLock;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationState;
import org.flywaydb.core.api.MigrationVersion;

/**
 * The index in a relational database: SQLite in WAL mode through HikariCP, its schema by Flyway. Commits are not
 * fsynced one by one (synchronous=NORMAL): a committed transaction survives a crash of the process, and one lost
 * with the last moments before a power cut is rebuilt at start-up from its blob, which is durable before any
 * instance is acknowledged (see Reconciler). That keeps ingest at one fsync of data an instance. A deletion's commit
 * is the exception ({@link #writeDurably}): its blobs are removed next. Queries are portable SQL, so PostgreSQL can
 * take SQLite's place.
 * Writes are serialised in-process (SQLite has one writer; waiting here is cheaper than busy retries).
 */
final class SqlIndex implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(SqlIndex.class.getName());
    private static final String MIGRATIONS = "classpath:db/migration";

    private final HikariDataSource dataSource;
    private final ReentrantLock writer = new ReentrantLock(true);

    @FunctionalInterface
    interface Work<T> {
        T run(Connection c) throws SQLException, IndexEntry.Rejection;
    }

    private SqlIndex(HikariDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Opens (creating if need be) the SQLite index, checks its schema version and migrates it. */
    static SqlIndex openSqlite(Path file, int poolSize) throws IOException {
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl("jdbc:sqlite:" + file.toAbsolutePath());
        hc.addDataSourceProperty("journal_mode", "WAL");
        hc.addDataSourceProperty("synchronous", "NORMAL");
        hc.addDataSourceProperty("foreign_keys", "true");
        hc.addDataSourceProperty("busy_timeout", "60000");
        hc.addDataSourceProperty("transaction_mode", "IMMEDIATE");
        hc.setMaximumPoolSize(poolSize);
        hc.setMinimumIdle(1);
        hc.setPoolName("lightbox-index");
        HikariDataSource ds;
        try {
            ds = new HikariDataSource(hc);
        } catch (RuntimeException e) {
            throw new IOException("cannot open the index " + file + ": " + e.getMessage(), e);
        }
        try {
            migrate(ds, file.toString());
        } catch (IOException | RuntimeException e) {
            ds.close();
            throw e;
        }
        return new SqlIndex(ds);
    }

    /** Refuses a schema newer than this code knows, then applies the pending migrations. */
    private static void migrate(HikariDataSource ds, String where) throws IOException {
        Flyway flyway = Flyway.configure().dataSource(ds).locations(MIGRATIONS).load();
        try {
            MigrationInfo[] all = flyway.info().all();
            MigrationVersion known = MigrationVersion.EMPTY;
            MigrationVersion applied = MigrationVersion.EMPTY;
            for (MigrationInfo m : all) {
                if (m.getVersion() == null) {
                    continue;
                }
                boolean future = m.getState() == MigrationState.FUTURE_SUCCESS
                        || m.getState() == MigrationState.FUTURE_FAILED;
                if (!future && m.getVersion().isNewerThan(known.getVersion())) {
                    known = m.getVersion();
                }
                if (m.getState().isApplied() && m.getVersion().isNewerThan(applied.getVersion())) {
                    applied = m.getVersion();
                }
            }
            if (applied.isNewerThan(known.getVersion())) {
                throw new IndexSchemaException("the index " + where + " has schema version " + applied
                        + ", newer than the " + known + " this Lightbox knows: it was written by a newer Lightbox."
                        + " Run that version, or restore a backup made with this one");
            }
            var result = flyway.migrate();
            if (result.migrationsExecuted > 0) {
                LOG.log(System.Logger.Level.INFO, "index {0} migrated to schema version {1}", where,
                        result.targetSchemaVersion);
            }
        } catch (FlywayException e) {
            throw new IndexSchemaException("the index " + where + " cannot be migrated: " + e.getMessage(), e);
        }
    }

    /** The schema version recorded in the index. */
    String schemaVersion() {
        MigrationInfo current = Flyway.configure().dataSource(dataSource).locations(MIGRATIONS).load().info()
                .current();
        return current == null ? "" : current.getVersion().getVersion();
    }

    <T> T read(Work<T> work) throws IOException, IndexEntry.Rejection {
        try (Connection c = dataSource.getConnection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw new IOException("index read failed: " + e.getMessage(), e);
        }
    }

    /** Runs the work in one transaction, committed before this returns; rolled back if it throws. */
    <T> T write(Work<T> work) throws IOException, IndexEntry.Rejection {
        return write(work, false);
    }

    /**
     * As {@link #write}, but the commit is on disk before this returns, even against a power cut (the WAL is
     * synced: synchronous=FULL for this transaction). For a deletion, whose blobs are removed next: a commit lost
     * after that would bring back index rows without blobs.
     */
    <T> T writeDurably(Work<T> work) throws IOException, IndexEntry.Rejection {
        return write(work, true);
    }

    /** A read, whose work never rejects an entry. */
    <T> T lookup(Work<T> work) throws IOException {
        try {
            return read(work);
        } catch (IndexEntry.Rejection r) {
            throw new IllegalStateException("a read does not reject", r);
        }
    }

    /** A write whose work checks no entry, so it cannot reject one. */
    <T> T update(Work<T> work) throws IOException {
        try {
            return write(work);
        } catch (IndexEntry.Rejection r) {
            throw new IllegalStateException("this write does not reject", r);
        }
    }

    private <T> T write(Work<T> work, boolean durable) throws IOException, IndexEntry.Rejection {
        writer.lock();
        try (Connection c = dataSource.getConnection()) {
            if (durable) {
                synchronous(c, "FULL");
            }
            try {
                c.setAutoCommit(false);
                try {
                    T result = work.run(c);
                    c.commit();
                    return result;
                } catch (SQLException | IndexEntry.Rejection | RuntimeException e) {
                    c.rollback();
                    throw e;
                } finally {
                    c.setAutoCommit(true);
                }
            } finally {
                if (durable) {
                    synchronous(c, "NORMAL"); // the pooled connection goes back as it was configured
                }
            }
        } catch (SQLException e) {
            throw new IOException("index write failed: " + e.getMessage(), e);
        } finally {
            writer.unlock();
        }
    }

    /** SQLite's per-connection durability of commits (outside a transaction). */
    private static void synchronous(Connection c, String level) throws SQLException {
        try (var st = c.createStatement()) {
            st.execute("PRAGMA synchronous = " + level);
        }
    }

    // ---- queries (portable SQL) ----

    Optional<StoredInstance> findInstance(Connection c, String sopInstanceUid) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT study_instance_uid, series_instance_uid,"
                + " sop_instance_uid, sop_class_uid, transfer_syntax_uid, blob_path, blob_size, sha256, received_at"
                + " FROM instance WHERE sop_instance_uid = ?")) {
            ps.setString(1, sopInstanceUid);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new StoredInstance(rs.getString(1), rs.getString(2), rs.getString(3),
                        rs.getString(4), rs.getString(5), rs.getString(6), rs.getLong(7), rs.getString(8),
                        Instant.ofEpochMilli(rs.getLong(9))));
            }
        }
    }

    String metadata(Connection c, String sopInstanceUid) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT metadata FROM instance WHERE sop_instance_uid = ?")) {
            ps.setString(1, sopInstanceUid);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    /** The WHERE clause selecting the instances of a study, a series of it, or one instance of that series. */
    private static String scope(String series, String instance) {
        return " WHERE study_instance_uid = ?" + (series == null ? "" : " AND series_instance_uid = ?")
                + (instance == null ? "" : " AND sop_instance_uid = ?");
    }

    private static void bindScope(PreparedStatement ps, String study, String series, String instance)
            throws SQLException {
        int i = 1;
        ps.setString(i++, study);
        if (series != null) {
            ps.setString(i++, series);
        }
        if (instance != null) {
            ps.setString(i, instance);
        }
    }

    /** Streams the stored metadata of the instances in scope (see {@link #scope}); returns how many. */
    long metadata(Connection c, String study, String series, String instance, InstanceMetadata.Sink sink)
            throws SQLException, IOException {
        // No ORDER BY: the rows come in the order of the index used (series or study, then row), with no sort of
        // the large metadata values.
        try (PreparedStatement ps = c.prepareStatement("SELECT study_instance_uid, series_instance_uid,"
                + " sop_instance_uid, transfer_syntax_uid, metadata FROM instance" + scope(series, instance))) {
            bindScope(ps, study, series, instance);
            ps.setFetchSize(64);
            long n = 0;
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    sink.accept(new InstanceMetadata(rs.getString(1), rs.getString(2), rs.getString(3),
                            rs.getString(4), rs.getString(5)));
                    n++;
                }
            }
            return n;
        }
    }

    /** A digest of the SOP Instance UIDs and blob checksums of the instances in scope, or null when there are none. */
    String metadataVersion(Connection c, String study, String series, String instance) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT sop_instance_uid, sha256 FROM instance"
                + scope(series, instance) + " ORDER BY sop_instance_uid")) {
            bindScope(ps, study, series, instance);
            MessageDigest digest;
            try {
                digest = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every JDK has SHA-256", e);
            }
            boolean any = false;
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    any = true;
                    digest.update((rs.getString(1) + "/" + rs.getString(2) + "\n")
                            .getBytes(StandardCharsets.US_ASCII));
                }
            }
            return any ? HexFormat.of().formatHex(digest.digest(), 0, 16) : null;
        }
    }

    /** Every instance row: SOP Instance UID, Study Instance UID and blob path, streamed to the visitor. */
    void forEachInstance(Connection c, RowVisitor visitor) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT sop_instance_uid, study_instance_uid, blob_path FROM instance ORDER BY sop_instance_uid")) {
            ps.setFetchSize(1000);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    visitor.visit(rs.getString(1), rs.getString(2), rs.getString(3));
                }
            }
        }
    }

    @FunctionalInterface
    interface RowVisitor {
        void visit(String sopInstanceUid, String studyInstanceUid, String blobPath);
    }

    /**
     * Adds an instance (its patient, study and series too when new), keeping counts and the computed study
     * attributes current, and records where its patient data disagree with what the index holds.
     */
    List<IngestResult.Conflict> insert(Connection c, IndexEntry e, String blobPath, long size, String sha256,
            long now) throws SQLException, IndexEntry.Rejection {
        List<IngestResult.Conflict> conflicts = new ArrayList<>();
        String[] studyPatient = studyPatient(c, e.studyInstanceUid());
        boolean newStudy = studyPatient == null;
        if (newStudy) {
            insertOrComparePatient(c, e, conflicts);
            insertStudy(c, e, now);
        } else {
            if (!studyPatient[0].equals(e.patientId())) {
                conflicts.add(new IngestResult.Conflict("PATIENT", "PatientID", studyPatient[0], e.patientId()));
            }
            if (!studyPatient[1].equals(e.issuerOfPatientId())) {
                conflicts.add(new IngestResult.Conflict("PATIENT", "IssuerOfPatientID", studyPatient[1],
                        e.issuerOfPatientId()));
            }
            comparePatient(c, studyPatient[0], studyPatient[1], e, conflicts);
        }
        String seriesStudy = seriesStudy(c, e.seriesInstanceUid());
        boolean newSeries = seriesStudy == null;
        if (newSeries) {
            insertSeries(c, e, now);
        } else if (!seriesStudy.equals(e.studyInstanceUid())) {
            throw new IndexEntry.Rejection(IngestResult.Failure.INVALID_ATTRIBUTE, "SeriesInstanceUID",
                    "SeriesInstanceUID " + e.seriesInstanceUid() + " belongs to study " + seriesStudy
                            + ", not to StudyInstanceUID " + e.studyInstanceUid());
        }
        boolean newSopClass = !exists(c, "SELECT 1 FROM instance WHERE study_instance_uid = ? AND sop_class_uid = ?",
                e.studyInstanceUid(), e.sopClassUid());
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO instance (sop_instance_uid, series_instance_uid,"
                + " study_instance_uid, sop_class_uid, instance_number, transfer_syntax_uid, blob_path, blob_size,"
                + " sha256, received_at, metadata) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, e.sopInstanceUid());
            ps.setString(2, e.seriesInstanceUid());
            ps.setString(3, e.studyInstanceUid());
            ps.setString(4, e.sopClassUid());
            setInteger(ps, 5, e.instanceNumber());
            ps.setString(6, e.transferSyntaxUid());
            ps.setString(7, blobPath);
            ps.setLong(8, size);
            ps.setString(9, sha256);
            ps.setLong(10, now);
            ps.setString(11, e.metadata());
            ps.executeUpdate();
        }
        update(c, "UPDATE series SET number_of_instances = number_of_instances + 1 WHERE series_instance_uid = ?",
                e.seriesInstanceUid());
        update(c, "UPDATE study SET number_of_instances = number_of_instances + 1, updated_at = " + now
                + " WHERE study_instance_uid = ?", e.studyInstanceUid());
        if (newSeries) {
            update(c, "UPDATE study SET number_of_series = number_of_series + 1 WHERE study_instance_uid = ?",
                    e.studyInstanceUid());
            refreshModalities(c, e.studyInstanceUid());
        }
        if (newSopClass) {
            refreshSopClasses(c, e.studyInstanceUid());
        }
        for (IngestResult.Conflict k : conflicts) {
            recordConflict(c, e.studyInstanceUid(), e.sopInstanceUid(), k, blobPath, now);
        }
        // The same bytes stored again after a deletion whose blob removal failed: the file is this row's now.
        update(c, "DELETE FROM deleted_blob WHERE blob_path = ?", blobPath);
        return conflicts;
    }

    // ---- deletion (Archive.delete) ----

    /** Why the target is not in the index (its first level missing), or null when it is. */
    String missing(Connection c, DeleteTarget t) throws SQLException {
        String study = t.studyInstanceUid();
        if (!exists(c, "SELECT 1 FROM study WHERE study_instance_uid = ?", study)) {
            return "study " + study + " not found";
        }
        String series = switch (t) {
            case DeleteTarget.Study s -> null;
            case DeleteTarget.Series s -> s.seriesInstanceUid();
            case DeleteTarget.Instance i -> i.seriesInstanceUid();
        };
        if (series != null && !exists(c, "SELECT 1 FROM series WHERE series_instance_uid = ?"
                + " AND study_instance_uid = ?", series, study)) {
            return "series " + series + " not found in study " + study;
        }
        if (t instanceof DeleteTarget.Instance i && !exists(c, "SELECT 1 FROM instance WHERE sop_instance_uid = ?"
                + " AND series_instance_uid = ? AND study_instance_uid = ?", i.sopInstanceUid(), series, study)) {
            return "instance " + i.sopInstanceUid() + " not found in series " + series + " of study " + study;
        }
        return null;
    }

    /** The SOP Instance UIDs of the target's instances. */
    List<String> instanceUids(Connection c, DeleteTarget t) throws SQLException {
        return switch (t) {
            case DeleteTarget.Study s -> strings(c, "SELECT sop_instance_uid FROM instance"
                    + " WHERE study_instance_uid = ?", s.studyInstanceUid());
            case DeleteTarget.Series s -> strings(c, "SELECT sop_instance_uid FROM instance"
                    + " WHERE series_instance_uid = ? AND study_instance_uid = ?", s.seriesInstanceUid(),
                    s.studyInstanceUid());
            case DeleteTarget.Instance i -> List.of(i.sopInstanceUid());
        };
    }

    /** What one deletion took out of the index. */
    record Removal(List<StoredInstance> instances, int series, int studies) {}

    /**
     * Removes those of the given instances that are still within the target, listing each one's blob in
     * {@code deleted_blob}, and the conflicts recorded for them; then the series, study and patient left empty, and
     * the counts and computed attributes of those that remain are counted again. All in the caller's transaction.
     */
    Removal remove(Connection c, DeleteTarget target, List<String> sopInstanceUids, long now) throws SQLException {
        String study = target.studyInstanceUid();
        List<StoredInstance> gone = new ArrayList<>();
        Set<String> seriesTouched = new TreeSet<>();
        for (String sop : sopInstanceUids) {
            Optional<StoredInstance> found = findInstance(c, sop);
            if (found.isEmpty() || !covers(target, found.get())) {
                continue; // deleted or moved since it was listed
            }
            StoredInstance s = found.get();
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO deleted_blob (blob_path, sop_instance_uid, deleted_at) VALUES (?, ?, ?)")) {
                ps.setString(1, s.blobPath());
                ps.setString(2, sop);
                ps.setLong(3, now);
                ps.executeUpdate();
            }
            update(c, "DELETE FROM instance WHERE sop_instance_uid = ?", sop);
            update(c, "DELETE FROM conflict WHERE study_instance_uid = ? AND sop_instance_uid = ?", study, sop);
            gone.add(s);
            seriesTouched.add(s.seriesInstanceUid());
        }
        if (gone.isEmpty()) {
            return new Removal(List.of(), 0, 0);
        }
        int seriesRemoved = 0;
        for (String series : seriesTouched) {
            update(c, "UPDATE series SET number_of_instances = (SELECT COUNT(*) FROM instance i"
                    + " WHERE i.series_instance_uid = series.series_instance_uid) WHERE series_instance_uid = ?",
                    series);
            seriesRemoved += update(c, "DELETE FROM series WHERE series_instance_uid = ? AND number_of_instances = 0",
                    series);
        }
        String[] patient = studyPatient(c, study);
        try (PreparedStatement ps = c.prepareStatement("UPDATE study SET"
                + " number_of_instances = (SELECT COUNT(*) FROM instance i WHERE i.study_instance_uid = ?),"
                + " number_of_series = (SELECT COUNT(*) FROM series s WHERE s.study_instance_uid = ?),"
                + " updated_at = ? WHERE study_instance_uid = ?")) {
            ps.setString(1, study);
            ps.setString(2, study);
            ps.setLong(3, now);
            ps.setString(4, study);
            ps.executeUpdate();
        }
        int studyRemoved = update(c, "DELETE FROM study WHERE study_instance_uid = ? AND number_of_instances = 0",
                study);
        if (studyRemoved > 0) {
            update(c, "DELETE FROM conflict WHERE study_instance_uid = ?", study);
            update(c, "UPDATE patient SET number_of_studies = (SELECT COUNT(*) FROM study s WHERE s.patient_id = ?"
                    + " AND s.issuer_of_patient_id = ?) WHERE patient_id = ? AND issuer_of_patient_id = ?",
                    patient[0], patient[1], patient[0], patient[1]);
            update(c, "DELETE FROM patient WHERE patient_id = ? AND issuer_of_patient_id = ?"
                    + " AND number_of_studies = 0", patient[0], patient[1]);
        } else {
            refreshModalities(c, study);
            refreshSopClasses(c, study);
        }
        return new Removal(gone, seriesRemoved, studyRemoved);
    }

    private static boolean covers(DeleteTarget target, StoredInstance s) {
        boolean study = s.studyInstanceUid().equals(target.studyInstanceUid());
        return switch (target) {
            case DeleteTarget.Study t -> study;
            case DeleteTarget.Series t -> study && s.seriesInstanceUid().equals(t.seriesInstanceUid());
            case DeleteTarget.Instance t -> study && s.seriesInstanceUid().equals(t.seriesInstanceUid())
                    && s.sopInstanceUid().equals(t.sopInstanceUid());
        };
    }

    /** A blob whose instance row a deletion removed, not yet known to be gone from disk. */
    record PendingDeletion(String blobPath, String sopInstanceUid) {}

    List<PendingDeletion> pendingDeletions(Connection c) throws SQLException {
        List<PendingDeletion> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT blob_path, sop_instance_uid FROM deleted_blob ORDER BY blob_path");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new PendingDeletion(rs.getString(1), rs.getString(2)));
            }
        }
        return out;
    }

    boolean isPendingDeletion(Connection c, String blobPath) throws SQLException {
        return exists(c, "SELECT 1 FROM deleted_blob WHERE blob_path = ?", blobPath);
    }

    void clearPendingDeletion(Connection c, String blobPath) throws SQLException {
        update(c, "DELETE FROM deleted_blob WHERE blob_path = ?", blobPath);
    }

    /** Whether the blob has an instance row or awaits removal: either way, not an orphan to adopt. */
    boolean knowsBlob(Connection c, String blobPath) throws SQLException {
        return exists(c, "SELECT 1 FROM instance WHERE blob_path = ? UNION ALL"
                + " SELECT 1 FROM deleted_blob WHERE blob_path = ?", blobPath, blobPath);
    }

    /**
     * Removes an instance row, and its series, study and patient when they are left empty, keeping counts and
     * computed attributes current. Returns the blob path it had, or empty when there was no such instance.
     */
    Optional<String> deleteInstance(Connection c, String sopInstanceUid) throws SQLException {
        Optional<StoredInstance> found = findInstance(c, sopInstanceUid);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        StoredInstance s = found.get();
        update(c, "DELETE FROM instance WHERE sop_instance_uid = ?", sopInstanceUid);
        update(c, "UPDATE series SET number_of_instances = number_of_instances - 1 WHERE series_instance_uid = ?",
                s.seriesInstanceUid());
        update(c, "UPDATE study SET number_of_instances = number_of_instances - 1 WHERE study_instance_uid = ?",
                s.studyInstanceUid());
        int seriesGone = update(c, "DELETE FROM series WHERE series_instance_uid = ? AND number_of_instances = 0",
                s.seriesInstanceUid());
        if (seriesGone > 0) {
            update(c, "UPDATE study SET number_of_series = number_of_series - 1 WHERE study_instance_uid = ?",
                    s.studyInstanceUid());
        }
        String[] patient = studyPatient(c, s.studyInstanceUid());
        int studyGone = update(c, "DELETE FROM study WHERE study_instance_uid = ? AND number_of_instances = 0",
                s.studyInstanceUid());
        if (studyGone > 0) {
            update(c, "UPDATE patient SET number_of_studies = number_of_studies - 1"
                    + " WHERE patient_id = ? AND issuer_of_patient_id = ?", patient[0], patient[1]);
            update(c, "DELETE FROM patient WHERE patient_id = ? AND issuer_of_patient_id = ?"
                    + " AND number_of_studies = 0", patient[0], patient[1]);
        } else {
            refreshModalities(c, s.studyInstanceUid());
            refreshSopClasses(c, s.studyInstanceUid());
        }
        return Optional.of(s.blobPath());
    }

    void recordConflict(Connection c, String study, String sopInstanceUid, IngestResult.Conflict k, String blobPath,
            long now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO conflict (study_instance_uid, sop_instance_uid,"
                + " kind, attribute, indexed_value, received_value, received_blob_path, recorded_at)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, study);
            ps.setString(2, sopInstanceUid);
            ps.setString(3, k.kind());
            ps.setString(4, k.attribute());
            ps.setString(5, clip(k.indexedValue()));
            ps.setString(6, clip(k.receivedValue()));
            ps.setString(7, blobPath);
            ps.setLong(8, now);
            ps.executeUpdate();
        }
    }

    /** The conflicts recorded for a study, oldest first. */
    List<IngestResult.Conflict> conflicts(Connection c, String studyInstanceUid) throws SQLException {
        List<IngestResult.Conflict> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT kind, attribute, indexed_value, received_value"
                + " FROM conflict WHERE study_instance_uid = ? ORDER BY recorded_at, sop_instance_uid")) {
            ps.setString(1, studyInstanceUid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new IngestResult.Conflict(rs.getString(1), rs.getString(2), rs.getString(3),
                            rs.getString(4)));
                }
            }
        }
        return out;
    }

    private static String clip(String s) {
        return s == null || s.length() <= 400 ? s : s.substring(0, 400);
    }

    private static String[] studyPatient(Connection c, String study) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT patient_id, issuer_of_patient_id FROM study WHERE study_instance_uid = ?")) {
            ps.setString(1, study);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new String[] {rs.getString(1), rs.getString(2)} : null;
            }
        }
    }

    private static String seriesStudy(Connection c, String series) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT study_instance_uid FROM series WHERE series_instance_uid = ?")) {
            ps.setString(1, series);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private static void insertOrComparePatient(Connection c, IndexEntry e, List<IngestResult.Conflict> conflicts)
            throws SQLException {
        if (exists(c, "SELECT 1 FROM patient WHERE patient_id = ? AND issuer_of_patient_id = ?", e.patientId(),
                e.issuerOfPatientId())) {
            comparePatient(c, e.patientId(), e.issuerOfPatientId(), e, conflicts);
            update(c, "UPDATE patient SET number_of_studies = number_of_studies + 1"
                    + " WHERE patient_id = ? AND issuer_of_patient_id = ?", e.patientId(), e.issuerOfPatientId());
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO patient (patient_id, issuer_of_patient_id,"
                + " patient_name, patient_birth_date, patient_sex, number_of_studies, created_at)"
                + " VALUES (?, ?, ?, ?, ?, 1, ?)")) {
            ps.setString(1, e.patientId());
            ps.setString(2, e.issuerOfPatientId());
            ps.setString(3, e.patientName());
            ps.setString(4, e.patientBirthDate());
            ps.setString(5, e.patientSex());
            ps.setLong(6, System.currentTimeMillis());
            ps.executeUpdate();
        }
    }

    private static void comparePatient(Connection c, String patientId, String issuer, IndexEntry e,
            List<IngestResult.Conflict> conflicts) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT patient_name, patient_birth_date, patient_sex"
                + " FROM patient WHERE patient_id = ? AND issuer_of_patient_id = ?")) {
            ps.setString(1, patientId);
            ps.setString(2, issuer);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return;
                }
                for (int i = 0; i < IndexEntry.PATIENT_ATTRIBUTES.size(); i++) {
                    String keyword = IndexEntry.PATIENT_ATTRIBUTES.get(i)[0];
                    String indexed = Objects.requireNonNullElse(rs.getString(i + 1), "");
                    String received = e.patientValue(keyword);
                    if (!indexed.equals(received)) {
                        conflicts.add(new IngestResult.Conflict("PATIENT", keyword, indexed, received));
                    }
                }
            }
        }
    }

    private static void insertStudy(Connection c, IndexEntry e, long now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO study (study_instance_uid, patient_id,"
                + " issuer_of_patient_id, study_date, study_time, accession_number, study_id, study_description,"
                + " referring_physician_name, modalities_in_study, sop_classes_in_study, number_of_series,"
                + " number_of_instances, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, '', '', 0, 0, ?, ?)")) {
            ps.setString(1, e.studyInstanceUid());
            ps.setString(2, e.patientId());
            ps.setString(3, e.issuerOfPatientId());
            ps.setString(4, e.studyDate());
            ps.setString(5, e.studyTime());
            ps.setString(6, e.accessionNumber());
            ps.setString(7, e.studyId());
            ps.setString(8, e.studyDescription());
            ps.setString(9, e.referringPhysicianName());
            ps.setLong(10, now);
            ps.setLong(11, now);
            ps.executeUpdate();
        }
    }

    private static void insertSeries(Connection c, IndexEntry e, long now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO series (series_instance_uid, study_instance_uid,"
                + " modality, series_number, series_description, series_date, number_of_instances, created_at)"
                + " VALUES (?, ?, ?, ?, ?, ?, 0, ?)")) {
            ps.setString(1, e.seriesInstanceUid());
            ps.setString(2, e.studyInstanceUid());
            ps.setString(3, e.modality());
            setInteger(ps, 4, e.seriesNumber());
            ps.setString(5, e.seriesDescription());
            ps.setString(6, e.seriesDate());
            ps.setLong(7, now);
            ps.executeUpdate();
        }
    }

    /** ModalitiesInStudy: the distinct modalities of the study's series, sorted, backslash-separated. */
    private static void refreshModalities(Connection c, String study) throws SQLException {
        update(c, "UPDATE study SET modalities_in_study = ? WHERE study_instance_uid = ?",
                distinct(c, "SELECT DISTINCT modality FROM series WHERE study_instance_uid = ?", study), study);
    }

    /** SOPClassesInStudy: the distinct SOP classes of the study's instances, sorted, backslash-separated. */
    private static void refreshSopClasses(Connection c, String study) throws SQLException {
        update(c, "UPDATE study SET sop_classes_in_study = ? WHERE study_instance_uid = ?",
                distinct(c, "SELECT DISTINCT sop_class_uid FROM instance WHERE study_instance_uid = ?", study), study);
    }

    private static String distinct(Connection c, String sql, String key) throws SQLException {
        TreeSet<String> values = new TreeSet<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String v = rs.getString(1);
                    if (v != null && !v.isEmpty()) {
                        values.add(v);
                    }
                }
            }
        }
        return String.join("\\", values);
    }

    private static List<String> strings(Connection c, String sql, String... params) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setString(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    private static boolean exists(Connection c, String sql, String... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setString(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static int update(Connection c, String sql, String... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setString(i + 1, params[i]);
            }
            return ps.executeUpdate();
        }
    }

    private static void setInteger(PreparedStatement ps, int index, Integer value) throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.INTEGER);
        } else {
            ps.setInt(index, value);
        }
    }

    @Override
    public void close() {
        dataSource.close();
    }
}
