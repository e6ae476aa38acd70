// SPDX-License-Identifier: Apache-2.0
package org.lightbox.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.lightbox.server.ConfigException;
import org.lightbox.server.LightboxServer;
import org.lightbox.server.ServerConfig;
import org.lightbox.server.ServerConfigReader;

/** {@code lightbox serve}: the archive, with DIMSE and HTTP, until SIGTERM or Ctrl-C. */
final class ServeCommand implements Subcommand {
    /** Flags and the configuration keys they override. */
    private static final Map<String, String> FLAGS = Map.of("data", "data", "aet", "ae-title",
            "dicom-port", "dicom-port", "http-port", "http-port", "bind", "bind");

    @Override
    public String name() {
        return "serve";
    }

    @Override
    public String summary() {
        return "run the archive: DICOM (C-ECHO, C-STORE, C-FIND, C-MOVE, C-GET) and HTTP (/health, /metrics, /api)";
    }

    @Override
    public String arguments() {
        return "";
    }

    @Override
    public String description() {
        return "Runs Lightbox until stopped (SIGTERM or Ctrl-C): instances received by C-STORE are stored under the"
                + " data folder (SQLite index, files kept as received) and acknowledged once durable. HTTP serves"
                + " /health, /metrics (Prometheus) and the admin API (DELETE /api/studies/...; open on a loopback"
                + " address only, unless configured). Logs go to standard output. Flags override the configuration"
                + " file (YAML; every key is listed in docs/configuration.md).";
    }

    @Override
    public Options options() {
        return new Options()
                .addOption(Option.builder().longOpt("config").hasArg().argName("FILE")
                        .desc("Configuration file (YAML). Unknown keys and bad values stop start-up.").get())
                .addOption(Option.builder().longOpt("data").hasArg().argName("DIR")
                        .desc("Data folder (default ./lightbox-data).").get())
                .addOption(Option.builder().longOpt("aet").hasArg().argName("AET")
                        .desc("AE title answered to (default LIGHTBOX).").get())
                .addOption(Option.builder().longOpt("dicom-port").hasArg().argName("N")
                        .desc("DIMSE port (default 11112; 0 picks a free one).").get())
                .addOption(Option.builder().longOpt("http-port").hasArg().argName("N")
                        .desc("HTTP port (default 8080; 0 picks a free one).").get())
                .addOption(Option.builder().longOpt("bind").hasArg().argName("ADDR")
                        .desc("Address to listen on (default 127.0.0.1; 0.0.0.0 for every interface).").get());
    }

    @Override
    public int run(CommandLine line, PrintStream out, PrintStream err) {
        if (!line.getArgList().isEmpty()) {
            err.println("lightbox serve: unexpected argument '" + line.getArgList().get(0)
                    + "' (try lightbox serve --help)");
            return 2;
        }
        // Before the first logger: the server logs to standard output.
        System.setProperty("lightbox.log.target", "System.out");
        Map<String, String> overrides = new LinkedHashMap<>();
        FLAGS.forEach((flag, key) -> {
            if (line.hasOption(flag)) {
                overrides.put(key, line.getOptionValue(flag));
            }
        });
        ServerConfig config;
        try {
            config = ServerConfigReader.read(line.hasOption("config") ? Path.of(line.getOptionValue("config")) : null,
                    overrides);
        } catch (ConfigException e) {
            err.println("lightbox serve: " + e.getMessage());
            return 2;
        }
        LightboxServer.routeJavaLoggingToSlf4j();
        LightboxServer server;
        try {
            server = LightboxServer.start(config);
        } catch (IOException | RuntimeException e) {
            err.println("lightbox serve: " + e.getMessage());
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "lightbox-shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.close();
        }
        return 0;
    }
}
