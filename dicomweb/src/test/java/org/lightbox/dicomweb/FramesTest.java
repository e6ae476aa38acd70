// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicomweb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.lightbox.dicom.Uid;
import org.lightbox.dicom.io.DicomReader;
import org.lightbox.imaging.Frames;
import org.lightbox.imaging.ImageDescription;
import org.lightbox.imaging.PixelCodec;
import org.lightbox.imaging.PixelData;
import org.lightbox.testkit.ProcessResult;
import org.lightbox.testkit.Tools;

/** WADO-RS frames: decoded pixels checked against pydicom, stored codestreams, transcoded ones, errors. */
class FramesTest {
    static final String OCTETS = "multipart/related; type=\"application/octet-stream\"";

    private final Corpus c = Corpus.get();

    static String md5(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(b));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private List<String> pydicom(List<String> sops) {
        var python = Tools.python3WithPydicom();
        assumeTrue(python.isPresent(), "pydicom is not installed (apt-get install python3-pydicom)");
        List<Path> files = sops.stream().map(c.files::get).toList();
        return Fixtures.pydicomFrameMd5s(python.get(), files);
    }

    @Test
    void decodedFramesEqualPydicomsPixelsOfTheOriginal() throws Exception {
        List<String> expected = pydicom(List.of(Corpus.CT1, Corpus.MR1));
        for (String sop : c.ctBySyntax.values()) {
            HttpResponse<byte[]> r = c.server.get(c.path(sop) + "/frames/1");
            assertThat(r.statusCode()).as(WadoServer.text(r)).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type").orElseThrow()).startsWith(OCTETS + "; boundary=");
            WadoServer.Part p = WadoServer.parts(r).getFirst();
            assertThat(p.contentType()).isEqualTo("application/octet-stream; transfer-syntax="
                    + Uid.ExplicitVRLittleEndian);
            assertThat(p.body()).hasSize(512 * 512 * 2);
            assertThat(md5(p.body())).as(c.stored.get(sop).transferSyntaxUid()).isEqualTo(expected.get(0));
            assertThat(p.headers().get("content-location")).isEqualTo(c.path(sop) + "/frames/1");
        }
        String[] mr = expected.get(1).split(" ");
        for (String sop : c.mrBySyntax.values()) {
            List<WadoServer.Part> parts = WadoServer.parts(c.server.get(c.path(sop) + "/frames/5,1,3,3",
                    "Accept", OCTETS));
            assertThat(parts).extracting(p -> md5(p.body())).as(c.stored.get(sop).transferSyntaxUid())
                    .containsExactly(mr[4], mr[0], mr[2], mr[2]);
        }
    }

    @Test
    void pydicomDecodesTheCompressedFixturesToTheSamePixels() {
        assumeTrue(c.compressed, "GDCM is needed for the compressed fixtures");
        // pydicom 2.3 reads RLE and (through Pillow) JPEG 2000 itself: a second, independent decoder.
        List<String> sops = List.of(Corpus.CT1, c.ctBySyntax.get(Uid.RLELossless), c.ctBySyntax.get(Uid.JPEG2000Lossless),
                Corpus.MR1, c.mrBySyntax.get(Uid.RLELossless));
        List<String> md5 = pydicom(sops);
        assertThat(md5.get(1)).isEqualTo(md5.get(0));
        assertThat(md5.get(2)).isEqualTo(md5.get(0));
        assertThat(md5.get(4)).isEqualTo(md5.get(3));
    }

    @Test
    void transferSyntaxStarSendsTheStoredCodestreams() throws Exception {
        assumeTrue(c.compressed, "GDCM is needed for the compressed fixtures");
        var python = Tools.python3WithPydicom();
        assumeTrue(python.isPresent(), "pydicom is not installed");
        String jls = c.mrBySyntax.get(Uid.JPEGLSLossless);
        List<WadoServer.Part> parts = WadoServer.parts(c.server.get(c.path(jls) + "/frames/2,4", "Accept",
                OCTETS + "; transfer-syntax=*"));
        assertThat(parts).allMatch(p -> p.contentType().equals("application/octet-stream; transfer-syntax="
                + Uid.JPEGLSLossless));
        // pydicom's own split of the encapsulated pixel data into frames.
        ProcessResult r = Tools.run(List.of(python.get().toString(), "-c", """
                import sys, hashlib, pydicom
                from pydicom.encaps import generate_pixel_data_frame
                ds = pydicom.dcmread(sys.argv[1])
                print(' '.join(hashlib.md5(f).hexdigest() for f in generate_pixel_data_frame(ds.PixelData, 5)))
                """, c.files.get(jls).toString()), Duration.ofSeconds(60));
        assertThat(r.isSuccess()).as(r.toString()).isTrue();
        String[] frames = r.stdout().strip().split(" ");
        // gdcmconv pads a codestream of odd length to even; the frame sent is the fragment as stored.
        assertThat(md5(parts.get(0).body())).isEqualTo(frames[1]);
        assertThat(md5(parts.get(1).body())).isEqualTo(frames[3]);
        // A native instance has nothing compressed to send: its frames as they are, labelled Explicit VR LE.
        WadoServer.Part p = WadoServer.parts(c.server.get(c.path(Corpus.CT1) + "/frames/1", "Accept",
                OCTETS + "; transfer-syntax=*")).getFirst();
        assertThat(p.contentType()).endsWith(Uid.ExplicitVRLittleEndian);
    }

