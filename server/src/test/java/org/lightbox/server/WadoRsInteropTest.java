// SPDX-License-Identifier: Apache-2.0
package org.lightbox.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lightbox.archive.Retrieve;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.TransferSyntax;
import org.lightbox.dicom.Uid;
import org.lightbox.dicom.io.DicomReader;
import org.lightbox.dicom.io.DicomWriter;
import org.lightbox.dicom.io.ReadOptions;
import org.lightbox.imaging.PixelCodec;
import org.lightbox.imaging.Transcoder;
import org.lightbox.net.Association;
import org.lightbox.net.Command;
import org.lightbox.net.NetOptions;
import org.lightbox.net.Proposal;
import org.lightbox.net.Response;
import org.lightbox.testkit.ProcessResult;
import org.lightbox.testkit.Tools;

/**
 * WADO-RS against C-GET on the same server: DCMTK's getscu and an HTTP client retrieve the same study, and the data
 * sets agree byte for byte, as stored and when converted to Explicit VR Little Endian (one retrieve path).
 */
@org.junit.jupiter.api.Tag("interop")
class WadoRsInteropTest {
    static final String CT = RetrieveServiceTest.CT;
    static final String STUDY = "7.1";

    @TempDir
    Path dir;

    private LightboxServer server;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void start() throws IOException {
        server = LightboxServer.start(ServerConfigReader.read(null, Map.of("data", dir.resolve("data").toString(),
                "bind", "127.0.0.1", "dicom-port", "0", "http-port", "0", "limits.shutdown-grace", "2s")));
        // One instance in each of Explicit VR LE, Implicit VR LE and RLE, stored through C-STORE.
        store(Uid.ExplicitVRLittleEndian, RetrieveServiceTest.encode(RetrieveServiceTest.image(STUDY, "7.1.1",
                "7.1.1.1"), Uid.ExplicitVRLittleEndian));
        store(Uid.ImplicitVRLittleEndian, RetrieveServiceTest.encode(RetrieveServiceTest.image(STUDY, "7.1.1",
                "7.1.1.2"), Uid.ImplicitVRLittleEndian));
        store(Uid.RLELossless, rle(RetrieveServiceTest.image(STUDY, "7.1.1", "7.1.1.3")));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void asStoredWadoRsAndGetscuAgreeByteForByte() throws Exception {
        assumeTrue(Tools.available("getscu"), "DCMTK's getscu is not installed (apt-get install dcmtk)");
        // getscu proposes one context per SOP class, so one syntax is agreed for all: a run per stored syntax.
        Map<String, byte[]> got = getscu("+xe");
        got.put("7.1.1.3", getscu("+xr").get("7.1.1.3"));
        Map<String, byte[]> wado = wado("multipart/related; type=\"application/dicom\"; transfer-syntax=*",
                Map.of("7.1.1.1", Uid.ExplicitVRLittleEndian, "7.1.1.2", Uid.ImplicitVRLittleEndian, "7.1.1.3",
                        Uid.RLELossless));
        assertThat(wado.keySet()).containsExactlyInAnyOrderElementsOf(got.keySet()).hasSize(3);
        assertThat(wado.get("7.1.1.1")).isEqualTo(got.get("7.1.1.1"));
        assertThat(wado.get("7.1.1.3")).isEqualTo(got.get("7.1.1.3"));
        // getscu writes its files in Explicit VR Little Endian whatever it received (even with +xi): the stored
        // Implicit data set is compared element by element with what getscu received.
        Dataset received = DicomReader.readDataset(new ByteArrayInputStream(got.get("7.1.1.2")),
                TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN, ReadOptions.DEFAULT);
        Dataset sent = DicomReader.readDataset(new ByteArrayInputStream(wado.get("7.1.1.2")),
                TransferSyntax.IMPLICIT_VR_LITTLE_ENDIAN, ReadOptions.DEFAULT);
        assertThat(sent.elements()).hasSameSizeAs(received.elements());
        for (int i = 0; i < sent.size(); i++) {
            assertThat(sent.elements().get(i).tag()).isEqualTo(received.elements().get(i).tag());
            assertThat(sent.elements().get(i).bytes()).isEqualTo(received.elements().get(i).bytes());
        }
        assertThat(wado.get("7.1.1.2")).isEqualTo(stored("7.1.1.2"));
    }

    @Test
    void convertedToExplicitVrLittleEndianTheyAgreeToo() throws Exception {
        assumeTrue(Tools.available("getscu"), "DCMTK's getscu is not installed (apt-get install dcmtk)");
        // getscu preferring Explicit VR Little Endian: the others are converted for it.
        Map<String, byte[]> got = getscu("+xe");
        Map<String, byte[]> wado = wado(null, Map.of("7.1.1.1", Uid.ExplicitVRLittleEndian, "7.1.1.2",
                Uid.ExplicitVRLittleEndian, "7.1.1.3", Uid.ExplicitVRLittleEndian));
        // The Implicit and the RLE instances converted by the server for getscu and for WADO-RS: the same bytes.
        assertThat(wado.keySet()).containsExactlyInAnyOrderElementsOf(got.keySet()).hasSize(3);
        wado.forEach((sop, data) -> assertThat(data).as(sop).isEqualTo(got.get(sop)));
        // And the decompressed RLE pixels are the original's.
        assertThat(DicomReader.readDataset(new ByteArrayInputStream(wado.get("7.1.1.3")),
                TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN, ReadOptions.DEFAULT).get(Tag.PixelData).orElseThrow().bytes())
                .isEqualTo(RetrieveServiceTest.image(STUDY, "7.1.1", "7.1.1.3").get(Tag.PixelData).orElseThrow()
                        .bytes());
    }

    private byte[] stored(String sop) throws IOException {
        try (var in = Retrieve.openDataset(server.archive(), server.archive().find(sop).orElseThrow())) {
            return in.readAllBytes();
        }
    }

    /** The data sets getscu retrieves of the study, past their File Meta Information, by SOP Instance UID. */
    private Map<String, byte[]> getscu(String preference) throws IOException {
        Path out = Files.createDirectories(dir.resolve("got" + preference));
        ProcessResult r = Tools.run(List.of("env", "TCP_NODELAY=1", "getscu", "-S", preference, "-aec", "LIGHTBOX",
                "-od", out.toString(), "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID=" + STUDY,
                "127.0.0.1", String.valueOf(server.dicomPort())), Duration.ofSeconds(60));
        assertThat(r.exitCode()).as(r.toString()).isZero();
        Map<String, byte[]> data = new HashMap<>();
        try (Stream<Path> files = Files.list(out)) {
            for (Path f : files.toList()) {
                byte[] all = Files.readAllBytes(f);
                String sop = DicomReader.read(f).dataset().string(Tag.SOPInstanceUID).orElseThrow();
                data.put(sop, Arrays.copyOfRange(all, (int) Retrieve.datasetOffset(f), all.length));
            }
        }
        return data;
    }

    /** WADO-RS of the study: each part's data set past its File Meta Information, checked for its syntax. */
    private Map<String, byte[]> wado(String accept, Map<String, String> syntaxes) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort()
                + "/dicom-web/studies/" + STUDY));
        if (accept != null) {
            b.header("Accept", accept);
        }
        HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).isEqualTo(200);
        Map<String, byte[]> data = new HashMap<>();
        for (String[] part : parts(r)) {
            Path f = Files.write(dir.resolve("part.dcm"), part[1].getBytes(StandardCharsets.ISO_8859_1));
            String sop = DicomReader.read(f).dataset().string(Tag.SOPInstanceUID).orElseThrow();
            assertThat(part[0]).isEqualTo("application/dicom; transfer-syntax=" + syntaxes.get(sop));
            byte[] all = Files.readAllBytes(f);
            data.put(sop, Arrays.copyOfRange(all, (int) Retrieve.datasetOffset(f), all.length));
        }
        return data;
    }

    /** Content-Type and body (as ISO-8859-1 text, byte for byte) of each part. */
    private static List<String[]> parts(HttpResponse<byte[]> r) {
        String type = r.headers().firstValue("Content-Type").orElseThrow();
        String boundary = type.substring(type.toLowerCase(Locale.ROOT).indexOf("boundary=") + 9);
        String body = new String(r.body(), StandardCharsets.ISO_8859_1);
        assertThat(body).endsWith("\r\n--" + boundary + "--\r\n");
        List<String[]> out = new ArrayList<>();
        for (String chunk : body.substring(0, body.length() - boundary.length() - 8).split("(^|\r\n)--" + boundary
                + "\r\n")) {
            if (chunk.isEmpty()) {
                continue;
            }
            int end = chunk.indexOf("\r\n\r\n");
            String ct = chunk.substring(0, end).lines().filter(l -> l.startsWith("Content-Type:"))
                    .findFirst().orElseThrow().substring(13).strip();
            out.add(new String[] {ct, chunk.substring(end + 4)});
        }
        return out;
    }

    private byte[] rle(Dataset ds) throws IOException {
        Path f = dir.resolve("rle.dcm");
        try (OutputStream out = Files.newOutputStream(f)) {
            Transcoder.transcode(DicomWriter.newFile(ds, TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN),
                    TransferSyntax.of(Uid.RLELossless), PixelCodec.EncodeOptions.DEFAULT, out);
        }
        byte[] all = Files.readAllBytes(f);
        return Arrays.copyOfRange(all, (int) Retrieve.datasetOffset(f), all.length);
    }

    private void store(String ts, byte[] data) throws IOException {
        try (Association a = Association.connect("127.0.0.1", server.dicomPort(),
                new Proposal("TESTSCU", "LIGHTBOX").add(CT, ts), NetOptions.DEFAULT, null, Map.of())) {
            Dataset parsed = DicomReader.readDataset(new ByteArrayInputStream(data), TransferSyntax.of(ts),
                    ReadOptions.DEFAULT);
            Response r = a.store(CT, parsed.string(Tag.SOPInstanceUID).orElseThrow(), ts, out -> out.write(data),
                    Command.PRIORITY_MEDIUM, null, 0);
            assertThat(r.status()).as(r.describe()).isZero();
        }
    }
}
