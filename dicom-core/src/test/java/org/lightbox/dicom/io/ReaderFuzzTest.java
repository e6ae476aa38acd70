// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicom.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.lifecycle.AfterContainer;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.TransferSyntax;
import org.lightbox.testkit.SharedData;

/**
 * Mutation fuzzing of the reader, seeded with the shared corpus (where present) and with data sets of our own:
 * whatever the bytes, only {@link DicomParseException} (an {@link IOException}) may escape, quickly.
 */
class ReaderFuzzTest {
    private static final Duration PER_INPUT = Duration.ofSeconds(10);
    private static final List<byte[]> SEEDS = seeds();
    private static final ExecutorService RUNNER = Executors.newSingleThreadExecutor();

    @AfterContainer
    static void stop() {
        RUNNER.shutdownNow();
    }

    @Property(tries = 20000, seed = "20261125") // fixed for a repeatable CI run; drop the seed to explore
    void onlyParseExceptionsEscape(@ForAll long seed) throws Exception {
        Random r = new Random(seed);
        byte[] input = mutate(SEEDS.get(r.nextInt(SEEDS.size())), r);
        Future<?> run = RUNNER.submit(() -> {
            try {
                DicomFile f = DicomReader.read(new ByteArrayInputStream(input),
                        ReadOptions.DEFAULT.withMaxValueLength(1 << 20));
                assertThat(f.dataset()).isNotNull();
                // What was read must also be writable.
                DicomWriter.write(f.transferSyntax().known() ? f : DicomWriter.newFile(f.dataset(),
                        TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN), new ByteArrayOutputStream());
            } catch (DicomParseException expected) {
                assertThat(expected.getMessage()).contains("at byte");
            } catch (IOException | RuntimeException | Error e) {
                throw new AssertionError("seed " + seed + ": " + e, e);
            }
            return null;
        });
        try {
            run.get(PER_INPUT.toSeconds(), TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            run.cancel(true);
            throw new AssertionError("seed " + seed + ": the reader took longer than " + PER_INPUT);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new AssertionError(e.getCause().getMessage(), e.getCause());
        }
    }

    private static byte[] mutate(byte[] seed, Random r) {
        byte[] b = seed.clone();
        int edits = 1 + r.nextInt(8);
        for (int i = 0; i < edits && b.length > 0; i++) {
            int at = r.nextInt(b.length);
            switch (r.nextInt(6)) {
                case 0 -> b[at] = (byte) r.nextInt(256);
                case 1 -> b = Arrays.copyOf(b, at); // truncate
                case 2 -> { // a huge or undefined length at a random place
                    if (at + 4 <= b.length) {
                        int v = r.nextBoolean() ? -1 : r.nextInt();
                        for (int k = 0; k < 4; k++) {
                            b[at + k] = (byte) (v >>> 8 * k);
                        }
                    }
                }
                case 3 -> { // duplicate a slice
                    int len = Math.min(r.nextInt(64), b.length - at);
                    byte[] out = new byte[b.length + len];
                    System.arraycopy(b, 0, out, 0, at + len);
                    System.arraycopy(b, at, out, at + len, b.length - at);
                    b = out;
                }
                case 4 -> { // an item or delimiter tag
                    int[] tags = {0xE000FFFE, 0xE00DFFFE, 0xE0DDFFFE};
                    int v = tags[r.nextInt(3)];
                    if (at + 4 <= b.length) {
                        for (int k = 0; k < 4; k++) {
                            b[at + k] = (byte) (v >>> 8 * k);
                        }
                    }
                }
                default -> b[at] ^= (byte) (1 << r.nextInt(8));
            }
        }
        return b;
    }

    private static List<byte[]> seeds() {
        List<byte[]> seeds = new ArrayList<>();
        Random r = new Random(42);
        for (TransferSyntax ts : RoundTripTest.UNCOMPRESSED) {
            for (int i = 0; i < 5; i++) {
                Dataset ds = RandomDatasets.dataset(r);
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                try {
                    DicomWriter.write(DicomWriter.newFile(ds, ts), out, DicomWriter.Lengths.values()[i % 3]);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
                seeds.add(out.toByteArray());
            }
        }
        SharedData.dataDir().ifPresent(dir -> {
            try (var files = Files.walk(dir)) {
                for (Path p : files.filter(Files::isRegularFile).filter(p -> p.toString().endsWith(".dcm")).toList()) {
                    if (Files.size(p) <= 256 * 1024) {
                        seeds.add(Files.readAllBytes(p));
                    }
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        return seeds;
    }
}
