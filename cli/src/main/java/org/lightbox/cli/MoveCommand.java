// SPDX-License-Identifier: Apache-2.0
package org.lightbox.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Uid;
import org.lightbox.net.Association;
import org.lightbox.net.Command;
import org.lightbox.net.Response;

/** {@code lightbox move}: C-MOVE, asking the peer to send what matches to another AE. */
final class MoveCommand extends NetworkCommand {
    @Override
    public String name() {
        return "move";
    }

    @Override
    public String summary() {
        return "have a peer send studies, series or instances to an AE (C-MOVE)";
    }

    @Override
    public String arguments() {
        return "AET@host:port";
    }

    @Override
    public String description() {
        return "Sends one C-MOVE with the keys given by -k (unique keys down to the level, e.g."
                + " -k StudyInstanceUID=...) and the destination --dest, which the peer must know by AE title."
                + " Prints the sub-operation counts of each pending response and then the final status. Exit status 1 when the peer answers with a"
                + " failure or any sub-operation failed.";
    }

    @Override
    Options ownOptions() {
        return QueryOptions.addTo(new Options(), "STUDY")
                .addOption(Option.builder().longOpt("dest").hasArg().argName("AET").required()
                        .desc("The AE title the peer sends the instances to.").get());
    }

    @Override
    int run(ScuOptions scu, List<String> args, CommandLine line, PrintStream out, PrintStream err)
            throws UsageException, IOException {
        if (!args.isEmpty()) {
            throw new UsageException("unexpected argument '" + args.get(0) + "'");
        }
        String dest = line.getOptionValue("dest").strip();
        if (dest.isEmpty() || dest.length() > 16) {
            throw new UsageException("--dest '" + dest + "' is not an AE title");
        }
        String model = QueryOptions.model(line, "Move");
        Dataset identifier = QueryOptions.identifier(line, "STUDY");
        Association a = scu.connect(scu.proposal().add(model, Uid.ExplicitVRLittleEndian, Uid.ImplicitVRLittleEndian),
                Map.of());
        Response r;
        try {
            r = a.query(Command.C_MOVE_RQ, model, identifier, dest, pending -> {
                out.println("pending: " + QueryOptions.Counts.of(pending).describe());
                out.flush();
                return true;
            });
            a.release();
        } finally {
            a.abort();
        }
        return QueryOptions.report(name(), "C-MOVE", r, out, err);
    }
}
