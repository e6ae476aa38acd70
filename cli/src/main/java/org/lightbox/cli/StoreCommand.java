// SPDX-License-Identifier: Apache-2.0
package org.lightbox.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.TransferSyntax;
import org.lightbox.dicom.Uid;
import org.lightbox.dicom.UidRegistry;
import org.lightbox.dicom.io.DicomFile;
import org.lightbox.dicom.io.DicomParseException;
import org.lightbox.dicom.io.DicomReader;
import org.lightbox.dicom.io.DicomWriter;
import org.lightbox.dicom.io.ReadOptions;
import org.lightbox.net.Association;
import org.lightbox.net.Command;
import org.lightbox.net.PresentationContext;
import org.lightbox.net.Proposal;
import org.lightbox.net.Response;
import org.lightbox.net.Status;

/**
 * {@code lightbox store}: C-STORE of files and folders over as few associations as the 128 presentation contexts of
 * one allow. Each file goes in its own transfer syntax, its data set streamed straight from the file after its File
 * Meta Information; only when the peer accepts just an uncompressed fallback is the data set re-encoded, with bulk
 * values still streamed from the file.
 */
final class StoreCommand extends NetworkCommand {
    /** Values at least this long stay in the file while a data set is re-encoded. */
    private static final long BULK_THRESHOLD = 64 * 1024;
    private static final int MAX_CONTEXTS = 128;
    /** More files than this get a progress line even when standard error is not a terminal. */
    static final int PROGRESS_FILES = 100;
    private static final List<String> FALLBACKS = List.of(Uid.ExplicitVRLittleEndian, Uid.ImplicitVRLittleEndian);

    @Override
    public String name() {
        return "store";
    }

    @Override
    public String summary() {
        return "send DICOM files to a peer (C-STORE)";
    }

    @Override
    public String arguments() {
        return "AET@host:port FILE|DIR...";
    }

    @Override
    public String description() {
        return "Sends each file (folders are searched to any depth; files that are not DICOM are skipped with a"
                + " note) over one association, in the file's own transfer syntax, with Explicit and Implicit VR"
                + " Little Endian offered as well for uncompressed files: when the peer accepts only those, the data"
                + " set is re-encoded on the way. More than " + MAX_CONTEXTS + " pairs of SOP class and transfer"
                + " syntax take several associations, one after another. Prints each file's status; the exit status"
                + " is 1 if any file was not stored. A progress line goes to standard error when it is a terminal"
                + " or for more than " + PROGRESS_FILES + " files.";
    }

    @Override
    Options ownOptions() {
        return new Options()
                .addOption(Option.builder("q").longOpt("quiet").desc("Print only failures and the summary.").get())
                .addOption(Option.builder().longOpt("no-progress").desc("Never print the progress line.").get())
                .addOption(Option.builder().longOpt("priority").hasArg().argName("LOW|MEDIUM|HIGH")
                        .desc("C-STORE priority (default MEDIUM).").get());
    }

    /** A file to send. */
    private record Item(Path file, Part10Header header, long size) {}

