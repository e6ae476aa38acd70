// SPDX-License-Identifier: Apache-2.0
package org.lightbox.bench;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.lightbox.dicom.io.DicomFile;
import org.lightbox.dicom.io.DicomReader;
import org.lightbox.dicom.io.ReadOptions;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Reader throughput on one thread, in files per second. Each invocation reads {@link #BATCH} files of the corpus
 * in turn. {@code headerFromMemory} parses bytes already in memory (the parser alone); {@code headerFromDisk} adds
 * opening and reading the file; {@code wholeFileBulkOnDisk} parses whole files leaving bulk data in them: multiply
 * its files/s by the corpus' mean file size for bytes/s (docs/BENCHMARKS.md).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class ParseBenchmark {
    static final int BATCH = 100;
    private static final ReadOptions HEADER = ReadOptions.DEFAULT.withStopBeforePixelData(true);
    private static final ReadOptions BULK_ON_DISK = ReadOptions.DEFAULT.withBulkDataThreshold(64 * 1024);

    private List<Path> files;
    private List<byte[]> heads;
    private int next;

    @Setup(Level.Trial)
    public void load() throws IOException {
        files = Corpus.files();
        heads = new ArrayList<>();
        for (Path p : files) {
            try (InputStream in = Files.newInputStream(p)) {
                // Enough for any header of the corpus: the parser stops at Pixel Data.
                heads.add(in.readNBytes(64 * 1024));
            }
        }
        System.out.printf("%ncorpus: %d files, mean %.0f bytes%n", files.size(),
                (double) Corpus.totalBytes(files) / files.size());
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void headerFromMemory(Blackhole bh) throws IOException {
        for (int i = 0; i < BATCH; i++) {
            byte[] h = heads.get(next++ % heads.size());
            bh.consume(DicomReader.read(new ByteArrayInputStream(h), HEADER));
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void headerFromDisk(Blackhole bh) throws IOException {
        for (int i = 0; i < BATCH; i++) {
            bh.consume(DicomReader.read(files.get(next++ % files.size()), HEADER));
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void wholeFileBulkOnDisk(Blackhole bh) throws IOException {
        for (int i = 0; i < BATCH; i++) {
            DicomFile f = DicomReader.read(files.get(next++ % files.size()), BULK_ON_DISK);
            bh.consume(f);
        }
    }
}
