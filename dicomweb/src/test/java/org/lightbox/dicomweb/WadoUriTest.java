// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicomweb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lightbox.dicom.Uid;
import org.lightbox.dicom.io.DicomReader;
import org.lightbox.testkit.Tools;

/** WADO-URI at /wado and /dicom-web/wado: DICOM and rendered answers, and the parameter rules. */
class WadoUriTest {
    private final Corpus c = Corpus.get();

    @TempDir
    Path tmp;

    private String query(String sop) {
        var s = c.stored.get(sop);
        return "?requestType=WADO&studyUID=" + s.studyInstanceUid() + "&seriesUID=" + s.seriesInstanceUid()
                + "&objectUID=" + sop;
    }

    @Test
    void applicationDicomIsThePart10FileInExplicitVrLittleEndianByDefault() throws Exception {
        for (String base : List.of("/wado", "/dicom-web/wado")) {
            HttpResponse<byte[]> r = c.server.get(base + query(Corpus.CT1) + "&contentType=application/dicom");
            assertThat(r.statusCode()).as(WadoServer.text(r)).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type")).contains("application/dicom"); // no parameters (9.4)
            assertThat(r.body()).isEqualTo(c.blob(Corpus.CT1));
        }
        assumeTrue(c.compressed, "GDCM is needed for the compressed fixtures");
        var python = Tools.python3WithPydicom();
        assumeTrue(python.isPresent(), "pydicom is not installed");
        String rle = c.ctBySyntax.get(Uid.RLELossless);
        HttpResponse<byte[]> r = c.server.get("/wado" + query(rle) + "&contentType=application%2Fdicom");
        Path f = Files.write(tmp.resolve("rle-as-evrle.dcm"), r.body());
        assertThat(DicomReader.read(f).transferSyntax().uid()).isEqualTo(Uid.ExplicitVRLittleEndian);
        List<String> md5 = Fixtures.pydicomFrameMd5s(python.get(), List.of(f, c.files.get(Corpus.CT1)));
        assertThat(md5.get(0)).isEqualTo(md5.get(1));
        // transferSyntax names another; * keeps the stored one.
        r = c.server.get("/wado" + query(rle) + "&contentType=application/dicom&transferSyntax=*");
        assertThat(r.body()).isEqualTo(c.blob(rle));
        r = c.server.get("/wado" + query(Corpus.CT1) + "&contentType=application/dicom&transferSyntax="
                + Uid.JPEGLSLossless);
        f = Files.write(tmp.resolve("jls.dcm"), r.body());
        assertThat(DicomReader.read(f).transferSyntax().uid()).isEqualTo(Uid.JPEGLSLossless);
        r = c.server.get("/wado" + query(Corpus.CT1) + "&contentType=application/dicom&transferSyntax="
                + Uid.MPEG2MPML);
        assertThat(r.statusCode()).isEqualTo(406);
    }

    @Test
    void imagesAreRenderedJpegByDefault() throws Exception {
        HttpResponse<byte[]> r = c.server.get("/wado" + query(Corpus.CT1));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).contains("image/jpeg");
        BufferedImage png = ImageIO.read(new ByteArrayInputStream(c.server.get("/wado" + query(Corpus.CT1)
                + "&contentType=image/png&rows=128&windowCenter=0&windowWidth=1").body()));
        assertThat(png.getWidth()).isEqualTo(128);
        assertThat(png.getHeight()).isEqualTo(128);
        assertThat(png.getRaster().getSample(64, 25, 0)).isEqualTo(255); // the ring, thresholded at HU 0
        BufferedImage region = ImageIO.read(new ByteArrayInputStream(c.server.get("/wado" + query(Corpus.CT1)
                + "&contentType=image/png&region=0.5,0.5,1,0.75").body()));
        assertThat(region.getWidth()).isEqualTo(256);
        assertThat(region.getHeight()).isEqualTo(128);
        BufferedImage frame = ImageIO.read(new ByteArrayInputStream(c.server.get("/wado" + query(Corpus.MR1)
                + "&frameNumber=5&columns=32&imageQuality=50").body()));
        assertThat(frame.getWidth()).isEqualTo(32);
        // With the Accept header alone.
        r = c.server.get("/wado" + query(Corpus.CT1), "Accept", "image/png, image/jpeg;q=0.5");
        assertThat(r.headers().firstValue("Content-Type")).contains("image/png");
        r = c.server.get("/wado" + query(Corpus.CT1), "Accept", "application/dicom");
        assertThat(r.body()).isEqualTo(c.blob(Corpus.CT1));
    }

    @Test
    void missingContradictoryOrUnsupportedParametersAre400() throws Exception {
        String ok = query(Corpus.CT1);
        Map<String, String> cases = Map.ofEntries(
                Map.entry(ok.replace("requestType=WADO&", ""), "requestType is missing"),
                Map.entry(ok.replace("WADO", "WADO2"), "only WADO"),
                Map.entry(ok.replace("&objectUID=" + Corpus.CT1, ""), "objectUID is missing"),
                Map.entry(ok.replace("&studyUID=", "&studyUID=x"), "studyUID is no UID"),
                Map.entry(ok + "&windowCenter=40", "windowCenter is given without windowWidth"),
                Map.entry(ok + "&contentType=application/dicom&rows=10", "rows applies to rendered images"),
                Map.entry(ok + "&contentType=image/jpeg&transferSyntax=" + Uid.ExplicitVRLittleEndian,
                        "transferSyntax applies to application/dicom"),
                Map.entry(ok + "&anonymize=yes", "anonymize is not supported"),
                Map.entry(ok + "&presentationUID=1.2.3", "presentationUID is not supported"),
                Map.entry(ok + "&frameNumber=2", "frame 2 is beyond the 1 frame"),
                Map.entry(ok + "&frameNumber=0", "frameNumber must be 1"),
                Map.entry(ok + "&region=0.5,0.5,0.2,1", "must be greater"),
                Map.entry(ok + "&region=0,0,2,1", "fractions from 0 to 1"),
                Map.entry(ok + "&imageQuality=101", "imageQuality must be 1 to 100"),
                Map.entry(ok + "&rows=-3", "rows must be 1"));
        for (var e : cases.entrySet()) {
            HttpResponse<byte[]> r = c.server.get("/wado" + e.getKey());
            assertThat(r.statusCode()).as(e.getKey() + ": " + WadoServer.text(r)).isEqualTo(400);
            assertThat(WadoServer.text(r)).as(e.getKey()).contains(e.getValue());
        }
        HttpResponse<byte[]> r = c.server.get("/wado" + ok.replace(Corpus.CT1, Corpus.CT1 + ".9"));
        assertThat(r.statusCode()).isEqualTo(404);
        r = c.server.get("/wado" + ok + "&contentType=text/html");
        assertThat(r.statusCode()).isEqualTo(406);
    }
}