    @Test
    void compressedMediaTypesAreSentAsStoredOrEncodedHere() throws Exception {
        ImageDescription ct = Frames.of(DicomReader.read(c.files.get(Corpus.CT1)).dataset()).image();
        byte[] original = WadoServer.parts(c.server.get(c.path(Corpus.CT1) + "/frames/1")).getFirst().body();
        // The native CT as image/jls: encoded here, and decoding it gives the pixels back.
        WadoServer.Part p = WadoServer.parts(c.server.get(c.path(Corpus.CT1) + "/frames/1", "Accept",
                "multipart/related; type=\"image/jls\"")).getFirst();
        assertThat(p.contentType()).isEqualTo("image/jls; transfer-syntax=" + Uid.JPEGLSLossless);
        assertThat(decode(Uid.JPEGLSLossless, p.body(), ct)).isEqualTo(original);
        // image/jpeg of 12 bits cannot be baseline: lossless JPEG (SV1), bit for bit.
        p = WadoServer.parts(c.server.get(c.path(Corpus.CT1) + "/frames/1", "Accept",
                "multipart/related; type=\"image/jpeg\"")).getFirst();
        assertThat(p.contentType()).isEqualTo("image/jpeg; transfer-syntax=" + Uid.JPEGLosslessSV1);
        assertThat(decode(Uid.JPEGLosslessSV1, p.body(), ct)).isEqualTo(original);
        // The RLE media type, by its older name too.
        p = WadoServer.parts(c.server.get(c.path(Corpus.CT1) + "/frames/1", "Accept",
                "multipart/related; type=\"image/x-dicom-rle\"")).getFirst();
        assertThat(p.contentType()).isEqualTo("image/dicom-rle; transfer-syntax=" + Uid.RLELossless);
        assertThat(decode(Uid.RLELossless, p.body(), ct)).isEqualTo(original);
        if (c.compressed) {
            // Stored JPEG 2000 asked as image/jp2: the stored codestream.
            String j2k = c.ctBySyntax.get(Uid.JPEG2000Lossless);
            byte[] stored = Frames.of(DicomReader.read(c.files.get(j2k)).dataset()).frame(0);
            p = WadoServer.parts(c.server.get(c.path(j2k) + "/frames/1", "Accept",
                    "multipart/related; type=\"image/jp2\"")).getFirst();
            assertThat(p.contentType()).isEqualTo("image/jp2; transfer-syntax=" + Uid.JPEG2000Lossless);
            assertThat(p.body()).isEqualTo(stored);
        }
        // One frame may come alone, in a single-part media type.
        HttpResponse<byte[]> single = c.server.get(c.path(Corpus.CT1) + "/frames/1", "Accept",
                "application/octet-stream");
        assertThat(single.headers().firstValue("Content-Type")).contains("application/octet-stream; transfer-syntax="
                + Uid.ExplicitVRLittleEndian);
        assertThat(single.body()).isEqualTo(original);
    }

    private static byte[] decode(String ts, byte[] codestream, ImageDescription image) throws Exception {
        return PixelData.decoder(ts, image).orElseThrow().decode(codestream, image, 0).pixels();
    }

    @Test
    void framesBeyondTheInstanceAre404AndMalformedListsAre400() throws Exception {
        HttpResponse<byte[]> r = c.server.get(c.path(Corpus.MR1) + "/frames/1,6");
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(WadoServer.text(r)).contains("frame 6 is beyond the 5 frames of instance " + Corpus.MR1);
        r = c.server.get(c.path(Corpus.CT1) + "/frames/2");
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(WadoServer.text(r)).contains("beyond the 1 frame of");
        List<String> bad = new ArrayList<>(List.of("0", "a", "1,,2", "-1", "1.5", "9999999999"));
        for (String list : bad) {
            r = c.server.get(c.path(Corpus.CT1) + "/frames/" + list);
            assertThat(r.statusCode()).as(list).isEqualTo(400);
        }
        r = c.server.get(c.path(Corpus.VIDEO) + "/frames/1");
        assertThat(r.statusCode()).isEqualTo(406); // MPEG-2: no decoder, so no native frames
        assertThat(WadoServer.text(r)).contains(Uid.MPEG2MPML);
    }

    @Test
    void typesThatCannotBeProducedAre406() throws Exception {
        for (String accept : List.of("multipart/related; type=\"image/jpx\"", "text/html",
                "multipart/related; type=\"image/jpeg\"; transfer-syntax=" + Uid.JPEGLSLossless,
                OCTETS + "; transfer-syntax=" + Uid.ExplicitVRBigEndian, "image/png")) {
            HttpResponse<byte[]> r = c.server.get(c.path(Corpus.CT1) + "/frames/1", "Accept", accept);
            assertThat(r.statusCode()).as(accept).isEqualTo(406);
            assertThat(WadoServer.text(r)).contains("stored in " + Uid.ExplicitVRLittleEndian);
        }
        // Several frames cannot be one single-part body.
        assertThat(c.server.get(c.path(Corpus.MR1) + "/frames/1,2", "Accept", "application/octet-stream")
                .statusCode()).isEqualTo(406);
    }
}
