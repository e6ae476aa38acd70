// SPDX-License-Identifier: Apache-2.0
package org.lightbox.bench;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.lightbox.archive.Archive;
import org.lightbox.archive.ArchiveConfig;
import org.lightbox.archive.DeleteTarget;
import org.lightbox.archive.IngestResult;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.Vr;
import org.lightbox.dicom.io.DicomFile;
import org.lightbox.dicom.io.DicomReader;
import org.lightbox.dicom.io.DicomWriter;

/**
 * The scale figures of issue 5: an archive of a million instances, and what it does to ingest, C-FIND, QIDO-RS and
 * start-up. Three subcommands:
 *
 * <ul>
 *   <li>{@code fill DIR N [--threads T] [--seed S] [--minutes M]}: stores synthetic instances ({@link
 *       SyntheticArchive}) through the archive's real, durable ingest ({@link Archive#storePart10}: blob fsynced,
 *       linked, folder fsynced, index committed) until DIR holds N. Resumable: instances already indexed are
 *       skipped, so a killed run continues where it stopped. Stops claiming new instances after M minutes.
 *   <li>{@code ingest DIR CORPUS [--work W] [--rounds R] [--threads 1,4]}: times the ingest of every file under
 *       CORPUS into a fresh, empty archive (under W) and into the archive at DIR, alternately (empty, filled,
 *       filled, empty, ...) so that drift of the shared machine falls on both. Every run stores a copy of the
 *       corpus made in memory beforehand with UIDs of its own, so that both archives receive new studies (folders
 *       to create, rows to insert) every time; the studies added to DIR are deleted again at the end (through
 *       {@link Archive#delete}). Prints instances/s and the ratio filled / empty.
 *   <li>{@code find DIR ...}: see {@link ScaleQueries}.
 * </ul>
 *
 * <p>Usage: {@code java -cp benchmarks.jar org.lightbox.bench.ScaleBenchmark fill|ingest|find ...}
 */
