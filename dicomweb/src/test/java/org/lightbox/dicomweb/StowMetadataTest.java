// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicomweb;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.lightbox.dicomweb.StowFixtures.Part;
import static org.lightbox.dicomweb.StowFixtures.blobs;
import static org.lightbox.dicomweb.StowFixtures.contentType;
import static org.lightbox.dicomweb.StowFixtures.instance;
import static org.lightbox.dicomweb.StowFixtures.multipart;
import static org.lightbox.dicomweb.StowHttpTest.items;
import static org.lightbox.dicomweb.StowHttpTest.number;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.Javalin;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lightbox.archive.Archive;
import org.lightbox.archive.ArchiveConfig;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.Value;
import org.lightbox.dicom.io.DicomFile;
import org.lightbox.dicom.io.DicomReader;
import org.lightbox.dicom.json.BulkDataPolicy;
import org.lightbox.dicom.json.DicomJson;
import org.lightbox.dicom.json.DicomXml;
import org.lightbox.testkit.ProcessResult;
import org.lightbox.testkit.SharedData;
import org.lightbox.testkit.Tools;

/** STOW-RS of metadata (DICOM JSON, Native DICOM Model XML) with bulk data parts, through real HTTP. */
class StowMetadataTest {
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

    HttpResponse<String> post(String type, byte[] body) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                + "/dicom-web/studies")).timeout(Duration.ofSeconds(60)).header("Content-Type", type)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Pixel Data (and any other binary value at the top level) as a BulkDataURI. */
    static BulkDataPolicy bulk(Map<Integer, String> uris) {
        return (path, e) -> Optional.ofNullable(path.lastIndexOf('/') == 0 ? uris.get(e.tag()) : null);
    }

    static String json(Dataset ds, BulkDataPolicy policy) throws IOException {
        StringBuilder sb = new StringBuilder();
        DicomJson.write(ds, sb, policy);
        return sb.toString();
    }

    static byte[] pixels(Dataset ds) {
        return ((Value.Bytes) ds.get(Tag.PixelData).orElseThrow().value()).data();
    }

    static Part bulkPart(String location, String type, byte[] content) {
        return new Part(List.of("Content-Type: " + type, "Content-Location: " + location), content);
    }

    DicomFile stored(String sop) throws IOException {
        return DicomReader.read(archive.blobFile(archive.find(sop).orElseThrow()));
    }

    @Test
    void jsonWithAnUncompressedPixelDataPartBuildsTheInstance() throws Exception {
        Dataset ds = instance("2.1", "2.1.1", "2.1.1.1", 4096).build();
        String meta = "[" + json(ds, bulk(Map.of(Tag.PixelData, "pixels/2.1.1.1"))) + "]";
        assertThat(meta).contains("BulkDataURI").doesNotContain("InlineBinary");
        HttpResponse<String> r = post(contentType("application/dicom+json"), multipart(List.of(
                new Part(List.of("Content-Type: application/dicom+json; charset=utf-8"), meta.getBytes(UTF_8)),
                bulkPart("pixels/2.1.1.1", "application/octet-stream", pixels(ds)))));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        DicomFile f = stored("2.1.1.1");
        assertThat(f.transferSyntax().uid()).isEqualTo("1.2.840.10008.1.2.1");
        assertThat(f.dataset()).isEqualTo(ds);
        assertThat(f.fileMetaInformation().string(Tag.MediaStorageSOPClassUID)).contains(StowFixtures.CT);
        assertThat(f.fileMetaInformation().string(Tag.MediaStorageSOPInstanceUID)).contains("2.1.1.1");
        // an independent reader agrees: pydicom
        Optional<Path> python = Tools.python3WithPydicom();
        assumeTrue(python.isPresent(), "pydicom (/usr/bin/python3 with python3-pydicom) is not installed");
        Path file = archive.blobFile(archive.find("2.1.1.1").orElseThrow());
        ProcessResult p = Tools.run(List.of(python.get().toString(), "-c", String.join("\n",
                "import sys, hashlib, pydicom",
                "d = pydicom.dcmread(sys.argv[1])",
                "print(d.file_meta.TransferSyntaxUID, d.SOPInstanceUID, d.PatientName, d.Rows, d.Columns)",
                "print(hashlib.sha256(d.PixelData).hexdigest(), d.pixel_array.shape)"), file.toString()),
                Duration.ofSeconds(60));
        assertThat(p.isSuccess()).as(p.stderr()).isTrue();
        assertThat(p.stdout().lines().toList()).containsExactly(
                "1.2.840.10008.1.2.1 2.1.1.1 Doe^Jane 1 2048",
                StowFixtures.sha256(pixels(ds)) + " (1, 2048)");
    }

    @Test
    void aJsonArrayOfSeveralInstancesWithAbsoluteAndRelativeUris() throws Exception {
        List<Dataset> all = new ArrayList<>();
        StringBuilder meta = new StringBuilder("[");
        List<Part> parts = new ArrayList<>();
        parts.add(null);
        for (int i = 1; i <= 3; i++) {
            Dataset ds = instance("2.2", "2.2.1", "2.2.1." + i, 100 + 2 * i).build();
            all.add(ds);
            String uri = "http://example.org:8080/dicom-web/bulk/" + i;
            meta.append(i > 1 ? "," : "").append(json(ds, bulk(Map.of(Tag.PixelData, uri))));
            parts.add(bulkPart("/dicom-web/bulk/" + i, "application/octet-stream", pixels(ds)));
        }
        parts.set(0, new Part(List.of(), meta.append("]").toString().getBytes(UTF_8)));
        HttpResponse<String> r = post(contentType("application/dicom+json"), multipart(parts));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(items(StowHttpTest.JSON.readTree(r.body()), "00081199")).hasSize(3);
        for (Dataset ds : all) {
            assertThat(stored(ds.string(Tag.SOPInstanceUID).orElseThrow()).dataset()).isEqualTo(ds);
        }
    }

    @Test
    void xmlMetadataWithABulkPart() throws Exception {
        Dataset ds = instance("2.3", "2.3.1", "2.3.1.1", 6).build();
        StringWriter xml = new StringWriter();
        DicomXml.write(ds, xml, bulk(Map.of(Tag.PixelData, "cid:pixels@example")));
        HttpResponse<String> r = post(contentType("application/dicom+xml"), multipart(List.of(
                new Part(List.of("Content-Type: application/dicom+xml"), xml.toString().getBytes(UTF_8)),
                new Part(List.of("Content-Type: application/octet-stream", "Content-ID: <pixels@example>"),
                        pixels(ds)))));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(stored("2.3.1.1").dataset()).isEqualTo(ds);
    }

    @Test
    void compressedPixelDataAsFramesOrAsTheWholeEncapsulatedValue() throws Exception {
        Path source = SharedData.dataDir().map(d -> d.resolve("ts/MR_small_jpeg_ls_lossless.dcm"))
                .filter(Files::isRegularFile).orElse(null);
        assumeTrue(source != null, "the shared test data (ts/MR_small_jpeg_ls_lossless.dcm) is not there");
        DicomFile original = DicomReader.read(source);
        Value.Fragments fragments = (Value.Fragments) original.dataset().get(Tag.PixelData).orElseThrow().value();
        byte[] frame = bytes(fragments.dataFragments().getFirst());
        // 1: the frame as image/jls, the syntax that media type stands for
        Dataset one = original.dataset().toBuilder().setStrings(Tag.SOPInstanceUID, org.lightbox.dicom.Vr.UI,
                "2.4.1.1").build();
        HttpResponse<String> r = post(contentType("application/dicom+json"), multipart(List.of(
                new Part(List.of(), json(one, bulk(Map.of(Tag.PixelData, "f/1"))).getBytes(UTF_8)),
                bulkPart("f/1", "image/jls", frame))));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        DicomFile a = stored("2.4.1.1");
        assertThat(a.transferSyntax().uid()).isEqualTo("1.2.840.10008.1.2.4.80");
        Value.Fragments got = (Value.Fragments) a.dataset().get(Tag.PixelData).orElseThrow().value();
        assertThat(got.dataFragments()).hasSize(1);
        assertThat(bytes(got.dataFragments().getFirst())).isEqualTo(frame);
        // 2: the whole encapsulated value (offset table and fragments) with the syntax as a parameter
        Dataset two = original.dataset().toBuilder().setStrings(Tag.SOPInstanceUID, org.lightbox.dicom.Vr.UI,
                "2.4.1.2").build();
        r = post(contentType("application/dicom+json"), multipart(List.of(
                new Part(List.of(), json(two, bulk(Map.of(Tag.PixelData, "f/2"))).getBytes(UTF_8)),
                bulkPart("f/2", "application/octet-stream; transfer-syntax=1.2.840.10008.1.2.4.80",
                        encapsulated(fragments)))));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        DicomFile b = stored("2.4.1.2");
        assertThat(b.transferSyntax().uid()).isEqualTo("1.2.840.10008.1.2.4.80");
        assertThat(b.dataset().toBuilder().remove(Tag.SOPInstanceUID).build())
                .isEqualTo(original.dataset().toBuilder().remove(Tag.SOPInstanceUID).build());
    }

    @Test
    void missingBulkDataAnUnknownSyntaxAndAStrayPartAreReported() throws Exception {
        Dataset ds = instance("2.5", "2.5.1", "2.5.1.1", 64).build();
        Dataset other = instance("2.5", "2.5.1", "2.5.1.2", 64).build();
        HttpResponse<String> r = post(contentType("application/dicom+json"), multipart(List.of(
                new Part(List.of(), json(ds, bulk(Map.of(Tag.PixelData, "nowhere"))).getBytes(UTF_8)),
                new Part(List.of(), json(other, bulk(Map.of(Tag.PixelData, "p/2"))).getBytes(UTF_8)),
                bulkPart("p/2", "application/octet-stream; transfer-syntax=1.2.3.4", pixels(other)),
                bulkPart("stray", "application/octet-stream", new byte[10]),
                new Part(List.of("Content-Type: application/dicom+json"), "{\"00100010\": ".getBytes(UTF_8)))));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(409);
        JsonNode failed = items(StowHttpTest.JSON.readTree(r.body()), "00081198");
        assertThat(failed).hasSize(3);
        assertThat(number(failed.get(0), "00081197")).isEqualTo(0xC000);
        assertThat(number(failed.get(1), "00081197")).isEqualTo(0xC122);
        assertThat(number(failed.get(2), "00081197")).isEqualTo(0xC000);
        assertThat(r.headers().allValues("Warning"))
                .anySatisfy(w -> assertThat(w).contains("no part of the request has Content-Location nowhere"))
                .anySatisfy(w -> assertThat(w).contains("transfer syntax 1.2.3.4 of part 3 is unknown"))
                .anySatisfy(w -> assertThat(w).contains("bulk data part 4").contains("referenced by no metadata"))
                .anySatisfy(w -> assertThat(w).contains("metadata part 5"));
        assertThat(blobs(dir)).isEmpty();
        assertThat(Files.list(dir.resolve("stow-spool")).toList()).isEmpty();
    }

    private static byte[] bytes(Value v) throws IOException {
        return switch (v) {
            case Value.Bytes b -> b.data();
            case Value.Bulk b -> b.read();
            default -> throw new IllegalArgumentException(v.toString());
        };
    }

    /** The Value Field of encapsulated pixel data: items, then the sequence delimiter. */
    private static byte[] encapsulated(Value.Fragments f) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Value v : f.fragments()) {
            byte[] b = bytes(v);
            out.writeBytes(new byte[] {(byte) 0xFE, (byte) 0xFF, 0x00, (byte) 0xE0});
            out.writeBytes(new byte[] {(byte) b.length, (byte) (b.length >>> 8), (byte) (b.length >>> 16),
                    (byte) (b.length >>> 24)});
            out.writeBytes(b);
        }
        out.writeBytes(new byte[] {(byte) 0xFE, (byte) 0xFF, (byte) 0xDD, (byte) 0xE0, 0, 0, 0, 0});
        return out.toByteArray();
    }
}
