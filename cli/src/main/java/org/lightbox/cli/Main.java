// SPDX-License-Identifier: Apache-2.0
package org.lightbox.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.HelpFormatter;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;

/**
 * The one {@code lightbox} command: {@code lightbox <command> [options] [arguments]}. Exit status 0 on success, 1
 * when the job failed, 2 for a command line it cannot understand; errors are one line on standard error.
 */
public final class Main {
    static final String VERSION = "Lightbox 0.1.0";
    private static final List<Subcommand> COMMANDS = List.of(new DumpCommand(),
            new TranscodeCommand(), new RenderCommand(), new EchoCommand(), new StoreCommand(), new FindCommand(),
            new MoveCommand(), new GetCommand(), new ServeCommand());
    private static final int WIDTH = 100;

    private Main() {}

    public static void main(String[] args) {
        PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(System.err, true, StandardCharsets.UTF_8);
        int status = Boolean.getBoolean("lightbox.cds-training") ? Training.run() : run(out, err, args);
        out.flush();
        System.exit(status);
    }

    /** Runs a command line, writing to the given streams; returns the exit status. */
    public static int run(PrintStream out, PrintStream err, String... args) {
        if (args.length == 0) {
            usage(err);
            return 2;
        }
        switch (args[0]) {
            case "-h", "--help" -> {
                usage(out);
                return 0;
            }
            case "-V", "--version" -> {
                out.println(VERSION);
                return 0;
            }
            case "help" -> {
                if (args.length == 1) {
                    usage(out);
                    return 0;
                }
                Optional<Subcommand> c = command(args[1]);
                if (c.isEmpty()) {
                    err.println("lightbox: no command '" + args[1] + "' (try lightbox --help)");
                    return 2;
                }
                help(c.get(), out);
                return 0;
            }
            default -> {
                // fall through to the commands
            }
        }
        Optional<Subcommand> c = command(args[0]);
        if (c.isEmpty()) {
            err.println("lightbox: no command '" + args[0] + "' (try lightbox --help)");
            return 2;
        }
        Subcommand cmd = c.get();
        // --help wins over everything else, required options included.
        if (Arrays.asList(args).subList(1, args.length).stream().anyMatch(a -> a.equals("-h") || a.equals("--help"))) {
            help(cmd, out);
            return 0;
        }
        Options options = withHelp(cmd.options());
        CommandLine line;
        try {
            line = DefaultParser.builder().setAllowPartialMatching(false).get()
                    .parse(options, Arrays.copyOfRange(args, 1, args.length));
        } catch (ParseException e) {
            err.println("lightbox " + cmd.name() + ": " + e.getMessage() + " (try lightbox " + cmd.name() + " --help)");
            return 2;
        }
        if (line.hasOption("help")) {
            help(cmd, out);
            return 0;
        }
        return cmd.run(line, out, err);
    }

    private static Optional<Subcommand> command(String name) {
        return COMMANDS.stream().filter(c -> c.name().equals(name)).findFirst();
    }

    private static Options withHelp(Options options) {
        Options all = new Options().addOptions(options);
        all.addOption(Option.builder("h").longOpt("help").desc("Show this help and exit.").get());
        return all;
    }

    private static void usage(PrintStream out) {
        out.println("Usage: lightbox <command> [options] [arguments]");
        out.println("       lightbox --help | --version | help <command>");
        out.println();
        out.println("Lightbox, a DICOM archive (PACS). Commands:");
        for (Subcommand c : COMMANDS) {
            out.printf("  %-10s %s%n", c.name(), c.summary());
        }
        out.println();
        out.println("Exit status: 0 on success, 1 when the job failed, 2 for a command line it cannot understand.");
        out.flush();
    }

    @SuppressWarnings("deprecation") // the classic formatter prints the familiar GNU-style option list
    private static void help(Subcommand c, PrintStream out) {
        PrintWriter w = new PrintWriter(out);
        HelpFormatter f = new HelpFormatter();
        f.setWidth(WIDTH);
        f.printHelp(w, WIDTH, "lightbox " + c.name() + " [options] " + c.arguments(), "\n" + c.description() + "\n\n",
                withHelp(c.options()), 2, 2, "", false);
        w.flush();
    }
}
