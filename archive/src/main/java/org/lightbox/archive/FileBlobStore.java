// SPDX-License-Identifier: Apache-2.0
package org.lightbox.archive;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Blobs on a local file system, written so that nothing half-written is ever visible under a final name.
 *
 * <p>A blob is streamed to {@code tmp/} (same file system) while its SHA-256 is computed, forced to disk, then given
 * its final name with {@code link(2)}, which fails rather than replace an existing file, and the directory is
 * forced. Where hard links are not supported it falls back to {@code ATOMIC_MOVE} after checking that the name is
 * free; that check is safe because final names are the content's SHA-256 under a folder of its study and series
 * (a name can only ever be taken by the same bytes) and ingest holds a lock per SOP Instance UID while placing.
 *
 * <p>Layout: {@code <aa>/<bb>/<study>/<series>/<sha256>.dcm}, where {@code aa}, {@code bb} and {@code study} are
 * the first 2, next 2 and next 20 hexadecimal digits of SHA-256(Study Instance UID), and {@code series} the first 24
 * of SHA-256(Series Instance UID). Folders stay small (65,536 top-level pairs spread the studies; a series folder
 * holds its instances) and no UID's spelling ever reaches a file name.
 */
final class FileBlobStore {
    private static final System.Logger LOG = System.getLogger(FileBlobStore.class.getName());
    static final String TMP = "tmp";
    static final String QUARANTINE = "quarantine";
    static final String SUFFIX = ".dcm";
    private static final int COPY_BUFFER = 64 * 1024;
    /** Blobs are written from direct buffers of this size (a heap buffer costs the JDK one more copy a write). */
    private static final int WRITE_BUFFER = 256 * 1024;

    private final Path root;
    private final Path tmp;
    private final Path quarantine;
    /** Folders whose entry in their parent is known to be durable (created and the parent forced since start-up). */
    private final Set<Path> durableDirs = ConcurrentHashMap.newKeySet();
    /** Write buffers for reuse: as many as blobs were ever received at once. */
    private final Queue<ByteBuffer> buffers = new ConcurrentLinkedQueue<>();

    /** A blob written under a temporary name; durable once {@code forced} completes. */
    record Temp(Path path, long size, String sha256, CompletableFuture<Void> forced) {
        /** Waits until the blob's bytes are on disk. */
        void awaitDurable() throws IOException {
            try {
                forced.join();
            } catch (CompletionException e) {
                if (e.getCause() instanceof IOException io) {
                    throw new IOException("cannot force " + path + " to disk: " + io.getMessage(), io);
                }
                throw e;
            }
        }
    }

    /** Writes a blob's bytes to the stream it is given. */
    @FunctionalInterface
    interface BlobWriter {
        void writeTo(OutputStream out) throws IOException;
    }

    FileBlobStore(Path root) throws IOException {
        this.root = root.toAbsolutePath().normalize();
        this.tmp = this.root.resolve(TMP);
        this.quarantine = this.root.resolve(QUARANTINE);
        Files.createDirectories(this.root);
        forceDirectory(this.root.getParent());
        durableDirs.add(this.root);
        ensureDirectory(this.tmp);
        ensureDirectory(this.quarantine);
    }

    Path root() {
        return root;
    }

    Path resolve(String relative) {
        Path p = root.resolve(relative).normalize();
        if (!p.startsWith(root)) {
            throw new IllegalArgumentException("blob path leaves the store: " + relative);
        }
        return p;
    }

    /**
     * Streams a blob to a new temporary file, computing its SHA-256 on the way, and starts forcing it to disk; the
     * caller reads the blob back meanwhile, and {@link #place} waits for the force before the blob gets its name. If
     * writing fails the temporary file is removed and the exception passed on.
     */
    Temp receive(BlobWriter writer) throws IOException {
        Path path = tmp.resolve(UUID.randomUUID() + ".part");
        FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        ByteBuffer buffer = takeBuffer();
        try {
            DigestingOutput out = new DigestingOutput(ch, buffer);
            writer.writeTo(out);
            out.flushBuffer();
            // The fsync costs as much as everything else an instance needs; reading it back runs beside it.
            CompletableFuture<Void> forced = new CompletableFuture<>();
            Thread.ofVirtual().name("blob-force").start(() -> {
                try (ch) {
                    ch.force(true);
                    forced.complete(null);
                } catch (IOException | RuntimeException e) {
                    forced.completeExceptionally(e);
                }
            });
            return new Temp(path, out.size, HexFormat.of().formatHex(out.digest.digest()), forced);
        } catch (IOException | RuntimeException | Error e) {
            closeQuietly(ch, e);
            deleteQuietly(path, e);
            throw e;
        } finally {
            buffers.offer(buffer.clear());
        }
    }