    @Override
    int run(ScuOptions scu, List<String> args, CommandLine line, PrintStream out, PrintStream err)
            throws UsageException, IOException {
        if (args.isEmpty()) {
            throw new UsageException("no FILE or DIR given");
        }
        int priority = switch (line.getOptionValue("priority", "MEDIUM").toUpperCase(Locale.ROOT)) {
            case "LOW" -> Command.PRIORITY_LOW;
            case "MEDIUM" -> Command.PRIORITY_MEDIUM;
            case "HIGH" -> Command.PRIORITY_HIGH;
            default -> throw new UsageException("--priority is LOW, MEDIUM or HIGH");
        };
        boolean quiet = line.hasOption("quiet");
        Tally tally = new Tally();
        List<Item> items = collect(args, err, tally);
        if (items.isEmpty()) {
            err.println("lightbox store: no DICOM file to send");
            return 1;
        }
        boolean terminal = System.console() != null && System.console().isTerminal();
        Progress progress = new Progress(err, items.size(), items.stream().mapToLong(Item::size).sum(),
                !line.hasOption("no-progress") && (terminal || items.size() > PROGRESS_FILES), terminal);
        long start = System.nanoTime();
        List<List<Item>> batches = batches(items);
        for (List<Item> batch : batches) {
            send(scu, batch, priority, quiet, out, err, tally, progress);
        }
        progress.done();
        double seconds = (System.nanoTime() - start) / 1e9;
        out.printf(Locale.ROOT, "stored %d of %d files (%.1f MB in %.2f s, %.1f MB/s) over %d association%s%n",
                tally.stored, items.size() + tally.failed - tally.sendFailures, tally.bytes / 1e6, seconds,
                tally.bytes / 1e6 / Math.max(seconds, 1e-9), batches.size(), batches.size() == 1 ? "" : "s");
        out.flush();
        return tally.failed == 0 ? 0 : 1;
    }

    private static final class Tally {
        int stored;
        int failed;
        int sendFailures;
        long bytes;
    }

    /** The DICOM files named, folders searched in name order; notes on standard error for what is skipped. */
    private static List<Item> collect(List<String> args, PrintStream err, Tally tally) {
        List<Item> items = new ArrayList<>();
        for (String arg : args) {
            Path root = Path.of(arg);
            if (!Files.exists(root)) {
                err.println("lightbox store: " + arg + ": no such file or folder");
                tally.failed++;
                continue;
            }
            List<Path> files;
            try (Stream<Path> s = Files.isDirectory(root) ? Files.walk(root) : Stream.of(root)) {
                files = s.filter(Files::isRegularFile).sorted().toList();
            } catch (IOException | java.io.UncheckedIOException e) {
                err.println("lightbox store: " + arg + ": " + e.getMessage());
                tally.failed++;
                continue;
            }
            for (Path f : files) {
                try {
                    Optional<Part10Header> h = header(f);
                    if (h.isEmpty()) {
                        err.println("lightbox store: " + f + ": not a DICOM file, skipped");
                    } else {
                        items.add(new Item(f, h.get(), Files.size(f)));
                    }
                } catch (NoSuchFileException e) {
                    err.println("lightbox store: " + f + ": no such file");
                    tally.failed++;
                } catch (IOException e) {
                    err.println("lightbox store: " + f + ": " + e.getMessage());
                    tally.failed++;
                }
            }
        }
        return items;
    }

    /**
     * The header of a file to send, from its File Meta Information; a file without one is read as a bare data set,
     * and one whose meta lacks the SOP class or instance has them read from the data set. Empty: not DICOM.
     */
    private static Optional<Part10Header> header(Path f) throws IOException {
        Optional<Part10Header> h = Part10Header.read(f);
        if (h.isPresent() && !h.get().sopClassUid().isEmpty() && !h.get().sopInstanceUid().isEmpty()) {
            return h;
        }
        DicomFile file;
        try {
            file = DicomReader.read(f, ReadOptions.DEFAULT.withStopBeforePixelData(true).withBulkDataThreshold(4096));
        } catch (DicomParseException e) {
            if (h.isEmpty() && e.reason() == DicomParseException.Reason.NOT_DICOM) {
                return Optional.empty();
            }
            throw e;
        }
        Part10Header found = h.orElseGet(() -> new Part10Header("", "", file.transferSyntax().uid(), 0))
                .withUids(file.dataset().string(Tag.SOPClassUID).orElse(""),
                        file.dataset().string(Tag.SOPInstanceUID).orElse(""));
        if (found.sopClassUid().isEmpty() || found.sopInstanceUid().isEmpty()) {
            throw new IOException("neither the File Meta Information nor the data set names the SOP class and"
                    + " instance");
        }
        return Optional.of(found);
    }

