// SPDX-License-Identifier: Apache-2.0
package org.lightbox.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.OptionGroup;
import org.apache.commons.cli.Options;
import org.lightbox.dicom.Element;
import org.lightbox.dicom.Value;
import org.lightbox.dicom.io.DicomFile;
import org.lightbox.dicom.io.DicomReader;
import org.lightbox.dicom.io.ReadOptions;
import org.lightbox.dicom.io.TextDump;
import org.lightbox.dicom.json.BulkDataPolicy;
import org.lightbox.dicom.json.DicomJson;
import org.lightbox.dicom.json.DicomXml;

/** {@code lightbox dump}: prints data sets as text, DICOM JSON or Native DICOM XML. */
final class DumpCommand implements Subcommand {
    /** Binary values at least this long are left in the file rather than loaded, unless JSON or XML inlines them. */
    private static final int BULK_THRESHOLD = 4096;

    private enum Format { TEXT, JSON, XML }

    @Override
    public String name() {
        return "dump";
    }

    @Override
    public String summary() {
        return "print the data set of DICOM files as text, DICOM JSON or Native DICOM XML";
    }

    @Override
    public String arguments() {
        return "FILE...";
    }

    @Override
    public String description() {
        return "Prints each file's data set: by default one element per line, items indented, with tag, VR, value"
                + " (shortened), length, value multiplicity and keyword, in the spirit of DCMTK's dcmdump."
                + " A file that cannot be read gives a one-line error on standard error; the other files are still"
                + " dumped, and the exit status is 1.";
    }

    @Override
    public Options options() {
        OptionGroup format = new OptionGroup();
        format.addOption(Option.builder().longOpt("json").desc("Print the DICOM JSON model (PS3.18 Annex F).").get());
        format.addOption(Option.builder().longOpt("xml").desc("Print the Native DICOM Model (PS3.19 Annex A).").get());
        return new Options().addOptionGroup(format)
                .addOption(Option.builder().longOpt("no-bulk").desc("Leave bulk data (pixel data, large binary"
                        + " values) unread: the text form shows its length and offset; JSON and XML give a"
                        + " BulkDataURI naming the file range (file:...?offset=N&length=N).").get())
                .addOption(Option.builder().longOpt("width").hasArg().argName("N").type(Integer.class)
                        .desc("Shorten text values to N characters (default 64).").get());
    }

    @Override
    public int run(CommandLine line, PrintStream out, PrintStream err) {
        Format format = line.hasOption("json") ? Format.JSON : line.hasOption("xml") ? Format.XML : Format.TEXT;
        boolean noBulk = line.hasOption("no-bulk");
        int width;
        try {
            width = line.hasOption("width") ? Integer.parseInt(line.getOptionValue("width")) : 64;
        } catch (NumberFormatException e) {
            err.println("lightbox dump: --width needs a whole number, not '" + line.getOptionValue("width") + "'");
            return 2;
        }
        List<String> files = List.copyOf(line.getArgList()); // commons-cli gives a LinkedList
        if (files.isEmpty()) {
            err.println("lightbox dump: no FILE given (try lightbox dump --help)");
            return 2;
        }
        ReadOptions options = ReadOptions.DEFAULT.withBulkDataThreshold(
                format == Format.TEXT || noBulk ? BULK_THRESHOLD : Long.MAX_VALUE);
        boolean header = files.size() > 1 && format == Format.TEXT;
        // Files are read and formatted on all cores and printed in order; a small window bounds the memory.
        int threads = Math.min(files.size(), Math.max(1, Runtime.getRuntime().availableProcessors()));
        int status = 0;
        try (ExecutorService pool = threads == 1 ? Executors.newSingleThreadExecutor()
                : Executors.newFixedThreadPool(threads)) {
            // Files go to the workers in small batches: one hand-over per batch, not per file.
            int batch = Math.max(1, Math.min(8, files.size() / (8 * threads)));
            ArrayDeque<Future<List<Result>>> window = new ArrayDeque<>();
            int next = 0;
            while (next < files.size() || !window.isEmpty()) {
                while (next < files.size() && window.size() < 4 * threads) {
                    List<String> names = files.subList(next, Math.min(files.size(), next + batch));
                    next += names.size();
                    window.add(pool.submit(() -> names.stream()
                            .map(name -> render(name, options, format, noBulk, width, header)).toList()));
                }
                for (Result r : window.remove().get()) {
                    if (r.error().isPresent()) {
                        out.flush();
                        err.println("lightbox dump: " + r.error().get());
                        status = 1;
                    } else {
                        out.writeBytes(r.text());
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        } catch (ExecutionException e) {
            err.println("lightbox dump: " + e.getCause());
            return 1;
        }
        out.flush();
        return status;
    }

    /** A file's dump encoded as UTF-8 by the worker, so that the thread that prints only copies bytes. */
    private record Result(byte[] text, Optional<String> error) {}

    private static final ThreadLocal<StringBuilder> BUFFER = ThreadLocal.withInitial(() -> new StringBuilder(1 << 16));

    private static Result render(String name, ReadOptions options, Format format, boolean noBulk, int width,
            boolean header) {
        Path file = Path.of(name);
        try {
            // The first bytes of each value left in the file are kept as they pass, so showing them needs no
            // second read of the file.
            Map<Value.Bulk, byte[]> heads = new HashMap<>(4);
            ReadOptions read = format != Format.TEXT || noBulk ? options : options.withBulkDataHandler(
                    (path, tag, vr, offset, length, value) -> {
                        Value.Bulk bulk = new Value.Bulk(file, offset, length);
                        byte[] head = new byte[(int) Math.min(length, TextDump.bulkHeadLength())];
                        int n = value.readNBytes(head, 0, head.length);
                        heads.put(bulk, n == head.length ? head : java.util.Arrays.copyOf(head, n));
                        return bulk;
                    });
            DicomFile f = DicomReader.read(file, read);
            StringBuilder sb = BUFFER.get();
            sb.setLength(0);
            switch (format) {
                case TEXT -> {
                    if (header) {
                        sb.append("# ").append(name).append('\n');
                    }
                    new TextDump(sb, width, !noBulk, heads).print(f);
                }
                case JSON -> {
                    DicomJson.write(f.dataset(), sb, policy(noBulk));
                    sb.append('\n');
                }
                case XML -> {
                    java.io.StringWriter w = new java.io.StringWriter();
                    DicomXml.write(f.dataset(), w, policy(noBulk));
                    sb.append(w).append('\n');
                }
            }
            return new Result(sb.toString().getBytes(StandardCharsets.UTF_8), Optional.empty());
        } catch (NoSuchFileException e) {
            return new Result(new byte[0], Optional.of(name + ": no such file"));
        } catch (IOException | UncheckedIOException | IllegalArgumentException | IllegalStateException e) {
            return new Result(new byte[0], Optional.of(name + ": " + e.getMessage()));
        }
    }

    /** With --no-bulk, values left in the file are named by a file URI with their byte range. */
    private static BulkDataPolicy policy(boolean noBulk) {
        if (!noBulk) {
            return BulkDataPolicy.inline();
        }
        return (path, element) -> bulkUri(element);
    }

    private static Optional<String> bulkUri(Element e) {
        if (e.value() instanceof Value.Bulk b) {
            return Optional.of(b.file().toUri() + "?offset=" + b.offset() + "&length=" + b.length());
        }
        return Optional.empty();
    }
}