    private ByteBuffer takeBuffer() {
        ByteBuffer b = buffers.poll();
        return b != null ? b : ByteBuffer.allocateDirect(WRITE_BUFFER);
    }

    /** Copies a stream to a blob writer's output with one buffer of bounded size. */
    static void copy(java.io.InputStream in, OutputStream out) throws IOException {
        byte[] buf = new byte[COPY_BUFFER];
        int n;
        while ((n = in.read(buf)) >= 0) {
            out.write(buf, 0, n);
        }
    }

    /** Where a blob of this study, series and content goes (relative to the root, '/' separated). */
    static String pathFor(String studyInstanceUid, String seriesInstanceUid, String sha256) {
        String study = sha256Hex(studyInstanceUid);
        String series = sha256Hex(seriesInstanceUid);
        return study.substring(0, 2) + "/" + study.substring(2, 4) + "/" + study.substring(4, 24) + "/"
                + series.substring(0, 24) + "/" + sha256 + SUFFIX;
    }

    /**
     * Gives a temporary blob its final name, never replacing a file, and makes the name durable.
     *
     * @return true if the blob now exists because of this call, false if the name already held a blob (the same
     *     bytes, since names are content hashes); in both cases the temporary file is gone
     */
    boolean place(Temp temp, String relative) throws IOException {
        temp.awaitDurable();
        Path target = resolve(relative);
        ensureDirectory(target.getParent());
        boolean created;
        try {
            Files.createLink(target, temp.path());
            created = true;
        } catch (FileAlreadyExistsException e) {
            created = false;
        } catch (UnsupportedOperationException | FileSystemException e) {
            if (e instanceof NoSuchFileException) {
                throw (NoSuchFileException) e;
            }
            created = moveIfAbsent(temp.path(), target);
        }
        Files.deleteIfExists(temp.path());
        forceDirectory(target.getParent());
        return created;
    }

