// SPDX-License-Identifier: Apache-2.0
package org.lightbox.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Element;
import org.lightbox.dicom.ElementDictionary;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.Tags;
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
import org.lightbox.testkit.ProcessResult;
import org.lightbox.testkit.Tools;

/**
 * DICOMweb in {@code lightbox serve}: instances stored by C-STORE, then the same questions asked by QIDO-RS over
 * HTTP and by C-FIND over DIMSE (our SCU, and DCMTK's findscu when installed) on the same server, which must agree;
 * and the server's configuration of CORS.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DicomWebServerTest {
    static final String CT = LightboxServerTest.CT;
    static final String MR = "1.2.840.10008.5.1.4.1.1.4";
    static final String EVRLE = TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN.uid();
    static final String FIND = Uid.StudyRootQueryRetrieveInformationModelFind;
    static final String ROOT = "1.2.826.0.1.3680043.10.3.";

    @TempDir
    static Path dir;

    private LightboxServer server;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper json = new ObjectMapper();

    @BeforeAll
    void start() throws IOException {
        server = LightboxServer.start(ServerConfigReader.read(null, Map.of("data", dir.resolve("data").toString(),
                "bind", "127.0.0.1", "dicom-port", "0", "http-port", "0", "limits.shutdown-grace", "2s",
                "dicomweb.cors-origins", "http://viewer.example:3000")));
        storeStudies();
    }

    @AfterAll
    void stop() {
        server.close();
    }

    private Association connect() throws IOException {
        return Association.connect("127.0.0.1", server.dicomPort(), new Proposal("TESTSCU", "LIGHTBOX")
                .add(CT, EVRLE).add(MR, EVRLE).add(FIND, EVRLE), NetOptions.DEFAULT, null, Map.of());
    }

    /** Five studies of two to four instances, with different patients, dates, modalities and descriptions. */
    private void storeStudies() throws IOException {
        String[][] studies = {
            {"Doe^Jane", "P1", "20240131", "CT", "Chest"},
            {"Doe^John", "P2", "20231115", "MR", "Knee left"},
            {"SMITH^Anna", "P3", "20230601", "CT", "Head"},
            {"smith^bob", "P4", "20240202", "MR", "Spine"},
            {"Dubois^Zoé", "P5", "20221224", "CT", "Abdomen"},
        };
        try (Association a = connect()) {
            for (int s = 0; s < studies.length; s++) {
                String[] st = studies[s];
                for (int se = 1; se <= 2; se++) {
                    for (int i = 1; i <= s % 2 + 1; i++) {
                        String study = ROOT + (s + 1);
                        String series = study + "." + se;
                        String sop = series + "." + i;
                        String sopClass = st[3].equals("CT") ? CT : MR;
                        Dataset ds = Dataset.builder()
                                .setStrings(Tag.SpecificCharacterSet, Vr.CS, "ISO_IR 192")
                                .setStrings(Tag.SOPClassUID, Vr.UI, sopClass)
                                .setStrings(Tag.SOPInstanceUID, Vr.UI, sop)
                                .setStrings(Tag.StudyDate, Vr.DA, st[2])
                                .setStrings(Tag.StudyTime, Vr.TM, "0930" + s)
                                .setStrings(Tag.AccessionNumber, Vr.SH, "A" + s)
                                .setStrings(Tag.Modality, Vr.CS, se == 2 && s == 0 ? "SR" : st[3])
                                .setStrings(Tag.StudyDescription, Vr.LO, st[4])
                                .setStrings(Tag.SeriesDescription, Vr.LO, "series " + se)
                                .setStrings(Tag.PatientName, Vr.PN, st[0])
                                .setStrings(Tag.PatientID, Vr.LO, st[1])
                                .setStrings(Tag.PatientBirthDate, Vr.DA, "1960010" + s)
                                .setStrings(Tag.PatientSex, Vr.CS, s % 2 == 0 ? "F" : "M")
                                .setStrings(Tag.StudyInstanceUID, Vr.UI, study)
                                .setStrings(Tag.SeriesInstanceUID, Vr.UI, series)
                                .setStrings(Tag.StudyID, Vr.SH, "S" + s)
                                .setStrings(Tag.SeriesNumber, Vr.IS, String.valueOf(se))
                                .setStrings(Tag.InstanceNumber, Vr.IS, String.valueOf(i))
                                .add(Element.of(Tag.PixelData, Vr.OB, new byte[64]))
                                .build();
                        Response r = a.store(sopClass, sop, EVRLE, out -> DicomWriter.writeDataset(ds,
                                TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN, out, DicomWriter.Lengths.AS_READ),
                                Command.PRIORITY_MEDIUM, null, 0);
                        assertThat(r.status()).as(r.describe()).isEqualTo(Status.SUCCESS);
                    }
                }
            }
            a.release();
        }
    }

    /** A question asked both ways: QIDO-RS query parameters and the C-FIND identifier's matching keys. */
    record Question(String resource, QueryLevel level, Map<String, String> keys, List<String> compared) {}

    enum QueryLevel { STUDY, SERIES, IMAGE }

    private static final List<String> STUDY_ATTRS = List.of("StudyInstanceUID", "PatientName", "PatientID",
            "StudyDate", "AccessionNumber", "ModalitiesInStudy", "NumberOfStudyRelatedSeries",
            "NumberOfStudyRelatedInstances", "StudyDescription");
    private static final List<String> SERIES_ATTRS = List.of("SeriesInstanceUID", "Modality", "SeriesNumber",
            "SeriesDescription", "NumberOfSeriesRelatedInstances");
    private static final List<String> IMAGE_ATTRS = List.of("SOPInstanceUID", "SOPClassUID", "InstanceNumber");

    private static List<Question> questions() {
        String s1 = ROOT + "1";
        return List.of(
                new Question("/studies", QueryLevel.STUDY, Map.of(), STUDY_ATTRS),
                new Question("/studies", QueryLevel.STUDY, Map.of("PatientName", "Doe*"), STUDY_ATTRS),
                new Question("/studies", QueryLevel.STUDY, Map.of("PatientName", "D*^J*"), STUDY_ATTRS),
                new Question("/studies", QueryLevel.STUDY, Map.of("StudyDate", "20230101-20231231"), STUDY_ATTRS),
                new Question("/studies", QueryLevel.STUDY, Map.of("StudyDate", "20240101-"), STUDY_ATTRS),
                new Question("/studies", QueryLevel.STUDY, Map.of("ModalitiesInStudy", "MR"), STUDY_ATTRS),
                new Question("/studies", QueryLevel.STUDY, Map.of("ModalitiesInStudy", "SR"), STUDY_ATTRS),
                new Question("/studies", QueryLevel.STUDY, Map.of("StudyInstanceUID", s1 + "\\" + ROOT + "3"),
                        STUDY_ATTRS),
                new Question("/studies", QueryLevel.STUDY, Map.of("PatientID", "P?", "StudyDescription", "*e*"),
                        STUDY_ATTRS),
                new Question("/studies", QueryLevel.STUDY, Map.of("PatientName", "Dubois^Zoé"), STUDY_ATTRS),
                new Question("/studies", QueryLevel.STUDY, Map.of("AccessionNumber", "nothing"), STUDY_ATTRS),
                new Question("/studies/" + s1 + "/series", QueryLevel.SERIES, Map.of("StudyInstanceUID", s1),
                        SERIES_ATTRS),
                new Question("/studies/" + ROOT + "2/series", QueryLevel.SERIES,
                        Map.of("StudyInstanceUID", ROOT + "2", "Modality", "MR"), SERIES_ATTRS),
                new Question("/studies/" + ROOT + "2/series/" + ROOT + "2.1/instances", QueryLevel.IMAGE,
                        Map.of("StudyInstanceUID", ROOT + "2", "SeriesInstanceUID", ROOT + "2.1"), IMAGE_ATTRS),
                new Question("/studies/" + ROOT + "4/series/" + ROOT + "4.2/instances", QueryLevel.IMAGE,
                        Map.of("StudyInstanceUID", ROOT + "4", "SeriesInstanceUID", ROOT + "4.2",
                                "InstanceNumber", "2"), IMAGE_ATTRS));
    }

    @Test
    void qidoAgreesWithCFindOnTheSameArchive() throws Exception {
        for (Question q : questions()) {
            List<Map<String, String>> viaDimse = cFind(q);
            List<Map<String, String>> viaWeb = qido(q);
            assertThat(viaWeb).as(q.toString()).isEqualTo(viaDimse);
        }
        assertThat(cFind(questions().getFirst())).hasSize(5);
        assertThat(cFind(questions().get(1))).hasSize(2);
    }

    /** The C-FIND answer over DIMSE: for each match, the compared attributes as text, by keyword. */
    private List<Map<String, String>> cFind(Question q) throws IOException {
        Map<Integer, String> keys = new TreeMap<>(Integer::compareUnsigned);
        q.compared().forEach(k -> keys.put(tag(k), ""));
        q.keys().forEach((k, v) -> keys.put(tag(k), v));
        Dataset.Builder id = Dataset.builder().setStrings(Tag.SpecificCharacterSet, Vr.CS, "ISO_IR 192")
                .setStrings(Tag.QueryRetrieveLevel, Vr.CS, q.level().name());
        keys.forEach((tag, v) -> {
            Vr vr = ElementDictionary.vrOf(tag);
            if (v.isEmpty()) {
                id.add(Element.of(tag, vr, new byte[0]));
            } else {
                id.setStrings(tag, vr, v.split("\\\\"));
            }
        });
        List<Map<String, String>> found = new ArrayList<>();
        try (Association a = connect()) {
            Response r = a.query(Command.C_FIND_RQ, FIND, id.build(), null, p -> {
                Map<String, String> m = new LinkedHashMap<>();
                for (String k : q.compared()) {
                    m.put(k, String.join("\\", p.dataset().strings(tag(k))));
                }
                found.add(m);
                return true;
            });
            assertThat(r.status()).as(r.describe()).isEqualTo(Status.SUCCESS);
            a.release();
        }
        return found;
    }

    /** The QIDO-RS answer over HTTP, the same way. */
    private List<Map<String, String>> qido(Question q) throws Exception {
        StringBuilder query = new StringBuilder("?includefield=" + String.join(",", q.compared()));
        q.keys().forEach((k, v) -> {
            boolean inPath = (k.equals("StudyInstanceUID") || k.equals("SeriesInstanceUID"))
                    && q.resource().contains("/" + v + "/");
            if (!inPath) {
                query.append('&').append(k).append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8));
            }
        });
        HttpResponse<String> r = get("/dicom-web" + q.resource() + query);
        assertThat(r.statusCode()).as(q + ": " + r.body()).isEqualTo(200);
        List<Map<String, String>> found = new ArrayList<>();
        for (JsonNode match : json.readTree(r.body())) {
            Map<String, String> m = new LinkedHashMap<>();
            for (String k : q.compared()) {
                List<String> values = new ArrayList<>();
                match.path(Tags.hex(tag(k))).path("Value").forEach(v -> values.add(v.isObject()
                        ? v.path("Alphabetic").asText() : v.asText()));
                m.put(k, String.join("\\", values));
            }
            found.add(m);
        }
        return found;
    }

    @Test
    void qidoAgreesWithDcmtkFindscu() throws Exception {
        assumeTrue(Tools.available("findscu"), "DCMTK's findscu is not installed (apt-get install dcmtk)");
        for (String name : List.of("Doe*", "*", "SMITH*", "nobody")) {
            ProcessResult p = Tools.run(List.of("findscu", "-S", "-aet", "FINDSCU", "-aec", "LIGHTBOX",
                    "-k", "QueryRetrieveLevel=STUDY", "-k", "PatientName=" + name, "-k", "StudyInstanceUID",
                    "127.0.0.1", String.valueOf(server.dicomPort())), Duration.ofSeconds(30));
            assertThat(p.exitCode()).as(p.stderr()).isZero();
            List<String> viaDcmtk = new ArrayList<>();
            Matcher m = Pattern.compile("\\(0020,000d\\) UI \\[([0-9.]+)\\]").matcher(p.stdout() + p.stderr());
            while (m.find()) {
                viaDcmtk.add(m.group(1));
            }
            HttpResponse<String> r = get("/dicom-web/studies?PatientName=" + URLEncoder.encode(name,
                    StandardCharsets.UTF_8));
            List<String> viaWeb = new ArrayList<>();
            json.readTree(r.body()).forEach(s -> viaWeb.add(s.path("0020000D").path("Value").get(0).asText()));
            assertThat(viaWeb).as(name).isEqualTo(viaDcmtk);
        }
    }

    @Test
    void theServerServesDicomWebWithTheConfiguredCorsOrigins() throws Exception {
        HttpResponse<String> r = get("/dicom-web/studies?limit=1", "Origin", "http://viewer.example:3000");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).hasValue("http://viewer.example:3000");
        HttpResponse<String> metadata = get("/dicom-web/studies/" + ROOT + "1/series/" + ROOT + "1.1/metadata");
        assertThat(metadata.statusCode()).isEqualTo(200);
        assertThat(metadata.headers().firstValue("ETag")).isPresent();
        assertThat(get("/dicom-web/studies?limit=1", "Origin", "http://other.example").headers()
                .firstValue("Access-Control-Allow-Origin")).isEmpty();
    }

    private HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + path))
                .timeout(Duration.ofSeconds(30));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private static int tag(String keyword) {
        return ElementDictionary.tagOf(keyword).orElseThrow();
    }
}
