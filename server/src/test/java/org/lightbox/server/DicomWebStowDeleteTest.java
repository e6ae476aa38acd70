// SPDX-License-Identifier: Apache-2.0
package org.lightbox.server;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.lightbox.server.LightboxServerTest.instance;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
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

/**
 * STOW-RS and DICOMweb DELETE on {@code lightbox serve} as a whole: what STOW-RS stores, C-FIND finds (one archive
 * behind both doors); what DELETE removes, C-FIND no longer finds; DELETE obeys the admin API's access rule.
 */
class DicomWebStowDeleteTest {
    static final String FIND = Uid.StudyRootQueryRetrieveInformationModelFind;
    static final String BOUNDARY = "b-0123";
    static final String TOKEN = "s3cret-admin-token-0123";

    @TempDir
    Path dir;
    private LightboxServer server;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

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

    private HttpResponse<String> send(HttpRequest.Builder b) throws IOException, InterruptedException {
        return http.send(b.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.httpPort() + "/dicom-web" + path);
    }

    private HttpResponse<String> stow(List<byte[]> files) throws Exception {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (byte[] f : files) {
            body.writeBytes(("--" + BOUNDARY + "\r\nContent-Type: application/dicom\r\n\r\n").getBytes(ISO_8859_1));
            body.writeBytes(f);
            body.writeBytes("\r\n".getBytes(ISO_8859_1));
        }
        body.writeBytes(("--" + BOUNDARY + "--").getBytes(ISO_8859_1));
        return send(HttpRequest.newBuilder(uri("/studies")).header("Content-Type",
                "multipart/related; type=\"application/dicom\"; boundary=" + BOUNDARY)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())));
    }

    private HttpResponse<String> delete(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).DELETE();
        if (headers.length > 0) {
            b.headers(headers);
        }
        return send(b);
    }

    private static byte[] part10(Dataset ds) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DicomWriter.write(DicomWriter.newFile(ds, TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN), out);
        return out.toByteArray();
    }

    /** C-FIND of a study's instances (hierarchical: its series, then each series' instances). */
    private List<String> findInstances(String study) throws IOException {
        List<String> found = new ArrayList<>();
        for (String series : find(Dataset.builder().setStrings(Tag.QueryRetrieveLevel, Vr.CS, "SERIES")
                .setStrings(Tag.StudyInstanceUID, Vr.UI, study).setStrings(Tag.SeriesInstanceUID, Vr.UI).build(),
                Tag.SeriesInstanceUID)) {
            found.addAll(find(Dataset.builder().setStrings(Tag.QueryRetrieveLevel, Vr.CS, "IMAGE")
                    .setStrings(Tag.StudyInstanceUID, Vr.UI, study).setStrings(Tag.SeriesInstanceUID, Vr.UI, series)
                    .setStrings(Tag.SOPInstanceUID, Vr.UI).build(), Tag.SOPInstanceUID));
        }
        return found;
    }

    private List<String> find(Dataset id, int returned) throws IOException {
        List<String> found = new ArrayList<>();
        try (Association a = Association.connect("127.0.0.1", server.dicomPort(), new Proposal("TESTSCU", "LIGHTBOX")
                .add(FIND, TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN.uid()), NetOptions.DEFAULT, null, Map.of())) {
            Response r = a.query(Command.C_FIND_RQ, FIND, id, null, p -> {
                found.add(p.dataset().string(returned).orElse(""));
                return true;
            });
            assertThat(r.status()).as(r.describe()).isEqualTo(Status.SUCCESS);
            a.release();
        }
        return found;
    }

    @Test
    void whatStowStoresCFindFindsAndWhatDeleteRemovesItNoLongerDoes() throws Exception {
        start(Map.of());
        List<byte[]> files = new ArrayList<>();
        for (String[] u : List.of(new String[] {"1.2.1", "1.2.1.1", "1.2.1.1.1"},
                new String[] {"1.2.1", "1.2.1.1", "1.2.1.1.2"}, new String[] {"1.2.1", "1.2.1.2", "1.2.1.2.1"},
                new String[] {"1.2.2", "1.2.2.1", "1.2.2.1.1"})) {
            files.add(part10(instance(u[0], u[1], u[2]).build()));
        }
        HttpResponse<String> r = stow(files);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(new ObjectMapper().readTree(r.body()).path("00081199").path("Value")).hasSize(4);
        assertThat(findInstances("1.2.1")).containsExactlyInAnyOrder("1.2.1.1.1", "1.2.1.1.2", "1.2.1.2.1");
        assertThat(Files.readAllBytes(server.archive().blobFile(server.archive().find("1.2.2.1.1").orElseThrow())))
                .isEqualTo(files.get(3));

        HttpResponse<String> one = delete("/studies/1.2.1/series/1.2.1.1/instances/1.2.1.1.2");
        assertThat(one.statusCode()).as(one.body()).isEqualTo(200);
        assertThat(one.body()).contains("\"deleted\":\"instance\"").contains("\"instances\":1");
        assertThat(findInstances("1.2.1")).containsExactlyInAnyOrder("1.2.1.1.1", "1.2.1.2.1");
        assertThat(delete("/studies/1.2.1/series/1.2.1.2").statusCode()).isEqualTo(200);
        assertThat(findInstances("1.2.1")).containsExactly("1.2.1.1.1");
        assertThat(delete("/studies/1.2.1").statusCode()).isEqualTo(200);
        assertThat(findInstances("1.2.1")).isEmpty();
        HttpResponse<String> again = delete("/studies/1.2.1");
        assertThat(again.statusCode()).isEqualTo(404);
        assertThat(again.body()).contains("study 1.2.1 not found");
        assertThat(delete("/studies/1.2.x").statusCode()).isEqualTo(400);
        assertThat(findInstances("1.2.2")).containsExactly("1.2.2.1.1");
    }

    @Test
    void dicomWebDeleteNeedsWhatTheAdminApiNeeds() throws Exception {
        start(Map.of("admin.token", TOKEN));
        assertThat(stow(List.of(part10(instance("1.3.1", "1.3.1.1", "1.3.1.1.1").build()))).statusCode())
                .isEqualTo(200);
        HttpResponse<String> none = delete("/studies/1.3.1");
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.body()).contains("admin.token");
        assertThat(server.archive().find("1.3.1.1.1")).isPresent();
        assertThat(delete("/studies/1.3.1", "Authorization", "Bearer " + TOKEN).statusCode()).isEqualTo(200);
        assertThat(server.archive().find("1.3.1.1.1")).isEmpty();

        server.close();
        start(Map.of("admin.enabled", "false"));
        assertThat(stow(List.of(part10(instance("1.3.2", "1.3.2.1", "1.3.2.1.1").build()))).statusCode())
                .isEqualTo(200);
        assertThat(delete("/studies/1.3.2").statusCode()).isEqualTo(403);
        assertThat(server.archive().find("1.3.2.1.1")).isPresent();
    }
}
