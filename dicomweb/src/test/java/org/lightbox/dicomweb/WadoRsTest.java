// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicomweb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lightbox.dicom.Uid;
import org.lightbox.dicom.io.DicomFile;
import org.lightbox.dicom.io.DicomReader;
import org.lightbox.testkit.Tools;

/** WADO-RS retrieval of studies, series and instances over real HTTP, transfer syntaxes negotiated. */
class WadoRsTest {
    static final String DICOM_STAR = "multipart/related; type=\"application/dicom\"; transfer-syntax=*";

    private final Corpus c = Corpus.get();

    @TempDir
    Path tmp;

    @Test
    void anInstanceAsStoredIsItsBlobByteForByte() throws Exception {
        for (String sop : c.stored.keySet()) {
            HttpResponse<byte[]> r = c.server.get(c.path(sop), "Accept", DICOM_STAR);
            assertThat(r.statusCode()).as(WadoServer.text(r)).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type").orElseThrow())
                    .startsWith("multipart/related; type=\"application/dicom\"; boundary=");
            List<WadoServer.Part> parts = WadoServer.parts(r);
            assertThat(parts).hasSize(1);
            WadoServer.Part p = parts.getFirst();
            assertThat(p.contentType()).isEqualTo("application/dicom; transfer-syntax="
                    + c.stored.get(sop).transferSyntaxUid());
            assertThat(p.headers().get("content-location")).isEqualTo(c.path(sop));
            assertThat(p.body()).as(sop).isEqualTo(c.blob(sop));
        }
    }

    @Test
    void theDefaultIsExplicitVrLittleEndianWithThePixelsPydicomReadsFromTheOriginal() throws Exception {
        assumeTrue(c.compressed, "GDCM (gdcmconv) and DCMTK (dcmodify) are needed for the compressed fixtures");
        var python = Tools.python3WithPydicom();
        assumeTrue(python.isPresent(), "pydicom is not installed (apt-get install python3-pydicom)");
        List<Path> files = new ArrayList<>();
        for (String sop : c.ctBySyntax.values()) {
            HttpResponse<byte[]> r = c.server.get(c.path(sop)); // no Accept: PS3.18's defaults
            assertThat(r.statusCode()).as(WadoServer.text(r)).isEqualTo(200);
            WadoServer.Part p = WadoServer.parts(r).getFirst();
            assertThat(p.contentType()).isEqualTo("application/dicom; transfer-syntax=" + Uid.ExplicitVRLittleEndian);
            Path f = Files.write(tmp.resolve(sop + ".dcm"), p.body());
            DicomFile got = DicomReader.read(f);
            assertThat(got.transferSyntax().uid()).isEqualTo(Uid.ExplicitVRLittleEndian);
            assertThat(got.dataset().string(org.lightbox.dicom.Tag.SOPInstanceUID)).contains(sop);
            files.add(f);
        }
        files.add(c.files.get(Corpus.CT1));
        List<String> md5 = Fixtures.pydicomFrameMd5s(python.get(), files);
        String original = md5.getLast();
        assertThat(md5).as("pydicom's pixels of each converted instance and (last) of the original")
                .hasSize(c.ctBySyntax.size() + 1).allMatch(original::equals);
    }

    @Test
    void aStudyAndASeriesArriveInstanceByInstance() throws Exception {
        HttpResponse<byte[]> series = c.server.get(DicomWeb.ROOT + "/studies/" + Fixtures.STUDY + "/series/"
                + Fixtures.MR_SERIES, "Accept", DICOM_STAR);
        assertThat(series.statusCode()).isEqualTo(200);
        List<WadoServer.Part> parts = WadoServer.parts(series);
        assertThat(parts).hasSize(c.mrBySyntax.size());
        for (WadoServer.Part p : parts) {
            String sop = p.headers().get("content-location").substring(p.headers().get("content-location")
                    .lastIndexOf('/') + 1);
            assertThat(p.body()).isEqualTo(c.blob(sop));
        }
        // The whole study by default: the MPEG-2 instance cannot be made Explicit VR Little Endian, so it is left
        // out and named in a Warning; everything else is there, converted.
        HttpResponse<byte[]> study = c.server.get(DicomWeb.ROOT + "/studies/" + Fixtures.STUDY);
        assertThat(study.statusCode()).isEqualTo(200);
        assertThat(WadoServer.parts(study)).hasSize(c.stored.size() - 1)
                .allMatch(p -> p.contentType().equals("application/dicom; transfer-syntax=" + Uid.ExplicitVRLittleEndian));
        assertThat(study.headers().firstValue("Warning").orElseThrow())
                .startsWith("299 lightbox \"1 of " + c.stored.size() + " instances left out").contains(Uid.MPEG2MPML);
    }

