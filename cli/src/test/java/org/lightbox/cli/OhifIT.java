// SPDX-License-Identifier: Apache-2.0
package org.lightbox.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.lightbox.testkit.Tools;

/**
 * Issue 6, item 8: the OHIF viewer (the built {@code dist/} of the npm package {@code @ohif/app}) against
 * {@code lightbox serve}, in Debian's Chromium driven by playwright-core. Three patients are stored by C-STORE (a
 * 20-slice 512 x 512 CT as Explicit VR Little Endian, an MR as JPEG-LS lossless, a colour secondary capture as JPEG
 * baseline); OHIF, served from another loopback origin (so CORS is exercised), must list the three patients, narrow
 * the list to one by its patient filter, and draw each study with non-uniform pixels (read from the viewport's
 * canvas in the page, and again from its screenshot here), the CT's other slices too when scrolled with the mouse
 * wheel; none of its requests to {@code /dicom-web} may fail.
 *
 * <p>Needs {@code /usr/bin/chromium}, {@code node}, {@code npm ci} run in {@code cli/src/test/ohif} (playwright-core)
 * and OHIF's package unpacked by {@code cli/src/test/ohif/setup.sh}; skipped, saying which is missing, otherwise.
 * Screenshots are left in {@code cli/target/ohif-*.png}.
 */
