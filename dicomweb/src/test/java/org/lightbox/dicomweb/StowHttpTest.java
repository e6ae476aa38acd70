// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicomweb;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.lightbox.dicomweb.StowFixtures.Part;
import static org.lightbox.dicomweb.StowFixtures.blobs;
import static org.lightbox.dicomweb.StowFixtures.contentType;
import static org.lightbox.dicomweb.StowFixtures.instance;
import static org.lightbox.dicomweb.StowFixtures.multipart;
import static org.lightbox.dicomweb.StowFixtures.part10;
import static org.lightbox.dicomweb.StowFixtures.sha256;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lightbox.archive.Archive;
import org.lightbox.archive.ArchiveConfig;
import org.lightbox.archive.StoredInstance;
import org.lightbox.testkit.OneByteInputStream;

/** STOW-RS through real HTTP on 127.0.0.1, over a real archive in a temporary folder. */
class StowHttpTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    Archive archive;
    Javalin server;
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeEach
    void start() throws IOException {
        archive = Archive.open(ArchiveConfig.of(dir));
        server = StowFixtures.server(archive);
    }

    @AfterEach
    void stop() {
        server.stop();
        archive.close();
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.port() + "/dicom-web" + path;
    }

    HttpResponse<String> post(String path, String contentType, byte[] body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url(path))).timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode items(JsonNode module, String tag) {
        JsonNode seq = module.path(tag).path("Value");
        return seq;
    }

    static String string(JsonNode item, String tag) {
        return item.path(tag).path("Value").path(0).asText();
    }

    static int number(JsonNode item, String tag) {
        return item.path(tag).path("Value").path(0).asInt();
    }

    @Test
    void severalInstancesInOneBodyAreStoredExactlyAsSent() throws Exception {
        List<byte[]> files = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            files.add(part10(instance("1.2.3", "1.2.3." + (i % 2 + 1), "1.2.3.9." + i, 2000 + 2 * i).build()));
        }
        HttpResponse<String> r = post("/studies", contentType("application/dicom"),
                multipart(files.stream().map(Part::dicom).toList()));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(
                t -> assertThat(t).startsWith("application/dicom+json"));
        JsonNode module = JSON.readTree(r.body());
        assertThat(string(module, "00081190")).isEqualTo(url("/studies/1.2.3"));
        assertThat(module.has("00081198")).isFalse();
        JsonNode referenced = items(module, "00081199");
        assertThat(referenced).hasSize(5);
        for (int i = 1; i <= 5; i++) {
            JsonNode item = referenced.get(i - 1);
            String sop = "1.2.3.9." + i;
            assertThat(string(item, "00081150")).isEqualTo(StowFixtures.CT);
            assertThat(string(item, "00081155")).isEqualTo(sop);
            assertThat(string(item, "00081190")).isEqualTo(url("/studies/1.2.3/series/1.2.3." + (i % 2 + 1)
                    + "/instances/" + sop));
            assertThat(item.has("00081196")).isFalse();
            StoredInstance s = archive.find(sop).orElseThrow();
            assertThat(s.sha256()).isEqualTo(sha256(files.get(i - 1)));
            assertThat(Files.readAllBytes(archive.blobFile(s))).isEqualTo(files.get(i - 1));
        }
        assertThat(blobs(dir)).hasSize(5);
    }

    @Test
    void aMixedBodyStoresOnlyTheGoodInstanceAndSaysWhyTheOthersFailed() throws Exception {
        byte[] good = part10(instance("1.2.4", "1.2.4.1", "1.2.4.1.1", 64).build());
        byte[] notDicom = "this is not DICOM at all, just text".repeat(10).getBytes(ISO_8859_1);
        byte[] otherStudy = part10(instance("1.2.5", "1.2.5.1", "1.2.5.1.1", 64).build());
        HttpResponse<String> r = post("/studies/1.2.4", contentType("application/dicom"),
                multipart(List.of(Part.dicom(good), Part.dicom(notDicom), Part.dicom(otherStudy))));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        JsonNode module = JSON.readTree(r.body());
        assertThat(string(module, "00081190")).isEqualTo(url("/studies/1.2.4"));
        assertThat(items(module, "00081199")).hasSize(1);
        assertThat(string(items(module, "00081199").get(0), "00081155")).isEqualTo("1.2.4.1.1");
        JsonNode failed = items(module, "00081198");
        assertThat(failed).hasSize(2);
        assertThat(number(failed.get(0), "00081197")).isEqualTo(0xC000);
        assertThat(failed.get(0).path("00081155").has("Value")).isFalse(); // nothing to name it by
        assertThat(number(failed.get(1), "00081197")).isEqualTo(0xA900);
        assertThat(string(failed.get(1), "00081155")).isEqualTo("1.2.5.1.1");
        assertThat(string(failed.get(1), "00081150")).isEqualTo(StowFixtures.CT);
        assertThat(r.headers().allValues("Warning")).hasSize(2)
                .anySatisfy(w -> assertThat(w).startsWith("299 lightbox \"part 2").contains("C000"))
                .anySatisfy(w -> assertThat(w).contains("part 3 (1.2.5.1.1): A900").contains("not the study 1.2.4"));
        assertThat(archive.find("1.2.5.1.1")).isEmpty();
        assertThat(blobs(dir)).hasSize(1);
    }

    @Test
    void nothingStoredIsAConflictAndADuplicateIsAWarning() throws Exception {
        byte[] bad = "garbage".repeat(100).getBytes(ISO_8859_1);
        HttpResponse<String> none = post("/studies", contentType("application/dicom"),
                multipart(List.of(Part.dicom(bad), Part.dicom(bad))));
        assertThat(none.statusCode()).isEqualTo(409);
        assertThat(items(JSON.readTree(none.body()), "00081198")).hasSize(2);
        byte[] one = part10(instance("1.2.6", "1.2.6.1", "1.2.6.1.1", 64).build());
        assertThat(post("/studies", contentType("application/dicom"), multipart(List.of(Part.dicom(one))))
                .statusCode()).isEqualTo(200);
        HttpResponse<String> again = post("/studies", contentType("application/dicom"),
                multipart(List.of(Part.dicom(one))));
        assertThat(again.statusCode()).isEqualTo(202);
        JsonNode item = items(JSON.readTree(again.body()), "00081199").get(0);
        assertThat(number(item, "00081196")).isEqualTo(0xB006);
        assertThat(blobs(dir)).hasSize(1);
    }

    @Test
    void mediaTypesStowDoesNotTakeAre415AndAnUnacceptableAnswerIs406() throws Exception {
        byte[] body = multipart(List.of(Part.dicom(part10(instance("1.2.7", "1.2.7.1", "1.2.7.1.1", 64).build()))));
        HttpResponse<String> text = post("/studies", "text/plain", body);
        assertThat(text.statusCode()).isEqualTo(415);
        assertThat(JSON.readTree(text.body()).path("error").asText()).contains("text/plain is not supported");
        assertThat(post("/studies", "multipart/form-data; boundary=" + StowFixtures.BOUNDARY, body).statusCode())
                .isEqualTo(415);
        HttpResponse<String> jpeg = post("/studies", contentType("image/jpeg"), body);
        assertThat(jpeg.statusCode()).isEqualTo(415);
        assertThat(jpeg.body()).contains("type=\\\"image/jpeg\\\" is not supported");
        assertThat(post("/studies", null, body).statusCode()).isEqualTo(415);
        HttpResponse<String> noBoundary = post("/studies", "multipart/related; type=\"application/dicom\"", body);
        assertThat(noBoundary.statusCode()).isEqualTo(400);
        assertThat(noBoundary.body()).contains("without a boundary");
        HttpResponse<String> html = post("/studies", contentType("application/dicom"), body, "Accept", "text/html");
        assertThat(html.statusCode()).isEqualTo(406);
        HttpResponse<String> badUid = post("/studies/1.2.x", contentType("application/dicom"), body);
        assertThat(badUid.statusCode()).isEqualTo(400);
        assertThat(badUid.body()).contains("character 'x'");
        assertThat(blobs(dir)).isEmpty();
    }

    @Test
    void malformedBodiesAnswer4xxOrFailedEntriesAndStoreNothingPartial() throws Exception {
        byte[] a = part10(instance("1.2.8", "1.2.8.1", "1.2.8.1.1", 5000).build());
        byte[] b = part10(instance("1.2.8", "1.2.8.1", "1.2.8.1.2", 5000).build());
        String type = contentType("application/dicom");
        // the boundary of the Content-Type is not the body's
        HttpResponse<String> wrong = post("/studies", type, multipart(List.of(Part.dicom(a)), "another", true));
        assertThat(wrong.statusCode()).isEqualTo(400);
        assertThat(wrong.body()).contains("no part found");
        // cut inside the first part: it fails, nothing is stored
        byte[] whole = multipart(List.of(Part.dicom(a), Part.dicom(b)));
        HttpResponse<String> cutInPart = post("/studies", type, java.util.Arrays.copyOf(whole, 3000));
        assertThat(cutInPart.statusCode()).isEqualTo(400);
        JsonNode failed = items(JSON.readTree(cutInPart.body()), "00081198");
        assertThat(failed).hasSize(1);
        assertThat(number(failed.get(0), "00081197")).isEqualTo(0xC000);
        assertThat(cutInPart.headers().allValues("Warning")).anySatisfy(w -> assertThat(w).contains("inside part 1"));
        assertThat(blobs(dir)).isEmpty();
        // cut inside the second part's header fields: the first, complete, is stored; the answer says the rest broke
        int secondHeaders = indexOf(whole, ("--" + StowFixtures.BOUNDARY + "\r\nContent-Type").getBytes(ISO_8859_1), 10)
                + 40;
        HttpResponse<String> cutInHeaders = post("/studies", type, java.util.Arrays.copyOf(whole, secondHeaders));
        assertThat(cutInHeaders.statusCode()).as(cutInHeaders.headers().allValues("Warning").toString())
                .isEqualTo(202);
        assertThat(items(JSON.readTree(cutInHeaders.body()), "00081199")).hasSize(1);
        assertThat(cutInHeaders.headers().allValues("Warning"))
                .anySatisfy(w -> assertThat(w).contains("inside the header fields of part 2"));
        assertThat(blobs(dir)).hasSize(1);
        // no close delimiter: the last part cannot be known to be whole, so it is not stored
        HttpResponse<String> open = post("/studies", type, multipart(List.of(Part.dicom(b)), StowFixtures.BOUNDARY,
                false));
        assertThat(open.statusCode()).isEqualTo(400);
        assertThat(archive.find("1.2.8.1.2")).isEmpty();
        // header fields beyond the limit
        HttpResponse<String> huge = post("/studies", type, multipart(List.of(new Part(List.of(
                "Content-Type: application/dicom", "X-Padding: " + "p".repeat(40_000)), b))));
        assertThat(huge.statusCode()).isEqualTo(400);
        assertThat(huge.body()).contains("header fields in part 1");
        assertThat(blobs(dir)).hasSize(1);
        assertThat(archive.find("1.2.8.1.2")).isEmpty();
        // and the server goes on serving
        assertThat(post("/studies", type, multipart(List.of(Part.dicom(b)))).statusCode()).isEqualTo(200);
        assertThat(Files.readAllBytes(archive.blobFile(archive.find("1.2.8.1.2").orElseThrow()))).isEqualTo(b);
    }

    @Test
    void aBodySentOneByteAtATimeInChunksIsStored() throws Exception {
        List<byte[]> files = List.of(part10(instance("1.2.9", "1.2.9.1", "1.2.9.1.1", 3000).build()),
                part10(instance("1.2.9", "1.2.9.1", "1.2.9.1.2", 70_000).build()));
        byte[] body = multipart(files.stream().map(Part::dicom).toList());
        HttpRequest req = HttpRequest.newBuilder(URI.create(url("/studies")))
                .header("Content-Type", contentType("application/dicom"))
                .POST(HttpRequest.BodyPublishers.ofInputStream(
                        () -> new OneByteInputStream(new ByteArrayInputStream(body))))
                .build();
        HttpResponse<String> r = client.send(req, HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        for (byte[] f : files) {
            assertThat(blobs(dir)).anySatisfy(p -> assertThat(sha256(Files.readAllBytes(p))).isEqualTo(sha256(f)));
        }
    }

    @Test
    void theAnswerIsXmlWhenAskedFor() throws Exception {
        byte[] good = part10(instance("1.3.1", "1.3.1.1", "1.3.1.1.1", 64).build());
        HttpResponse<String> r = post("/studies", contentType("application/dicom"),
                multipart(List.of(Part.dicom(good), Part.dicom("x".repeat(300).getBytes(ISO_8859_1)))),
                "Accept", "application/dicom+xml");
        assertThat(r.statusCode()).isEqualTo(202);
        assertThat(r.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/dicom+xml");
        assertThat(r.body()).contains("<NativeDicomModel").contains("tag=\"00081199\"")
                .contains("tag=\"00081198\"").contains("1.3.1.1.1").contains("<Value number=\"1\">49152</Value>");
    }

    @Test
    void aSingleApplicationDicomBodyIsOneInstance() throws Exception {
        byte[] one = part10(instance("1.3.2", "1.3.2.1", "1.3.2.1.1", 64).build());
        HttpResponse<String> r = post("/studies/1.3.2", "application/dicom", one);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(Files.readAllBytes(archive.blobFile(archive.find("1.3.2.1.1").orElseThrow()))).isEqualTo(one);
    }

    static int indexOf(byte[] hay, byte[] needle, int from) {
        outer:
        for (int i = from; i <= hay.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
