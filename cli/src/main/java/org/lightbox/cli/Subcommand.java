// SPDX-License-Identifier: Apache-2.0
package org.lightbox.cli;

import java.io.PrintStream;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

/** One job of the {@code lightbox} command. */
interface Subcommand {
    String name();

    /** One line for the command list. */
    String summary();

    /** The arguments after the options, for the usage line, such as "FILE...". */
    String arguments();

    /** Paragraphs shown under the usage line by --help. */
    String description();

    Options options();

    /** Runs with parsed options; returns the exit status. */
    int run(CommandLine line, PrintStream out, PrintStream err);
}
