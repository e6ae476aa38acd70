// SPDX-License-Identifier: Apache-2.0
package org.lightbox.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.lightbox.archive.Archive;
import org.lightbox.archive.ArchiveConfig;
import org.lightbox.archive.StoredInstance;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Element;
import org.lightbox.dicom.TransferSyntax;
import org.lightbox.dicom.Vr;
import org.lightbox.dicom.io.DicomWriter;
import org.lightbox.testkit.Tools;

/**
 * Issue 5, point 7: {@code lightbox serve} as a process, DCMTK's storescu sending a few hundred instances (some of
 * a few MB), the server killed with SIGKILL in the middle, restarted on the same data folder. Every instance storescu
 * saw answered with success must be there, with its SHA-256 and with data set bytes equal to those sent; nothing
 * half-written may be visible, before or after start-up reconciliation. Three kill points per run of the suite.
 */
@Tag("interop")
class CrashSafetyIT {
    private static final String CT = "1.2.840.10008.5.1.4.1.1.2";
    private static final String ROOT = "1.2.826.0.1.3680043.9.7777.5.";
    private static final int INSTANCES = 240;
    private static final int BIG_EVERY = 40;
    private static final int SMALL_PIXELS = 32 * 1024;
    private static final int BIG_PIXELS = 3 * 1024 * 1024;
    private static final Pattern SENDING = Pattern.compile("^I: Sending file: (.+)$");
    private static final Pattern ACKED = Pattern.compile("^I: Received Store Response \\((Success|Warning)");
    private static final Pattern ADOPTED = Pattern.compile("indexed blob (\\S+) \\((\\S+)\\) that the index did not"
            + " know");
    private static final Pattern SUMMARY = Pattern.compile("reconciliation: (\\d+) temporary files removed, (\\d+)"
            + " blobs indexed, (\\d+) quarantined, (\\d+) indexed instances without blob");
    private static final Set<String> LONG_VRS = Set.of("OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN",
            "UR", "UT", "UV");

    @TempDir
    static Path shared;

    /** The instances sent, by file, with their SOP Instance UID. */
    private static final Map<Path, String> FILES = new LinkedHashMap<>();

    @BeforeAll
    static void generate() throws IOException {
        Path in = Files.createDirectories(shared.resolve("in"));
        Random random = new Random(5);
        for (int i = 0; i < INSTANCES; i++) {
            int study = i / 60;
            int series = i / 20;
            String sop = ROOT + "3." + i;
            byte[] pixels = new byte[i % BIG_EVERY == BIG_EVERY - 1 ? BIG_PIXELS : SMALL_PIXELS];
            random.nextBytes(pixels);
            Dataset ds = Dataset.builder()
                    .setStrings(org.lightbox.dicom.Tag.SOPClassUID, Vr.UI, CT)
                    .setStrings(org.lightbox.dicom.Tag.SOPInstanceUID, Vr.UI, sop)
                    .setStrings(org.lightbox.dicom.Tag.StudyDate, Vr.DA, "20240131")
                    .setStrings(org.lightbox.dicom.Tag.Modality, Vr.CS, "CT")
                    .setStrings(org.lightbox.dicom.Tag.PatientName, Vr.PN, "Crash^Test" + study)
                    .setStrings(org.lightbox.dicom.Tag.PatientID, Vr.LO, "CRASH" + study)
                    .setStrings(org.lightbox.dicom.Tag.StudyInstanceUID, Vr.UI, ROOT + "1." + study)
                    .setStrings(org.lightbox.dicom.Tag.SeriesInstanceUID, Vr.UI, ROOT + "2." + series)
                    .setStrings(org.lightbox.dicom.Tag.InstanceNumber, Vr.IS, String.valueOf(i + 1))
                    .add(Element.of(org.lightbox.dicom.Tag.PixelData, Vr.OB, pixels))
                    .build();
            Path f = in.resolve(String.format("i%03d%s.dcm", i, pixels.length == BIG_PIXELS ? "-big" : ""));
            try (OutputStream out = Files.newOutputStream(f)) {
                DicomWriter.write(DicomWriter.newFile(ds, TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN), out);
            }
            FILES.put(f, sop);
        }
    }

