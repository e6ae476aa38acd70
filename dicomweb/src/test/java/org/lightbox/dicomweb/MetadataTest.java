// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicomweb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.lightbox.dicomweb.WebFixture.A;
import static org.lightbox.dicomweb.WebFixture.A1;
import static org.lightbox.dicomweb.WebFixture.A2;
import static org.lightbox.dicomweb.WebFixture.B;
import static org.lightbox.dicomweb.WebFixture.C;
import static org.lightbox.dicomweb.WebFixture.C1;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.StringReader;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.Value;
import org.lightbox.dicom.json.DicomJson;

/** Retrieve Metadata of studies, series and instances over real HTTP, from the metadata the index stores. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetadataTest {
    @TempDir
    static Path dir;

    private WebFixture web;
    private final ObjectMapper json = new ObjectMapper();

    @BeforeAll
    void start() throws IOException {
        web = WebFixture.start(dir);
        web.storeStudies();
    }

    @AfterAll
    void stop() {
        web.close();
    }

    private JsonNode ok(String path) throws IOException {
        HttpResponse<String> r = web.get(path);
        assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/dicom+json");
        return json.readTree(r.body());
    }

    private static Set<String> sops(JsonNode metadata) {
        Set<String> out = new HashSet<>();
        metadata.forEach(m -> out.add(m.path("00080018").path("Value").get(0).asText()));
        return out;
    }

    @Test
    void studySeriesAndInstanceMetadata() throws IOException {
        assertThat(sops(ok("/dicom-web/studies/" + A + "/metadata"))).containsExactlyInAnyOrder(A1 + ".1",
                A1 + ".2", A1 + ".3", A2 + ".1");
        assertThat(sops(ok("/dicom-web/studies/" + A + "/series/" + A1 + "/metadata")))
                .containsExactlyInAnyOrder(A1 + ".1", A1 + ".2", A1 + ".3");
        JsonNode one = ok("/dicom-web/studies/" + A + "/series/" + A1 + "/instances/" + A1 + ".2/metadata");
        assertThat(one).hasSize(1);
        JsonNode m = one.get(0);
        // The whole data set: patient, study, series and instance attributes.
        assertThat(m.path("00100010").path("Value").get(0).path("Alphabetic").asText()).isEqualTo("Doe^Jane");
        assertThat(m.path("00200013").path("Value").get(0).asInt()).isEqualTo(2);
        assertThat(m.path("00280010").path("Value").get(0).asInt()).isEqualTo(4);
        // Pixel Data, which the index does not hold, is announced by its bulk data resource.
        assertThat(m.path("7FE00010").path("vr").asText()).isEqualTo("OW");
        assertThat(m.path("7FE00010").path("BulkDataURI").asText()).isEqualTo("/dicom-web/studies/" + A
                + "/series/" + A1 + "/instances/" + A1 + ".2/bulkdata/7FE00010");
        // The answer reads back as a data set.
        Dataset ds = DicomJson.read(new StringReader(m.toString()), (uri, tag, vr) -> Value.Bytes.EMPTY);
        assertThat(ds.string(Tag.SOPInstanceUID)).hasValue(A1 + ".2");
    }

    @Test
    void bulkValuesPointAtTheWadoRsBulkDataResource() throws IOException {
        JsonNode sr = ok("/dicom-web/studies/" + A + "/series/" + A2 + "/instances/" + A2 + ".1/metadata").get(0);
        JsonNode iconPixels = sr.path("00880200").path("Value").get(0).path("7FE00010");
        assertThat(iconPixels.path("vr").asText()).isEqualTo("OW");
        assertThat(iconPixels.path("BulkDataURI").asText()).isEqualTo("/dicom-web/studies/" + A + "/series/" + A2
                + "/instances/" + A2 + ".1/bulkdata/00880200/0/7FE00010");
        assertThat(sr.has("7FE00010")).as("no Image Pixel module at the top level: no Pixel Data").isFalse();
        assertThat(sr.toString()).doesNotContain("bulk:");
        JsonNode request = sr.path("00400275").path("Value").get(0);
        assertThat(request.path("00401001").path("Value").get(0).asText()).isEqualTo("RP-7");
    }

    @Test
    void textIsUnicode() throws IOException {
        JsonNode m = ok("/dicom-web/studies/" + C + "/series/" + C1 + "/metadata").get(0);
        assertThat(m.path("00100010").path("Value").get(0).path("Alphabetic").asText()).isEqualTo("Müller^Jürgen");
    }

    @Test
    void xmlOnRequest() throws IOException {
        HttpResponse<String> r = web.get("/dicom-web/studies/" + A + "/metadata", "Accept",
                "multipart/related; type=\"application/dicom+xml\"");
        assertThat(r.statusCode()).isEqualTo(200);
        String type = r.headers().firstValue("Content-Type").orElseThrow();
        List<Dataset> parts = QidoTest.parts(r.body(), type.substring(type.indexOf("boundary=") + 9));
        assertThat(parts).hasSize(4);
        assertThat(r.body()).contains("<BulkData uri=\"/dicom-web/studies/" + A + "/series/" + A2 + "/instances/"
                + A2 + ".1/bulkdata/00880200/0/7FE00010\"/>");
        assertThat(r.body()).contains("<BulkData uri=\"/dicom-web/studies/" + A + "/series/" + A1 + "/instances/"
                + A1 + ".1/bulkdata/7FE00010\"/>");
        assertThat(r.headers().firstValue("ETag")).isNotEqualTo(web.get("/dicom-web/studies/" + A + "/metadata")
                .headers().firstValue("ETag"));
    }

    @Test
    void etagAndIfNoneMatchGive304UntilTheSeriesChanges() throws IOException {
        String path = "/dicom-web/studies/" + B + "/series/" + B + ".1/metadata";
        HttpResponse<String> first = web.get(path);
        String etag = first.headers().firstValue("ETag").orElseThrow();
        assertThat(etag).matches("W/\"1j-[0-9a-f]{32}\"");
        assertThat(first.headers().firstValue("Cache-Control")).hasValue("private, no-cache");
        assertThat(web.get(path).headers().firstValue("ETag")).hasValue(etag);

        HttpResponse<String> again = web.get(path, "If-None-Match", etag);
        assertThat(again.statusCode()).isEqualTo(304);
        assertThat(again.body()).isEmpty();
        assertThat(again.headers().firstValue("ETag")).hasValue(etag);
        assertThat(web.get(path, "If-None-Match", "\"other\", " + etag.substring(2)).statusCode()).isEqualTo(304);
        assertThat(web.get(path, "If-None-Match", "W/\"1j-0\"").statusCode()).isEqualTo(200);

        web.store(WebFixture.study(WebFixture.image(B, B + ".1", B + ".1.3", 3), "SMITH^John", "P2", "20231215",
                "ACC2", "Knee").build());
        HttpResponse<String> changed = web.get(path, "If-None-Match", etag);
        assertThat(changed.statusCode()).isEqualTo(200);
        assertThat(json.readTree(changed.body())).hasSize(3);
        assertThat(changed.headers().firstValue("ETag")).isPresent().isNotEqualTo(java.util.Optional.of(etag));
    }

    @Test
    void unknownIs404AndMalformedIs400() throws IOException {
        HttpResponse<String> study = web.get("/dicom-web/studies/1.2.3.4/metadata");
        assertThat(study.statusCode()).isEqualTo(404);
        assertThat(json.readTree(study.body()).path("error").asText()).isEqualTo("study 1.2.3.4 not found");
        HttpResponse<String> series = web.get("/dicom-web/studies/" + B + "/series/" + A1 + "/metadata");
        assertThat(series.statusCode()).as("a series of another study").isEqualTo(404);
        assertThat(series.body()).contains("series " + A1 + " not found in study " + B);
        assertThat(web.get("/dicom-web/studies/" + A + "/series/" + A1 + "/instances/1.2.3/metadata").statusCode())
                .isEqualTo(404);
        HttpResponse<String> bad = web.get("/dicom-web/studies/" + WebFixture.enc("1.2.3' OR 1=1") + "/metadata");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("StudyInstanceUID is no UID");
        assertThat(web.get("/dicom-web/studies/" + A + "/metadata", "Accept", "application/dicom").statusCode())
                .isEqualTo(406);
    }
}
