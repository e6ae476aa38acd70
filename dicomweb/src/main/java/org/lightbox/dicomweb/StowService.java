// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicomweb;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.lightbox.archive.Archive;
import org.lightbox.archive.IngestResult;
import org.lightbox.dicomweb.MultipartReader.MultipartException;
import org.lightbox.dicomweb.StowOutcome.Identity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * STOW-RS (PS3.18 10.5) over the archive, without HTTP: reads a request body part by part and stores every instance
 * through {@link Archive#storePart10}, the one durable ingest path.
 *
 * <p>{@code application/dicom} parts stream straight into ingest, never held whole: each part's ingest runs on a
 * virtual thread of its own and takes the part's bytes from the request's thread through a short queue of buffers.
 * Once a part's last byte is queued, the next part is read while the previous ones are hashed, written, forced to disk
 * and indexed (at most {@link Limits#maxInFlight} at once), so consecutive instances' fsyncs and index commits
 * overlap.
 * {@code application/dicom+json} and {@code +xml} parts (metadata, held in memory up to a limit) and the bulk data
 * parts they refer to (spooled to files in the data folder) are assembled into Part 10 instances by
 * {@link StowInstanceBuilder} once the body has been read, then stored the same way.
 *
 * <p>Each instance is stored or not on its own (as C-STORE's are): a broken body fails the part it broke, and the
 * instances before it, complete and durable, stay stored; the result says both.
 */
final class StowService {
    private static final Logger LOG = LoggerFactory.getLogger(StowService.class);
    /** The first bytes of each part are kept, to name the instance in the response if it fails. */
    static final int HEAD_CAPTURE = 64 * 1024;
    static final String DICOM = "application/dicom";
    static final String DICOM_JSON = "application/dicom+json";
    static final String DICOM_XML = "application/dicom+xml";
    static final String MULTIPART_RELATED = "multipart/related";

    /**
     * @param maxPartHeaderBytes the most bytes of one part's header fields
     * @param maxPreambleBytes the most bytes read before the first boundary delimiter is found
     * @param maxMetadataBytes the largest metadata part (DICOM JSON or XML), which is held in memory
     * @param maxInFlight instances being forced and indexed at once, per request
     */
    record Limits(int maxPartHeaderBytes, long maxPreambleBytes, long maxMetadataBytes, int maxInFlight) {
        static final Limits DEFAULT = new Limits(16 * 1024, 1024 * 1024, 64L * 1024 * 1024,
                Integer.getInteger("lightbox.stow.in-flight", 8));
    }

    /** A request refused as a whole, before anything of it was stored: an HTTP status and why. */
    static final class StowException extends Exception {
        final int status;

        StowException(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }

    /**
     * What a request did.
     *
     * @param outcomes one per instance, in the order of the parts
     * @param problems what was wrong with the request beyond single instances (a malformed body, a part that was
     *     ignored), one line each
     * @param badSyntax whether the body broke the multipart syntax (or could not be read to its end)
     */
    record Result(List<StowOutcome> outcomes, List<String> problems, boolean badSyntax) {
        long stored() {
            return outcomes.stream().filter(StowOutcome::stored).count();
        }
    }

    private final Archive archive;
    private final Limits limits;
    private final Path spoolRoot;
    private final AtomicBoolean swept = new AtomicBoolean();

    StowService(Archive archive, Limits limits) {
        this.archive = archive;
        this.limits = limits;
        this.spoolRoot = archive.config().dataDir().resolve("stow-spool");
    }

    Archive archive() {
        return archive;
    }

    /**
     * Stores what a request body holds.
     *
     * @param contentType the request's Content-Type
     * @param study the Study Instance UID the target resource names, or null for {@code /studies}
     * @throws StowException for a request refused as a whole (415 for a media type STOW-RS does not take, 400 for
     *     a multipart type without boundary); nothing is stored then
     * @throws InterruptedException when the thread is interrupted; instances acknowledged by the archive stay
     */
    Result store(String contentType, InputStream body, String study) throws StowException, InterruptedException {
        if (contentType == null || contentType.isBlank()) {
            throw new StowException(415, "no Content-Type: STOW-RS takes multipart/related; type=\"" + DICOM
                    + "\" (or \"" + DICOM_JSON + "\", \"" + DICOM_XML + "\") with a boundary");
        }
        StowMediaType type;
        try {
            type = StowMediaType.parse(contentType);
        } catch (IllegalArgumentException e) {
            throw new StowException(415, "unreadable Content-Type: " + e.getMessage());
        }
        if (type.is(DICOM)) {
            // Not in PS3.18 (whose payload is multipart), but what a single instance naturally is: taken as one part.
            try (Run run = new Run(study)) {
                run.dicomPart(1, body);
                return run.finish();
            }
        }
        if (!type.is(MULTIPART_RELATED)) {
            throw new StowException(415, "Content-Type " + type.essence() + " is not supported: STOW-RS takes "
                    + "multipart/related; type=\"" + DICOM + "\" (or \"" + DICOM_JSON + "\", \"" + DICOM_XML + "\")"
                    + (type.is("multipart/form-data") ? " (multipart/form-data is HTML forms' type)" : ""));
        }
        String root = type.parameter("type").orElse(null);
        if (root != null) {
            String essence;
            try {
                essence = StowMediaType.parse(root).essence();
            } catch (IllegalArgumentException e) {
                throw new StowException(415, "unreadable type parameter of multipart/related: " + e.getMessage());
            }
            if (!essence.equals(DICOM) && !essence.equals(DICOM_JSON) && !essence.equals(DICOM_XML)) {
                throw new StowException(415, "multipart/related; type=\"" + essence + "\" is not supported: STOW-RS"
                        + " takes type=\"" + DICOM + "\", \"" + DICOM_JSON + "\" or \"" + DICOM_XML + "\"");
            }
            root = essence;
        }
        String boundary = type.parameter("boundary").orElse("");
        if (boundary.isEmpty() || boundary.length() > 200) {
            throw new StowException(400, boundary.isEmpty() ? "multipart/related without a boundary parameter"
                    : "the boundary parameter has " + boundary.length() + " characters (RFC 2046 allows 70, Lightbox"
                            + " takes up to 200)");
        }
        MultipartReader reader = new MultipartReader(body, boundary, limits.maxPartHeaderBytes(),
                limits.maxPreambleBytes());
        try (Run run = new Run(study)) {
            run.parts(reader, root == null ? DICOM : root);
            return run.finish();
        }
    }

    /** One request's state. */
    private final class Run implements AutoCloseable {
        private final String study;
        private final ExecutorService ingests = Executors.newVirtualThreadPerTaskExecutor();
        private final Semaphore inFlight = new Semaphore(limits.maxInFlight());
        /** Buffers that carried a part's bytes to ingest, for the next ones (so a request allocates only a few). */
        private final java.util.concurrent.ConcurrentLinkedQueue<byte[]> buffers =
                new java.util.concurrent.ConcurrentLinkedQueue<>();
        /** Per part, in order: an ingest running or done, or (for metadata) null until assembled. */
        private final List<Future<StowOutcome>> pending = new ArrayList<>();
        private final List<StowOutcome> outcomes = new ArrayList<>();
        private final List<String> problems = new ArrayList<>();
        private final List<Metadata> metadata = new ArrayList<>();
        private final Map<String, List<StowInstanceBuilder.BulkPart>> bulk = new LinkedHashMap<>();
        private boolean badSyntax;
        private Path spool;

        Run(String study) {
            this.study = study;
        }

        void parts(MultipartReader reader, String rootType) throws InterruptedException {
            while (true) {
                MultipartReader.Part part;
                try {
                    part = reader.next();
                } catch (MultipartException e) {
                    syntax(e.getMessage());
                    break;
                } catch (IOException e) {
                    syntax("reading the request body failed after " + reader.bytesRead() + " bytes: "
                            + e.getMessage());
                    break;
                }
                if (part == null) {
                    break;
                }
                StowMediaType partType;
                String declared = part.header("content-type");
                try {
                    partType = StowMediaType.parse(declared != null ? declared : rootType);
                } catch (IllegalArgumentException e) {
                    problems.add("part " + part.number() + " skipped: unreadable Content-Type: " + e.getMessage());
                    continue;
                }
                switch (partType.essence()) {
                    case DICOM -> dicomPart(part.number(), part.content());
                    case DICOM_JSON, DICOM_XML -> metadataPart(part, partType.is(DICOM_XML));
                    default -> bulkPart(part, partType);
                }
                if (badSyntax) {
                    break; // the part's reader met a broken body; the reader would only repeat it
                }
            }
        }

        private void syntax(String message) {
            badSyntax = true;
            problems.add(message);
        }

        /**
         * Streams one Part 10 part into ingest on a thread of its own, through a short queue of buffers: returns
         * once its last byte is read (and queued), while ingest may still be hashing, writing, forcing and indexing.
         */
        void dicomPart(int number, InputStream content) throws InterruptedException {
            inFlight.acquire();
            PartPipe pipe = new PartPipe(buffers);
            try {
                pending.add(ingests.submit(() -> {
                    try {
                        return ingest(number, pipe);
                    } finally {
                        pipe.abandon();
                        inFlight.release();
                    }
                }));
            } catch (RuntimeException e) {
                inFlight.release();
                throw e;
            }
            try {
                while (true) {
                    byte[] chunk = buffers.poll();
                    if (chunk == null) {
                        chunk = new byte[PartPipe.CHUNK];
                    }
                    int n = content.readNBytes(chunk, 0, chunk.length);
                    if (n > 0) {
                        pipe.put(chunk, n);
                    }
                    if (n < chunk.length) {
                        break;
                    }
                }
                pipe.end();
            } catch (IOException e) {
                pipe.fail(e);
                syntax(e instanceof MultipartException ? e.getMessage()
                        : "reading the request body failed: " + e.getMessage());
            } catch (InterruptedException | RuntimeException | Error e) {
                pipe.abort(); // the request ends here: its ingest must not wait for bytes that will never come
                throw e;
            }
        }

        private StowOutcome ingest(int number, PartPipe in) {
            try {
                IngestResult r = study == null ? archive.storePart10(in) : archive.storePart10(in, study);
                return StowOutcome.of(number, r, r.isSuccess() ? Identity.UNKNOWN : in.identity(), study);
            } catch (IOException e) {
                if (in.bodyFailure != null) {
                    String why = in.bodyFailure instanceof MultipartException ? in.bodyFailure.getMessage()
                            : "reading the request body failed: " + in.bodyFailure.getMessage();
                    return StowOutcome.failed(number, in.identity(), StowOutcome.CANNOT_UNDERSTAND,
                            "not stored: " + why);
                }
                LOG.warn("STOW-RS part {} not stored: {}", number, e.getMessage());
                return StowOutcome.failed(number, in.identity(), StowOutcome.OUT_OF_RESOURCES,
                        "not stored: " + e.getMessage());
            } catch (RuntimeException e) {
                LOG.error("STOW-RS part {} failed", number, e);
                return StowOutcome.failed(number, in.identity(), StowOutcome.PROCESSING_FAILURE,
                        "not stored: internal error " + e.getClass().getSimpleName());
            }
        }

        private void metadataPart(MultipartReader.Part part, boolean xml) {
            byte[] bytes;
            try {
                bytes = part.content().readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limits.maxMetadataBytes() + 1));
            } catch (IOException e) {
                bodyBroke(part.number(), e);
                return;
            }
            if (bytes.length > limits.maxMetadataBytes()) {
                outcomes.add(StowOutcome.failed(part.number(), Identity.UNKNOWN, StowOutcome.OUT_OF_RESOURCES,
                        "metadata part " + part.number() + " is larger than " + limits.maxMetadataBytes()
                                + " bytes, the most held in memory"));
                return;
            }
            metadata.add(new Metadata(part.number(), bytes, xml));
        }

        private void bulkPart(MultipartReader.Part part, StowMediaType type) {
            String location = part.header("content-location");
            String id = part.header("content-id");
            if (location == null && id == null) {
                problems.add("part " + part.number() + " (" + type.essence() + ") skipped: a bulk data part needs a"
                        + " Content-Location that a BulkDataURI names");
                return;
            }
            Path file;
            long length;
            try {
                file = spool().resolve("bulk-" + part.number());
                try (OutputStream out = Files.newOutputStream(file)) {
                    length = part.content().transferTo(out);
                }
            } catch (MultipartException e) {
                bodyBroke(part.number(), e);
                return;
            } catch (IOException e) {
                problems.add("bulk data part " + part.number() + " could not be kept: " + e.getMessage());
                return;
            }
            StowInstanceBuilder.BulkPart b = new StowInstanceBuilder.BulkPart(part.number(), file, length, type);
            if (location != null) {
                bulk.computeIfAbsent(key(location), k -> new ArrayList<>()).add(b);
            }
            if (id != null) {
                String cid = id.strip();
                if (cid.startsWith("<") && cid.endsWith(">")) {
                    cid = cid.substring(1, cid.length() - 1);
                }
                bulk.computeIfAbsent(key("cid:" + cid), k -> new ArrayList<>()).add(b);
            }
        }

        private void bodyBroke(int number, IOException e) {
            String why = e instanceof MultipartException ? e.getMessage()
                    : "reading the request body failed: " + e.getMessage();
            syntax(why);
            outcomes.add(StowOutcome.failed(number, Identity.UNKNOWN, StowOutcome.CANNOT_UNDERSTAND,
                    "not stored: " + why));
        }

        private Path spool() throws IOException {
            if (spool == null) {
                if (swept.compareAndSet(false, true)) {
                    sweep(); // what a process that stopped in the middle of a request left
                }
                spool = spoolRoot.resolve(UUID.randomUUID().toString());
                Files.createDirectories(spool);
            }
            return spool;
        }

        Result finish() throws InterruptedException {
            List<StowOutcome> all = new ArrayList<>();
            for (Future<StowOutcome> f : pending) {
                try {
                    all.add(f.get());
                } catch (ExecutionException e) {
                    throw new IllegalStateException("an ingest task threw", e.getCause()); // ingest() catches all
                }
            }
            all.addAll(outcomes);
            Set<StowInstanceBuilder.BulkPart> used = new HashSet<>();
            for (Metadata m : metadata) {
                all.addAll(assemble(m, used));
            }
            bulk.values().stream().flatMap(List::stream).distinct().filter(b -> !used.contains(b))
                    .forEach(b -> problems.add("bulk data part " + b.number() + " (" + b.type().essence()
                            + ") is referenced by no metadata part; ignored"));
            all.sort(Comparator.comparingInt(StowOutcome::part));
            return new Result(List.copyOf(all), List.copyOf(problems), badSyntax);
        }

        /** Builds the instances of a metadata part and stores them, one after the other. */
        private List<StowOutcome> assemble(Metadata m, Set<StowInstanceBuilder.BulkPart> used) {
            List<StowOutcome> out = new ArrayList<>();
            List<String> docs;
            try {
                docs = m.xml() ? java.util.Collections.singletonList(null)
                        : StowInstanceBuilder.jsonDatasets(m.bytes());
            } catch (IOException e) {
                out.add(StowOutcome.failed(m.part(), Identity.UNKNOWN, StowOutcome.CANNOT_UNDERSTAND,
                        "metadata part " + m.part() + " is no DICOM JSON: " + e.getMessage()));
                return out;
            }
            for (String doc : docs) {
                Path file = null;
                try {
                    file = spool().resolve("instance-" + UUID.randomUUID() + ".dcm");
                    StowInstanceBuilder.Built built = m.xml()
                            ? StowInstanceBuilder.buildXml(m.bytes(), this::lookup, file)
                            : StowInstanceBuilder.buildJson(doc, this::lookup, file);
                    used.addAll(built.used());
                    IngestResult r;
                    try (InputStream in = Files.newInputStream(file)) {
                        r = study == null ? archive.storePart10(in) : archive.storePart10(in, study);
                    }
                    out.add(StowOutcome.of(m.part(), r, built.identity(), study));
                } catch (StowInstanceBuilder.BuildException e) {
                    used.addAll(e.used);
                    out.add(StowOutcome.failed(m.part(), e.identity, e.reason, "metadata part " + m.part() + ": "
                            + e.getMessage()));
                } catch (IOException e) {
                    LOG.warn("STOW-RS instance of metadata part {} not stored: {}", m.part(), e.getMessage());
                    out.add(StowOutcome.failed(m.part(), Identity.UNKNOWN, StowOutcome.OUT_OF_RESOURCES,
                            "not stored: " + e.getMessage()));
                } catch (RuntimeException e) {
                    LOG.error("STOW-RS instance of metadata part {} failed", m.part(), e);
                    out.add(StowOutcome.failed(m.part(), Identity.UNKNOWN, StowOutcome.PROCESSING_FAILURE,
                            "not stored: internal error " + e.getClass().getSimpleName()));
                } finally {
                    if (file != null) {
                        deleteQuietly(file);
                    }
                }
            }
            return out;
        }

        private List<StowInstanceBuilder.BulkPart> lookup(String uri) {
            return bulk.get(key(uri));
        }

        @Override
        public void close() {
            ingests.close(); // waits for every ingest started
            if (spool != null) {
                deleteTree(spool);
            }
        }
    }

    private record Metadata(int part, byte[] bytes, boolean xml) {}

    /**
     * How a Content-Location and a BulkDataURI are matched: as written, or, for absolute http(s) URIs, by path and
     * query alone (a client may give one absolute and the other relative to the same origin).
     */
    static String key(String uri) {
        String u = uri.strip();
        String lower = u.toLowerCase(Locale.ROOT);
        if (lower.startsWith("http://") || lower.startsWith("https://")) {
            try {
                URI parsed = new URI(u);
                return parsed.getRawPath() + (parsed.getRawQuery() == null ? "" : "?" + parsed.getRawQuery());
            } catch (java.net.URISyntaxException e) {
                return u;
            }
        }
        return u;
    }

    /** Removes whatever an earlier process left in the spool folder. */
    private void sweep() {
        if (!Files.isDirectory(spoolRoot)) {
            return;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(spoolRoot)) {
            for (Path p : ds) {
                deleteTree(p);
            }
        } catch (IOException e) {
            LOG.warn("could not clear the STOW-RS spool folder {}: {}", spoolRoot, e.getMessage());
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(StowService::deleteQuietly);
        } catch (IOException e) {
            LOG.warn("could not remove {}: {}", dir, e.getMessage());
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            LOG.warn("could not remove {}: {}", p, e.getMessage());
        }
    }

    /**
     * A part's content on its way from the request's thread to ingest's: a few buffers at most (so memory stays
     * bounded and a slow disk slows the reading of the body), the end or the body's failure after them. It keeps the
     * first bytes, to name a failed instance. When ingest stops reading early (it failed), the rest is dropped.
     */
    private static final class PartPipe extends InputStream {
        static final int CHUNK = 64 * 1024;
        private static final int DEPTH = 16;
        private record Chunk(byte[] data, int length, IOException failure) {}
        private static final Chunk END = new Chunk(new byte[0], 0, null);

        private final java.util.concurrent.ArrayBlockingQueue<Chunk> queue =
                new java.util.concurrent.ArrayBlockingQueue<>(DEPTH);
        private final java.util.Queue<byte[]> spent;
        private final byte[] head = new byte[HEAD_CAPTURE];
        private int headLength;
        private Chunk current;
        private int position;
        private volatile boolean abandoned;
        private volatile boolean aborted;
        /** The body's failure, as ingest saw it. */
        volatile IOException bodyFailure;

        /** @param spent where buffers go once read, for the next parts */
        PartPipe(java.util.Queue<byte[]> spent) {
            this.spent = spent;
        }

        void put(byte[] data, int length) throws InterruptedException {
            offer(new Chunk(data, length, null));
        }

        void end() throws InterruptedException {
            offer(END);
        }

        void fail(IOException e) throws InterruptedException {
            offer(new Chunk(null, 0, e));
        }

        private void offer(Chunk c) throws InterruptedException {
            while (!abandoned) {
                if (queue.offer(c, 100, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                    return;
                }
            }
        }

        /** The request's thread gave up on the part: ingest's next read fails. */
        void abort() {
            aborted = true;
        }

        /** Ingest is done with it: whatever comes now is dropped. */
        void abandon() {
            abandoned = true;
            queue.clear();
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) {
                return 0;
            }
            if (current != null && current.failure() != null) {
                throw current.failure();
            }
            if (current == null || position == current.length()) {
                if (current == END) {
                    return -1;
                }
                if (current != null && current.data().length == CHUNK) {
                    spent.add(current.data());
                }
                current = null;
                while (current == null) {
                    try {
                        current = queue.poll(100, java.util.concurrent.TimeUnit.MILLISECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new java.io.InterruptedIOException("interrupted while reading a part");
                    }
                    if (current == null && aborted) {
                        throw new IOException("the request ended before this part did");
                    }
                }
                position = 0;
                if (current.failure() != null) {
                    bodyFailure = current.failure();
                    throw current.failure();
                }
                if (current == END) {
                    return -1;
                }
            }
            int n = Math.min(len, current.length() - position);
            System.arraycopy(current.data(), position, b, off, n);
            position += n;
            if (headLength < head.length) {
                int k = Math.min(n, head.length - headLength);
                System.arraycopy(b, off, head, headLength, k);
                headLength += k;
            }
            return n;
        }

        Identity identity() {
            return Identity.ofHead(head, headLength);
        }
    }
}
