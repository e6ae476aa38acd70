// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicomweb;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.http.HttpResponse;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** WADO-RS rendered and thumbnail resources, decoded with ImageIO and checked pixel by pixel where exact. */
class RenderedTest {
    private final Corpus c = Corpus.get();

    private static BufferedImage image(HttpResponse<byte[]> r) throws Exception {
        assertThat(r.statusCode()).as(WadoServer.text(r)).isEqualTo(200);
        BufferedImage i = ImageIO.read(new ByteArrayInputStream(r.body()));
        assertThat(i).as("an image ImageIO reads").isNotNull();
        return i;
    }

    private static int gray(BufferedImage i, int x, int y) {
        return i.getRaster().getSample(x, y, 0);
    }

    @Test
    void anInstanceRendersAsJpegByDefaultAndPngOnRequest() throws Exception {
        HttpResponse<byte[]> jpeg = c.server.get(c.path(Corpus.CT1) + "/rendered");
        assertThat(jpeg.headers().firstValue("Content-Type")).contains("image/jpeg");
        BufferedImage j = image(jpeg);
        assertThat(j.getWidth()).isEqualTo(512);
        assertThat(j.getHeight()).isEqualTo(512);
        // The stored window (40, 400) on HU = stored - 1024: air black, the disc's centre white, its ring grey.
        BufferedImage png = image(c.server.get(c.path(Corpus.CT1) + "/rendered", "Accept", "image/png"));
        assertThat(gray(png, 10, 10)).isZero();
        assertThat(gray(png, 256, 256)).isEqualTo(255);
        int ring = Fixtures.ctPixels(0)[100 * 512 + 256] - 1024; // HU 40 to 136
        int expected = (int) Math.round(((ring - 39.5) / 399 + 0.5) * 255);
        assertThat(gray(png, 256, 100)).isEqualTo(expected);
        assertThat(Math.abs(gray(j, 256, 100) - expected)).as("JPEG is lossy").isLessThan(12);
        BufferedImage gif = image(c.server.get(c.path(Corpus.CT1) + "/rendered", "Accept", "image/gif"));
        assertThat(gif.getWidth()).isEqualTo(512);
    }

    @Test
    void theWindowParameterOverridesTheStoredOne() throws Exception {
        // Centre 0, width 1: a threshold at HU 0 (PS3.3 C.11.2.1.2.1), so the ring turns white.
        BufferedImage t = image(c.server.get(c.path(Corpus.CT1) + "/rendered?window=0,1,linear", "Accept",
                "image/png"));
        assertThat(gray(t, 256, 100)).isEqualTo(255);
        assertThat(gray(t, 10, 10)).isZero();
        BufferedImage s = image(c.server.get(c.path(Corpus.CT1) + "/rendered?window=88,96,sigmoid", "Accept",
                "image/png"));
        int hu = Fixtures.ctPixels(0)[100 * 512 + 256] - 1024;
        int sigmoid = (int) Math.round(255 / (1 + Math.exp(-4 * (hu - 88) / 96.0)));
        assertThat(gray(s, 256, 100)).isEqualTo(sigmoid);
        BufferedImage e = image(c.server.get(c.path(Corpus.CT1) + "/rendered?window=40,400,LINEAR-EXACT",
                "Accept", "image/png"));
        assertThat(gray(e, 256, 100)).isEqualTo((int) Math.round(((hu - 40) / 400.0 + 0.5) * 255));
    }

    @Test
    void viewportScalesAndCrops() throws Exception {
        String base = c.path(Corpus.CT1) + "/rendered?viewport=";
        BufferedImage half = image(c.server.get(base + "256,256", "Accept", "image/png"));
        assertThat(half.getWidth()).isEqualTo(256);
        assertThat(half.getHeight()).isEqualTo(256);
        BufferedImage big = image(c.server.get(base + "1024,800"));
        assertThat(big.getWidth()).isEqualTo(800);
        assertThat(big.getHeight()).isEqualTo(800);
        BufferedImage region = image(c.server.get(base + ",,0,0,256,128", "Accept", "image/png"));
        assertThat(region.getWidth()).isEqualTo(256);
        assertThat(region.getHeight()).isEqualTo(128);
        BufferedImage fitted = image(c.server.get(base + "100,100,256,256,256,128", "Accept", "image/png"));
        assertThat(fitted.getWidth()).isEqualTo(100);
        assertThat(fitted.getHeight()).isEqualTo(50);
        assertThat(gray(fitted, 0, 0)).isEqualTo(255); // the region starts at the disc's white centre
    }

