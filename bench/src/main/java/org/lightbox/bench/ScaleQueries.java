// SPDX-License-Identifier: Apache-2.0
package org.lightbox.bench;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.YearMonth;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.lightbox.archive.Archive;
import org.lightbox.archive.ArchiveConfig;
import org.lightbox.archive.query.InformationModel;
import org.lightbox.archive.query.Query;
import org.lightbox.archive.query.QueryExecutor;
import org.lightbox.archive.query.QueryOptions;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Element;
import org.lightbox.dicom.ElementDictionary;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.Uid;
import org.lightbox.dicom.Vr;
import org.lightbox.net.Association;
import org.lightbox.net.Command;
import org.lightbox.net.NetOptions;
import org.lightbox.net.Proposal;
import org.lightbox.net.Response;
import org.lightbox.net.Status;

/**
 * {@code find DIR}: starts {@code lightbox serve} over the archive at DIR as a process of its own (bound to
 * 127.0.0.1), times its start-up (until {@code /health} answers 200), then sends, inside one association of Lightbox's
 * own SCU, Study Root C-FIND queries of five kinds, each timed from the request to the final response with every
 * match read: a patient's studies by PatientID, studies by a PatientName prefix ({@code ABC*}), the studies of one
 * month (StudyDate range), a study by AccessionNumber, and a study's series (SERIES level by StudyInstanceUID). The
 * values are drawn (seeded) from the studies of the index, read directly beforehand. With {@code --qido} the same
 * queries go to QIDO-RS ({@code /dicom-web/studies...}) over one kept-alive HTTP/1.1 connection.
 *
 * <p>Options: {@code --serve 'CMD'} (default {@code ./lightbox serve}; {@code --data}, ports and {@code --bind} are
 * appended), {@code --queries M} (timed, default 1000), {@code --warmup W} (untimed first, default 10,000: with
 * 500 the server's query path was still partly interpreted or C1-compiled and the median twice as high), {@code
 * --seed S}, {@code --dicom-port P} (11500), {@code --http-port Q} (8500), {@code --log FILE} (the server's output;
 * default next to DIR), {@code --no-in-process} (skip timing the same queries through {@link Archive#query} in this
 * process once serve has stopped, which separates the index's share from the network's).
 */
final class ScaleQueries {
    private ScaleQueries() {}

    private static final DateTimeFormatter DA = DateTimeFormatter.BASIC_ISO_DATE;
    private static final String MODEL = Uid.StudyRootQueryRetrieveInformationModelFind;
    private static final int[] STUDY_KEYS = {Tag.PatientName, Tag.PatientID, Tag.PatientBirthDate, Tag.PatientSex,
        Tag.StudyDate, Tag.StudyTime, Tag.AccessionNumber, Tag.StudyID, Tag.StudyDescription,
        Tag.ReferringPhysicianName, Tag.ModalitiesInStudy, Tag.NumberOfStudyRelatedSeries,
        Tag.NumberOfStudyRelatedInstances, Tag.StudyInstanceUID};
    private static final int[] SERIES_KEYS = {Tag.Modality, Tag.SeriesNumber, Tag.SeriesDescription, Tag.SeriesDate,
        Tag.NumberOfSeriesRelatedInstances, Tag.SeriesInstanceUID, Tag.StudyInstanceUID};

    enum Kind {
        PATIENT_ID("studies by PatientID"),
        NAME_PREFIX("studies by PatientName prefix*"),
        DATE_MONTH("studies of a month (StudyDate range)"),
        ACCESSION("study by AccessionNumber"),
        SERIES_OF_STUDY("series of a study (SERIES level)");

        final String label;

        Kind(String label) {
            this.label = label;
        }
    }

    /** One query: its kind and value. */
    record Q(Kind kind, String value) {}

    /** A study's keys, as the index holds them. */
    record StudyRow(String patientId, String patientName, String date, String accession, String uid) {}

