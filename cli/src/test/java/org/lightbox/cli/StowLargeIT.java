// SPDX-License-Identifier: Apache-2.0
package org.lightbox.cli;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.TransferSyntax;
import org.lightbox.dicom.Vr;
import org.lightbox.dicom.io.DicomWriter;

/**
 * STOW-RS streams: {@code lightbox serve} with a 64 MiB heap takes a 300 MiB instance (sent chunked, from a
 * generator, never whole in memory on either side) followed by a small one in the same request, and stores both
 * byte for byte.
 */
class StowLargeIT {
    private static final String BOUNDARY = "large-boundary-42";
    private static final long PIXELS = 300L * 1024 * 1024;

    @TempDir
    Path dir;

    @Test
    void aPartLargerThanTheHeapStreamsIntoTheArchive() throws Exception {
        Path data = dir.resolve("data");
        int httpPort = freePort();
        Path log = dir.resolve("serve.log");
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(List.of(javaBin, "--enable-native-access=ALL-UNNAMED", "-Xmx64m", "-jar",
                Path.of("target", "lightbox.jar").toAbsolutePath().toString(), "serve", "--data", data.toString(),
                "--dicom-port", String.valueOf(freePort()), "--http-port", String.valueOf(httpPort)))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            awaitHealth(http, httpPort, p, log);
            byte[] bigHead = head("3.1.1.1", PIXELS);
            MessageDigest bigDigest = MessageDigest.getInstance("SHA-256");
            bigDigest.update(bigHead);
            byte[] small = part10small();
            InputStream body = new SequenceInputStream(java.util.Collections.enumeration(List.of(
                    ascii("--" + BOUNDARY + "\r\nContent-Type: application/dicom\r\n\r\n"),
                    new java.io.ByteArrayInputStream(bigHead), new Pixels(PIXELS, bigDigest),
                    ascii("\r\n--" + BOUNDARY + "\r\nContent-Type: application/dicom\r\n\r\n"),
                    new java.io.ByteArrayInputStream(small), ascii("\r\n--" + BOUNDARY + "--\r\n"))));
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort
                    + "/dicom-web/studies/3.1")).timeout(Duration.ofMinutes(5))
                    .header("Content-Type", "multipart/related; type=\"application/dicom\"; boundary=" + BOUNDARY)
                    .POST(HttpRequest.BodyPublishers.ofInputStream(() -> body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body() + "\n" + Files.readString(log)).isEqualTo(200);
            JsonNode referenced = new ObjectMapper().readTree(r.body()).path("00081199").path("Value");
            assertThat(referenced).hasSize(2);
            // Blobs are named by their SHA-256: the bytes sent are the bytes stored.
            String big = HexFormat.of().formatHex(bigDigest.digest());
            String smallSha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(small));
            try (Stream<Path> s = Files.walk(data.resolve("blobs"))) {
                List<String> names = s.filter(Files::isRegularFile).map(f -> f.getFileName().toString()).toList();
                assertThat(names).containsExactlyInAnyOrder(big + ".dcm", smallSha + ".dcm");
            }
            assertThat(Files.readString(log)).doesNotContain("OutOfMemoryError");
        } finally {
            p.destroy();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    /** A Part 10 file up to the Pixel Data element's header; {@code pixels} bytes of value follow. */
    private static byte[] head(String sop, long pixels) throws IOException {
        Dataset ds = instance(sop).setNumbers(Tag.Rows, Vr.US, 10240).setNumbers(Tag.Columns, Vr.US, 15360).build();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DicomWriter.write(DicomWriter.newFile(ds, TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN), out);
        out.writeBytes(new byte[] {(byte) 0xE0, 0x7F, 0x10, 0x00, 'O', 'W', 0, 0, (byte) pixels,
                (byte) (pixels >>> 8), (byte) (pixels >>> 16), (byte) (pixels >>> 24)});
        return out.toByteArray();
    }

    private static byte[] part10small() throws IOException {
        Dataset ds = instance("3.1.1.2").setNumbers(Tag.Rows, Vr.US, 16).setNumbers(Tag.Columns, Vr.US, 16)
                .add(org.lightbox.dicom.Element.of(Tag.PixelData, Vr.OW, new byte[512])).build();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DicomWriter.write(DicomWriter.newFile(ds, TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN), out);
        return out.toByteArray();
    }

    private static Dataset.Builder instance(String sop) {
        return Dataset.builder().setStrings(Tag.SOPClassUID, Vr.UI, "1.2.840.10008.5.1.4.1.1.7")
                .setStrings(Tag.SOPInstanceUID, Vr.UI, sop).setStrings(Tag.PatientID, Vr.LO, "BIG")
                .setStrings(Tag.StudyInstanceUID, Vr.UI, "3.1").setStrings(Tag.SeriesInstanceUID, Vr.UI, "3.1.1")
                .setStrings(Tag.Modality, Vr.CS, "OT").setNumbers(Tag.BitsAllocated, Vr.US, 16)
                .setNumbers(Tag.BitsStored, Vr.US, 16).setNumbers(Tag.HighBit, Vr.US, 15)
                .setNumbers(Tag.PixelRepresentation, Vr.US, 0).setNumbers(Tag.SamplesPerPixel, Vr.US, 1)
                .setStrings(Tag.PhotometricInterpretation, Vr.CS, "MONOCHROME2");
    }

    private static InputStream ascii(String s) {
        return new java.io.ByteArrayInputStream(s.getBytes(ISO_8859_1));
    }

    /** {@code length} generated bytes (never all in memory), digested as they are read. */
    private static final class Pixels extends InputStream {
        private long left;
        private final MessageDigest digest;
        private long state = 0x9E3779B97F4A7C15L;

        Pixels(long length, MessageDigest digest) {
            this.left = length;
            this.digest = digest;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (left == 0) {
                return -1;
            }
            int n = (int) Math.min(len, left);
            for (int i = 0; i < n; i++) {
                state = state * 6364136223846793005L + 1442695040888963407L;
                b[off + i] = (byte) (state >>> 56);
            }
            digest.update(b, off, n);
            left -= n;
            return n;
        }
    }

    private static void awaitHealth(HttpClient http, int port, Process p, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline && p.isAlive()) {
            try {
                if (http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding())
                        .statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(25);
        }
        throw new AssertionError("lightbox serve did not come up:\n" + Files.readString(log));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
