// SPDX-License-Identifier: Apache-2.0
package org.lightbox.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.lightbox.server.LightboxServerTest.instance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lightbox.archive.StoredInstance;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.TransferSyntax;
import org.lightbox.dicom.Uid;
import org.lightbox.dicom.Vr;
import org.lightbox.dicom.io.DicomWriter;
import org.lightbox.net.Association;
import org.lightbox.net.Command;
import org.lightbox.net.NetOptions;
import org.lightbox.net.Proposal;
import org.lightbox.net.Response;
import org.lightbox.net.Status;

/** The admin API over real HTTP on a real server: instances stored by C-STORE, deleted, then looked for by C-FIND. */
class AdminApiTest {
    static final String CT = LightboxServerTest.CT;
    static final String EVRLE = TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN.uid();
    static final String FIND = Uid.StudyRootQueryRetrieveInformationModelFind;
    static final String TOKEN = "s3cret-admin-token-0123";

    @TempDir
    Path dir;

    private LightboxServer server;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper json = new ObjectMapper();

    private void start(Map<String, String> extra) throws IOException {
        Map<String, String> o = new HashMap<>(Map.of("data", dir.resolve("data").toString(), "bind", "127.0.0.1",
                "dicom-port", "0", "http-port", "0", "limits.shutdown-grace", "2s"));
        o.putAll(extra);
        server = LightboxServer.start(ServerConfigReader.read(null, o));
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private Association connect() throws IOException {
        return Association.connect("127.0.0.1", server.dicomPort(), new Proposal("TESTSCU", "LIGHTBOX")
                .add(CT, EVRLE).add(FIND, EVRLE), NetOptions.DEFAULT, null, Map.of());
    }

    /** Study 1.2.5 (series 1.2.5.1 with two instances, 1.2.5.2 with one) and study 1.2.6 (one instance). */
    private Map<String, StoredInstance> storeTwoStudies() throws IOException {
        List<String[]> uids = List.of(new String[] {"1.2.5", "1.2.5.1", "1.2.5.1.1"},
                new String[] {"1.2.5", "1.2.5.1", "1.2.5.1.2"}, new String[] {"1.2.5", "1.2.5.2", "1.2.5.2.1"},
                new String[] {"1.2.6", "1.2.6.1", "1.2.6.1.1"});
        Map<String, StoredInstance> stored = new HashMap<>();
        try (Association a = connect()) {
            for (String[] u : uids) {
                Dataset ds = instance(u[0], u[1], u[2]).build();
                Response r = a.store(CT, u[2], EVRLE, out -> DicomWriter.writeDataset(ds,
                        TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN, out, DicomWriter.Lengths.AS_READ),
                        Command.PRIORITY_MEDIUM, null, 0);
                assertThat(r.status()).as(r.describe()).isEqualTo(Status.SUCCESS);
                stored.put(u[2], server.archive().find(u[2]).orElseThrow());
            }
            a.release();
        }
        return stored;
    }

    /** C-FIND in Study Root: the matches' values of {@code returned}. */
    private List<String> find(String level, int returned, Map<Integer, String> keys) throws IOException {
        Dataset.Builder id = Dataset.builder().setStrings(Tag.QueryRetrieveLevel, Vr.CS, level)
                .setStrings(returned, Vr.UI);
        keys.forEach((tag, value) -> id.setStrings(tag, Vr.UI, value));
        List<String> found = new ArrayList<>();
        try (Association a = connect()) {
            Response r = a.query(Command.C_FIND_RQ, FIND, id.build(), null, p -> {
                found.add(p.dataset().string(returned).orElse(""));
                return true;
            });
            assertThat(r.status()).as(r.describe()).isEqualTo(Status.SUCCESS);
            a.release();
        }
        return found;
    }

    private HttpResponse<String> delete(String path, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + path))
                .DELETE().timeout(Duration.ofSeconds(30));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode body(HttpResponse<String> r) throws IOException {
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v)
                .startsWith("application/json"));
        return json.readTree(r.body());
    }

    private double metric(String name) throws Exception {
        String text = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort()
                + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + " ([0-9.eE+-]+)$").matcher(text);
        assertThat(m.find()).as(name).isTrue();
        return Double.parseDouble(m.group(1));
    }

    @Test
    void anInstanceASeriesAndAStudyAreDeletedBlobsAndAllAndCFindNoLongerSeesThem() throws Exception {
        start(Map.of());
        Map<String, StoredInstance> s = storeTwoStudies();

        HttpResponse<String> one = delete("/api/studies/1.2.5/series/1.2.5.1/instances/1.2.5.1.2");
        assertThat(one.statusCode()).as(one.body()).isEqualTo(200);
        assertThat(body(one)).isEqualTo(json.readTree("{\"deleted\":\"instance\",\"studyInstanceUid\":\"1.2.5\","
                + "\"seriesInstanceUid\":\"1.2.5.1\",\"sopInstanceUid\":\"1.2.5.1.2\",\"instances\":1,\"series\":0,"
                + "\"studies\":0,\"bytes\":" + s.get("1.2.5.1.2").size() + "}"));
        assertThat(server.archive().find("1.2.5.1.2")).isEmpty();
        assertThat(server.archive().blobFile(s.get("1.2.5.1.2"))).doesNotExist();
        assertThat(find("IMAGE", Tag.SOPInstanceUID, Map.of(Tag.StudyInstanceUID, "1.2.5",
                Tag.SeriesInstanceUID, "1.2.5.1"))).containsExactly("1.2.5.1.1");

        HttpResponse<String> series = delete("/api/studies/1.2.5/series/1.2.5.2");
        assertThat(series.statusCode()).as(series.body()).isEqualTo(200);
        JsonNode sb = body(series);
        assertThat(sb.get("deleted").asText()).isEqualTo("series");
        assertThat(sb.get("instances").asInt()).isEqualTo(1);
        assertThat(sb.get("series").asInt()).isEqualTo(1);
        assertThat(server.archive().blobFile(s.get("1.2.5.2.1"))).doesNotExist();
        assertThat(find("SERIES", Tag.SeriesInstanceUID, Map.of(Tag.StudyInstanceUID, "1.2.5")))
                .containsExactly("1.2.5.1");

        HttpResponse<String> study = delete("/api/studies/1.2.5");
        assertThat(study.statusCode()).as(study.body()).isEqualTo(200);
        JsonNode stb = body(study);
        assertThat(stb.get("deleted").asText()).isEqualTo("study");
        assertThat(stb.get("studyInstanceUid").asText()).isEqualTo("1.2.5");
        assertThat(stb.get("instances").asInt()).isEqualTo(1);
        assertThat(stb.get("studies").asInt()).isEqualTo(1);
        assertThat(stb.get("bytes").asLong()).isEqualTo(s.get("1.2.5.1.1").size());
        assertThat(server.archive().blobFile(s.get("1.2.5.1.1"))).doesNotExist();
        assertThat(find("STUDY", Tag.StudyInstanceUID, Map.of())).containsExactly("1.2.6");
        assertThat(server.archive().blobFile(s.get("1.2.6.1.1"))).exists();

        assertThat(metric("lightbox_admin_deletions_total")).isEqualTo(3);
        assertThat(metric("lightbox_deleted_instances_total")).isEqualTo(3);
        assertThat(metric("lightbox_deleted_bytes_total")).isEqualTo(s.get("1.2.5.1.1").size()
                + s.get("1.2.5.1.2").size() + s.get("1.2.5.2.1").size());

        // Deleted is gone for good: a restart on the same data folder finds nothing to repair or bring back.
        server.close();
        start(Map.of());
        assertThat(server.archive().startupReport().isClean()).as(server.archive().startupReport().toString())
                .isTrue();
        assertThat(find("STUDY", Tag.StudyInstanceUID, Map.of())).containsExactly("1.2.6");
    }

    @Test
    void whatIsNotThereIs404AndAMalformedUid400BothNamingIt() throws Exception {
        start(Map.of());
        storeTwoStudies();
        HttpResponse<String> study = delete("/api/studies/9.9");
        assertThat(study.statusCode()).isEqualTo(404);
        assertThat(body(study).get("error").asText()).isEqualTo("study 9.9 not found");
        // A series that exists, but in another study.
        HttpResponse<String> elsewhere = delete("/api/studies/1.2.6/series/1.2.5.1");
        assertThat(elsewhere.statusCode()).isEqualTo(404);
        assertThat(body(elsewhere).get("error").asText()).isEqualTo("series 1.2.5.1 not found in study 1.2.6");
        HttpResponse<String> instance = delete("/api/studies/1.2.5/series/1.2.5.1/instances/1.2.5.2.1");
        assertThat(instance.statusCode()).isEqualTo(404);
        assertThat(body(instance).get("error").asText())
                .isEqualTo("instance 1.2.5.2.1 not found in series 1.2.5.1 of study 1.2.5");

        HttpResponse<String> letters = delete("/api/studies/1.2.5/series/1.2.x");
        assertThat(letters.statusCode()).isEqualTo(400);
        assertThat(body(letters).get("error").asText()).contains("SeriesInstanceUID is no UID: character 'x'");
        HttpResponse<String> tooLong = delete("/api/studies/1.2.5/series/1.2.5.1/instances/1." + "2".repeat(64));
        assertThat(tooLong.statusCode()).isEqualTo(400);
        assertThat(body(tooLong).get("error").asText()).contains("SOPInstanceUID is 66 characters long");

        assertThat(find("SERIES", Tag.SeriesInstanceUID, Map.of(Tag.StudyInstanceUID, "1.2.5")))
                .containsExactlyInAnyOrder("1.2.5.1", "1.2.5.2");
        for (String sop : List.of("1.2.5.1.1", "1.2.5.1.2", "1.2.5.2.1", "1.2.6.1.1")) {
            assertThat(server.archive().find(sop)).as(sop).isPresent();
        }
        assertThat(metric("lightbox_admin_deletions_total")).isZero();
    }

    @Test
    void aConfiguredTokenIsRequiredAndADisabledApiRefusesEveryone() throws Exception {
        start(Map.of("admin.token", TOKEN));
        storeTwoStudies();
        HttpResponse<String> none = delete("/api/studies/1.2.6");
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v)
                .startsWith("Bearer"));
        assertThat(body(none).get("error").asText()).contains("admin.token");
        assertThat(delete("/api/studies/1.2.6", "Authorization", "Bearer " + TOKEN + "x").statusCode())
                .isEqualTo(401);
        assertThat(server.archive().find("1.2.6.1.1")).isPresent();
        HttpResponse<String> right = delete("/api/studies/1.2.6", "Authorization", "Bearer " + TOKEN);
        assertThat(right.statusCode()).as(right.body()).isEqualTo(200);
        assertThat(server.archive().find("1.2.6.1.1")).isEmpty();

        server.close();
        start(Map.of("admin.enabled", "false"));
        HttpResponse<String> disabled = delete("/api/studies/1.2.5");
        assertThat(disabled.statusCode()).isEqualTo(403);
        assertThat(body(disabled).get("error").asText()).contains("disabled");
        assertThat(server.archive().find("1.2.5.1.1")).isPresent();
    }
}
