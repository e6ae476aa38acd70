// SPDX-License-Identifier: Apache-2.0
package org.lightbox.testkit;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The external programs that interop tests compare Lightbox with (DCMTK, GDCM, dicom3tools, pydicom): whether
 * they are installed, and running them with a deadline.
 *
 * <p>Tests skip with a message when a tool is missing, for example
 * {@code assumeTrue(Tools.available("dcmdump"), "DCMTK's dcmdump is not installed (apt-get install dcmtk)")}.
 */
public final class Tools {
    private static final Path DEBIAN_PYTHON = Path.of("/usr/bin/python3");

    private Tools() {
    }

    /**
     * Whether {@code command} can be run: an executable file of that name in a folder of {@code PATH}, or, when
     * the name contains a '/', that file itself.
     */
    public static boolean available(String command) {
        if (command.isEmpty()) {
            return false;
        }
        if (command.contains("/")) {
            return isExecutableFile(Path.of(command));
        }
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && isExecutableFile(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }

    /**
     * A Python 3 that can {@code import pydicom}: {@code /usr/bin/python3} (where Debian's python3-pydicom
     * installs it; a {@code python3} earlier on {@code PATH}, such as pyenv's, often lacks it), else the
     * {@code python3} on {@code PATH}. Each call starts Python, so keep the answer.
     */
    public static Optional<Path> python3WithPydicom() {
        for (Path python : List.of(DEBIAN_PYTHON, Path.of("python3"))) {
            if (python.isAbsolute() ? !isExecutableFile(python) : !available(python.toString())) {
                continue;
            }
            try {
                if (run(List.of(python.toString(), "-c", "import pydicom"), Duration.ofSeconds(60)).isSuccess()) {
                    return Optional.of(python);
                }
            } catch (UncheckedIOException | IllegalStateException e) {
                // Not startable, or hung: treat as absent.
            }
        }
        return Optional.empty();
    }

    /**
     * Runs {@code command} (program and arguments, no shell) in the current directory with an empty standard
     * input, and waits for it to finish. Both output streams are captured in full and decoded as UTF-8;
     * {@code PYTHONIOENCODING} is set to {@code utf-8} unless already set, so Python writes what we decode.
     *
     * @throws IllegalStateException if it is still running after {@code timeout}: it and its child processes are
     *     killed first, and the message holds the command and what it had written to standard error
     * @throws UncheckedIOException if it cannot be started
     */
    public static ProcessResult run(List<String> command, Duration timeout) {
        ProcessBuilder builder = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(devNull()));
        builder.environment().putIfAbsent("PYTHONIOENCODING", "utf-8");
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
        Drain out = new Drain(process.getInputStream());
        Drain err = new Drain(process.getErrorStream());
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            if (!process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                kill(process);
                err.join(Duration.ofSeconds(5));
                throw new IllegalStateException("timed out after " + timeout + ": " + command
                        + "; standard error so far: " + err.textSoFar());
            }
            // A child that outlives the process may hold the pipes open: wait only until the deadline for it.
            Duration left = Duration.ofNanos(Math.max(deadline - System.nanoTime(), 0)).plusSeconds(1);
            if (!out.join(left) || !err.join(left)) {
                kill(process);
                out.join(Duration.ofSeconds(5));
                err.join(Duration.ofSeconds(5));
            }
        } catch (InterruptedException e) {
            kill(process);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + command, e);
        }
        return new ProcessResult(process.exitValue(), out.text(), err.text());
    }

    private static boolean isExecutableFile(Path file) {
        return Files.isRegularFile(file) && Files.isExecutable(file);
    }

    private static File devNull() {
        return new File(File.separatorChar == '\\' ? "NUL" : "/dev/null");
    }

    private static void kill(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Reads one output stream to its end on a virtual thread. */
    private static final class Drain {
        private final Thread thread;
        private final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        private volatile IOException failure;

        Drain(InputStream stream) {
            thread = Thread.ofVirtual().start(() -> {
                try (stream) {
                    byte[] buffer = new byte[8192];
                    int n;
                    while ((n = stream.read(buffer)) > 0) {
                        synchronized (bytes) {
                            bytes.write(buffer, 0, n);
                        }
                    }
                } catch (IOException e) {
                    failure = e; // killing a process closes its pipes under the reader: what was read is kept
                }
            });
        }

        /** What was read so far, even if the process was killed while it was being read. */
        String textSoFar() {
            synchronized (bytes) {
                return bytes.toString(StandardCharsets.UTF_8);
            }
        }

        /** Waits up to {@code timeout}; true if the stream was read to its end (or failed). */
        boolean join(Duration timeout) throws InterruptedException {
            return thread.join(timeout);
        }

        String text() {
            if (thread.isAlive()) {
                return "";
            }
            if (failure != null) {
                throw new UncheckedIOException("cannot read the output of a process", failure);
            }
            return textSoFar();
        }
    }
}
