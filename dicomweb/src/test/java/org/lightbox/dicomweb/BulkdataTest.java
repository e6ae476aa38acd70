// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicomweb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.Uid;
import org.lightbox.dicom.io.DicomReader;

/** WADO-RS bulk data: the paths metadata's BulkDataURIs carry, multipart and single part, byte ranges. */
class BulkdataTest {
    static final String OCTETS = "multipart/related; type=\"application/octet-stream\"";

    private final Corpus c = Corpus.get();

    private byte[] pixels() throws Exception {
        return DicomReader.read(c.files.get(Corpus.CT1)).dataset().get(Tag.PixelData).orElseThrow().bytes();
    }

    @Test
    void pixelDataAndNestedValuesAsMultipart() throws Exception {
        String uri = c.path(Corpus.CT1) + "/bulkdata/7FE00010";
        HttpResponse<byte[]> r = c.server.get(uri);
        assertThat(r.statusCode()).as(WadoServer.text(r)).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElseThrow()).startsWith(OCTETS + "; boundary=");
        WadoServer.Part p = WadoServer.parts(r).getFirst();
        assertThat(p.contentType()).isEqualTo("application/octet-stream; transfer-syntax=" + Uid.ExplicitVRLittleEndian);
        assertThat(p.headers().get("content-location")).isEqualTo(uri); // PS3.18 10.4.3.3.5
        assertThat(p.body()).isEqualTo(pixels());
        String nested = c.path(Corpus.CT1) + "/bulkdata/00540016/0/00281201";
        p = WadoServer.parts(c.server.get(nested, "Accept", OCTETS)).getFirst();
        assertThat(p.contentType()).isEqualTo("application/octet-stream");
        assertThat(p.body()).isEqualTo(Fixtures.NESTED);
        // Tags in lower case are the same tags.
        assertThat(WadoServer.parts(c.server.get(c.path(Corpus.CT1) + "/bulkdata/7fe00010")).getFirst().body())
                .isEqualTo(pixels());
    }

    @Test
    void singlePartHonoursByteRanges() throws Exception {
        String uri = c.path(Corpus.CT1) + "/bulkdata/7FE00010";
        byte[] all = pixels();
        HttpResponse<byte[]> r = c.server.get(uri, "Accept", "application/octet-stream");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Accept-Ranges")).contains("bytes");
        assertThat(r.body()).isEqualTo(all);
        Map<String, int[]> ranges = Map.of("bytes=0-99", new int[] {0, 99}, "bytes=1000-", new int[] {1000,
                all.length - 1}, "bytes=-10", new int[] {all.length - 10, all.length - 1}, "bytes=5-5",
                new int[] {5, 5}, "bytes=100-9999999", new int[] {100, all.length - 1});
        for (var e : ranges.entrySet()) {
            r = c.server.get(uri, "Accept", "application/octet-stream", "Range", e.getKey());
            assertThat(r.statusCode()).as(e.getKey()).isEqualTo(206);
            int[] want = e.getValue();
            assertThat(r.headers().firstValue("Content-Range")).contains("bytes " + want[0] + "-" + want[1] + "/"
                    + all.length);
            assertThat(r.body()).isEqualTo(Arrays.copyOfRange(all, want[0], want[1] + 1));
        }
        r = c.server.get(uri, "Accept", "application/octet-stream", "Range", "bytes=" + all.length + "-");
        assertThat(r.statusCode()).isEqualTo(416);
        assertThat(r.headers().firstValue("Content-Range")).contains("bytes */" + all.length);
        // Several ranges, or a malformed one: the whole value (RFC 9110 lets a server ignore Range).
        for (String ignored : new String[] {"bytes=0-1,5-6", "lines=1-2", "bytes=9-3"}) {
            r = c.server.get(uri, "Accept", "application/octet-stream", "Range", ignored);
            assertThat(r.statusCode()).as(ignored).isEqualTo(200);
            assertThat(r.body()).hasSize(all.length);
        }
        r = c.server.get(c.path(Corpus.CT1) + "/bulkdata/00540016/0/00281201", "Accept", "application/octet-stream",
                "Range", "bytes=4000-");
        assertThat(r.body()).isEqualTo(Arrays.copyOfRange(Fixtures.NESTED, 4000, 4096));
    }

    @Test
    void encapsulatedPixelDataComesFrameByFrame() throws Exception {
        assumeTrue(c.compressed, "GDCM is needed for the compressed fixtures");
        String jls = c.mrBySyntax.get(Uid.JPEGLSLossless);
        var parts = WadoServer.parts(c.server.get(c.path(jls) + "/bulkdata/7FE00010"));
        assertThat(parts).hasSize(5);
        var native_ = WadoServer.parts(c.server.get(c.path(Corpus.MR1) + "/frames/1,2,3,4,5"));
        for (int i = 0; i < 5; i++) {
            assertThat(parts.get(i).body()).isEqualTo(native_.get(i).body());
        }
        var stored = WadoServer.parts(c.server.get(c.path(jls) + "/bulkdata/7FE00010", "Accept",
                OCTETS + "; transfer-syntax=*"));
        assertThat(stored).allMatch(p -> p.contentType().endsWith(Uid.JPEGLSLossless));
    }

    @Test
    void badPathsAre400AndMissingValues404() throws Exception {
        Map<String, Integer> cases = Map.of("00540016", 400, "00540016/0", 400, "7FE0001", 400, "7FE00010x", 400,
                "00540016/a/00281201", 400, "00540016/1/00281201", 404, "00540016/0/00281202", 404, "00191010", 404,
                "00100010/0/00100010", 404);
        for (var e : cases.entrySet()) {
            HttpResponse<byte[]> r = c.server.get(c.path(Corpus.CT1) + "/bulkdata/" + e.getKey());
            assertThat(r.statusCode()).as(e.getKey() + ": " + WadoServer.text(r)).isEqualTo(e.getValue());
        }
        assertThat(WadoServer.text(c.server.get(c.path(Corpus.CT1) + "/bulkdata/00540016/1/00281201")))
                .contains("(0054,0016)[1] of instance " + Corpus.CT1 + " has 1 items");
        assertThat(c.server.get(c.path(Corpus.CT1) + "/bulkdata/7FE00010", "Accept", "image/png").statusCode())
                .isEqualTo(406);
    }
}