    static void main(List<String> args) throws Exception {
        Path dir = Path.of(args.get(0)).toAbsolutePath();
        Map<String, String> o = ScaleBenchmark.options(args, 1);
        int queries = Integer.parseInt(o.getOrDefault("queries", "1000"));
        int warmup = Integer.parseInt(o.getOrDefault("warmup", "10000"));
        long seed = Long.parseLong(o.getOrDefault("seed", "7"));
        int dicomPort = Integer.parseInt(o.getOrDefault("dicom-port", "11500"));
        int httpPort = Integer.parseInt(o.getOrDefault("http-port", "8500"));
        Path log = Path.of(o.getOrDefault("log", dir.resolveSibling(dir.getFileName() + "-serve.log").toString()));
        List<String> command = new ArrayList<>(Arrays.asList(o.getOrDefault("serve", "./lightbox serve").trim()
                .split("\\s+")));
        command.addAll(List.of("--data", dir.toString(), "--dicom-port", Integer.toString(dicomPort), "--http-port",
                Integer.toString(httpPort), "--bind", "127.0.0.1"));
        System.out.printf("archive %s: %,d instances indexed; %s%n", dir, ScaleBenchmark.countInstances(dir),
                ScaleBenchmark.load());

        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        System.out.println("starting: " + String.join(" ", command) + "  (output in " + log + ")");
        long t0 = System.nanoTime();
        List<Q> timed;
        Process server = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(log.toFile())).start();
        try {
            awaitHealthy(http, httpPort, server);
            double startup = (System.nanoTime() - t0) / 1e9;
            String ready = Files.readAllLines(log).stream().filter(l -> l.contains(" ready: ")).findFirst()
                    .orElse("(no ready line)");
            System.out.printf("serve start-up: %.2f s until /health answered 200; the server says: %s%n", startup,
                    ready.substring(Math.max(0, ready.indexOf("ready"))));

            Association a = Association.connect("127.0.0.1", dicomPort, new Proposal("SCALEBENCH", "LIGHTBOX")
                    .add(MODEL, Uid.ExplicitVRLittleEndian, Uid.ImplicitVRLittleEndian)
                    .add(Uid.Verification, Uid.ImplicitVRLittleEndian), NetOptions.DEFAULT, null,
                    Map.of());
            List<StudyRow> studies;
            Map<Kind, List<double[]>> dimse;
            try {
                studies = allStudies(dir);
                System.out.printf("query values drawn (seed %d) from the index's %,d studies%n", seed,
                        studies.size());
                Random r = new Random(seed);
                List<Q> warm = queries(studies, warmup, r);
                timed = queries(studies, queries, r);
                for (Q q : warm) {
                    find(a, q);
                }
                double[] echo = new double[timed.size()];
                for (int i = 0; i < echo.length; i++) {
                    long e0 = System.nanoTime();
                    a.echo();
                    echo[i] = (System.nanoTime() - e0) / 1e6;
                }
                Arrays.sort(echo);
                System.out.printf("C-ECHO in the same association (the round trip without a query): median %.2f ms,"
                        + " p95 %.2f ms%n", pct(echo, 0.5), pct(echo, 0.95));
                dimse = time(timed, q -> find(a, q));
                a.release();
            } finally {
                a.abort();
            }
            report("C-FIND inside one association (Lightbox's SCU), " + warmup + " untimed first", dimse);
            plans(dir, timed);

            if (o.containsKey("qido")) {
                Random r = new Random(seed + 1);
                for (Q q : queries(studies, warmup, r)) {
                    qido(http, httpPort, q);
                }
                Map<Kind, List<double[]>> web = time(timed, q -> qido(http, httpPort, q));
                report("QIDO-RS, one kept-alive HTTP/1.1 connection (java.net.http), the same queries", web);
            }
        } finally {
            long s0 = System.nanoTime();
            server.destroy();
            if (!server.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
            System.out.printf("serve stopped (SIGTERM) in %.1f s; %s%n", (System.nanoTime() - s0) / 1e9,
                    ScaleBenchmark.load());
        }
        if (!o.containsKey("no-in-process")) {
            inProcess(dir, timed, warmup, seed);
        }
    }

    /**
     * The same queries through {@link Archive#query} in this process, once serve has stopped: the index and the
     * matching without DIMSE, network or a second process.
     */
    private static void inProcess(Path dir, List<Q> timed, int warmup, long seed) throws Exception {
        long t0 = System.nanoTime();
        try (Archive archive = Archive.open(ArchiveConfig.of(dir))) {
            System.out.printf("archive opened in this process in %.1f s%n", (System.nanoTime() - t0) / 1e9);
            Random r = new Random(seed + 2);
            for (Q q : queries(allStudies(dir), warmup, r)) {
                query(archive, q);
            }
            Map<Kind, List<double[]>> local = time(timed, q -> query(archive, q));
            report("Archive.query in process (no network), the same queries", local);
        }
    }

