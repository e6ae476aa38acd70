// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicomweb;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** The capabilities answer, CORS and the HTTP behaviour common to every DICOMweb resource. */
class CapabilitiesAndCorsTest {
    @TempDir
    Path dir;

    private final ObjectMapper json = new ObjectMapper();

    @Test
    void optionsOnTheServiceAnswersAWadlOfWhatIsRouted() throws Exception {
        try (WebFixture web = WebFixture.start(dir)) {
            HttpResponse<String> r = web.send("OPTIONS", "/dicom-web");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type").orElseThrow())
                    .startsWith("application/vnd.sun.wadl+xml");
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setNamespaceAware(true);
            Document doc = f.newDocumentBuilder().parse(new java.io.ByteArrayInputStream(
                    r.body().getBytes(StandardCharsets.UTF_8)));
            Element resources = (Element) doc.getElementsByTagNameNS("http://wadl.dev.java.net/2009/02",
                    "resources").item(0);
            assertThat(resources.getAttribute("base")).isEqualTo(web.url("/dicom-web/"));
            List<String> ids = new ArrayList<>();
            NodeList methods = doc.getElementsByTagNameNS("http://wadl.dev.java.net/2009/02", "method");
            for (int i = 0; i < methods.getLength(); i++) {
                ids.add(((Element) methods.item(i)).getAttribute("id"));
            }
            assertThat(ids).contains("SearchForStudies", "SearchForSeries", "SearchForInstances",
                    "SearchForStudySeries", "SearchForStudyInstances", "SearchForStudySeriesInstances",
                    "RetrieveStudyMetadata", "RetrieveSeriesMetadata", "RetrieveInstanceMetadata",
                    "RetrieveCapabilities");
            assertThat(r.body()).contains("<resource path=\"studies/{study}/series/{series}/metadata\">");

            HttpResponse<String> j = web.send("OPTIONS", "/dicom-web", "Accept", "application/json");
            JsonNode caps = json.readTree(j.body());
            assertThat(caps.path("base").asText()).isEqualTo(web.url("/dicom-web/"));
            assertThat(caps.path("resources").findValuesAsText("id")).contains("SearchForStudies");
            assertThat(web.get("/dicom-web").statusCode()).isEqualTo(200);
            assertThat(web.send("OPTIONS", "/dicom-web/studies").body()).contains("SearchForStudies");
            assertThat(web.send("OPTIONS", "/dicom-web", "Accept", "text/html").statusCode()).isEqualTo(406);
        }
    }

    @Test
    void withoutConfiguredOriginsNoCorsHeadersAndPreflightIsRefused() throws IOException {
        try (WebFixture web = WebFixture.start(dir)) {
            HttpResponse<String> r = web.get("/dicom-web/studies", "Origin", "http://viewer.example:3000");
            assertThat(r.statusCode()).as("the request itself is answered").isEqualTo(200);
            assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
            HttpResponse<String> pre = web.send("OPTIONS", "/dicom-web/studies", "Origin",
                    "http://viewer.example:3000", "Access-Control-Request-Method", "GET");
            assertThat(pre.statusCode()).isEqualTo(403);
            assertThat(pre.body()).contains("dicomweb.cors-origins");
        }
    }

