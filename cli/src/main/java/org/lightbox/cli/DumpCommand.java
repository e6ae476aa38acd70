// SPDX-License-Identifier: Apache-2.0
package org.lightbox.cli;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.lightbox.dicom.io.DicomFile;
import org.lightbox.dicom.io.DicomReader;
import org.lightbox.dicom.io.ReadOptions;
import org.lightbox.dicom.io.TextDump;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code lightbox dump}: prints data sets as text, DICOM JSON or Native DICOM XML. */
@Command(name = "dump", mixinStandardHelpOptions = true,
        description = {"Prints each file's data set: by default one element per line, items indented, with tag, VR,"
                + " value (shortened), length, value multiplicity and keyword, in the spirit of dcmdump.",
            "A file that cannot be read gives a one-line error on standard error; the other files are still"
                + " dumped, and the exit status is 1."})
final class DumpCommand implements Callable<Integer> {
    /** Binary values at least this long are left in the file rather than loaded. */
    private static final int BULK_THRESHOLD = 4096;

    static final class Format {
        @Option(names = "--json", description = "Print the DICOM JSON model (PS3.18 Annex F).")
        boolean json;

        @Option(names = "--xml", description = "Print the Native DICOM Model (PS3.19 Annex A).")
        boolean xml;
    }

    @ArgGroup(exclusive = true)
    Format format = new Format();

    @Option(names = "--no-bulk", description = "Leave bulk data (pixel data, large binary values) unread: the text"
            + " form shows its length and offset, JSON and XML give a BulkDataURI to the file range.")
    boolean noBulk;

    @Option(names = "--width", defaultValue = "64", paramLabel = "N",
            description = "Shorten text values to N characters (default: ${DEFAULT-VALUE}).")
    int width;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "DICOM files (Part 10 or bare data sets).")
    List<Path> files;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        Writer w = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), 1 << 16);
        PrintWriter err = spec.commandLine().getErr();
        boolean plain = !format.json && !format.xml;
        ReadOptions options = ReadOptions.DEFAULT.withBulkDataThreshold(plain || noBulk ? BULK_THRESHOLD : Long.MAX_VALUE);
        int status = 0;
        for (Path file : files) {
            DicomFile f;
            try {
                f = DicomReader.read(file, options);
            } catch (NoSuchFileException e) {
                w.flush();
                err.println("lightbox dump: " + file + ": no such file");
                status = 1;
                continue;
            } catch (IOException | RuntimeException e) {
                w.flush();
                err.println("lightbox dump: " + file + ": " + e.getMessage());
                status = 1;
                continue;
            }
            if (files.size() > 1 && plain) {
                w.append("# ").append(file.toString()).append('\n');
            }
            if (format.json) {
                Formats.json(f, file, noBulk, w);
            } else if (format.xml) {
                Formats.xml(f, file, noBulk, w);
            } else {
                new TextDump(w, width, !noBulk).print(f);
            }
        }
        w.flush();
        err.flush();
        return status;
    }
}