public final class ScaleBenchmark {
    private ScaleBenchmark() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            usage();
            return;
        }
        List<String> rest = Arrays.asList(args).subList(1, args.length);
        switch (args[0]) {
            case "fill" -> fill(rest);
            case "ingest" -> ingest(rest);
            case "find" -> ScaleQueries.main(rest);
            default -> usage();
        }
    }

    private static void usage() {
        System.err.println("""
                usage: ScaleBenchmark fill DIR N [--threads T] [--seed S] [--minutes M]
                       ScaleBenchmark ingest DIR CORPUS [--work W] [--rounds R] [--threads 1,4]
                       ScaleBenchmark find DIR [--serve 'CMD'] [--queries M] [--warmup W] [--qido] [--seed S]
                                            [--dicom-port P] [--http-port Q] [--log FILE]""");
        System.exit(2);
    }

    /** {@code --name value} options after the positional arguments. */
    static Map<String, String> options(List<String> args, int positional) {
        Map<String, String> o = new TreeMap<>();
        for (int i = positional; i < args.size(); i++) {
            String a = args.get(i);
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument " + a);
            }
            boolean flag = i + 1 >= args.size() || args.get(i + 1).startsWith("--");
            o.put(a.substring(2), flag ? "true" : args.get(++i));
        }
        return o;
    }

    // ---- fill ----------------------------------------------------------------------------------------------------

    private static void fill(List<String> args) throws Exception {
        Path dir = Path.of(args.get(0));
        long target = Long.parseLong(args.get(1).replace("_", "").replace(",", ""));
        Map<String, String> o = options(args, 2);
        int threads = Integer.parseInt(o.getOrDefault("threads", "4"));
        long seed = Long.parseLong(o.getOrDefault("seed", "20261125"));
        double minutes = Double.parseDouble(o.getOrDefault("minutes", "100000"));
        SyntheticArchive synthetic = new SyntheticArchive(seed);
        synthetic.plan(target);
        System.out.printf("plan: %,d instances in %,d studies (seed %d); %s%n", target, synthetic.studyCount(target),
                seed, load());

        long t0 = System.nanoTime();
        try (Archive archive = Archive.open(ArchiveConfig.of(dir))) {
            double openSeconds = (System.nanoTime() - t0) / 1e9;
            long before = countInstances(dir);
            System.out.printf("archive %s opened in %.1f s (migration and reconciliation: %s); %,d instances"
                    + " indexed%n", dir, openSeconds, archive.startupReport().isClean() ? "clean" : "repairs made",
                    before);
            if (before >= target) {
                System.out.println("nothing to do");
                return;
            }
            // A killed run leaves its last few instances (those in flight) missing, never more than a window behind
            // the count: start before it and skip what is there.
            long start = Math.max(0, before - 1000);
            long checkBelow = before + 1000;
            AtomicLong next = new AtomicLong(start);
            AtomicLong stored = new AtomicLong();
            AtomicLong skipped = new AtomicLong();
            AtomicLong bytes = new AtomicLong();
            long deadline = System.nanoTime() + (long) (minutes * 60e9);
            long began = System.nanoTime();
            Thread progress = Thread.ofPlatform().daemon().name("progress").start(() -> {
                long lastStored = 0;
                long lastTime = began;
                while (true) {
                    try {
                        Thread.sleep(30_000);
                    } catch (InterruptedException e) {
                        return;
                    }
                    long now = System.nanoTime();
                    long s = stored.get();
                    double overall = s / ((now - began) / 1e9);
                    double recent = (s - lastStored) / ((now - lastTime) / 1e9);
                    long left = target - before - s;
                    System.out.printf("  %,d indexed (+%,d): %.0f instances/s over the last 30 s, %.0f/s overall,"
                            + " %.0f min to go; %s%n", before + s, s, recent, overall, left / Math.max(recent, 1) / 60,
                            load());
                    lastStored = s;
                    lastTime = now;
                }
            });
            List<Future<?>> done = new ArrayList<>();
            try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
                for (int t = 0; t < threads; t++) {
                    done.add(pool.submit(() -> {
                        for (long i = next.getAndIncrement(); i < target && System.nanoTime() < deadline;
                                i = next.getAndIncrement()) {
                            if (i < checkBelow && archive.find(synthetic.sopInstanceUid(i)).isPresent()) {
                                skipped.incrementAndGet();
                                continue;
                            }
                            byte[] part10 = synthetic.part10(i);
                            IngestResult r = archive.storePart10(new ByteArrayInputStream(part10));
                            if (r.status() == IngestResult.Status.STORED) {
                                stored.incrementAndGet();
                                bytes.addAndGet(part10.length);
                            } else if (r.status() == IngestResult.Status.DUPLICATE) {
                                skipped.incrementAndGet();
                            } else {
                                throw new IllegalStateException("instance " + i + ": " + r.status() + " "
                                        + r.message());
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> f : done) {
                    f.get();
                }
            } finally {
                progress.interrupt();
            }
            double seconds = (System.nanoTime() - began) / 1e9;
            long after = countInstances(dir);
            System.out.printf("stored %,d instances (%,d already there) with %d threads in %.0f s: %.0f instances/s,"
                    + " %.0f bytes an instance; %,d indexed now%s; %s%n", stored.get(), skipped.get(), threads,
                    seconds, stored.get() / seconds, bytes.get() / (double) Math.max(stored.get(), 1), after,
                    after < target ? " (stopped by --minutes; run again to continue)" : "", load());
        }
    }

    /** The number of instance rows in the archive's index (a read-only connection of its own). */
    static long countInstances(Path dir) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("index.db").toAbsolutePath()
                + "?open_mode=1");
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM instance")) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    /** The load average and the time, for the record of a shared machine. */
    static String load() {
        try {
            String[] l = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return "load " + l[0] + " " + l[1] + " " + l[2] + " at " + java.time.LocalTime.now().withNano(0);
        } catch (IOException e) {
            return "load unknown";
        }
    }

    // ---- ingest --------------------------------------------------------------------------------------------------

    private static void ingest(List<String> args) throws Exception {
        Path dir = Path.of(args.get(0));
        Path corpus = Path.of(args.get(1));
        Map<String, String> o = options(args, 2);
        Path work = Path.of(o.getOrDefault("work", dir.toAbsolutePath().getParent().resolve("scale-ingest-work")
                .toString()));
        int rounds = Integer.parseInt(o.getOrDefault("rounds", "3"));
        int[] threadCounts = Arrays.stream(o.getOrDefault("threads", "1,4").split(",")).mapToInt(Integer::parseInt)
                .toArray();
        List<Path> files;
        try (Stream<Path> s = Files.walk(corpus)) {
            files = s.filter(Files::isRegularFile).sorted(Comparator.naturalOrder()).toList();
        }
        long bytes = 0;
        for (Path f : files) {
            bytes += Files.size(f);
        }
        System.out.printf("corpus: %,d files, %.0f MB; each run stores a copy made in memory first (untimed) with"
                + " study, series and instance UIDs of its own; %s%n", files.size(), bytes / 1e6, load());
        Files.createDirectories(work);
        List<Path> made = new ArrayList<>();
        long t0 = System.nanoTime();
        try (Archive filled = Archive.open(ArchiveConfig.of(dir))) {
            long before = countInstances(dir);
            System.out.printf("filled archive %s opened in %.1f s (%,d instances)%n", dir,
                    (System.nanoTime() - t0) / 1e9, before);
            Path warm = work.resolve("warm-up");
            made.add(warm);
            try (Archive a = Archive.open(ArchiveConfig.of(warm))) {
                run(a, copy(files.subList(0, Math.min(400, files.size())), "warm-up"), 2, new LinkedHashSet<>());
            }
            Map<String, List<Double>> rates = new TreeMap<>();
            Set<String> added = ConcurrentHashMap.newKeySet();
            int n = 0;
            for (int threads : threadCounts) {
                for (int round = 0; round < rounds; round++) {
                    boolean filledFirst = round % 2 == 1;
                    for (int half = 0; half < 2; half++) {
                        boolean intoFilled = (half == 0) == filledFirst;
                        List<byte[]> data = copy(files, "run" + (++n));
                        Thread.sleep(5_000); // let the copy's garbage and the last run's writes settle
                        double rate;
                        if (intoFilled) {
                            rate = run(filled, data, threads, added);
                        } else {
                            Path empty = work.resolve("empty-" + n);
                            made.add(empty);
                            try (Archive a = Archive.open(ArchiveConfig.of(empty))) {
                                rate = run(a, data, threads, ConcurrentHashMap.newKeySet());
                            }
                        }
                        String key = threads + (intoFilled ? " filled" : " empty");
                        rates.computeIfAbsent(key, k -> new ArrayList<>()).add(rate);
                        System.out.printf("  %d thread(s), %s archive: %.0f instances/s, %.0f MB/s; %s%n", threads,
                                intoFilled ? "filled" : "empty", rate, rate * bytes / files.size() / 1e6, load());
                    }
                }
            }
            System.out.println("summary (instances/s of each run; ratio filled / empty of the means):");
            for (int threads : threadCounts) {
                List<Double> e = rates.get(threads + " empty");
                List<Double> f = rates.get(threads + " filled");
                System.out.printf("  %d thread(s): empty %s mean %.0f; filled %s mean %.0f: ratio %.2f%n", threads,
                        rounded(e), mean(e), rounded(f), mean(f), mean(f) / mean(e));
            }
            System.out.println("interleaved (each thread stores instance i into both archives, one after the other,"
                    + " alternating which goes first; the time of each store summed per archive):");
            for (int threads : threadCounts) {
                List<byte[]> forEmpty = copy(files, "a" + threads);
                List<byte[]> forFilled = copy(files, "b" + threads);
                Path empty = work.resolve("interleaved-" + threads);
                made.add(empty);
                try (Archive a = Archive.open(ArchiveConfig.of(empty))) {
                    Thread.sleep(5_000);
                    interleaved(a, forEmpty, filled, forFilled, threads, added);
                }
            }
            long t1 = System.nanoTime();
            for (String study : added) {
                filled.delete(new DeleteTarget.Study(study));
            }
            System.out.printf("the %d studies stored into the filled archive deleted again in %.1f s: it holds %,d"
                    + " instances%n", added.size(), (System.nanoTime() - t1) / 1e9, countInstances(dir));
        } finally {
            for (Path p : made) {
                deleteTree(p);
            }
        }
    }

    /**
     * Threads claim instance i in turn and store {@code a[i]} into archive A and {@code b[i]} into archive B, A first
     * for even i and B first for odd i, timing each store: whatever else the machine does falls on both alike.
     */
    private static void interleaved(Archive archiveA, List<byte[]> a, Archive archiveB, List<byte[]> b, int threads,
            Set<String> studiesB) throws Exception {
        AtomicInteger next = new AtomicInteger();
        AtomicLong nanosA = new AtomicLong();
        AtomicLong nanosB = new AtomicLong();
        long t0 = System.nanoTime();
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    for (int i = next.getAndIncrement(); i < a.size(); i = next.getAndIncrement()) {
                        for (int k = 0; k < 2; k++) {
                            boolean intoA = (k == 0) == (i % 2 == 0);
                            long s0 = System.nanoTime();
                            IngestResult r = (intoA ? archiveA : archiveB)
                                    .storePart10(new ByteArrayInputStream((intoA ? a : b).get(i)));
                            (intoA ? nanosA : nanosB).addAndGet(System.nanoTime() - s0);
                            if (r.status() != IngestResult.Status.STORED) {
                                throw new IllegalStateException("instance " + i + ": " + r.status() + " "
                                        + r.message());
                            }
                            if (!intoA) {
                                studiesB.add(r.stored().orElseThrow().studyInstanceUid());
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        double msA = nanosA.get() / 1e6 / a.size();
        double msB = nanosB.get() / 1e6 / b.size();
        System.out.printf("  %d thread(s): %.2f ms a store into the empty archive, %.2f ms into the filled one:"
                + " ratio of rates filled / empty %.2f (%,d + %,d instances in %.1f s, %.0f instances/s in all); %s%n",
                threads, msA, msB, msA / msB, a.size(), b.size(), seconds, (a.size() + b.size()) / seconds, load());
    }

    private static List<Long> rounded(List<Double> rates) {
        return rates.stream().map(Math::round).toList();
    }

    /**
     * The files as Part 10 bytes in memory, each with new Study, Series and SOP Instance UIDs (2.25 UIDs derived
     * from the old ones and the tag), so that every run stores instances, series and studies new to the archive.
     */
    private static List<byte[]> copy(List<Path> files, String tag) throws IOException {
        List<byte[]> out = new ArrayList<>(files.size());
        for (Path f : files) {
            DicomFile df = DicomReader.read(f);
            Dataset.Builder b = df.dataset().toBuilder();
            for (int uidTag : new int[] {Tag.StudyInstanceUID, Tag.SeriesInstanceUID, Tag.SOPInstanceUID}) {
                String old = df.dataset().string(uidTag).orElseThrow();
                UUID u = UUID.nameUUIDFromBytes((old + "/" + tag).getBytes(StandardCharsets.US_ASCII));
                b.setStrings(uidTag, Vr.UI, "2.25." + new BigInteger(1, ByteBuffer.allocate(16)
                        .putLong(u.getMostSignificantBits()).putLong(u.getLeastSignificantBits()).array()));
            }
            ByteArrayOutputStream bytes = new ByteArrayOutputStream((int) Files.size(f) + 256);
            DicomWriter.write(DicomWriter.newFile(b.build(), df.transferSyntax()), bytes);
            out.add(bytes.toByteArray());
        }
        return out;
    }

    /** Stores the data by T threads; returns instances per second and collects the studies stored. */
    private static double run(Archive archive, List<byte[]> data, int threads, Set<String> studies)
            throws Exception {
        AtomicInteger next = new AtomicInteger();
        long t0 = System.nanoTime();
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    for (int i = next.getAndIncrement(); i < data.size(); i = next.getAndIncrement()) {
                        IngestResult r = archive.storePart10(new ByteArrayInputStream(data.get(i)));
                        if (r.status() != IngestResult.Status.STORED) {
                            throw new IllegalStateException("instance " + i + ": " + r.status() + " "
                                    + r.message());
                        }
                        studies.add(r.stored().orElseThrow().studyInstanceUid());
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        }
        return data.size() / ((System.nanoTime() - t0) / 1e9);
    }

    private static double mean(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
