// SPDX-License-Identifier: Apache-2.0
package org.lightbox.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.lightbox.testkit.ProcessResult;
import org.lightbox.testkit.Tools;

/**
 * Runs DCMTK servers and the {@code lightbox} command together inside a loopback-only network namespace
 * ({@code unshare -n}), since DCMTK's servers listen on every interface. The servers are started in the background
 * with their output in {@code server-N.log}, waited for until they accept connections, and killed by PID when the
 * script ends; the result holds the exit status and output of the last step.
 */
final class Loopback {
    private static Boolean usable;

    /**
     * A DCMTK server: one simple command (it runs under {@code exec}, so that its PID is the one killed) and its port
     * (waited for until it accepts connections).
     */
    record Server(String command, int port) {}

    private Loopback() {}

    /** Whether a network namespace can be made here (root, or user namespaces allowed) and DCMTK is installed. */
    static synchronized boolean usable() {
        if (usable == null) {
            usable = Tools.available("unshare") && Tools.available("ip") && Tools.available("storescp")
                    && Tools.run(List.of("unshare", "-n", "ip", "link", "set", "lo", "up"), Duration.ofSeconds(20))
                            .isSuccess();
        }
        return usable;
    }

    static String why() {
        return "needs `unshare -n` (root or user namespaces), `ip` and DCMTK: DCMTK's servers may only run in a"
                + " loopback-only network namespace";
    }

    /** The shell words that run {@code lightbox args...} with this JVM and the test class path. */
    static String lightbox(String... args) {
        List<String> words = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        words.addAll(List.of(args));
        return shell(words);
    }

    static String shell(List<String> words) {
        StringBuilder b = new StringBuilder();
        for (String w : words) {
            b.append(b.isEmpty() ? "" : " ").append('\'').append(w.replace("'", "'\\''")).append('\'');
        }
        return b.toString();
    }

    /**
     * Starts the servers in {@code dir}, runs each step in turn (shell lines; output of all but the last goes to
     * {@code step-N.log}) and stops the servers.
     */
    static ProcessResult run(Path dir, List<Server> servers, String... steps) {
        return run(dir, Duration.ofSeconds(120), servers, steps);
    }

    /** As {@link #run(Path, List, String...)}, with a deadline for the whole script other than 120 s. */
    static ProcessResult run(Path dir, Duration timeout, List<Server> servers, String... steps) {
        StringBuilder s = new StringBuilder("set -u\nip link set lo up || exit 97\ncd ")
                .append(shell(List.of(dir.toString()))).append('\n');
        StringBuilder pids = new StringBuilder();
        for (int i = 0; i < servers.size(); i++) {
            s.append("exec ").append(servers.get(i).command()).append(" >server-").append(i).append(".log 2>&1 &\n")
                    .append("P").append(i).append("=$!\n");
            pids.append(" $P").append(i);
        }
        s.append("trap 'kill").append(pids).append(" 2>/dev/null; wait' EXIT\n");
        for (Server server : servers) {
            s.append("n=0; until (: </dev/tcp/127.0.0.1/").append(server.port())
                    .append(") 2>/dev/null; do n=$((n+1)); if [ $n -gt 100 ]; then echo 'server on port ")
                    .append(server.port()).append(" did not start' >&2; cat server-*.log >&2; exit 98; fi;")
                    .append(" sleep 0.1; done\n");
        }
        for (int i = 0; i < steps.length - 1; i++) {
            s.append(steps[i]).append(" >step-").append(i).append(".log 2>&1 || { echo 'step ").append(i)
                    .append(" failed' >&2; cat step-").append(i).append(".log >&2; exit 99; }\n");
        }
        s.append(steps[steps.length - 1]).append("\nrc=$?\nexit $rc\n");
        return Tools.run(List.of("unshare", "-n", "bash", "-c", s.toString()), timeout);
    }
}