    @Test
    void thumbnailsAndStudySeriesAndFrameResources() throws Exception {
        BufferedImage thumb = image(c.server.get(c.path(Corpus.CT1) + "/thumbnail"));
        assertThat(thumb.getWidth()).isEqualTo(RenderedHandler.THUMBNAIL);
        assertThat(thumb.getHeight()).isEqualTo(RenderedHandler.THUMBNAIL);
        assertThat(image(c.server.get(c.path(Corpus.CT1) + "/thumbnail?viewport=64,64")).getWidth()).isEqualTo(64);
        // The study's representative instance is the middle one of its CT series (the first, with images).
        String study = DicomWeb.ROOT + "/studies/" + Fixtures.STUDY;
        BufferedImage s = image(c.server.get(study + "/rendered", "Accept", "image/png"));
        assertThat(s.getWidth()).isEqualTo(512);
        List<String> ct = c.ctSops();
        String middle = ct.stream().sorted((a, b) -> Integer.compare(number(a), number(b))).toList()
                .get((ct.size() - 1) / 2);
        assertThat(c.server.get(study + "/rendered", "Accept", "image/png").body())
                .isEqualTo(c.server.get(c.path(middle) + "/rendered", "Accept", "image/png").body());
        BufferedImage mr = image(c.server.get(study + "/series/" + Fixtures.MR_SERIES + "/thumbnail"));
        assertThat(mr.getWidth()).isEqualTo(64); // smaller than a thumbnail: not enlarged
        assertThat(image(c.server.get(study + "/thumbnail")).getWidth()).isEqualTo(128);
        // A frame of the MR: frame 3's values are 2000 to 2999, frame 1's 0 to 999 (each rendered on its range).
        BufferedImage f3 = image(c.server.get(c.path(Corpus.MR1) + "/frames/3/rendered?window=2500,1000",
                "Accept", "image/png"));
        BufferedImage f1 = image(c.server.get(c.path(Corpus.MR1) + "/frames/1/rendered?window=2500,1000",
                "Accept", "image/png"));
        assertThat(gray(f3, 5, 5)).isPositive();
        assertThat(gray(f1, 5, 5)).isZero();
        assertThat(image(c.server.get(c.path(Corpus.MR1) + "/frames/2/thumbnail")).getWidth()).isEqualTo(64);
        HttpResponse<byte[]> r = c.server.get(c.path(Corpus.MR1) + "/frames/6/rendered");
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(WadoServer.text(r)).contains("frame 6 is beyond the 5 frames");
        assertThat(c.server.get(c.path(Corpus.MR1) + "/frames/1,2/rendered").statusCode()).isEqualTo(400);
    }

    private int number(String sop) {
        return Integer.parseInt(sop.substring(sop.lastIndexOf('.') + 1));
    }

    @Test
    void qualityChangesTheJpeg() throws Exception {
        byte[] low = c.server.get(c.path(Corpus.CT1) + "/rendered?quality=5").body();
        byte[] high = c.server.get(c.path(Corpus.CT1) + "/rendered?quality=100").body();
        assertThat(low.length).isLessThan(high.length);
        HttpResponse<byte[]> annotated = c.server.get(c.path(Corpus.CT1) + "/rendered?annotation=patient");
        assertThat(annotated.statusCode()).isEqualTo(200);
        assertThat(annotated.headers().firstValue("Warning").orElseThrow()).contains("annotation");
    }

    @Test
    void badParametersAre400AndUnrenderableThings406() throws Exception {
        for (String q : List.of("window=40", "window=a,400", "window=40,0", "window=40,400,cubic", "viewport=0,10",
                "viewport=10", "viewport=10,10,0,0,-5,5", "quality=0", "quality=101", "quality=x",
                "viewport=100000,100", "window=40,400&window=50,400", "viewport=10,10,600,600,10,10")) {
            HttpResponse<byte[]> r = c.server.get(c.path(Corpus.CT1) + "/rendered?" + q);
            assertThat(r.statusCode()).as(q + ": " + WadoServer.text(r)).isEqualTo(400);
        }
        HttpResponse<byte[]> r = c.server.get(c.path(Corpus.CT1) + "/rendered", "Accept", "text/html");
        assertThat(r.statusCode()).isEqualTo(406);
        assertThat(WadoServer.text(r)).contains("image/jpeg, image/png or image/gif");
        r = c.server.get(c.path(Corpus.VIDEO) + "/rendered");
        assertThat(r.statusCode()).isEqualTo(406);
        assertThat(WadoServer.text(r)).contains("cannot be rendered");
    }
}
