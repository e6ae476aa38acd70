// SPDX-License-Identifier: Apache-2.0
package org.lightbox.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lightbox.archive.StoredInstance;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Element;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.TransferSyntax;
import org.lightbox.dicom.Vr;
import org.lightbox.dicom.io.DicomWriter;
import org.lightbox.net.Association;
import org.lightbox.net.AssociationException;
import org.lightbox.net.Command;
import org.lightbox.net.NetOptions;
import org.lightbox.net.Proposal;
import org.lightbox.net.Response;
import org.lightbox.net.Status;
import org.lightbox.testkit.ProcessResult;
import org.lightbox.testkit.Tools;

/** The whole server in-process on free ports: DCMTK and our own SCU over DIMSE, java.net.http over HTTP. */
class LightboxServerTest {
    static final String CT = "1.2.840.10008.5.1.4.1.1.2";
    static final String EVRLE = TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN.uid();

    @TempDir
    Path dir;

    private LightboxServer server;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void start() throws IOException {
        server = LightboxServer.start(config(Map.of()));
    }

    private ServerConfig config(Map<String, String> extra) {
        Map<String, String> o = new java.util.HashMap<>(Map.of("data", dir.resolve("data").toString(),
                "dicom-port", "0", "http-port", "0", "limits.shutdown-grace", "2s"));
        o.putAll(extra);
        return ServerConfigReader.read(null, o);
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    static Dataset.Builder instance(String study, String series, String sop) {
        return Dataset.builder()
                .setStrings(Tag.SOPClassUID, Vr.UI, CT)
                .setStrings(Tag.SOPInstanceUID, Vr.UI, sop)
                .setStrings(Tag.StudyDate, Vr.DA, "20240131")
                .setStrings(Tag.Modality, Vr.CS, "CT")
                .setStrings(Tag.PatientName, Vr.PN, "Doe^Jane")
                .setStrings(Tag.PatientID, Vr.LO, "P1")
                .setStrings(Tag.StudyInstanceUID, Vr.UI, study)
                .setStrings(Tag.SeriesInstanceUID, Vr.UI, series)
                .setStrings(Tag.InstanceNumber, Vr.IS, "1")
                .add(Element.of(Tag.PixelData, Vr.OB, new byte[4096]));
    }

    private Path part10(Dataset ds, String name) throws IOException {
        Path f = dir.resolve(name);
        try (OutputStream out = Files.newOutputStream(f)) {
            DicomWriter.write(DicomWriter.newFile(ds, TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN), out);
        }
        return f;
    }

    private static ProcessResult dcmtk(String... command) {
        List<String> cmd = new ArrayList<>(List.of("env", "TCP_NODELAY=1"));
        cmd.addAll(List.of(command));
        return Tools.run(cmd, Duration.ofSeconds(60));
    }

    private Association connect() throws IOException {
        return Association.connect("127.0.0.1", server.dicomPort(),
                new Proposal("TESTSCU", "LIGHTBOX").add(CT, EVRLE), NetOptions.DEFAULT, null, Map.of());
    }

    private Response store(Association a, Dataset ds, String affectedSop) throws IOException {
        return a.store(CT, affectedSop, EVRLE,
                out -> DicomWriter.writeDataset(ds, TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN, out,
                        DicomWriter.Lengths.AS_READ), Command.PRIORITY_MEDIUM, null, 0);
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static double metric(String text, String name) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + " ([0-9.eE+-]+)$").matcher(text);
        assertThat(m.find()).as(name + " in\n" + text).isTrue();
        return Double.parseDouble(m.group(1));
    }

