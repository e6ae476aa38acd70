// SPDX-License-Identifier: Apache-2.0
package org.lightbox.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The one {@code lightbox} command; each job is a subcommand. */
@Command(name = "lightbox", mixinStandardHelpOptions = true, version = "Lightbox 0.1.0",
        description = "Lightbox, a DICOM archive (PACS): toolkit commands.",
        subcommands = {DumpCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit status, for tests. */
    public static int run(String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            cmd.getErr().println("lightbox: " + ex.getMessage());
            return 1;
        });
        return cl.execute(args);
    }

    @Override
    public void run() {
        // No subcommand: say what there is.
        new CommandLine(this).usage(System.err);
    }
}
