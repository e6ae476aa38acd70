// SPDX-License-Identifier: Apache-2.0
package org.lightbox.codec.nativelib;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.lightbox.imaging.CodecException;

/**
 * A pool of long-lived decoding processes (src/main/native/lightbox_openjph_worker.cpp), so that OpenJPH aborting on
 * a corrupt codestream ends one of them, never the JVM. A frame goes to an idle process over its standard input and
 * comes back on its standard output (the protocol is in the C++ file); a process that dies or takes longer than the
 * time limit is discarded, its frame is a {@link CodecException} that says so, and the next frame starts a new one.
 * At most {@code size} frames decode at once; callers beyond that wait.
 */
final class OpenJphWorkers {
    /** What a decoding process answered: status 0 decoded, 1 header only (see info), -1 refused (see message). */
    record Answer(int status, int[] info, byte[] pixels, String message) {}

    private static final int HEADER_BYTES = 40;
    private static final System.Logger LOG = System.getLogger(OpenJphWorkers.class.getName());
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "openjph-worker-watchdog");
        t.setDaemon(true);
        return t;
    });

    private final Path executable;
    private final Duration timeout;
    private final Semaphore permits;
    private final BlockingQueue<Worker> idle = new LinkedBlockingQueue<>();

    private OpenJphWorkers(Path executable, int size, Duration timeout) {
        this.executable = executable;
        this.timeout = timeout;
        this.permits = new Semaphore(size, true);
    }

    /** A pool over the executable, or empty when it does not start (a noexec temporary folder, say). */
    static Optional<OpenJphWorkers> start(Path executable, int size, Duration timeout) {
        OpenJphWorkers pool = new OpenJphWorkers(executable, Math.max(1, size), timeout);
        try {
            pool.idle.add(pool.spawn());
            return Optional.of(pool);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot start the OpenJPH decoding process " + executable + ": " + e);
            return Optional.empty();
        }
    }

    /** Decodes one frame in a decoding process; see the protocol in lightbox_openjph_worker.cpp. */
    Answer decode(byte[] frame, int sampleBytes, int width, int height, int components, int outputBytes,
            String codec, int frameIndex) throws CodecException {
        try {
            permits.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CodecException(codec, frameIndex, "interrupted while waiting for an OpenJPH decoding process");
        }
        Worker worker = idle.poll();
        boolean healthy = false;
        try {
            if (worker == null || !worker.process.isAlive()) {
                if (worker != null) {
                    worker.kill();
                }
                try {
                    worker = spawn();
                } catch (IOException e) {
                    worker = null;
                    throw new CodecException(codec, frameIndex, "cannot start an OpenJPH decoding process: " + e, e);
                }
            }
            Answer answer = worker.decode(frame, sampleBytes, width, height, components, outputBytes, timeout,
                    codec, frameIndex);
            healthy = true;
            return answer;
        } finally {
            if (healthy) {
                idle.add(worker);
            } else if (worker != null) {
                worker.kill();
            }
            permits.release();
        }
    }

    private Worker spawn() throws IOException {
        Process p = new ProcessBuilder(List.of(executable.toString())).start();
        return new Worker(p, executable.getFileName().toString());
    }

    /** One decoding process, used by one thread at a time. */
    private static final class Worker {
        final Process process;
        final OutputStream in;
        final InputStream out;
        final StringBuilder stderrTail = new StringBuilder();
        final Thread stderrReader;
        final String program;

        Worker(Process process, String program) {
            this.process = process;
            this.program = program;
            this.in = process.getOutputStream();
            this.out = process.getInputStream();
            // What OpenJPH prints before it aborts (the failed assertion) names the cause; keep its last line.
            this.stderrReader = Thread.ofVirtual().name("openjph-worker-stderr-" + process.pid()).start(() -> {
                try (InputStream err = process.getErrorStream()) {
                    byte[] buf = new byte[512];
                    for (int n; (n = err.read(buf)) > 0;) {
                        synchronized (stderrTail) {
                            stderrTail.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                            if (stderrTail.length() > 2048) {
                                stderrTail.delete(0, stderrTail.length() - 1024);
                            }
                        }
                    }
                } catch (IOException closed) {
                    // the process has gone
                }
            });
        }

        Answer decode(byte[] frame, int sampleBytes, int width, int height, int components, int outputBytes,
                Duration timeout, String codec, int frameIndex) throws CodecException {
            ScheduledFuture<?> watchdog = WATCHDOG.schedule(process::destroyForcibly, timeout.toMillis(),
                    TimeUnit.MILLISECONDS);
            try {
                ByteBuffer request = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
                request.putInt(sampleBytes).putInt(width).putInt(height).putInt(components)
                        .putLong(outputBytes).putLong(frame.length);
                in.write(request.array());
                in.write(frame);
                in.flush();
                byte[] head = out.readNBytes(HEADER_BYTES);
                if (head.length < HEADER_BYTES) {
                    throw died(watchdog, timeout, codec, frameIndex);
                }
                ByteBuffer h = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN);
                int status = h.getInt();
                int[] info = new int[OpenJphApi.HEADER_INTS];
                for (int i = 0; i < info.length; i++) {
                    info[i] = h.getInt();
                }
                long n = h.getLong();
                long expected = status == 0 ? outputBytes : OpenJphApi.ERROR_CAPACITY;
                if (status < -1 || status > 1 || n < 0 || n > expected) {
                    throw new CodecException(codec, frameIndex, "the OpenJPH decoding process answered nonsense");
                }
                byte[] body = new byte[(int) n];
                if (out.readNBytes(body, 0, body.length) < n) {
                    throw died(watchdog, timeout, codec, frameIndex);
                }
                return status == -1 ? new Answer(status, info, null, new String(body, StandardCharsets.UTF_8))
                        : new Answer(status, info, status == 0 ? body : null, null);
            } catch (IOException e) {
                // Most often a broken pipe: the process died while the frame was being sent.
                throw died(watchdog, timeout, codec, frameIndex);
            } finally {
                watchdog.cancel(false);
            }
        }

        private CodecException died(ScheduledFuture<?> watchdog, Duration timeout, String codec, int frameIndex) {
            boolean timedOut = watchdog.isDone() && !watchdog.isCancelled();
            int exit;
            try {
                process.waitFor(5, TimeUnit.SECONDS);
                stderrReader.join(Duration.ofSeconds(1));
                exit = process.isAlive() ? -1 : process.exitValue();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                exit = -1;
            }
            String reason;
            if (timedOut) {
                reason = "OpenJPH took longer than " + timeout.toSeconds() + " s on this frame and was stopped; the "
                        + "codestream is likely corrupt";
            } else if (exit > 128) {
                int signal = exit - 128;
                reason = "OpenJPH crashed on this frame (its decoding process ended on signal " + signal
                        + (signal == 6 ? ", SIGABRT" : signal == 11 ? ", SIGSEGV" : "") + "); the codestream is corrupt";
            } else {
                reason = "the OpenJPH decoding process ended (exit status " + exit + ")";
            }
            String last;
            synchronized (stderrTail) {
                last = stderrTail.toString().strip();
            }
            int line = last.lastIndexOf('\n');
            last = line >= 0 ? last.substring(line + 1) : last;
            // assert() names the program first: the temporary file's name says nothing.
            String program = this.program + ": ";
            int named = last.indexOf(program);
            last = named >= 0 ? last.substring(named + program.length()) : last;
            return new CodecException(codec, frameIndex, reason + (last.isEmpty() ? "" : ": " + last));
        }

        void kill() {
            process.destroyForcibly();
        }
    }
}