    /** The transfer syntaxes to propose for each SOP class: those of its files, then the uncompressed fallbacks. */
    private static Map<String, Set<String>> syntaxes(List<Item> items) {
        Map<String, Set<String>> bySopClass = new LinkedHashMap<>();
        for (Item i : items) {
            bySopClass.computeIfAbsent(i.header().sopClassUid(), k -> new LinkedHashSet<>())
                    .add(i.header().transferSyntaxUid());
        }
        for (Set<String> s : bySopClass.values()) {
            if (s.stream().anyMatch(StoreCommand::convertible)) {
                s.addAll(FALLBACKS);
            }
        }
        return bySopClass;
    }

    /** Files grouped so that each group's SOP classes and transfer syntaxes fit in one association, in order. */
    private static List<List<Item>> batches(List<Item> items) {
        List<Set<String>> groups = new ArrayList<>();
        Set<String> current = new LinkedHashSet<>();
        int size = 0;
        for (Map.Entry<String, Set<String>> e : syntaxes(items).entrySet()) {
            int n = e.getValue().size();
            if (size + n > MAX_CONTEXTS && !current.isEmpty()) {
                groups.add(current);
                current = new LinkedHashSet<>();
                size = 0;
            }
            current.add(e.getKey());
            size += n;
        }
        groups.add(current);
        List<List<Item>> batches = new ArrayList<>();
        for (Set<String> g : groups) {
            batches.add(items.stream().filter(i -> g.contains(i.header().sopClassUid())).toList());
        }
        return batches;
    }

    private static boolean convertible(String transferSyntax) {
        TransferSyntax ts = TransferSyntax.of(transferSyntax);
        return ts.known() && ts.isNative();
    }

    private void send(ScuOptions scu, List<Item> batch, int priority, boolean quiet, PrintStream out,
            PrintStream err, Tally tally, Progress progress) {
        Proposal proposal = scu.proposal();
        syntaxes(batch).forEach((sopClass, syntaxes) -> syntaxes.forEach(ts -> proposal.add(sopClass, ts)));
        Association a;
        try {
            a = scu.connect(proposal, Map.of());
        } catch (IOException e) {
            for (Item i : batch) {
                fail(err, i, e.getMessage(), tally, progress);
            }
            return;
        }
        try {
            int next = 0;
            for (; next < batch.size() && a.isEstablished(); next++) {
                Item item = batch.get(next);
                Part10Header h = item.header();
                Optional<PresentationContext> pc = context(a, h);
                if (pc.isEmpty()) {
                    fail(err, item, scu.peerAeTitle() + " accepted no presentation context for " + name(h.sopClassUid())
                            + " in " + name(h.transferSyntaxUid())
                            + (convertible(h.transferSyntaxUid()) ? " or an uncompressed fallback" : ""), tally,
                            progress);
                    continue;
                }
                String ts = pc.get().transferSyntax();
                Association.DataWriter data = ts.equals(h.transferSyntaxUid()) ? o -> copy(item, o)
                        : o -> convert(item, TransferSyntax.of(ts), o);
                Response r;
                try {
                    r = a.store(h.sopClassUid(), h.sopInstanceUid(), ts, data, priority, null, 0);
                } catch (IOException e) {
                    fail(err, item, e.getMessage(), tally, progress);
                    continue;
                }
                if (Status.isSuccess(r.status()) || Status.isWarning(r.status())) {
                    tally.stored++;
                    tally.bytes += item.size();
                    progress.advance(item.size());
                    if (!quiet || !Status.isSuccess(r.status())) {
                        progress.clear();
                        out.println(item.file() + ": " + r.describe()
                                + (ts.equals(h.transferSyntaxUid()) ? "" : " (sent as " + name(ts) + ")"));
                    }
                } else {
                    fail(err, item, r.describe(), tally, progress);
                }
            }
            for (; next < batch.size(); next++) {
                fail(err, batch.get(next), "not sent: the association ended (" + a.endReason() + ")", tally,
                        progress);
            }
            a.release();
        } catch (IOException e) {
            err.println("lightbox store: " + scu.peer() + ": " + e.getMessage());
        } finally {
            a.abort(); // nothing once released
        }
    }