    private static boolean moveIfAbsent(Path from, Path to) throws IOException {
        if (Files.exists(to)) {
            return false;
        }
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the blob store needs hard links or atomic moves within " + to.getRoot(), e);
        }
        return true;
    }

    /** Removes a temporary file if it is still there (once its force has ended, so no file descriptor is left). */
    void discard(Temp temp) {
        try {
            temp.forced().join();
        } catch (CompletionException e) {
            // the blob is being discarded: whether it reached the disk no longer matters
        }
        deleteQuietly(temp.path(), null);
    }

    /** Removes a placed blob and makes the removal durable. */
    void delete(String relative) throws IOException {
        Path p = resolve(relative);
        if (Files.deleteIfExists(p)) {
            forceDirectory(p.getParent());
        }
    }

    /**
     * Removes placed blobs, each folder forced once after its files are gone (a deleted study's blobs share a few
     * series folders). Carries on past a file it cannot remove.
     *
     * @return the paths whose removal is durable (a file already gone counts); the others are left for the caller
     *     to report and retry
     */
    List<String> deleteAll(Collection<String> relatives) {
        Map<Path, List<String>> byFolder = new LinkedHashMap<>();
        for (String relative : relatives) {
            Path p = resolve(relative);
            try {
                Files.deleteIfExists(p);
                byFolder.computeIfAbsent(p.getParent(), k -> new ArrayList<>()).add(relative);
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "blob {0} could not be removed: {1}", relative, e.toString());
            }
        }
        List<String> removed = new ArrayList<>();
        byFolder.forEach((folder, paths) -> {
            try {
                if (Files.isDirectory(folder)) {
                    forceDirectory(folder);
                }
                removed.addAll(paths);
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "folder {0} could not be forced after removing blobs: {1}",
                        folder, e.toString());
            }
        });
        return removed;
    }

    /** Moves a blob aside into {@code quarantine/}, returning its new path relative to the root. */
    String quarantine(Path file) throws IOException {
        Path target = quarantine.resolve(System.currentTimeMillis() + "-" + file.getFileName());
        Files.move(file, target, StandardCopyOption.ATOMIC_MOVE);
        forceDirectory(quarantine);
        forceDirectory(file.getParent());
        return root.relativize(target).toString().replace('\\', '/');
    }

    /** Deletes every leftover temporary file; returns how many there were. */
    int removeTempFiles() throws IOException {
        int n = 0;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(tmp)) {
            for (Path p : ds) {
                Files.deleteIfExists(p);
                n++;
            }
        }
        if (n > 0) {
            forceDirectory(tmp);
        }
        return n;
    }

    /** Visits every placed blob, as a path relative to the root. */
    void forEachBlob(Consumer<String> visitor) throws IOException {
        try (Stream<Path> all = Files.walk(root)) {
            all.filter(p -> !p.startsWith(tmp) && !p.startsWith(quarantine))
                    .filter(p -> p.getFileName().toString().endsWith(SUFFIX) && Files.isRegularFile(p))
                    .forEach(p -> visitor.accept(root.relativize(p).toString().replace('\\', '/')));
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** Creates the folder and any missing parents, each made durable in its parent before it is used. */
    private void ensureDirectory(Path dir) throws IOException {
        if (durableDirs.contains(dir)) {
            return;
        }
        Path parent = dir.getParent();
        if (parent != null && parent.startsWith(root) && !parent.equals(root)) {
            ensureDirectory(parent);
        }
        try {
            Files.createDirectories(dir);
        } catch (FileAlreadyExistsException e) {
            // made by another thread; its entry is forced below all the same
        }
        if (parent != null) {
            forceDirectory(parent);
        }
        durableDirs.add(dir);
    }

    /** Forces a folder's entries to disk (fsync on the folder), which is what makes a rename or link durable. */
    static void forceDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    static String sha256Hex(String s) {
        return HexFormat.of().formatHex(sha256().digest(s.getBytes(StandardCharsets.US_ASCII)));
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    /** Computes a file's SHA-256 by streaming it. */
    static String sha256Of(Path file) throws IOException {
        MessageDigest md = sha256();
        ByteBuffer buf = ByteBuffer.allocate(COPY_BUFFER);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            while (ch.read(buf) >= 0) {
                buf.flip();
                md.update(buf);
                buf.clear();
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static void closeQuietly(FileChannel ch, Throwable cause) {
        try {
            ch.close();
        } catch (IOException e) {
            cause.addSuppressed(e);
        }
    }

    private static void deleteQuietly(Path p, Throwable cause) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            if (cause != null) {
                cause.addSuppressed(e);
            }
        }
    }

    /**
     * Hashes what is written and hands it to the channel through a direct buffer: one copy of the bytes in memory,
     * and the digest reads the caller's array, never the buffer.
     */
    private static final class DigestingOutput extends OutputStream {
        private final FileChannel channel;
        private final MessageDigest digest = sha256();
        private final ByteBuffer buffer;
        private long size;

        DigestingOutput(FileChannel channel, ByteBuffer buffer) {
            this.channel = channel;
            this.buffer = buffer;
        }

        @Override
        public void write(int b) throws IOException {
            if (!buffer.hasRemaining()) {
                flushBuffer();
            }
            digest.update((byte) b);
            buffer.put((byte) b);
            size++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            digest.update(b, off, len);
            size += len;
            while (len > 0) {
                if (!buffer.hasRemaining()) {
                    flushBuffer();
                }
                int n = Math.min(len, buffer.remaining());
                buffer.put(b, off, n);
                off += n;
                len -= n;
            }
        }

        void flushBuffer() throws IOException {
            buffer.flip();
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            buffer.clear();
        }

        @Override
        public void close() {
            // the channel belongs to the store
        }
    }
}