    /** Runs one query and returns its number of matches. */
    @FunctionalInterface
    private interface Runner {
        int run(Q q) throws Exception;
    }

    /** Runs the queries in turn, each timed; per kind, {milliseconds, matches} of each. */
    private static Map<Kind, List<double[]>> time(List<Q> queries, Runner runner) throws Exception {
        Map<Kind, List<double[]>> out = new LinkedHashMap<>();
        for (Q q : queries) {
            long q0 = System.nanoTime();
            int matches = runner.run(q);
            out.computeIfAbsent(q.kind(), k -> new ArrayList<>())
                    .add(new double[] {(System.nanoTime() - q0) / 1e6, matches});
        }
        return out;
    }

    private static int query(Archive archive, Q q) throws Exception {
        int[] n = {0};
        archive.query(Query.parse(InformationModel.STUDY_ROOT, identifier(q), QueryOptions.DEFAULT), match -> n[0]++);
        return n[0];
    }

    private static void awaitHealthy(HttpClient http, int port, Process server) throws Exception {
        HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                .timeout(Duration.ofSeconds(5)).build();
        long deadline = System.nanoTime() + Duration.ofMinutes(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (!server.isAlive()) {
                throw new IllegalStateException("serve exited with status " + server.exitValue() + " before it was"
                        + " ready; see its log");
            }
            try {
                if (http.send(health, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("serve was not ready within an hour");
    }

    // ---- the queries ---------------------------------------------------------------------------------------------

    /** N queries, the kinds in turn and shuffled, each value drawn from the studies. */
    private static List<Q> queries(List<StudyRow> studies, int n, Random r) {
        List<Q> out = new ArrayList<>(n);
        Kind[] kinds = Kind.values();
        for (int i = 0; i < n; i++) {
            StudyRow s = studies.get(r.nextInt(studies.size()));
            Kind k = kinds[i % kinds.length];
            String value = switch (k) {
                case PATIENT_ID -> s.patientId();
                case NAME_PREFIX -> prefix(s.patientName());
                case DATE_MONTH -> {
                    YearMonth m = YearMonth.parse(s.date().substring(0, 6), DateTimeFormatter.ofPattern("yyyyMM"));
                    yield m.atDay(1).format(DA) + "-" + m.atEndOfMonth().format(DA);
                }
                case ACCESSION -> s.accession();
                case SERIES_OF_STUDY -> s.uid();
            };
            out.add(new Q(k, value));
        }
        Collections.shuffle(out, r);
        return out;
    }

    /** The first three characters of the family name (of the first component group) and a '*'. */
    static String prefix(String name) {
        String family = name.split("[\\^=]", -1)[0].strip();
        int end = Math.min(3, family.length());
        return family.substring(0, end) + "*";
    }

    private static Dataset identifier(Q q) {
        Dataset.Builder b = Dataset.builder();
        if (!q.value().chars().allMatch(c -> c < 0x80)) {
            b.setStrings(Tag.SpecificCharacterSet, Vr.CS, "ISO_IR 192");
        }
        boolean series = q.kind() == Kind.SERIES_OF_STUDY;
        b.setStrings(Tag.QueryRetrieveLevel, Vr.CS, series ? "SERIES" : "STUDY");
        for (int tag : series ? SERIES_KEYS : STUDY_KEYS) {
            b.add(Element.of(tag, ElementDictionary.vrOf(tag), new byte[0]));
        }
        int key = switch (q.kind()) {
            case PATIENT_ID -> Tag.PatientID;
            case NAME_PREFIX -> Tag.PatientName;
            case DATE_MONTH -> Tag.StudyDate;
            case ACCESSION -> Tag.AccessionNumber;
            case SERIES_OF_STUDY -> Tag.StudyInstanceUID;
        };
        b.setStrings(key, ElementDictionary.vrOf(key), q.value());
        return b.build();
    }

    /** Sends one C-FIND and reads every match; returns how many. */
    private static int find(Association a, Q q) throws IOException {
        int[] n = {0};
        Response r = a.query(Command.C_FIND_RQ, MODEL, identifier(q), null, pending -> {
            n[0]++;
            return true;
        });
        if (!Status.isSuccess(r.status())) {
            throw new IOException(q + " answered " + r.describe());
        }
        return n[0];
    }

    /**
     * Every study's keys, read from the index directly (read-only). Not by one C-FIND: Lightbox's SCU aborts the
     * association when more than 1,024 responses wait unread (dicom-net's {@code Association.invoke} queue), which a
     * query for 20,000 studies on a busy machine reached.
     */
    private static List<StudyRow> allStudies(Path dir) throws Exception {
        List<StudyRow> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("index.db") + "?open_mode=1");
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT p.patient_id, p.patient_name, s.study_date, s.accession_number,"
                        + " s.study_instance_uid FROM study s JOIN patient p ON p.patient_id = s.patient_id AND"
                        + " p.issuer_of_patient_id = s.issuer_of_patient_id ORDER BY s.study_instance_uid")) {
            while (rs.next()) {
                StudyRow row = new StudyRow(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getString(5));
                if (row.date() != null && row.date().length() == 8 && row.accession() != null
                        && !row.accession().isEmpty() && row.patientName() != null) {
                    out.add(row);
                }
            }
        }
        if (out.isEmpty()) {
            throw new IllegalStateException("no study with a date and an accession number in " + dir);
        }
        return out;
    }

    /** The SQL each kind of query runs (the archive's own planner) and SQLite's plan for it. */
    private static void plans(Path dir, List<Q> timed) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("index.db") + "?open_mode=1")) {
            for (Kind k : Kind.values()) {
                Q q = timed.stream().filter(x -> x.kind() == k).findFirst().orElseThrow();
                String sql = QueryExecutor.sql(Query.parse(InformationModel.STUDY_ROOT, identifier(q),
                        QueryOptions.DEFAULT));
                System.out.println("  " + k.label + ": " + sql);
                try (Statement st = c.createStatement();
                        ResultSet rs = st.executeQuery("EXPLAIN QUERY PLAN " + sql)) {
                    while (rs.next()) {
                        System.out.println("      plan: " + rs.getString(4));
                    }
                }
            }
        }
    }

    // ---- QIDO-RS -------------------------------------------------------------------------------------------------

    private static int qido(HttpClient http, int port, Q q) throws IOException, InterruptedException {
        String base = "http://127.0.0.1:" + port + "/dicom-web/studies";
        String url = switch (q.kind()) {
            case PATIENT_ID -> base + "?PatientID=" + enc(q.value());
            case NAME_PREFIX -> base + "?PatientName=" + enc(q.value());
            case DATE_MONTH -> base + "?StudyDate=" + enc(q.value());
            case ACCESSION -> base + "?AccessionNumber=" + enc(q.value());
            case SERIES_OF_STUDY -> base + "/" + q.value() + "/series";
        };
        HttpResponse<String> rsp = http.send(HttpRequest.newBuilder(URI.create(url))
                .header("Accept", "application/dicom+json").timeout(Duration.ofSeconds(60)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (rsp.statusCode() == 204) {
            return 0;
        }
        if (rsp.statusCode() != 200) {
            throw new IOException(url + " answered " + rsp.statusCode() + ": " + rsp.body());
        }
        // One object per match, each with the 0020000D or 0020000E element the level's UID is in.
        String uidTag = q.kind() == Kind.SERIES_OF_STUDY ? "\"0020000E\"" : "\"0020000D\"";
        int n = 0;
        for (int i = rsp.body().indexOf(uidTag); i >= 0; i = rsp.body().indexOf(uidTag, i + 1)) {
            n++;
        }
        return n;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    // ---- figures -------------------------------------------------------------------------------------------------

    private static void report(String title, Map<Kind, List<double[]>> byKind) {
        System.out.println(title + ": latency in ms (request to final response, every match read)");
        System.out.printf("  %-40s %5s %8s %8s %8s %8s %9s%n", "query", "n", "median", "p95", "p99", "max",
                "matches");
        List<double[]> all = new ArrayList<>();
        for (Kind k : Kind.values()) {
            List<double[]> v = byKind.get(k);
            if (v == null) {
                continue;
            }
            all.addAll(v);
            line(k.label, v);
        }
        line("all", all);
    }

    private static void line(String label, List<double[]> v) {
        double[] ms = v.stream().mapToDouble(x -> x[0]).sorted().toArray();
        double matches = v.stream().mapToDouble(x -> x[1]).average().orElse(0);
        System.out.printf("  %-40s %5d %8.2f %8.2f %8.2f %8.2f %9.1f%n", label, ms.length, pct(ms, 0.5),
                pct(ms, 0.95), pct(ms, 0.99), ms[ms.length - 1], matches);
    }

    private static double pct(double[] sorted, double q) {
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }
}