    @Test
    void configuredOriginsGetCorsHeadersAndPreflightAnswers() throws IOException {
        try (WebFixture web = WebFixture.start(dir, new DicomWeb.Options(List.of("http://VIEWER.example:3000/")))) {
            HttpResponse<String> r = web.get("/dicom-web/studies", "Origin", "http://viewer.example:3000");
            assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).hasValue("http://viewer.example:3000");
            assertThat(r.headers().firstValue("Access-Control-Expose-Headers").orElseThrow()).contains("ETag")
                    .contains("Warning");
            assertThat(r.headers().allValues("Vary")).anyMatch(v -> v.contains("Origin"));
            HttpResponse<String> pre = web.send("OPTIONS", "/dicom-web/studies/1.2/series/3.4/metadata", "Origin",
                    "http://viewer.example:3000", "Access-Control-Request-Method", "GET",
                    "Access-Control-Request-Headers", "accept, if-none-match, authorization");
            assertThat(pre.statusCode()).isEqualTo(204);
            assertThat(pre.headers().firstValue("Access-Control-Allow-Origin")).hasValue("http://viewer.example:3000");
            assertThat(pre.headers().firstValue("Access-Control-Allow-Methods").orElseThrow()).contains("GET")
                    .contains("POST").contains("DELETE");
            assertThat(pre.headers().firstValue("Access-Control-Allow-Headers"))
                    .hasValue("accept, if-none-match, authorization");
            assertThat(pre.headers().firstValue("Access-Control-Max-Age")).hasValue("600");
            assertThat(web.get("/dicom-web/studies", "Origin", "http://evil.example").headers()
                    .firstValue("Access-Control-Allow-Origin")).isEmpty();
            assertThat(web.send("OPTIONS", "/dicom-web/studies", "Origin", "http://evil.example",
                    "Access-Control-Request-Method", "GET").statusCode()).isEqualTo(403);
        }
        try (WebFixture web = WebFixture.start(dir.resolve("any"), new DicomWeb.Options(List.of("*")))) {
            assertThat(web.get("/dicom-web/studies", "Origin", "http://anywhere.example").headers()
                    .firstValue("Access-Control-Allow-Origin")).hasValue("*");
        }
    }

    @Test
    void originsAreChecked() {
        assertThat(DicomWeb.Options.checkOrigin("https://Viewer.Example.org:443")).isEqualTo(
                "https://viewer.example.org");
        assertThat(DicomWeb.Options.checkOrigin("http://localhost:3000/")).isEqualTo("http://localhost:3000");
        for (String bad : List.of("viewer.example", "ftp://x.example", "http://x.example/path", "http://",
                "http://x.example?q=1")) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> DicomWeb.Options.checkOrigin(bad))
                    .as(bad).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("origin");
        }
    }

    @Test
    void unknownRoutesAre404WithAMessage() throws IOException {
        try (WebFixture web = WebFixture.start(dir)) {
            HttpResponse<String> r = web.get("/dicom-web/nothing-here");
            assertThat(r.statusCode()).isEqualTo(404);
            assertThat(r.body()).contains("/dicom-web/nothing-here");
        }
    }

    @Test
    void connectionsAreKeptAliveAcrossRequests() throws IOException {
        try (WebFixture web = WebFixture.start(dir); Socket s = new Socket("127.0.0.1", web.app.port())) {
            web.storeStudies();
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(),
                    StandardCharsets.UTF_8));
            for (int i = 0; i < 3; i++) {
                out.write(("GET /dicom-web/studies?limit=2 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                assertThat(in.readLine()).isEqualTo("HTTP/1.1 200 OK");
                boolean chunked = false;
                int length = -1;
                for (String h = in.readLine(); !h.isEmpty(); h = in.readLine()) {
                    String lower = h.toLowerCase(java.util.Locale.ROOT);
                    assertThat(lower).doesNotStartWith("connection: close");
                    chunked |= lower.equals("transfer-encoding: chunked");
                    if (lower.startsWith("content-length:")) {
                        length = Integer.parseInt(lower.substring(15).strip());
                    }
                }
                StringBuilder body = new StringBuilder();
                if (chunked) {
                    for (int n = Integer.parseInt(in.readLine().strip(), 16); n > 0;
                            n = Integer.parseInt(in.readLine().strip(), 16)) {
                        char[] buf = new char[n];
                        int got = 0;
                        while (got < n) {
                            got += in.read(buf, got, n - got);
                        }
                        body.append(buf);
                        in.readLine();
                    }
                    in.readLine();
                } else {
                    char[] buf = new char[length];
                    int got = 0;
                    while (got < length) {
                        got += in.read(buf, got, length - got);
                    }
                    body.append(buf);
                }
                assertThat(json.readTree(body.toString())).hasSize(2);
            }
        }
    }
}
