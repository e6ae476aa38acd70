// SPDX-License-Identifier: Apache-2.0
package org.lightbox.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.lightbox.dicom.Uid;
import org.lightbox.net.Association;
import org.lightbox.net.Response;
import org.lightbox.net.Status;

/** {@code lightbox echo}: C-ECHO, DICOM's ping. */
final class EchoCommand extends NetworkCommand {
    @Override
    public String name() {
        return "echo";
    }

    @Override
    public String summary() {
        return "check that a DICOM peer answers (C-ECHO)";
    }

    @Override
    public String arguments() {
        return "AET@host:port";
    }

    @Override
    public String description() {
        return "Opens an association with the peer, sends C-ECHO requests and prints each status with its round"
                + " trip time, then releases. Exit status 1 when the peer cannot be reached, rejects the association"
                + " or answers with anything but success.";
    }

    @Override
    Options ownOptions() {
        return new Options().addOption(Option.builder().longOpt("repeat").hasArg().argName("N")
                .desc("Send N echo requests on the association (default 1).").get());
    }

    @Override
    int run(ScuOptions scu, List<String> args, CommandLine line, PrintStream out, PrintStream err)
            throws UsageException, IOException {
        if (!args.isEmpty()) {
            throw new UsageException("unexpected argument '" + args.get(0) + "'");
        }
        int repeat = line.hasOption("repeat")
                ? (int) ScuOptions.number(line.getOptionValue("repeat"), "--repeat", 1, 1_000_000) : 1;
        long start = System.nanoTime();
        Association a = scu.connect(scu.proposal().add(Uid.Verification, Uid.ExplicitVRLittleEndian,
                Uid.ImplicitVRLittleEndian), Map.of());
        int status = 0;
        try {
            out.printf("association with %s accepted in %s%n", scu.peer(), millis(System.nanoTime() - start));
            for (int i = 0; i < repeat; i++) {
                long t = System.nanoTime();
                Response r = a.echo();
                out.printf("C-ECHO %s: %s in %s%n", scu.peer(), r.describe(), millis(System.nanoTime() - t));
                if (!Status.isSuccess(r.status())) {
                    status = 1;
                }
            }
            a.release();
        } finally {
            a.abort(); // a no-op once released
        }
        out.flush();
        if (status != 0) {
            err.println("lightbox echo: " + scu.peer() + " did not answer with success");
        }
        return status;
    }

    static String millis(long nanos) {
        return String.format(java.util.Locale.ROOT, "%.1f ms", nanos / 1e6);
    }
}