@Tag("interop")
class OhifIT {
    private static final Path SCRIPT_DIR = Path.of("src", "test", "ohif").toAbsolutePath();
    private static final Duration PAGE_TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void ohifListsThePatientsAndDrawsEachStudyWithNoFailedDicomwebRequest() throws Exception {
        String ohifVersion = ohifVersion();
        Path chromium = Path.of(Optional.ofNullable(System.getenv("LIGHTBOX_CHROMIUM")).orElse("/usr/bin/chromium"));
        assumeTrue(Files.isExecutable(chromium), "Debian's Chromium is not installed (apt-get install chromium)");
        assumeTrue(Tools.available("node"), "node is not installed (apt-get install nodejs npm)");
        assumeTrue(Files.isDirectory(SCRIPT_DIR.resolve("node_modules/playwright-core")),
                "playwright-core is not installed: npm ci --prefix cli/src/test/ohif (or cli/src/test/ohif/setup.sh)");
        Path dist = ohifDist(ohifVersion);
        assumeTrue(Files.isRegularFile(dist.resolve("index.html")) && Files.isRegularFile(dist.resolve("app-config.js")),
                "OHIF " + ohifVersion + " is not unpacked at " + dist + ": run cli/src/test/ohif/setup.sh");
        long t0 = System.nanoTime();

        // 1. lightbox serve, letting in the pages of the origin OHIF is served from; three patients by C-STORE.
        int ohifPort = freePort();
        String ohifOrigin = "http://127.0.0.1:" + ohifPort;
        Files.writeString(dir.resolve("lightbox.yaml"), "dicomweb:\n  cors-origins: [" + ohifOrigin + "]\n");
        List<Path> files = OhifFixtures.write(dir.resolve("in"));
        try (Serve serve = Serve.start(dir, dir.resolve("lightbox.yaml"))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int rc = Main.run(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(out, true,
                    StandardCharsets.UTF_8), "store", "LIGHTBOX@127.0.0.1:" + serve.dicomPort,
                    dir.resolve("in").toString());
            assertThat(rc).as(out.toString(StandardCharsets.UTF_8)).isZero();
            assertThat(out.toString(StandardCharsets.UTF_8)).contains("stored " + files.size() + " of " + files.size());
            long stored = System.nanoTime();

            // 2. OHIF in Chromium: the study list, then each study in the viewer.
            Path artefacts = Path.of("target").toAbsolutePath();
            ObjectMapper json = new ObjectMapper();
            ObjectNode args = json.createObjectNode()
                    .put("dist", dist.toString()).put("port", ohifPort)
                    .put("dicomweb", "http://127.0.0.1:" + serve.httpPort + "/dicom-web")
                    .put("out", artefacts.toString()).put("chromium", chromium.toString())
                    .put("ohifVersion", ohifVersion).put("timeoutMs", PAGE_TIMEOUT.toMillis());
            ArrayNode studies = args.putArray("studies");
            for (OhifFixtures.Study s : OhifFixtures.STUDIES) {
                ObjectNode study = studies.addObject().put("studyUid", s.studyUid())
                        .put("patientName", s.shownName()).put("modality", s.modality());
                if (s == OhifFixtures.CT) {
                    study.put("scroll", 10); // through the stack with the mouse wheel: another slice drawn
                }
            }
            var browser = Tools.run(List.of("node", SCRIPT_DIR.resolve("ohif-check.mjs").toString(),
                    json.writeValueAsString(args)), Duration.ofSeconds(240));
            Files.writeString(artefacts.resolve("ohif-check.log"), browser.stderr());
            System.out.print(browser.stderr());
            List<String> lines = browser.stdout().lines().toList();
            assertThat(lines).as("the script's summary; its log:\n" + browser.stderr()).isNotEmpty();
            JsonNode summary = json.readTree(lines.getLast());
            Files.writeString(artefacts.resolve("ohif-check.json"),
                    json.writerWithDefaultPrettyPrinter().writeValueAsString(summary));
            String context = "the browser's log in target/ohif-check.log, every request and the console errors in"
                    + " target/ohif-check.json, screenshots in target/ohif-*.png; the script said: " + summary.path(
                    "error").asText("no error") + "; console errors: " + summary.path("consoleErrors").size();

            // 3. The verdict: the patients listed, every study drawn, no DICOMweb request failed.
            List<String> failedRequests = new ArrayList<>();
            for (JsonNode r : summary.path("requests")) {
                if (r.path("status").asInt() == 0 || r.path("status").asInt() >= 400) {
                    failedRequests.add(r.path("status").asInt() + " " + r.path("method").asText() + " "
                            + r.path("url").asText() + " " + r.path("failure").asText(""));
                }
            }
            assertThat(failedRequests).as("failed DICOMweb requests; " + context).isEmpty();
            assertThat(summary.path("error").asText("")).as(context).isEmpty();
            List<String> shown = new ArrayList<>();
            summary.path("studyList").path("shown").forEach(n -> shown.add(n.asText()));
            assertThat(shown).as(context).containsExactlyInAnyOrderElementsOf(
                    OhifFixtures.STUDIES.stream().map(OhifFixtures.Study::shownName).toList());
            List<String> filtered = new ArrayList<>();
            summary.path("studyList").path("filtered").forEach(n -> filtered.add(n.asText()));
            assertThat(filtered).as("the list filtered by the given name of the second patient; " + context)
                    .containsExactly(OhifFixtures.STUDIES.get(1).shownName());
            assertThat(summary.path("studies")).as(context).hasSize(OhifFixtures.STUDIES.size());
            for (JsonNode s : summary.path("studies")) {
                assertThat(s.path("drawn").asBoolean()).as(s.path("modality").asText() + " drawn; " + context)
                        .isTrue();
                if (s.path("modality").asText().equals(OhifFixtures.CT.modality())) {
                    assertThat(s.path("scrolled").asBoolean()).as("another CT slice drawn after scrolling; " + context)
                            .isTrue();
                }
                // What reached the screen, judged apart from the canvas: the viewport's screenshot.
                Path shot = Path.of(s.path("viewportScreenshot").asText(s.path("screenshot").asText()));
                Spread spread = Spread.of(ImageIO.read(shot.toFile()));
                System.out.printf("OHIF %s: drawn in %d ms; screenshot %s: %s%n", s.path("modality").asText(),
                        s.path("ms").asLong(), shot.getFileName(), spread);
                assertThat(spread.distinct()).as(shot + ": " + spread).isGreaterThanOrEqualTo(16);
                assertThat(spread.stddev()).as(shot + ": " + spread).isGreaterThan(8);
            }
            assertThat(browser.exitCode()).as(context).isZero();
            String kinds = requestKinds(summary.path("requests"));
            for (String kind : List.of("studies", "series", "metadata", "frames")) {
                assertThat(kinds).as("OHIF asked for " + kind + "; " + context).contains(kind);
            }
            System.out.printf("OHIF %s in Chromium %s against lightbox serve: %d DICOMweb requests (%s), none"
                    + " failed; serve + store %d ms, browser %d ms, in all %d ms%n", ohifVersion,
                    summary.path("chromium").asText(), summary.path("requests").size(), kinds,
                    (stored - t0) / 1_000_000, summary.path("ms").asLong(), (System.nanoTime() - t0) / 1_000_000);
        }
    }

    /** The requests by resource kind, counted: {@code studies=3 series=4 metadata=3 frames=28}. */
    private static String requestKinds(JsonNode requests) {
        java.util.Map<String, Integer> counts = new java.util.TreeMap<>();
        for (JsonNode r : requests) {
            String path = r.path("url").asText().replaceFirst("\\?.*", "");
            String[] parts = path.split("/");
            String kind = parts.length == 0 ? "" : parts[parts.length - 1];
            if (parts.length >= 2 && parts[parts.length - 2].equals("frames")) {
                kind = "frames";
            } else if (kind.matches("[0-9.]+")) {
                kind = parts[parts.length - 2];
            }
            counts.merge(kind, 1, Integer::sum);
        }
        StringBuilder b = new StringBuilder();
        counts.forEach((k, v) -> b.append(b.isEmpty() ? "" : " ").append(k).append('=').append(v));
        return b.toString();
    }

