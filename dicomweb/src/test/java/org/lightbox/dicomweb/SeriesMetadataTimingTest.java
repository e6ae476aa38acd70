// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicomweb;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.Vr;

/**
 * The metadata fast path, measured: a series of 1,000 CT images with realistic headers, stored through the archive's
 * ingest, then its metadata asked for over HTTP on a kept-alive connection, warm. Prints the figures (median and
 * 95th percentile of 40 requests: plain, gzip, and the 304 revalidation); asserts only correctness, never time
 * (issue 6's target is 50 ms warm). Run alone with
 * {@code lbmvn -q test -pl dicomweb -am -Dtest=SeriesMetadataTimingTest -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class SeriesMetadataTimingTest {
    static final int INSTANCES = 1000;
    static final int RUNS = 40;
    static final String STUDY = "1.2.826.0.1.3680043.10.2.1";
    static final String SERIES = STUDY + ".1";

    @TempDir
    Path dir;

    /** About 3 KiB of header, like a CT image's: equipment, geometry, acquisition, window and a sequence. */
    static Dataset ct(int i) {
        Dataset ref = Dataset.builder().setStrings(Tag.ReferencedSOPClassUID, Vr.UI, WebFixture.CT)
                .setStrings(Tag.ReferencedSOPInstanceUID, Vr.UI, SERIES + ".0").build();
        return WebFixture.study(WebFixture.image(STUDY, SERIES, SERIES + "." + i, i), "Timing^Series", "T1",
                "20240301", "ACC9", "CT chest abdomen pelvis with contrast")
                .setStrings(Tag.ImageType, Vr.CS, "ORIGINAL", "PRIMARY", "AXIAL")
                .setStrings(Tag.Manufacturer, Vr.LO, "Example Medical Systems")
                .setStrings(Tag.InstitutionName, Vr.LO, "General Hospital of Somewhere")
                .setStrings(Tag.StationName, Vr.SH, "CT01")
                .setStrings(Tag.ManufacturerModelName, Vr.LO, "Scanner 128")
                .setStrings(Tag.SoftwareVersions, Vr.LO, "VA40C")
                .setStrings(Tag.ProtocolName, Vr.LO, "Chest-Abdomen-Pelvis routine")
                .setStrings(Tag.BodyPartExamined, Vr.CS, "CHEST")
                .setStrings(Tag.ContrastBolusAgent, Vr.LO, "Iodine 350")
                .setStrings(Tag.SliceThickness, Vr.DS, "1.25")
                .setStrings(Tag.KVP, Vr.DS, "120")
                .setStrings(Tag.DataCollectionDiameter, Vr.DS, "500")
                .setStrings(Tag.ReconstructionDiameter, Vr.DS, "380")
                .setStrings(Tag.GantryDetectorTilt, Vr.DS, "0")
                .setStrings(Tag.TableHeight, Vr.DS, "145.5")
                .setStrings(Tag.RotationDirection, Vr.CS, "CW")
                .setStrings(Tag.ExposureTime, Vr.IS, "500")
                .setStrings(Tag.XRayTubeCurrent, Vr.IS, "250")
                .setStrings(Tag.Exposure, Vr.IS, "125")
                .setStrings(Tag.ConvolutionKernel, Vr.SH, "B30f")
                .setStrings(Tag.PatientPosition, Vr.CS, "FFS")
                .setStrings(Tag.AcquisitionNumber, Vr.IS, "2")
                .setStrings(Tag.ImagePositionPatient, Vr.DS, "-190.5", "-185.3", String.valueOf(-100 - i * 1.25))
                .setStrings(Tag.ImageOrientationPatient, Vr.DS, "1", "0", "0", "0", "1", "0")
                .setStrings(Tag.FrameOfReferenceUID, Vr.UI, STUDY + ".9")
                .setStrings(Tag.PositionReferenceIndicator, Vr.LO, "SN")
                .setStrings(Tag.SliceLocation, Vr.DS, String.valueOf(-100 - i * 1.25))
                .setStrings(Tag.PixelSpacing, Vr.DS, "0.742188", "0.742188")
                .setStrings(Tag.WindowCenter, Vr.DS, "40", "400")
                .setStrings(Tag.WindowWidth, Vr.DS, "400", "1500")
                .setStrings(Tag.WindowCenterWidthExplanation, Vr.LO, "SOFT TISSUE", "LUNG")
                .setStrings(Tag.RescaleIntercept, Vr.DS, "-1024")
                .setStrings(Tag.RescaleSlope, Vr.DS, "1")
                .setStrings(Tag.RescaleType, Vr.LO, "HU")
                .setStrings(Tag.AcquisitionDate, Vr.DA, "20240301")
                .setStrings(Tag.AcquisitionTime, Vr.TM, "101512.123456")
                .setStrings(Tag.ContentDate, Vr.DA, "20240301")
                .setStrings(Tag.ContentTime, Vr.TM, "101512.123456")
                .setStrings(Tag.SeriesDate, Vr.DA, "20240301")
                .setStrings(Tag.SeriesTime, Vr.TM, "101500")
                .setStrings(Tag.OperatorsName, Vr.PN, "Tech^Anna")
                .setStrings(Tag.PerformingPhysicianName, Vr.PN, "Rad^Bob")
                .setStrings(Tag.ImageComments, Vr.LT, "Routine acquisition, no remarks about this image at all.")
                .setItems(Tag.ReferencedImageSequence, List.of(ref, ref))
                .build();
    }

    @Test
    void seriesMetadataOfAThousandInstances() throws IOException, InterruptedException {
        try (WebFixture web = WebFixture.start(dir)) {
            long t0 = System.nanoTime();
            for (int i = 1; i <= INSTANCES; i++) {
                web.store(ct(i));
            }
            double ingestSeconds = (System.nanoTime() - t0) / 1e9;
            String path = "/dicom-web/studies/" + STUDY + "/series/" + SERIES + "/metadata";
            HttpResponse<String> first = web.get(path);
            assertThat(first.statusCode()).isEqualTo(200);
            assertThat(new ObjectMapper().readTree(first.body())).hasSize(INSTANCES);
            String etag = first.headers().firstValue("ETag").orElseThrow();
            int bytes = first.body().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;

            double[] plain = time(web, path);
            double[] gzip = time(web, path, "Accept-Encoding", "gzip");
            double[] notModified = time(web, path, "If-None-Match", etag);
            HttpResponse<byte[]> zipped = web.getBytes(path, "Accept-Encoding", "gzip");
            String instances = "/dicom-web/studies/" + STUDY + "/series/" + SERIES + "/instances";
            assertThat(new ObjectMapper().readTree(web.get(instances).body())).hasSize(INSTANCES);
            double[] qidoInstances = time(web, instances);
            double[] qidoStudy = time(web, "/dicom-web/studies?PatientID=T1");
            System.out.printf("series metadata, %d instances (%d bytes of JSON, %d gzipped), ingest %.1f s:%n"
                    + "  plain   median %.1f ms, p95 %.1f ms%n  gzip    median %.1f ms, p95 %.1f ms%n"
                    + "  304     median %.1f ms, p95 %.1f ms%n"
                    + "QIDO-RS: the series' %d instances median %.1f ms, p95 %.1f ms;"
                    + " studies?PatientID median %.1f ms, p95 %.1f ms%n", INSTANCES, bytes, zipped.body().length,
                    ingestSeconds, plain[0], plain[1], gzip[0], gzip[1], notModified[0], notModified[1], INSTANCES,
                    qidoInstances[0], qidoInstances[1], qidoStudy[0], qidoStudy[1]);
        }
    }

    /** Median and 95th percentile in milliseconds of RUNS requests after 10 to warm up, bodies read whole. */
    private static double[] time(WebFixture web, String path, String... headers)
            throws IOException, InterruptedException {
        double[] ms = new double[RUNS];
        for (int i = -10; i < RUNS; i++) {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(web.url(path))).timeout(Duration.ofSeconds(30));
            for (int h = 0; h < headers.length; h += 2) {
                b.header(headers[h], headers[h + 1]);
            }
            long t = System.nanoTime();
            HttpResponse<byte[]> r = web.http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            double elapsed = (System.nanoTime() - t) / 1e6;
            assertThat(r.statusCode()).isIn(200, 304);
            if (i >= 0) {
                ms[i] = elapsed;
            }
        }
        Arrays.sort(ms);
        return new double[] {ms[RUNS / 2], ms[(int) Math.ceil(RUNS * 0.95) - 1]};
    }
}
