// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicomweb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.lightbox.dicomweb.WebFixture.A;
import static org.lightbox.dicomweb.WebFixture.A1;
import static org.lightbox.dicomweb.WebFixture.A2;
import static org.lightbox.dicomweb.WebFixture.B;
import static org.lightbox.dicomweb.WebFixture.B1;
import static org.lightbox.dicomweb.WebFixture.C;
import static org.lightbox.dicomweb.WebFixture.enc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.json.DicomXml;

/** QIDO-RS over real HTTP on loopback, against a real archive holding three studies. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QidoTest {
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

    private JsonNode ok(String path, String... headers) throws IOException {
        HttpResponse<String> r = web.get(path, headers);
        assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/dicom+json");
        JsonNode n = json.readTree(r.body());
        assertThat(n.isArray()).isTrue();
        return n;
    }

    static List<String> values(JsonNode results, String tag) {
        List<String> out = new ArrayList<>();
        for (JsonNode r : results) {
            JsonNode v = r.path(tag).path("Value");
            out.add(v.isMissingNode() || v.isEmpty() ? null : v.get(0).isObject() ? v.get(0).path("Alphabetic")
                    .asText() : v.get(0).asText());
        }
        return out;
    }

    @Test
    void studiesCarryTheDefaultAttributesOfTable10_6_3_3() throws IOException {
        JsonNode r = ok("/dicom-web/studies?StudyInstanceUID=" + A);
        assertThat(r).hasSize(1);
        JsonNode s = r.get(0);
        for (String tag : List.of("00080020", "00080030", "00080050", "00080056", "00080061", "00080090",
                "00081190", "00100010", "00100020", "00100030", "00100040", "0020000D", "00200010", "00201206",
                "00201208", "00081030")) {
            assertThat(s.has(tag)).as(tag).isTrue();
        }
        assertThat(s.has("00080052")).as("no Query/Retrieve Level").isFalse();
        assertThat(s.path("00080061").path("Value").toString()).isEqualTo("[\"CT\",\"SR\"]");
        assertThat(s.path("00201206").path("Value").get(0).asInt()).isEqualTo(2);
        assertThat(s.path("00201208").path("Value").get(0).asInt()).isEqualTo(4);
        assertThat(s.path("00080056").path("Value").get(0).asText()).isEqualTo("ONLINE");
        assertThat(s.path("00081190").path("vr").asText()).isEqualTo("UR");
        assertThat(s.path("00081190").path("Value").get(0).asText())
                .isEqualTo(web.url("/dicom-web/studies/" + A));
        assertThat(s.path("00100010").path("Value").get(0).path("Alphabetic").asText()).isEqualTo("Doe^Jane");
    }

    @Test
    void everySearchResourceAnswers() throws IOException {
        assertThat(values(ok("/dicom-web/studies"), "0020000D")).containsExactly(A, B, C);
        assertThat(values(ok("/dicom-web/studies/" + A + "/series"), "0020000E")).containsExactly(A1, A2);
        assertThat(ok("/dicom-web/series")).hasSize(5);
        assertThat(values(ok("/dicom-web/studies/" + A + "/series/" + A1 + "/instances"), "00080018"))
                .containsExactly(A1 + ".1", A1 + ".2", A1 + ".3");
        assertThat(ok("/dicom-web/studies/" + A + "/instances")).hasSize(4);
        assertThat(ok("/dicom-web/instances")).hasSize(8);
    }

    @Test
    void seriesAndInstanceResultsCarryTheirTablesAndTheLevelsAboveWhenNotFixed() throws IOException {
        JsonNode series = ok("/dicom-web/studies/" + A + "/series?SeriesInstanceUID=" + A1).get(0);
        for (String tag : List.of("00080060", "0008103E", "0020000E", "00200011", "00201209", "00081190",
                "0020000D")) {
            assertThat(series.has(tag)).as(tag).isTrue();
        }
        assertThat(series.has("00100010")).as("no study attributes under a study").isFalse();
        assertThat(series.path("00201209").path("Value").get(0).asInt()).isEqualTo(3);
        assertThat(series.path("00081190").path("Value").get(0).asText())
                .isEqualTo(web.url("/dicom-web/studies/" + A + "/series/" + A1));
        JsonNode allSeries = ok("/dicom-web/series?SeriesInstanceUID=" + A1).get(0);
        assertThat(allSeries.has("00100010")).as("study attributes for all series").isTrue();
        assertThat(allSeries.has("00201208")).isTrue();

        JsonNode image = ok("/dicom-web/studies/" + A + "/series/" + A1 + "/instances?InstanceNumber=2").get(0);
        for (String tag : List.of("00080016", "00080018", "00080056", "00200013", "00280010", "00280011",
                "00280100", "00081190")) {
            assertThat(image.has(tag)).as(tag).isTrue();
        }
        assertThat(image.path("00280010").path("Value").get(0).asInt()).isEqualTo(4);
        assertThat(image.path("00081190").path("Value").get(0).asText())
                .isEqualTo(web.url("/dicom-web/studies/" + A + "/series/" + A1 + "/instances/" + A1 + ".2"));
        JsonNode studyInstance = ok("/dicom-web/studies/" + A + "/instances?SOPInstanceUID=" + A1 + ".2").get(0);
        assertThat(studyInstance.has("00080060")).as("series attributes for a study's instances").isTrue();
        assertThat(studyInstance.has("00100010")).isFalse();
        JsonNode anyInstance = ok("/dicom-web/instances?SOPInstanceUID=" + A1 + ".2").get(0);
        assertThat(anyInstance.has("00080060")).isTrue();
        assertThat(anyInstance.has("00100010")).isTrue();
    }

    @Test
    void matchingIsCFindMatching() throws IOException {
        assertThat(values(ok("/dicom-web/studies?PatientName=Doe*"), "0020000D")).containsExactly(A);
        assertThat(values(ok("/dicom-web/studies?PatientName=doe*"), "0020000D")).isEmpty();
        assertThat(values(ok("/dicom-web/studies?StudyDate=20231201-20240131"), "0020000D")).containsExactly(A, B);
        assertThat(values(ok("/dicom-web/studies?StudyDate=-20231231"), "0020000D")).containsExactly(B, C);
        assertThat(values(ok("/dicom-web/studies?StudyInstanceUID=" + A + "," + C), "0020000D"))
                .containsExactly(A, C);
        assertThat(values(ok("/dicom-web/studies?StudyInstanceUID=" + A + "%5C" + B), "0020000D"))
                .containsExactly(A, B);
        assertThat(values(ok("/dicom-web/studies?ModalitiesInStudy=PT"), "0020000D")).containsExactly(C);
        assertThat(values(ok("/dicom-web/studies?ModalitiesInStudy=MR,PT"), "0020000D")).containsExactly(B, C);
        assertThat(values(ok("/dicom-web/studies?00100020=P2"), "0020000D")).containsExactly(B);
        assertThat(values(ok("/dicom-web/series?Modality=CT"), "0020000E")).containsExactly(A1, C + ".1");
        assertThat(values(ok("/dicom-web/series?PatientID=P1&Modality=SR"), "0020000E")).containsExactly(A2);
        assertThat(values(ok("/dicom-web/studies?AccessionNumber=ACC?"), "0020000D")).containsExactly(A, B, C);
        assertThat(values(ok("/dicom-web/studies?PatientName=" + enc("Müller*")), "0020000D"))
                .containsExactly(C);
        // A sequence key with dots: the request's Requested Procedure ID.
        JsonNode seq = ok("/dicom-web/series?RequestAttributesSequence.RequestedProcedureID=RP-7");
        assertThat(values(seq, "0020000E")).containsExactly(A2);
        assertThat(seq.get(0).path("00400275").path("Value").get(0).path("00401001").path("Value").get(0)
                .asText()).isEqualTo("RP-7");
        assertThat(ok("/dicom-web/series?RequestAttributesSequence.RequestedProcedureID=RP-8")).isEmpty();
    }

    @Test
    void fuzzyMatchingMakesNamesCaseInsensitive() throws IOException {
        assertThat(values(ok("/dicom-web/studies?PatientName=smith*&fuzzymatching=true"), "0020000D"))
                .containsExactly(B);
        assertThat(values(ok("/dicom-web/studies?PatientName=müller*&fuzzymatching=true"), "0020000D"))
                .containsExactly(C);
        assertThat(values(ok("/dicom-web/studies?PatientName=smith*&fuzzymatching=false"), "0020000D")).isEmpty();
    }

    @Test
    void includefieldAddsAttributesByKeywordTagListOrAll() throws IOException {
        JsonNode plain = ok("/dicom-web/studies?StudyInstanceUID=" + A).get(0);
        assertThat(plain.has("00080062")).isFalse();
        JsonNode one = ok("/dicom-web/studies?StudyInstanceUID=" + A + "&includefield=SOPClassesInStudy").get(0);
        assertThat(one.path("00080062").path("Value")).hasSize(2);
        JsonNode list = ok("/dicom-web/studies?StudyInstanceUID=" + A
                + "&includefield=00080062,IssuerOfPatientID&includefield=PatientAge").get(0);
        assertThat(list.has("00080062")).isTrue();
        assertThat(list.has("00100021")).isTrue();
        assertThat(list.has("00101010")).isTrue();
        JsonNode all = ok("/dicom-web/studies?StudyInstanceUID=" + A + "&includefield=all").get(0);
        assertThat(all.has("00080062")).isTrue();
        assertThat(all.has("00101010")).isTrue();
        JsonNode seriesAll = ok("/dicom-web/studies/" + A + "/series?includefield=all&SeriesInstanceUID=" + A2)
                .get(0);
        assertThat(seriesAll.path("00400275").path("Value").get(0).path("00401001").path("Value").get(0).asText())
                .isEqualTo("RP-7");
        JsonNode seq = ok("/dicom-web/studies/" + A + "/series?SeriesInstanceUID=" + A2
                + "&includefield=RequestAttributesSequence.ScheduledProcedureStepID").get(0);
        JsonNode item = seq.path("00400275").path("Value").get(0);
        assertThat(item.path("00400009").path("Value").get(0).asText()).isEqualTo("SPS-7");
        assertThat(item.has("00401001")).as("only the item keys asked for").isFalse();
    }

    @Test
    void limitAndOffsetPageInAStableOrder() throws IOException {
        List<String> all = values(ok("/dicom-web/instances"), "00080018");
        assertThat(all).hasSize(8).isSorted();
        List<String> paged = new ArrayList<>();
        for (int offset = 0; offset < 8; offset += 3) {
            HttpResponse<String> r = web.get("/dicom-web/instances?limit=3&offset=" + offset);
            assertThat(r.statusCode()).isEqualTo(200);
            paged.addAll(values(json.readTree(r.body()), "00080018"));
            if (offset + 3 < 8) {
                assertThat(r.headers().allValues("Warning")).anyMatch(w -> w.startsWith("299 ")
                        && w.contains("additional results"));
            } else {
                assertThat(r.headers().allValues("Warning")).isEmpty();
            }
        }
        assertThat(paged).isEqualTo(all);
        assertThat(ok("/dicom-web/instances?offset=100")).isEmpty();
    }

    @Test
    void noMatchIs200WithAnEmptyArray() throws IOException {
        HttpResponse<String> r = web.get("/dicom-web/studies?PatientID=nobody");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("[]");
        assertThat(ok("/dicom-web/studies/1.2.3.4/series")).isEmpty();
    }

    @Test
    void xmlOnRequestIsMultipartWithOneDocumentPerResult() throws IOException {
        HttpResponse<String> r = web.get("/dicom-web/studies/" + A + "/series", "Accept",
                "multipart/related; type=\"application/dicom+xml\"");
        assertThat(r.statusCode()).isEqualTo(200);
        String type = r.headers().firstValue("Content-Type").orElseThrow();
        assertThat(type).startsWith("multipart/related; type=\"application/dicom+xml\"; boundary=");
        List<Dataset> parts = parts(r.body(), type.substring(type.indexOf("boundary=") + 9));
        assertThat(parts).hasSize(2);
        assertThat(parts.stream().map(d -> d.string(Tag.SeriesInstanceUID).orElseThrow())).containsExactly(A1, A2);
        assertThat(parts.getFirst().string(Tag.RetrieveURL)).hasValue(web.url("/dicom-web/studies/" + A
                + "/series/" + A1));
        // The accept query parameter (PS3.18 8.3.3.1) does the same.
        HttpResponse<String> p = web.get("/dicom-web/studies/" + A + "/series?accept="
                + enc("multipart/related; type=\"application/dicom+xml\""));
        assertThat(p.headers().firstValue("Content-Type").orElseThrow()).startsWith("multipart/related");
    }

    /** The documents of a multipart/related body, read back with the PS3.19 reader. */
    static List<Dataset> parts(String body, String boundary) throws IOException {
        List<Dataset> out = new ArrayList<>();
        Matcher m = Pattern.compile("--" + Pattern.quote(boundary) + "\r\nContent-Type: application/dicom\\+xml"
                + "[^\r]*\r\n\r\n(.*?)\r\n(?=--" + Pattern.quote(boundary) + ")", Pattern.DOTALL).matcher(body);
        while (m.find()) {
            out.add(DicomXml.read(new ByteArrayInputStream(m.group(1).getBytes(StandardCharsets.UTF_8)),
                    (uri, tag, vr) -> org.lightbox.dicom.Value.Bytes.EMPTY));
        }
        assertThat(body).endsWith("--" + boundary + "--\r\n");
        return out;
    }

    @Test
    void acceptNegotiation() throws IOException {
        assertThat(web.get("/dicom-web/studies", "Accept", "application/json").headers()
                .firstValue("Content-Type")).hasValue("application/json");
        assertThat(web.get("/dicom-web/studies", "Accept", "*/*").headers().firstValue("Content-Type"))
                .hasValue("application/dicom+json");
        assertThat(web.get("/dicom-web/studies", "Accept",
                "multipart/related; type=\"application/dicom+xml\"; q=0.5, application/dicom+json; q=0.9").headers()
                .firstValue("Content-Type")).hasValue("application/dicom+json");
        assertThat(web.get("/dicom-web/studies", "Accept",
                "multipart/related; type=\"application/dicom+xml\", application/dicom+json; q=0.1").headers()
                .firstValue("Content-Type").orElseThrow()).startsWith("multipart/related");
        HttpResponse<String> refused = web.get("/dicom-web/studies", "Accept", "image/png");
        assertThat(refused.statusCode()).isEqualTo(406);
        assertThat(json.readTree(refused.body()).path("error").asText()).contains("image/png")
                .contains("application/dicom+json");
        assertThat(web.get("/dicom-web/studies", "Accept", "application/dicom+json; q=0").statusCode())
                .isEqualTo(406);
        assertThat(web.get("/dicom-web/studies", "Accept", "multipart/related; type=\"application/dicom\"")
                .statusCode()).isEqualTo(406);
    }

    @Test
    void ignoredParametersAreNamedInAWarningHeader() throws IOException {
        HttpResponse<String> r = web.get("/dicom-web/studies?SOPInstanceUID=" + A1 + ".1&NumberOfStudyRelatedSeries=2");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(json.readTree(r.body())).hasSize(3);
        List<String> warnings = r.headers().allValues("Warning");
        assertThat(warnings).hasSize(1);
        assertThat(warnings.getFirst()).matches("299 127\\.0\\.0\\.1:\\d+ \".*\"")
                .contains("SOPInstanceUID (0008,0018)").contains("NumberOfStudyRelatedSeries (0020,1206)");
        assertThat(web.get("/dicom-web/studies?charset=ISO-8859-1").headers().allValues("Warning")).hasSize(1);
    }

    @Test
    void badParametersAre400WithAMessage() throws IOException {
        assertBad("/dicom-web/studies?PatientNam=Doe", "PatientNam");
        assertBad("/dicom-web/studies?StudyDate=2024-01-31x", "StudyDate");
        assertBad("/dicom-web/studies?StudyDate=20241341", "StudyDate");
        assertBad("/dicom-web/studies?StudyDate=2024*", "wild cards");
        assertBad("/dicom-web/studies?StudyInstanceUID=1.2.abc", "StudyInstanceUID");
        assertBad("/dicom-web/studies?limit=ten", "limit");
        assertBad("/dicom-web/studies?limit=0", "limit");
        assertBad("/dicom-web/studies?offset=-1", "offset");
        assertBad("/dicom-web/studies?fuzzymatching=yes", "fuzzymatching");
        assertBad("/dicom-web/studies?limit=1&limit=2", "limit");
        assertBad("/dicom-web/studies?PatientName.FamilyName=x", "not a sequence");
        assertBad("/dicom-web/studies?QueryRetrieveLevel=PATIENT", "QueryRetrieveLevel");
        assertBad("/dicom-web/studies?00020010=1.2", "(0002,0010)");
        assertBad("/dicom-web/studies/1.2.x/series", "StudyInstanceUID");
        assertBad("/dicom-web/studies/" + A + "/series?StudyInstanceUID=" + A, "path");
        assertBad("/dicom-web/studies?RequestAttributesSequence=x", "sequence");
        assertBad("/dicom-web/studies?PixelData=1", "PixelData");
        assertBad("/dicom-web/studies", "Accept header", "Accept", "application/");
    }

    private void assertBad(String path, String mention, String... headers) throws IOException {
        HttpResponse<String> r = web.get(path, headers);
        assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(400);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(json.readTree(r.body()).path("error").asText()).as(path).contains(mention);
    }

    @Test
    void sqlAndPathTraversalInValuesAreOnlyData() throws IOException {
        for (String value : List.of("' OR '1'='1", "x'; DROP TABLE study; --", "%' OR 1=1 --", "../../etc/passwd",
                "Robert'); DELETE FROM instance;--", "*' UNION SELECT metadata FROM instance --")) {
            HttpResponse<String> r = web.get("/dicom-web/studies?PatientName=" + enc(value));
            assertThat(r.statusCode()).as(value).isEqualTo(200);
            assertThat(r.body()).as(value).isEqualTo("[]");
            assertThat(web.get("/dicom-web/studies?StudyDescription=" + enc(value)).body()).isEqualTo("[]");
        }
        assertThat(web.get("/dicom-web/studies?StudyInstanceUID=" + enc("1 OR 1=1")).statusCode()).isEqualTo(400);
        // An encoded ".." reaches the route as a Study Instance UID of dots (the alphabet ingest accepts), which is
        // only looked for; encoded separators and anything else that is no UID are refused.
        assertThat(ok("/dicom-web/studies/%2E%2E/series")).isEmpty();
        assertThat(web.get("/dicom-web/studies/..%2F..%2Fetc/series").statusCode()).isEqualTo(400);
        assertThat(web.get("/dicom-web/studies/..%5C..%5Cetc/series").statusCode()).isEqualTo(400);
        assertThat(web.get("/dicom-web/studies/" + enc("1' OR '1'='1") + "/series").statusCode()).isEqualTo(400);
        assertThat(ok("/dicom-web/instances")).as("nothing was harmed").hasSize(8);
    }

    @Test
    void whileTheArchiveOpensTheAnswerIs503() {
        web.open = false;
        try {
            HttpResponse<String> r = web.get("/dicom-web/studies");
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(r.headers().firstValue("Retry-After")).isPresent();
            assertThat(r.body()).contains("opening");
        } finally {
            web.open = true;
        }
    }

    @Test
    void jsonIsCompressedWhenTheClientAcceptsGzip() throws IOException {
        HttpResponse<byte[]> r = web.getBytes("/dicom-web/instances", "Accept-Encoding", "gzip");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Encoding")).hasValue("gzip");
        String body;
        try (var in = new java.util.zip.GZIPInputStream(new ByteArrayInputStream(r.body()))) {
            body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(json.readTree(body)).hasSize(8);
        assertThat(r.body().length).isLessThan(body.length());
    }
}