    /**
     * Where in the sending the server is killed, and whether the rest is sent to the restarted server afterwards
     * (once is enough to show it takes up where the crash left off; each resend costs seconds of fsyncs).
     */
    private record KillPoint(String name, int afterAcks, String whileSendingSuffix, long delayMillis,
            boolean resendRest) {
        static KillPoint afterAcks(int n) {
            return new KillPoint("right after storescu saw " + n + " successes", n, null, 0, false);
        }

        static KillPoint whileSending(String fileSuffix, long delayMillis, boolean resendRest) {
            return new KillPoint(delayMillis + " ms into sending " + fileSuffix, -1, fileSuffix, delayMillis,
                    resendRest);
        }

        static KillPoint afterFirstAck(long delayMillis) {
            return new KillPoint(delayMillis + " ms after the first success", 1, null, delayMillis, false);
        }
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void everyAcknowledgedInstanceSurvivesSigkillAndNothingHalfWrittenIsVisible() throws Exception {
        assumeTrue(Tools.available("storescu"), "DCMTK's storescu is not installed (apt-get install dcmtk)");
        long t0 = System.nanoTime();
        List<KillPoint> points = List.of(KillPoint.afterAcks(25),
                KillPoint.whileSending("i119-big.dcm", 5, true), KillPoint.afterFirstAck(300));
        int run = 0;
        for (KillPoint point : points) {
            long r0 = System.nanoTime();
            crashAndRecover(shared.resolve("run" + ++run), point);
            System.out.printf("crash run %d (%s): %d ms%n", run, point.name(), (System.nanoTime() - r0) / 1_000_000);
        }
        long total = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("crash test, " + points.size() + " kills: " + total + " ms");
        assertThat(total).as("the whole crash test, in ms").isLessThan(60_000);
    }

    private void crashAndRecover(Path dir, KillPoint point) throws Exception {
        Path data = dir.resolve("data");
        Files.createDirectories(dir);

        // 1. Serve, send, kill -9 in the middle.
        Server first = Server.start(dir.resolve("serve-1.log"), data);
        Sending sending = Sending.start(first.dicomPort, List.copyOf(FILES.keySet()), point, first.process);
        assertThat(sending.process.waitFor(60, TimeUnit.SECONDS)).as("storescu ends once the server is gone").isTrue();
        sending.reader.join(Duration.ofSeconds(10));
        assertThat(first.process.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(sending.killed.get()).as("the kill point was reached; storescu said:\n" + sending.log()).isTrue();
        assertThat(first.process.exitValue()).as("killed by SIGKILL (128 + 9)").isEqualTo(137);
        List<Path> acked = sending.acked();
        System.out.printf("  killed %s: %d of %d acknowledged, in flight: %s%n", point.name(), acked.size(),
                FILES.size(), sending.inFlight);
        assertThat(acked).as("killed mid-ingest").isNotEmpty().hasSizeLessThan(FILES.size());

        // 2. The crashed folder as it is: no blob under a final name holds anything but the whole of its bytes.
        Path blobs = data.resolve("blobs");
        List<Path> finalBlobs = blobsUnder(blobs);
        for (Path b : finalBlobs) {
            assertThat(sha256(Files.readAllBytes(b)) + ".dcm").as("a final blob name is its content's SHA-256: " + b)
                    .isEqualTo(b.getFileName().toString());
        }
        long tempsLeft;
        try (Stream<Path> s = Files.list(blobs.resolve("tmp"))) {
            tempsLeft = s.count();
        }
        System.out.printf("  after the kill: %d blobs under final names, %d temporary files%n", finalBlobs.size(),
                tempsLeft);

        // 3. Restart on the same folder: reconciliation may adopt blobs nobody saw acknowledged, nothing else.
        Server second = Server.start(dir.resolve("serve-2.log"), data);
        String log = Files.readString(second.log);
        assertThat(log).as(log).doesNotContain("quarantined as").doesNotContain("is indexed but its blob");
        Set<String> ackedUids = new LinkedHashSet<>();
        acked.forEach(f -> ackedUids.add(FILES.get(f)));
        Matcher adopted = ADOPTED.matcher(log);
        int adoptedCount = 0;
        while (adopted.find()) {
            adoptedCount++;
            assertThat(ackedUids).as("an adopted blob was never acknowledged: " + adopted.group()).doesNotContain(
                    adopted.group(2));
        }
        Matcher summary = SUMMARY.matcher(log);
        if (summary.find()) { // logged only when there was something to do
            assertThat(Long.parseLong(summary.group(1))).as(summary.group()).isEqualTo(tempsLeft);
            assertThat(Integer.parseInt(summary.group(2))).as(summary.group()).isEqualTo(adoptedCount);
            assertThat(summary.group(3) + " " + summary.group(4)).as(summary.group()).isEqualTo("0 0");
        } else {
            assertThat(tempsLeft + adoptedCount).as("nothing to reconcile, and none reported:\n" + log).isZero();
        }
        System.out.printf("  restart reconciled: %d temporary files removed, %d blobs adopted (unacknowledged"
                + " extras), none quarantined or missing%n", tempsLeft, adoptedCount);
        if (point.resendRest()) {
            // The rest goes through the restarted server: whatever the kill left behind does not get in the way.
            List<Path> rest = new ArrayList<>(FILES.keySet());
            rest.removeAll(acked);
            List<String> cmd = new ArrayList<>(List.of("env", "TCP_NODELAY=1", "storescu", "-aec", "LIGHTBOX",
                    "127.0.0.1", String.valueOf(second.dicomPort)));
            rest.forEach(f -> cmd.add(f.toString()));
            var resend = Tools.run(cmd, Duration.ofSeconds(60));
            assertThat(resend.exitCode()).as(resend.toString()).isZero();
        }
        second.process.destroy(); // SIGTERM
        assertThat(second.process.waitFor(20, TimeUnit.SECONDS)).as("stops on SIGTERM").isTrue();

        // 4. The folder opened again, the server stopped: reconciliation finds nothing to do; every acknowledged
        // instance (every instance, after a resend) is indexed, and every indexed one has a blob whose data set is
        // byte for byte what storescu sent.
        int present = 0;
        try (Archive archive = Archive.open(ArchiveConfig.of(data))) {
            assertThat(archive.startupReport().isClean()).as(archive.startupReport().toString()).isTrue();
            for (Map.Entry<Path, String> e : FILES.entrySet()) {
                Optional<StoredInstance> s = archive.find(e.getValue());
                if (acked.contains(e.getKey()) || point.resendRest()) {
                    assertThat(s).as("%s (%s) indexed; acknowledged before the kill: %s", e.getValue(),
                            e.getKey().getFileName(), acked.contains(e.getKey())).isPresent();
                }
                if (s.isEmpty()) {
                    continue;
                }
                present++;
                byte[] stored = Files.readAllBytes(archive.blobFile(s.get()));
                assertThat(sha256(stored)).isEqualTo(s.get().sha256());
                byte[] sent = Files.readAllBytes(e.getKey());
                assertThat(sha256(dataSetOf(stored))).as("data set bytes of %s", e.getKey().getFileName())
                        .isEqualTo(sha256(dataSetOf(sent)));
            }
        }
        System.out.printf("  verified: %d instances indexed, each with its blob and the data set sent%n", present);
        assertThat(blobsUnder(blobs)).as("one blob per indexed instance, no strays").hasSize(present);
        try (Stream<Path> s = Files.list(blobs.resolve("tmp"))) {
            assertThat(s.toList()).as("no temporary files left").isEmpty();
        }
        try (Stream<Path> s = Files.list(blobs.resolve("quarantine"))) {
            assertThat(s.toList()).as("nothing quarantined").isEmpty();
        }
    }

    /** storescu sending, its output read as it comes, the server killed at the kill point. */
    private static final class Sending {
        final Process process;
        final Thread reader;
        final AtomicBoolean killed = new AtomicBoolean();
        private final List<Path> acked = new ArrayList<>();
        private final StringBuilder log = new StringBuilder();
        volatile String inFlight = "";
        private volatile String sendingNow = "";

        private Sending(Process process, KillPoint point, Process server) {
            this.process = process;
            Runnable kill = () -> {
                if (killed.compareAndSet(false, true)) {
                    inFlight = current();
                    server.destroyForcibly(); // SIGKILL on Linux
                }
            };
            this.reader = Thread.ofPlatform().name("storescu-output").start(() -> {
                Path current = null;
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        synchronized (this) {
                            log.append(line).append('\n');
                        }
                        Matcher m = SENDING.matcher(line);
                        if (m.find()) {
                            current = Path.of(m.group(1));
                            sendingNow = current.getFileName().toString();
                            if (point.whileSendingSuffix() != null && line.endsWith(point.whileSendingSuffix())) {
                                later(kill, point.delayMillis());
                            }
                        } else if (ACKED.matcher(line).find() && current != null) {
                            int n;
                            synchronized (this) {
                                acked.add(current);
                                n = acked.size();
                            }
                            if (n == point.afterAcks()) {
                                later(kill, point.delayMillis());
                            }
                        }
                    }
                } catch (IOException e) {
                    synchronized (this) {
                        log.append("(reading storescu's output failed: ").append(e).append(")\n");
                    }
                }
            });
        }

        private static void later(Runnable r, long millis) {
            if (millis == 0) {
                r.run();
                return;
            }
            Thread.ofVirtual().start(() -> {
                try {
                    Thread.sleep(millis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                r.run();
            });
        }

        static Sending start(int port, List<Path> files, KillPoint point, Process server) throws IOException {
            List<String> cmd = new ArrayList<>(List.of("storescu", "-v", "-aec", "LIGHTBOX", "127.0.0.1",
                    String.valueOf(port)));
            files.forEach(f -> cmd.add(f.toString()));
            ProcessBuilder b = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            b.environment().put("TCP_NODELAY", "1"); // else DCMTK waits for delayed ACKs, ~40 ms an instance
            Process p = b.start();
            return new Sending(p, point, server);
        }

        /**
         * What storescu saw acknowledged before the kill. A response it printed after the kill was sent before it,
         * so it counts too; the ones counted here are a subset of what the server answered.
         */
        synchronized List<Path> acked() {
            return List.copyOf(acked);
        }

        private String current() {
            return sendingNow;
        }

        synchronized String log() {
            return log.toString();
        }
    }

    /** {@code java -jar lightbox.jar serve} on free loopback ports, up once /health answers 200. */
    private record Server(Process process, Path log, int dicomPort) {
        static Server start(Path log, Path data) throws Exception {
            Path jar = Path.of("target", "lightbox.jar").toAbsolutePath();
            assertThat(jar).exists();
            int dicomPort = freePort();
            int httpPort = freePort();
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process p = new ProcessBuilder(List.of(java, "--enable-native-access=ALL-UNNAMED", "-jar",
                    jar.toString(), "serve", "--data", data.toString(), "--dicom-port", String.valueOf(dicomPort),
                    "--http-port", String.valueOf(httpPort)))
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline && p.isAlive()) {
                try {
                    HttpResponse<String> h = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                            + httpPort + "/health")).timeout(Duration.ofSeconds(2)).build(),
                            HttpResponse.BodyHandlers.ofString());
                    if (h.statusCode() == 200) {
                        return new Server(p, log, dicomPort);
                    }
                } catch (IOException notYet) {
                    // not listening yet
                }
                Thread.sleep(25);
            }
            p.destroyForcibly();
            throw new AssertionError("lightbox serve did not come up:\n" + Files.readString(log));
        }

        private static int freePort() throws IOException {
            try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                return s.getLocalPort();
            }
        }
    }

    /** Blobs under their final names: everything but {@code tmp/} and {@code quarantine/}. */
    private static List<Path> blobsUnder(Path blobs) throws IOException {
        try (Stream<Path> s = Files.walk(blobs)) {
            return s.filter(Files::isRegularFile)
                    .filter(p -> !p.startsWith(blobs.resolve("tmp")) && !p.startsWith(blobs.resolve("quarantine")))
                    .toList();
        }
    }

    /** The data set of a Part 10 file: what follows the preamble, "DICM" and the group 0002 elements. */
    static byte[] dataSetOf(byte[] part10) {
        assertThat(new String(part10, 128, 4, StandardCharsets.US_ASCII)).isEqualTo("DICM");
        int pos = 132;
        while (pos + 8 <= part10.length && u16(part10, pos) == 0x0002) {
            String vr = new String(part10, pos + 4, 2, StandardCharsets.US_ASCII);
            long length = LONG_VRS.contains(vr) ? u32(part10, pos + 8) : u16(part10, pos + 6);
            pos += (LONG_VRS.contains(vr) ? 12 : 8) + (int) length;
        }
        return java.util.Arrays.copyOfRange(part10, pos, part10.length);
    }

    private static int u16(byte[] b, int at) {
        return (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8;
    }

    private static long u32(byte[] b, int at) {
        return (u16(b, at) | (long) u16(b, at + 2) << 16) & 0xFFFFFFFFL;
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
