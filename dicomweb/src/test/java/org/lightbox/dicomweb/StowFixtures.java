// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicomweb;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import io.javalin.Javalin;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.lightbox.archive.Archive;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Element;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.TransferSyntax;
import org.lightbox.dicom.Vr;
import org.lightbox.dicom.io.DicomWriter;

/** Instances, multipart bodies and a server for the STOW-RS tests. */
final class StowFixtures {
    static final String CT = "1.2.840.10008.5.1.4.1.1.2";
    static final String BOUNDARY = "lightbox-test-boundary";

    private StowFixtures() {}

    static Dataset.Builder instance(String study, String series, String sop, int pixelBytes) {
        byte[] pixels = new byte[pixelBytes];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (i * 31 + 7);
        }
        return Dataset.builder()
                .setStrings(Tag.SOPClassUID, Vr.UI, CT)
                .setStrings(Tag.SOPInstanceUID, Vr.UI, sop)
                .setStrings(Tag.StudyDate, Vr.DA, "20240131")
                .setStrings(Tag.Modality, Vr.CS, "CT")
                .setStrings(Tag.PatientName, Vr.PN, "Doe^Jane")
                .setStrings(Tag.PatientID, Vr.LO, "P1")
                .setStrings(Tag.StudyInstanceUID, Vr.UI, study)
                .setStrings(Tag.SeriesInstanceUID, Vr.UI, series)
                .setStrings(Tag.InstanceNumber, Vr.IS, "1")
                .setNumbers(Tag.Rows, Vr.US, 1)
                .setNumbers(Tag.Columns, Vr.US, pixelBytes / 2)
                .setNumbers(Tag.BitsAllocated, Vr.US, 16)
                .setNumbers(Tag.BitsStored, Vr.US, 16)
                .setNumbers(Tag.HighBit, Vr.US, 15)
                .setNumbers(Tag.PixelRepresentation, Vr.US, 0)
                .setNumbers(Tag.SamplesPerPixel, Vr.US, 1)
                .setStrings(Tag.PhotometricInterpretation, Vr.CS, "MONOCHROME2")
                .add(Element.of(Tag.PixelData, Vr.OW, pixels));
    }

    static byte[] part10(Dataset ds) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            DicomWriter.write(DicomWriter.newFile(ds, TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN), out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A part: its header lines (without CRLF) and content. */
    record Part(List<String> headers, byte[] content) {
        static Part dicom(byte[] content) {
            return new Part(List.of("Content-Type: application/dicom"), content);
        }
    }

    static byte[] multipart(List<Part> parts) {
        return multipart(parts, BOUNDARY, true);
    }

    static byte[] multipart(List<Part> parts, String boundary, boolean close) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Part p : parts) {
            out.writeBytes(("--" + boundary + "\r\n").getBytes(ISO_8859_1));
            for (String h : p.headers()) {
                out.writeBytes((h + "\r\n").getBytes(ISO_8859_1));
            }
            out.writeBytes("\r\n".getBytes(ISO_8859_1));
            out.writeBytes(p.content());
            out.writeBytes("\r\n".getBytes(ISO_8859_1));
        }
        if (close) {
            out.writeBytes(("--" + boundary + "--\r\n").getBytes(ISO_8859_1));
        }
        return out.toByteArray();
    }

    static String contentType(String type) {
        return "multipart/related; type=\"" + type + "\"; boundary=" + BOUNDARY;
    }

    static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every file under the archive's blob folder but its temporary and quarantine folders. */
    static List<Path> blobs(Path dataDir) throws IOException {
        Path root = dataDir.resolve("blobs");
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).filter(p -> !p.startsWith(root.resolve("quarantine")))
                    .toList();
        }
    }

    /** Javalin on 127.0.0.1 with the DICOMweb routes over the archive. */
    static Javalin server(Archive archive) {
        return Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.startup.showOldJavalinVersionWarning = false;
            cfg.concurrency.useVirtualThreads = true;
            cfg.jetty.host = "127.0.0.1";
            cfg.jetty.port = 0;
            DicomWeb.register(cfg.routes, () -> archive);
        }).start();
    }
}