    @Test
    void theMostPreferredAcceptableSyntaxWins() throws Exception {
        assumeTrue(c.compressed, "GDCM is needed for the compressed fixtures");
        String jls = c.ctBySyntax.get(Uid.JPEGLSLossless);
        String accept = "multipart/related; type=\"application/dicom\"; transfer-syntax=1.2.840.10008.1.2.5;q=0.5, "
                + "multipart/related; type=\"application/dicom\"; transfer-syntax=*; q=0.9";
        WadoServer.Part p = WadoServer.parts(c.server.get(c.path(jls), "Accept", accept)).getFirst();
        assertThat(p.contentType()).endsWith(Uid.JPEGLSLossless);
        assertThat(p.body()).isEqualTo(c.blob(jls));
        // RLE first now: transcoded (the JPEG-LS pixels decoded, then RLE encoded).
        String rle = "multipart/related; type=application/dicom; transfer-syntax=1.2.840.10008.1.2.5, " + DICOM_STAR
                + "; q=0.1";
        p = WadoServer.parts(c.server.get(c.path(jls), "Accept", rle)).getFirst();
        assertThat(p.contentType()).endsWith(Uid.RLELossless);
        Path f = Files.write(tmp.resolve("rle.dcm"), p.body());
        assertThat(DicomReader.read(f).transferSyntax().uid()).isEqualTo(Uid.RLELossless);
        // The accept query parameter takes precedence over the header field (PS3.18 8.3.3.1).
        HttpResponse<byte[]> q = c.server.get(c.path(jls) + "?accept=" + java.net.URLEncoder.encode(DICOM_STAR,
                java.nio.charset.StandardCharsets.UTF_8), "Accept", "text/html");
        assertThat(WadoServer.parts(q).getFirst().body()).isEqualTo(c.blob(jls));
    }

    @Test
    void oneInstanceMayComeAsABareApplicationDicomBody() throws Exception {
        HttpResponse<byte[]> r = c.server.get(c.path(Corpus.CT1), "Accept", "application/dicom");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).contains("application/dicom; transfer-syntax="
                + Uid.ExplicitVRLittleEndian);
        assertThat(r.body()).isEqualTo(c.blob(Corpus.CT1));
        // Not for a series: that is always multipart.
        HttpResponse<byte[]> s = c.server.get(DicomWeb.ROOT + "/studies/" + Fixtures.STUDY + "/series/"
                + Fixtures.SERIES, "Accept", "application/dicom");
        assertThat(s.statusCode()).isEqualTo(406);
        assertThat(WadoServer.text(s)).contains("multipart/related; type=\"application/dicom\"");
    }

    @Test
    void whatCannotBeProducedIsNotAcceptable() throws Exception {
        // No MPEG-2 encoder here.
        HttpResponse<byte[]> r = c.server.get(c.path(Corpus.CT1), "Accept",
                "multipart/related; type=\"application/dicom\"; transfer-syntax=" + Uid.MPEG2MPML);
        assertThat(r.statusCode()).isEqualTo(406);
        assertThat(WadoServer.text(r)).contains("no acceptable transfer syntax").contains(Uid.MPEG2MPML);
        // JPEG baseline holds 8 bits: the 12-bit CT cannot go there (the encoder says why).
        r = c.server.get(c.path(Corpus.CT1), "Accept",
                "multipart/related; type=\"application/dicom\"; transfer-syntax=" + Uid.JPEGBaseline8Bit);
        assertThat(r.statusCode()).as(WadoServer.text(r)).isEqualTo(406);
        // Metadata media types are another resource's.
        r = c.server.get(DicomWeb.ROOT + "/studies/" + Fixtures.STUDY, "Accept", "application/dicom+json");
        assertThat(r.statusCode()).isEqualTo(406);
        assertThat(r.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/plain");
        // The MPEG-2 instance as stored is fine; converted it is not.
        assertThat(c.server.get(c.path(Corpus.VIDEO), "Accept", DICOM_STAR).statusCode()).isEqualTo(200);
        r = c.server.get(c.path(Corpus.VIDEO));
        assertThat(r.statusCode()).isEqualTo(406);
        assertThat(WadoServer.text(r)).contains("stored in " + Uid.MPEG2MPML);
    }

    @Test
    void missingThingsAre404AndMalformedOnes400() throws Exception {
        Map<String, Integer> cases = Map.of(
                "/studies/1.2.3.999", 404,
                "/studies/" + Fixtures.STUDY + "/series/1.2.3.999", 404,
                "/studies/" + Fixtures.STUDY + "/series/" + Fixtures.MR_SERIES + "/instances/" + Corpus.CT1, 404,
                "/studies/1.2.x", 400,
                "/studies/" + "1".repeat(65), 400,
                "/studies/1.2%27%3B%20DROP%20TABLE%20study", 400,
                "/studies/..%2F..%2Fetc", 400);
        for (var e : cases.entrySet()) {
            HttpResponse<byte[]> r = c.server.get(DicomWeb.ROOT + e.getKey());
            assertThat(r.statusCode()).as(e.getKey() + ": " + WadoServer.text(r)).isEqualTo(e.getValue());
            assertThat(WadoServer.text(r)).isNotBlank();
        }
        assertThat(WadoServer.text(c.server.get(DicomWeb.ROOT + "/studies/1.2.3.999"))).contains("no study 1.2.3.999");
        HttpResponse<byte[]> bad = c.server.get(DicomWeb.ROOT + "/studies/" + Fixtures.STUDY, "Accept",
                "multipart/related; q=2");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(WadoServer.text(bad)).contains("q=2");
    }
}
