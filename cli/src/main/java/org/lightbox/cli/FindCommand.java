// SPDX-License-Identifier: Apache-2.0
package org.lightbox.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Uid;
import org.lightbox.dicom.io.TextDump;
import org.lightbox.dicom.json.BulkDataPolicy;
import org.lightbox.dicom.json.DicomJson;
import org.lightbox.net.Association;
import org.lightbox.net.Command;
import org.lightbox.net.Response;
import org.lightbox.net.Status;

/** {@code lightbox find}: C-FIND, printing each match as text or DICOM JSON as it arrives. */
final class FindCommand extends NetworkCommand {
    @Override
    public String name() {
        return "find";
    }

    @Override
    public String summary() {
        return "query a peer for patients, studies, series or instances (C-FIND)";
    }

    @Override
    public String arguments() {
        return "AET@host:port";
    }

    @Override
    public String description() {
        return "Sends one C-FIND with the keys given by -k and prints each match as it comes: as text, one element"
                + " per line with a '# match N' line before each, or with --json as one DICOM JSON array (PS3.18"
                + " Annex F). Example: lightbox find QRSCP@pacs:104 -L STUDY -k PatientName=DOE* -k StudyDate="
                + " -k StudyInstanceUID. Exit status 1 when the peer answers with a failure.";
    }

    @Override
    Options ownOptions() {
        return QueryOptions.addTo(new Options(), "STUDY")
                .addOption(Option.builder().longOpt("json").desc("Print the matches as a DICOM JSON array.").get())
                .addOption(Option.builder().longOpt("cancel").hasArg().argName("N")
                        .desc("Send C-CANCEL after N matches (and print no more).").get());
    }

    @Override
    int run(ScuOptions scu, List<String> args, CommandLine line, PrintStream out, PrintStream err)
            throws UsageException, IOException {
        if (!args.isEmpty()) {
            throw new UsageException("unexpected argument '" + args.get(0) + "'");
        }
        String model = QueryOptions.model(line, "Find");
        Dataset identifier = QueryOptions.identifier(line, "STUDY");
        long cancelAfter = line.hasOption("cancel")
                ? ScuOptions.number(line.getOptionValue("cancel"), "--cancel", 1, Integer.MAX_VALUE) : Long.MAX_VALUE;
        boolean json = line.hasOption("json");
        Association a = scu.connect(scu.proposal().add(model, Uid.ExplicitVRLittleEndian, Uid.ImplicitVRLittleEndian),
                Map.of());
        int[] matches = {0};
        Response r;
        try {
            if (json) {
                out.print("[");
            }
            r = a.query(Command.C_FIND_RQ, model, identifier, null, pending -> {
                if (matches[0] >= cancelAfter) {
                    return false; // sent before the peer saw the C-CANCEL: not asked for
                }
                matches[0]++;
                print(pending.dataset(), matches[0], json, out);
                return matches[0] < cancelAfter;
            });
            a.release();
        } finally {
            a.abort();
        }
        if (json) {
            out.println(matches[0] == 0 ? "]" : "\n]");
        } else {
            out.println("# " + matches[0] + " match" + (matches[0] == 1 ? "" : "es") + ", " + r.describe());
        }
        out.flush();
        if (Status.isFailure(r.status())) {
            err.println("lightbox find: " + scu.peer() + " answered " + r.describe());
            return 1;
        }
        return 0;
    }

    private static void print(Dataset match, int n, boolean json, PrintStream out) {
        try {
            if (json) {
                out.print(n == 1 ? "\n" : ",\n");
                DicomJson.write(match == null ? Dataset.empty() : match, out, BulkDataPolicy.inline());
            } else {
                out.println("# match " + n);
                if (match != null) {
                    new TextDump(out, 64, false).print(match);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
