// SPDX-License-Identifier: Apache-2.0
package org.lightbox.bench;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.lightbox.archive.Archive;
import org.lightbox.archive.ArchiveConfig;
import org.lightbox.archive.IngestResult;

/**
 * Durable, indexed ingest of the archive alone (no network): every Part 10 file under a folder stored into a fresh
 * archive by T threads, timed, repeated R times (each round in a folder of its own under WORK, deleted at the end).
 * It separates the archive's cost from the association's.
 *
 * <p>Usage: {@code java -cp benchmarks.jar org.lightbox.bench.IngestThroughput CORPUS WORK [THREADS] [ROUNDS]}
 */
public final class IngestThroughput {
    private IngestThroughput() {}

    public static void main(String[] args) throws Exception {
        Path corpus = Path.of(args[0]);
        Path work = Path.of(args[1]);
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        List<Path> files;
        try (Stream<Path> s = Files.walk(corpus)) {
            files = s.filter(Files::isRegularFile).sorted(Comparator.naturalOrder()).toList();
        }
        long bytes = 0;
        for (Path f : files) {
            bytes += Files.size(f);
            Files.readAllBytes(f); // into the page cache
        }
        for (int round = 1; round <= rounds; round++) {
            Path dir = work.resolve("round" + round);
            try (Archive archive = Archive.open(ArchiveConfig.of(dir));
                    ExecutorService pool = Executors.newFixedThreadPool(threads)) {
                AtomicInteger next = new AtomicInteger();
                long t0 = System.nanoTime();
                List<Future<Integer>> done = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    done.add(pool.submit(() -> {
                        int stored = 0;
                        for (int i = next.getAndIncrement(); i < files.size(); i = next.getAndIncrement()) {
                            try (InputStream in = Files.newInputStream(files.get(i))) {
                                IngestResult r = archive.storePart10(in);
                                if (r.status() == IngestResult.Status.STORED) {
                                    stored++;
                                }
                            }
                        }
                        return stored;
                    }));
                }
                int stored = 0;
                for (Future<Integer> f : done) {
                    stored += f.get();
                }
                double seconds = (System.nanoTime() - t0) / 1e9;
                System.out.printf("round %d: %d of %d stored by %d thread(s) in %.2f s: %.0f instances/s, %.0f MB/s,"
                        + " %.2f ms per instance%n", round, stored, files.size(), threads, seconds,
                        files.size() / seconds, bytes / seconds / 1e6, seconds * 1e3 / files.size() * threads);
            }
        }
        // Deleted only at the end: ext4 without a journal skips inodes freed in the last 30 s when it allocates new
        // ones, reading each one's block, so files deleted just before a round slow the round down.
        for (int round = 1; round <= rounds; round++) {
            deleteTree(work.resolve("round" + round));
        }
    }

    private static void deleteTree(Path dir) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