    /**
     * Grey-level spread of the centre of an image (the middle half each way, clear of the viewport's border and of
     * OHIF's overlay text in its corners, which alone give an empty viewport hundreds of colours): distinct colours
     * and the standard deviation of the luminance.
     */
    record Spread(int distinct, double mean, double stddev) {
        static Spread of(BufferedImage img) {
            java.util.Set<Integer> colours = new java.util.HashSet<>();
            double sum = 0;
            double sum2 = 0;
            long n = 0;
            for (int y = img.getHeight() / 4; y < img.getHeight() * 3 / 4; y++) {
                for (int x = img.getWidth() / 4; x < img.getWidth() * 3 / 4; x++) {
                    int rgb = img.getRGB(x, y) & 0xFFFFFF;
                    colours.add(rgb);
                    double l = 0.299 * (rgb >>> 16) + 0.587 * ((rgb >>> 8) & 0xFF) + 0.114 * (rgb & 0xFF);
                    sum += l;
                    sum2 += l * l;
                    n++;
                }
            }
            double mean = sum / n;
            return new Spread(colours.size(), mean, Math.sqrt(Math.max(0, sum2 / n - mean * mean)));
        }

        @Override
        public String toString() {
            return String.format("%d colours, luminance mean %.1f, standard deviation %.1f", distinct, mean, stddev);
        }
    }

    /** The OHIF version the test is written for, from {@code config.ohif} in the script folder's package.json. */
    private static String ohifVersion() throws IOException {
        Matcher m = Pattern.compile("\"ohif\"\\s*:\\s*\"([^\"]+)\"")
                .matcher(Files.readString(SCRIPT_DIR.resolve("package.json")));
        assertThat(m.find()).as("config.ohif in " + SCRIPT_DIR.resolve("package.json")).isTrue();
        return m.group(1);
    }

    /** {@code $LIGHTBOX_OHIF_DIST}, else where setup.sh unpacks it: {@code ~/.cache/lightbox/ohif/VERSION/package/dist}. */
    static Path ohifDist(String version) {
        String env = System.getenv("LIGHTBOX_OHIF_DIST");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        return Path.of(System.getProperty("user.home"), ".cache", "lightbox", "ohif", version, "package", "dist");
    }

    /**
     * A port free now, below Linux's usual range of ephemeral ports (32768 and up): the ports are bound only later,
     * after connections of this test (C-STORE) that would otherwise be handed one of them, as happened once.
     */
    private static int freePort() throws IOException {
        java.util.SplittableRandom random = new java.util.SplittableRandom();
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = 20000 + random.nextInt(12000);
            try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                return s.getLocalPort();
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IOException("no free port between 20000 and 32000 on the loopback interface");
    }

    /** {@code java -jar lightbox.jar serve} on free ports, up when {@code /health} answers 200; stopped by SIGTERM. */
    private record Serve(Process process, Path log, int dicomPort, int httpPort) implements AutoCloseable {
        static Serve start(Path dir, Path config) throws Exception {
            Path jar = Path.of("target", "lightbox.jar").toAbsolutePath();
            assertThat(jar).exists();
            int dicomPort = freePort();
            int httpPort = freePort();
            Path log = dir.resolve("serve.log");
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process p = new ProcessBuilder(List.of(java, "--enable-native-access=ALL-UNNAMED", "-Xmx512m", "-jar",
                    jar.toString(), "serve", "--data", dir.resolve("data").toString(), "--dicom-port",
                    String.valueOf(dicomPort), "--http-port", String.valueOf(httpPort), "--config", config.toString()))
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline && p.isAlive()) {
                try {
                    HttpResponse<String> h = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                            + httpPort + "/health")).timeout(Duration.ofSeconds(2)).build(),
                            HttpResponse.BodyHandlers.ofString());
                    if (h.statusCode() == 200) {
                        return new Serve(p, log, dicomPort, httpPort);
                    }
                } catch (IOException notYet) {
                    // not listening yet
                }
                Thread.sleep(25);
            }
            p.destroyForcibly();
            throw new AssertionError("lightbox serve did not come up:\n" + Files.readString(log));
        }

        @Override
        public void close() throws Exception {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
            Files.copy(log, Path.of("target", "ohif-serve.log"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