    private static String sha256(Path f) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f)));
    }

    @Test
    void echoscuGetsSuccess() {
        assumeTrue(Tools.available("echoscu"), "DCMTK's echoscu is not installed (apt-get install dcmtk)");
        ProcessResult r = dcmtk("echoscu", "-aec", "LIGHTBOX", "127.0.0.1", String.valueOf(server.dicomPort()));
        assertThat(r.exitCode()).as(r.toString()).isZero();
    }

    @Test
    void storescuFilesAreDurableAndIndexedAndCountedInMetrics() throws Exception {
        assumeTrue(Tools.available("storescu"), "DCMTK's storescu is not installed (apt-get install dcmtk)");
        String before = get("/metrics").body();
        assertThat(metric(before, "lightbox_dimse_c_store_received_total")).isZero();
        List<Path> files = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            files.add(part10(instance("1.2.3.1", "1.2.3.1." + (i % 2), "1.2.3.1.9." + i).build(), "in" + i + ".dcm"));
        }
        List<String> cmd = new ArrayList<>(List.of("storescu", "-v", "-aec", "LIGHTBOX", "127.0.0.1",
                String.valueOf(server.dicomPort())));
        files.forEach(f -> cmd.add(f.toString()));
        ProcessResult r = dcmtk(cmd.toArray(String[]::new));
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.stdout() + r.stderr()).doesNotContainIgnoringCase("error").doesNotContainIgnoringCase("warning");
        for (int i = 1; i <= 4; i++) {
            Optional<StoredInstance> s = server.archive().find("1.2.3.1.9." + i);
            assertThat(s).as("instance %d indexed", i).isPresent();
            Path blob = server.archive().blobFile(s.get());
            assertThat(blob).exists();
            assertThat(sha256(blob)).isEqualTo(s.get().sha256());
            assertThat(s.get().studyInstanceUid()).isEqualTo("1.2.3.1");
        }
        String after = get("/metrics").body();
        assertThat(metric(after, "lightbox_dimse_c_store_received_total")).isEqualTo(4);
        assertThat(metric(after, "lightbox_dimse_c_store_failed_total")).isZero();
        assertThat(metric(after, "lightbox_dimse_received_bytes_total")).isGreaterThan(4 * 4096);
        assertThat(metric(after, "lightbox_dimse_associations_total")).isEqualTo(1);
        assertThat(after).contains("jvm_memory_used_bytes").contains("process_cpu_seconds_total")
                .contains("lightbox_dimse_associations_active");

        // The same file again: kept first, a warning storescu reports, nothing counted as failed.
        ProcessResult again = dcmtk("storescu", "-v", "-aec", "LIGHTBOX", "127.0.0.1",
                String.valueOf(server.dicomPort()), files.get(0).toString());
        assertThat(again.exitCode()).as(again.toString()).isZero();
        assertThat(again.stdout() + again.stderr()).containsIgnoringCase("warning");
        String last = get("/metrics").body();
        assertThat(metric(last, "lightbox_dimse_c_store_duplicate_total")).isEqualTo(1);
        assertThat(metric(last, "lightbox_dimse_associations_total")).isEqualTo(2);
    }

    @Test
    void findscuFindsWhatStorescuStored() throws Exception {
        assumeTrue(Tools.available("findscu"), "DCMTK's findscu is not installed (apt-get install dcmtk)");
        List<String> cmd = new ArrayList<>(List.of("storescu", "-aec", "LIGHTBOX", "127.0.0.1",
                String.valueOf(server.dicomPort())));
        for (int i = 1; i <= 3; i++) {
            cmd.add(part10(instance("1.2.3.7", "1.2.3.7.1", "1.2.3.7.1." + i).build(), "f" + i + ".dcm").toString());
        }
        assertThat(dcmtk(cmd.toArray(String[]::new)).exitCode()).isZero();
        Path out = Files.createDirectories(dir.resolve("answers"));
        ProcessResult r = dcmtk("findscu", "-S", "-aec", "LIGHTBOX", "-k", "QueryRetrieveLevel=STUDY",
                "-k", "PatientName=DOE*", "-k", "StudyInstanceUID", "-k", "NumberOfStudyRelatedInstances",
                "-X", "-od", out.toString(), "127.0.0.1", String.valueOf(server.dicomPort()));
        assertThat(r.exitCode()).as(r.toString()).isZero();
        List<Path> answers;
        try (var s = Files.list(out)) {
            answers = s.toList();
        }
        // Person names match case-sensitively by default: DOE* does not match "Doe^Jane".
        assertThat(answers).isEmpty();
        ProcessResult exact = dcmtk("findscu", "-S", "-aec", "LIGHTBOX", "-k", "QueryRetrieveLevel=STUDY",
                "-k", "PatientName=Doe*", "-k", "StudyInstanceUID", "-k", "NumberOfStudyRelatedInstances",
                "-X", "-od", out.toString(), "127.0.0.1", String.valueOf(server.dicomPort()));
        assertThat(exact.exitCode()).as(exact.toString()).isZero();
        try (var s = Files.list(out)) {
            answers = s.toList();
        }
        assertThat(answers).hasSize(1);
        Dataset answer = org.lightbox.dicom.io.DicomReader.read(answers.get(0)).dataset();
        assertThat(answer.string(Tag.StudyInstanceUID)).contains("1.2.3.7");
        assertThat(answer.string(Tag.NumberOfStudyRelatedInstances)).contains("3");
    }

    @Test
    void statusesForDuplicatesMissingAttributesAndGarbage() throws Exception {
        Association a = connect();
        try {
            Dataset ok = instance("1.2.3.2", "1.2.3.2.1", "1.2.3.2.1.1").build();
            assertThat(store(a, ok, "1.2.3.2.1.1").status()).isEqualTo(Status.SUCCESS);

            Response dup = store(a, ok, "1.2.3.2.1.1");
            assertThat(dup.status()).isEqualTo(0xB006);
            assertThat(Status.isWarning(dup.status())).isTrue();
            assertThat(dup.errorComment()).contains("already stored");

            Dataset noSop = instance("1.2.3.2", "1.2.3.2.1", "x").build();
            Dataset.Builder b = Dataset.builder();
            for (Element e : noSop) {
                if (e.tag() != Tag.SOPInstanceUID) {
                    b.add(e);
                }
            }
            Response missing = store(a, b.build(), "1.2.3.2.1.2");
            assertThat(missing.status()).as(missing.describe()).isEqualTo(Status.MISSING_ATTRIBUTE);
            assertThat(missing.errorComment()).contains("SOPInstanceUID");

            Dataset.Builder noStudy = Dataset.builder();
            for (Element e : instance("x", "1.2.3.2.1", "1.2.3.2.1.3").build()) {
                if (e.tag() != Tag.StudyInstanceUID) {
                    noStudy.add(e);
                }
            }
            Response missingStudy = store(a, noStudy.build(), "1.2.3.2.1.3");
            assertThat(missingStudy.status()).as(missingStudy.describe()).isEqualTo(Status.MISSING_ATTRIBUTE);
            assertThat(missingStudy.errorComment()).contains("StudyInstanceUID");

            Response garbage = a.store(CT, "1.2.3.2.1.4", EVRLE, out -> out.write(new byte[] {
                    0x08, 0x00, 0x16, 0x00, 'U', 'I', (byte) 0xF0, 0x7F, '1', '.', '2'}), Command.PRIORITY_MEDIUM,
                    null, 0);
            assertThat(garbage.status()).as(garbage.describe()).isEqualTo(Status.STORE_CANNOT_UNDERSTAND);
            a.release();
        } finally {
            a.abort();
        }
        assertThat(server.archive().find("1.2.3.2.1.1")).isPresent();
        assertThat(server.archive().find("1.2.3.2.1.2")).isEmpty();
        assertThat(server.archive().find("1.2.3.2.1.3")).isEmpty();
        String metrics = get("/metrics").body();
        assertThat(metric(metrics, "lightbox_dimse_c_store_received_total")).isEqualTo(5);
        assertThat(metric(metrics, "lightbox_dimse_c_store_failed_total")).isEqualTo(3);
        assertThat(metric(metrics, "lightbox_dimse_c_store_duplicate_total")).isEqualTo(1);
    }

    @Test
    void healthIsJsonAndCountsStores() throws Exception {
        HttpResponse<String> r = get("/health");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v)
                .startsWith("application/json"));
        JsonNode h = new ObjectMapper().readTree(r.body());
        assertThat(h.get("status").asText()).isEqualTo("UP");
        assertThat(h.get("version").asText()).isEqualTo(LightboxServer.VERSION).isNotEqualTo("unknown");
        assertThat(h.get("uptimeSeconds").asLong()).isGreaterThanOrEqualTo(0);
        assertThat(h.get("dicomPort").asInt()).isEqualTo(server.dicomPort());
        assertThat(h.get("storesReceived").asLong()).isZero();
        Association a = connect();
        try {
            store(a, instance("1.2.3.3", "1.2.3.3.1", "1.2.3.3.1.1").build(), "1.2.3.3.1.1");
            a.release();
        } finally {
            a.abort();
        }
        JsonNode after = new ObjectMapper().readTree(get("/health").body());
        assertThat(after.get("storesReceived").asLong()).isEqualTo(1);
        assertThat(get("/metrics").headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v)
                .startsWith("text/plain; version=0.0.4"));
    }

    @Test
    void permissionsAndUnknownPeersAreEnforced() throws Exception {
        server.close();
        server = LightboxServer.start(config(Map.of("permissions.TESTSCU", "echo", "unknown-peers", "none")));
        // TESTSCU may echo but not store: the storage context is refused, so the SCU has none to use.
        Association a = connect();
        try {
            assertThat(a.context(CT)).isEmpty();
            a.release();
        } finally {
            a.abort();
        }
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> Association.connect("127.0.0.1",
                server.dicomPort(), new Proposal("STRANGER", "LIGHTBOX").add(CT, EVRLE), NetOptions.DEFAULT, null,
                Map.of()))).isInstanceOf(AssociationException.class);
    }

    @Test
    void startsFastOnAnEmptyArchiveAndStopsGracefully() throws Exception {
        server.close();
        long t0 = System.nanoTime();
        server = LightboxServer.start(config(Map.of("data", dir.resolve("fresh").toString())));
        long millis = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("in-process start on an empty archive: " + millis + " ms");
        assertThat(millis).isLessThan(2000);
        int dicomPort = server.dicomPort();
        int httpPort = server.httpPort();
        // An association in progress when the stop comes may finish its work within the grace period.
        Association a = connect();
        Thread stopper = Thread.ofPlatform().start(server::close);
        Thread.sleep(200);
        Response r = store(a, instance("1.2.3.4", "1.2.3.4.1", "1.2.3.4.1.1").build(), "1.2.3.4.1.1");
        assertThat(r.status()).isEqualTo(Status.SUCCESS);
        a.release();
        stopper.join(Duration.ofSeconds(10));
        assertThat(stopper.isAlive()).isFalse();
        server = null;
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> new Socket("127.0.0.1", dicomPort).close()))
                .isInstanceOf(ConnectException.class);
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> new Socket("127.0.0.1", httpPort).close()))
                .isInstanceOf(ConnectException.class);
    }

    @Test
    void aBusyPortIsAClearError() throws Exception {
        ServerConfig c = config(Map.of("data", dir.resolve("other").toString(),
                "dicom-port", String.valueOf(server.dicomPort())));
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> LightboxServer.start(c)))
                .isInstanceOf(IOException.class).hasMessageContaining("cannot listen on 127.0.0.1:"
                        + server.dicomPort());
        ServerConfig h = config(Map.of("data", dir.resolve("other2").toString(),
                "http-port", String.valueOf(server.httpPort())));
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> LightboxServer.start(h)))
                .isInstanceOf(IOException.class).hasMessageContaining("cannot start HTTP");
    }
}
