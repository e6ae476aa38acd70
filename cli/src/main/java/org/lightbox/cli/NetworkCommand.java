// SPDX-License-Identifier: Apache-2.0
package org.lightbox.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

/**
 * A command that talks to a DICOM peer given as the first argument, {@code AET@host:port}: it reads the shared
 * options, and turns usage errors into exit status 2 and network failures into a one-line message and status 1.
 */
abstract class NetworkCommand implements Subcommand {
    /** Held so that the level set here stays (the logging framework keeps loggers weakly). */
    private static final java.util.logging.Logger NET_LOG = java.util.logging.Logger.getLogger("org.lightbox.net");

    /** The command's own options, without the shared ones. */
    abstract Options ownOptions();

    /**
     * Does the job.
     *
     * @param args the arguments after the peer
     */
    abstract int run(ScuOptions scu, List<String> args, CommandLine line, PrintStream out, PrintStream err)
            throws UsageException, IOException;

    @Override
    public final Options options() {
        return ScuOptions.addTo(ownOptions());
    }

    @Override
    public final int run(CommandLine line, PrintStream out, PrintStream err) {
        List<String> args = List.copyOf(line.getArgList());
        try {
            if (args.isEmpty()) {
                throw new UsageException("no peer given: AET@host:port");
            }
            // The association's own log lines only with --verbose: its failures reach the user as the one-line
            // message of the exception they cause.
            NET_LOG.setLevel(line.hasOption("verbose") ? java.util.logging.Level.INFO
                    : java.util.logging.Level.SEVERE);
            ScuOptions scu = ScuOptions.parse(line, args.get(0));
            return run(scu, args.subList(1, args.size()), line, out, err);
        } catch (UsageException e) {
            err.println("lightbox " + name() + ": " + e.getMessage() + " (try lightbox " + name() + " --help)");
            return 2;
        } catch (IOException | UncheckedIOException e) {
            out.flush();
            err.println("lightbox " + name() + ": " + e.getMessage());
            return 1;
        }
    }
}
