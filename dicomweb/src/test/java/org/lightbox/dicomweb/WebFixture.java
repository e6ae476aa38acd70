// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicomweb;

import io.javalin.Javalin;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.lightbox.archive.Archive;
import org.lightbox.archive.ArchiveConfig;
import org.lightbox.archive.IngestResult;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Element;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.TransferSyntax;
import org.lightbox.dicom.Vr;
import org.lightbox.dicom.io.DicomWriter;

/**
 * DICOMweb on real HTTP over loopback: a Javalin server as {@code lightbox serve} sets it up (virtual threads,
 * 127.0.0.1, an ephemeral port) with the DICOMweb routes over a real archive in a temporary folder, and a client.
 */
final class WebFixture implements AutoCloseable {
    static final String CT = "1.2.840.10008.5.1.4.1.1.2";
    static final String SR = "1.2.840.10008.5.1.4.1.1.88.11";

    final Archive archive;
    final Javalin app;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** While false, the routes see no archive, as while it opens. */
    volatile boolean open = true;

    private WebFixture(Archive archive, DicomWeb.Options options) {
        this.archive = archive;
        this.app = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.startup.showOldJavalinVersionWarning = false;
            cfg.concurrency.useVirtualThreads = true;
            cfg.jetty.host = "127.0.0.1";
            cfg.jetty.port = 0;
            DicomWeb.register(cfg.routes, () -> open ? archive : null, options);
        }).start();
    }

    static WebFixture start(Path dir) throws IOException {
        return start(dir, DicomWeb.Options.DEFAULT);
    }

    static WebFixture start(Path dir, DicomWeb.Options options) throws IOException {
        return new WebFixture(Archive.open(ArchiveConfig.of(dir.resolve("data"))), options);
    }

    String url(String path) {
        return "http://127.0.0.1:" + app.port() + path;
    }

    /** GET with headers given as name, value, name, value... */
    HttpResponse<String> get(String path, String... headers) {
        return send("GET", path, headers);
    }

    HttpResponse<String> send(String method, String path, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url(path))).timeout(Duration.ofSeconds(30))
                .method(method, HttpRequest.BodyPublishers.noBody());
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        try {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    HttpResponse<byte[]> getBytes(String path, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url(path))).timeout(Duration.ofSeconds(30));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        try {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** Stores the data set as a Part 10 file through the archive's one ingest path. */
    IngestResult store(Dataset ds) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DicomWriter.write(DicomWriter.newFile(ds, TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN), out);
        IngestResult r = archive.storePart10(new java.io.ByteArrayInputStream(out.toByteArray()));
        if (r.failure().isPresent()) {
            throw new IllegalStateException("not stored: " + r);
        }
        return r;
    }

    /** A CT image of 4 x 4 16-bit pixels. */
    static Dataset.Builder image(String study, String series, String sop, int number) {
        return Dataset.builder()
                .setStrings(Tag.SOPClassUID, Vr.UI, CT)
                .setStrings(Tag.SOPInstanceUID, Vr.UI, sop)
                .setStrings(Tag.StudyInstanceUID, Vr.UI, study)
                .setStrings(Tag.SeriesInstanceUID, Vr.UI, series)
                .setStrings(Tag.Modality, Vr.CS, "CT")
                .setStrings(Tag.SeriesNumber, Vr.IS, "1")
                .setStrings(Tag.InstanceNumber, Vr.IS, String.valueOf(number))
                .setStrings(Tag.SeriesDescription, Vr.LO, "Axial")
                .setNumbers(Tag.SamplesPerPixel, Vr.US, 1)
                .setStrings(Tag.PhotometricInterpretation, Vr.CS, "MONOCHROME2")
                .setNumbers(Tag.Rows, Vr.US, 4)
                .setNumbers(Tag.Columns, Vr.US, 4)
                .setNumbers(Tag.BitsAllocated, Vr.US, 16)
                .setNumbers(Tag.BitsStored, Vr.US, 12)
                .setNumbers(Tag.HighBit, Vr.US, 11)
                .setNumbers(Tag.PixelRepresentation, Vr.US, 0)
                .add(Element.of(Tag.PixelData, Vr.OW, new byte[32]));
    }

    /** The patient and study attributes of one of the test studies. */
    static Dataset.Builder study(Dataset.Builder b, String name, String id, String date, String accession,
            String description) {
        return b.setStrings(Tag.PatientName, Vr.PN, name)
                .setStrings(Tag.PatientID, Vr.LO, id)
                .setStrings(Tag.PatientBirthDate, Vr.DA, "19700101")
                .setStrings(Tag.PatientSex, Vr.CS, "F")
                .setStrings(Tag.StudyDate, Vr.DA, date)
                .setStrings(Tag.StudyTime, Vr.TM, "101500")
                .setStrings(Tag.AccessionNumber, Vr.SH, accession)
                .setStrings(Tag.StudyID, Vr.SH, "S-" + accession)
                .setStrings(Tag.StudyDescription, Vr.LO, description)
                .setStrings(Tag.ReferringPhysicianName, Vr.PN, "Who^Doctor");
    }

    /**
     * Three studies: A (Doe^Jane, 2024-01-31, CT series A1 of three images and an SR series A2 with a request
     * sequence and an icon of 2 KiB), B (SMITH^John, 2023-12-15, MR series B1 of two images) and C (Müller^Jürgen,
     * 2022-06-01, a CT and a PT series of one image each).
     */
    void storeStudies() throws IOException {
        for (int i = 1; i <= 3; i++) {
            store(study(image(A, A1, A1 + "." + i, i), "Doe^Jane", "P1", "20240131", "ACC1", "Chest").build());
        }
        Dataset request = Dataset.builder().setStrings(Tag.RequestedProcedureID, Vr.SH, "RP-7")
                .setStrings(Tag.ScheduledProcedureStepID, Vr.SH, "SPS-7").build();
        Dataset icon = Dataset.builder().setNumbers(Tag.Rows, Vr.US, 32).setNumbers(Tag.Columns, Vr.US, 32)
                .setNumbers(Tag.BitsAllocated, Vr.US, 16)
                .add(Element.of(Tag.PixelData, Vr.OW, new byte[2048])).build();
        store(study(Dataset.builder(), "Doe^Jane", "P1", "20240131", "ACC1", "Chest")
                .setStrings(Tag.SOPClassUID, Vr.UI, SR)
                .setStrings(Tag.SOPInstanceUID, Vr.UI, A2 + ".1")
                .setStrings(Tag.StudyInstanceUID, Vr.UI, A)
                .setStrings(Tag.SeriesInstanceUID, Vr.UI, A2)
                .setStrings(Tag.Modality, Vr.CS, "SR")
                .setStrings(Tag.SeriesNumber, Vr.IS, "2")
                .setStrings(Tag.InstanceNumber, Vr.IS, "1")
                .setStrings(Tag.SeriesDescription, Vr.LO, "Report")
                .setItems(Tag.RequestAttributesSequence, List.of(request))
                .setItems(Tag.IconImageSequence, List.of(icon))
                .build());
        for (int i = 1; i <= 2; i++) {
            store(study(image(B, B1, B1 + "." + i, i), "SMITH^John", "P2", "20231215", "ACC2", "Knee")
                    .setStrings(Tag.Modality, Vr.CS, "MR").setStrings(Tag.SOPClassUID, Vr.UI,
                            "1.2.840.10008.5.1.4.1.1.4").build());
        }
        Dataset.Builder c = Dataset.builder().setStrings(Tag.SpecificCharacterSet, Vr.CS, "ISO_IR 192");
        store(study(c.addAll(image(C, C1, C1 + ".1", 1).build()), "Müller^Jürgen", "P3", "20220601", "ACC3",
                "Ganzkörper").build());
        Dataset.Builder pt = Dataset.builder().setStrings(Tag.SpecificCharacterSet, Vr.CS, "ISO_IR 192");
        store(study(pt.addAll(image(C, C2, C2 + ".1", 1).build()), "Müller^Jürgen", "P3", "20220601", "ACC3",
                "Ganzkörper").setStrings(Tag.Modality, Vr.CS, "PT")
                .setStrings(Tag.SOPClassUID, Vr.UI, "1.2.840.10008.5.1.4.1.1.128").build());
    }

    static final String A = "1.2.826.0.1.3680043.10.1.1";
    static final String A1 = A + ".1";
    static final String A2 = A + ".2";
    static final String B = "1.2.826.0.1.3680043.10.1.2";
    static final String B1 = B + ".1";
    static final String C = "1.2.826.0.1.3680043.10.1.3";
    static final String C1 = C + ".1";
    static final String C2 = C + ".2";

    @Override
    public void close() {
        app.stop();
        archive.close();
    }
}