    /** The file's own transfer syntax if accepted, else an accepted uncompressed fallback it can be re-encoded to. */
    private static Optional<PresentationContext> context(Association a, Part10Header h) {
        Optional<PresentationContext> own = a.context(h.sopClassUid(), h.transferSyntaxUid());
        if (own.isPresent() || !convertible(h.transferSyntaxUid())) {
            return own;
        }
        return FALLBACKS.stream().map(ts -> a.context(h.sopClassUid(), ts)).flatMap(Optional::stream).findFirst()
                .or(() -> a.contexts().stream().filter(c -> c.abstractSyntax().equals(h.sopClassUid())
                        && convertible(c.transferSyntax())).findFirst());
    }

    private static void fail(PrintStream err, Item item, String why, Tally tally, Progress progress) {
        progress.clear();
        err.println("lightbox store: " + item.file() + ": " + why);
        tally.failed++;
        tally.sendFailures++;
        progress.advance(item.size());
    }

    /** The data set's bytes exactly as the file holds them, after its File Meta Information. */
    private static void copy(Item item, OutputStream out) throws IOException {
        try (InputStream in = Files.newInputStream(item.file())) {
            in.skipNBytes(item.header().dataSetOffset());
            byte[] buf = new byte[64 * 1024];
            long total = 0;
            int n;
            while ((n = in.read(buf)) > 0) {
                out.write(buf, 0, n);
                total += n;
            }
            // A deflated data set is padded to even length with a NUL (PS3.5 A.5); files written without the pad
            // would give an odd PDV, which peers such as DCMTK refuse.
            if ((total & 1) == 1 && TransferSyntax.of(item.header().transferSyntaxUid()).deflated()) {
                out.write(0);
            }
        }
    }

    /** The data set re-encoded in another uncompressed transfer syntax; large values stream from the file. */
    private static void convert(Item item, TransferSyntax ts, OutputStream out) throws IOException {
        DicomFile f = DicomReader.read(item.file(), ReadOptions.DEFAULT.withBulkDataThreshold(BULK_THRESHOLD));
        DicomWriter.writeDataset(DicomWriter.convert(f, ts).dataset(), ts, out, DicomWriter.Lengths.AS_READ);
    }

    static String name(String uid) {
        String k = UidRegistry.keywordOf(uid);
        return k.isEmpty() ? uid : k;
    }

    /** The progress line: files and bytes done, rate; rewritten in place on a terminal, else a line every 5 s. */
    private static final class Progress {
        private final PrintStream err;
        private final int files;
        private final long bytes;
        private final boolean enabled;
        private final boolean terminal;
        private final long start = System.nanoTime();
        private long last = start;
        private int doneFiles;
        private long doneBytes;
        private boolean shown;

        Progress(PrintStream err, int files, long bytes, boolean enabled, boolean terminal) {
            this.err = err;
            this.files = files;
            this.bytes = bytes;
            this.enabled = enabled;
            this.terminal = terminal;
        }

        void advance(long size) {
            doneFiles++;
            doneBytes += size;
            long now = System.nanoTime();
            if (enabled && now - last >= (terminal ? 250_000_000L : 5_000_000_000L)) {
                last = now;
                double s = (now - start) / 1e9;
                String text = String.format(Locale.ROOT, "%d/%d files, %.1f/%.1f MB, %.1f MB/s", doneFiles, files,
                        doneBytes / 1e6, bytes / 1e6, doneBytes / 1e6 / s);
                if (terminal) {
                    err.print("\r" + text + "\033[K");
                    err.flush();
                    shown = true;
                } else {
                    err.println("lightbox store: " + text);
                }
            }
        }

        /** Clears a terminal progress line before other output. */
        void clear() {
            if (shown) {
                err.print("\r\033[K");
                err.flush();
                shown = false;
            }
        }

        void done() {
            clear();
        }
    }
}
