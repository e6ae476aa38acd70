// SPDX-License-Identifier: Apache-2.0
package org.lightbox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code java -jar lightbox.jar serve} as a process: up within 2 s on an empty archive, down on SIGTERM. */
class ServeCommandIT {
    @TempDir
    Path dir;

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Two tries at most: the first run after a build may pay for a cold page cache on a loaded machine. */
    @Test
    void answersHealthWithinTwoSecondsAndStopsOnSigterm() throws Exception {
        long best = Long.MAX_VALUE;
        for (int attempt = 1; attempt <= 2 && best >= 2000; attempt++) {
            best = Math.min(best, serveOnce(dir.resolve("try" + attempt)));
        }
        assertThat(best).as("start-up time, process start to /health 200, in ms").isLessThan(2000);
    }

    private long serveOnce(Path dir) throws Exception {
        Files.createDirectories(dir);
        Path jar = Path.of("target", "lightbox.jar").toAbsolutePath();
        assertThat(jar).exists();
        int dicomPort = freePort();
        int httpPort = freePort();
        Path log = dir.resolve("serve.log");
        Path data = dir.resolve("data");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        long start = System.nanoTime();
        Process p = new ProcessBuilder(List.of(java, "--enable-native-access=ALL-UNNAMED", "-XX:+UseG1GC", "-jar",
                jar.toString(), "serve", "--data", data.toString(), "--dicom-port", String.valueOf(dicomPort),
                "--http-port", String.valueOf(httpPort)))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(200)).build();
            HttpResponse<String> health = null;
            while (System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10) && p.isAlive()) {
                try {
                    health = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/health"))
                            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                    if (health.statusCode() == 200) {
                        break;
                    }
                } catch (IOException notYet) {
                    Thread.sleep(20);
                }
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            System.out.println("lightbox serve answered /health " + millis + " ms after the process started");
            assertThat(health).as(Files.readString(log)).isNotNull();
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body()).contains("\"status\":\"UP\"");
            assertThat(data.resolve("index.db")).exists();

            p.destroy(); // SIGTERM
            assertThat(p.waitFor(15, TimeUnit.SECONDS)).as("stopped after SIGTERM").isTrue();
            String out = Files.readString(log);
            assertThat(out).contains("ready:").contains("stopping").contains("stopped");
            return millis;
        } finally {
            p.destroyForcibly();
        }
    }
}
