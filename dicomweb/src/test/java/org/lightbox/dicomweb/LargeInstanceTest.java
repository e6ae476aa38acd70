// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicomweb;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lightbox.archive.Archive;
import org.lightbox.archive.ArchiveConfig;
import org.lightbox.archive.StoredInstance;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.TransferSyntax;
import org.lightbox.dicom.Uid;
import org.lightbox.dicom.Vr;
import org.lightbox.dicom.io.DicomWriter;
import org.lightbox.imaging.Conversion;
import org.lightbox.imaging.PixelCodec;

/**
 * A 300 MB instance (600 frames of 512 x 512, 16 bits) served by a process with a 64 MB heap: as stored, converted
 * to Implicit VR Little Endian, one frame, and its Pixel Data as bulk data whole and by range. Each answer is
 * checked byte for byte; the server could not hold one instance in its heap, so everything streamed.
 */
class LargeInstanceTest {
    static final int FRAMES = 600;
    static final long FRAME = 512 * 512 * 2;
    static final long PIXELS = FRAMES * FRAME;
    static final String SOP = "1.2.826.0.1.3680043.10.9.1.1";
    /** 20,000 frames of one 16 KiB fragment each, JPEG-LS by its syntax (noise: only ever sent as stored). */
    static final String ENCAPSULATED = "1.2.826.0.1.3680043.10.9.1.2";
    static final int FRAGMENTS = 20_000;
    static final int FRAGMENT = 16 * 1024;

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    static int pixel(long at) {
        return (int) ((at ^ at >>> 9 ^ at >>> 18) & 0xFF);
    }

    @Test
    void threeHundredMegabytesStreamFromASixtyFourMegabyteHeap() throws Exception {
        Path data = dir.resolve("data");
        StoredInstance stored;
        try (Archive a = Archive.open(ArchiveConfig.of(data))) {
            stored = a.storePart10(largeInstance()).stored().orElseThrow();
            a.storePart10(encapsulatedInstance()).stored().orElseThrow();
        }
        Process server = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                SmallHeapServer.class.getName(), data.toString()).redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(),
                StandardCharsets.UTF_8));
        try {
            String line = out.readLine();
            assertThat(line).as("the server's first line").startsWith("PORT ");
            String base = "http://127.0.0.1:" + line.substring(5) + DicomWeb.ROOT + "/studies/"
                    + Fixtures.STUDY + "/series/" + Fixtures.SERIES + "/instances/" + SOP;

            // As stored: the blob, whose SHA-256 the index holds.
            Path part = receivePart(base, "multipart/related; type=\"application/dicom\"; transfer-syntax=*");
            assertThat(Files.size(part)).isEqualTo(stored.size());
            assertThat(sha256(part)).isEqualTo(stored.sha256());

            // Converted to Implicit VR Little Endian: what the Conversion writes here, byte for byte.
            part = receivePart(base, "multipart/related; type=\"application/dicom\"; transfer-syntax="
                    + Uid.ImplicitVRLittleEndian);
            MessageDigest expected = MessageDigest.getInstance("SHA-256");
            try (Archive a = Archive.open(ArchiveConfig.of(data)); Conversion c = Conversion.prepare(
                    a.blobFile(stored), TransferSyntax.IMPLICIT_VR_LITTLE_ENDIAN, PixelCodec.EncodeOptions.DEFAULT);
                    OutputStream sink = new DigestOutputStream(OutputStream.nullOutputStream(), expected)) {
                c.writePart10(sink);
            }
            assertThat(sha256(part)).isEqualTo(HexFormat.of().formatHex(expected.digest()));
            assertThat(Files.size(part)).isGreaterThan(PIXELS);

            // Frame 300 alone.
            part = receivePart(base + "/frames/300", null);
            byte[] frame = Files.readAllBytes(part);
            assertThat(frame).hasSize((int) FRAME);
            for (int i = 0; i < frame.length; i += 997) {
                assertThat(frame[i] & 0xFF).isEqualTo(pixel(299 * FRAME + i));
            }

            // Pixel Data whole as one octet-stream, and a range of it.
            HttpResponse<InputStream> r = get(base + "/bulkdata/7FE00010", "application/octet-stream", null);
            assertThat(r.statusCode()).isEqualTo(200);
            MessageDigest got = MessageDigest.getInstance("SHA-256");
            long n;
            try (InputStream in = r.body(); OutputStream sink = new DigestOutputStream(OutputStream.nullOutputStream(),
                    got)) {
                n = in.transferTo(sink);
            }
            assertThat(n).isEqualTo(PIXELS);
            assertThat(got.digest()).isEqualTo(patternDigest());
            r = get(base + "/bulkdata/7FE00010", "application/octet-stream", "bytes=200000000-200000099");
            assertThat(r.statusCode()).isEqualTo(206);
            byte[] range = r.body().readAllBytes();
            for (int i = 0; i < 100; i++) {
                assertThat(range[i] & 0xFF).isEqualTo(pixel(200_000_000L + i));
            }

            // 320 MB of small fragments: one frame, then every frame as stored, each read alone from the file.
            String enc = base.replace(SOP, ENCAPSULATED);
            part = receivePart(enc + "/frames/12345", "multipart/related; type=\"application/octet-stream\";"
                    + " transfer-syntax=*");
            byte[] f = Files.readAllBytes(part);
            assertThat(f).hasSize(FRAGMENT);
            assertThat(f[0] & 0xFF).isEqualTo(fragmentByte(12344, 0));
            assertThat(f[FRAGMENT - 1] & 0xFF).isEqualTo(fragmentByte(12344, FRAGMENT - 1));
            r = get(enc + "/bulkdata/7FE00010", "multipart/related; type=\"application/octet-stream\";"
                    + " transfer-syntax=*", null);
            assertThat(r.statusCode()).isEqualTo(200);
            try (InputStream in = r.body()) {
                n = in.transferTo(OutputStream.nullOutputStream());
            }
            assertThat(n).as("20,000 parts of 16 KiB and their headers").isGreaterThan((long) FRAGMENTS * FRAGMENT);
        } finally {
            server.getOutputStream().close();
            String peak = out.readLine();
            server.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
            server.destroyForcibly();
            System.out.println("WADO server heap, peak of its pools: " + peak);
        }
        assertThat(server.exitValue()).as("the small-heap server ended normally (no OutOfMemoryError)").isZero();
    }

    private HttpResponse<InputStream> get(String uri, String accept, String range) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofMinutes(5));
        if (accept != null) {
            b.header("Accept", accept);
        }
        if (range != null) {
            b.header("Range", range);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
    }

    /**
     * Receives a multipart/related answer of one part into a file: its headers are read, everything after them is
     * written out, and the close delimiter at the end is checked and cut off.
     */
    private Path receivePart(String uri, String accept) throws Exception {
        HttpResponse<InputStream> r = get(uri, accept, null);
        assertThat(r.statusCode()).isEqualTo(200);
        String type = r.headers().firstValue("Content-Type").orElseThrow();
        String boundary = type.substring(type.toLowerCase(Locale.ROOT).indexOf("boundary=") + 9).replace("\"", "");
        Path file = Files.createTempFile(dir, "part", ".bin");
        try (InputStream in = r.body(); OutputStream o = Files.newOutputStream(file)) {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
                int b = in.read();
                assertThat(b).as("the part's headers end").isNotNegative();
                head.write(b);
            }
            assertThat(head.toString(StandardCharsets.US_ASCII)).startsWith("--" + boundary + "\r\n");
            in.transferTo(o);
        }
        byte[] close = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII);
        long size = Files.size(file);
        try (var ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.READ,
                java.nio.file.StandardOpenOption.WRITE)) {
            java.nio.ByteBuffer tail = java.nio.ByteBuffer.allocate(close.length);
            ch.read(tail, size - close.length);
            assertThat(tail.array()).as("the close delimiter ends the body").isEqualTo(close);
            ch.truncate(size - close.length);
        }
        return file;
    }

    private static String sha256(Path f) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(f); OutputStream o = new DigestOutputStream(
                OutputStream.nullOutputStream(), md)) {
            in.transferTo(o);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static byte[] patternDigest() throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (InputStream in = new Pattern(); OutputStream o = new DigestOutputStream(OutputStream.nullOutputStream(),
                md)) {
            in.transferTo(o);
        }
        return md.digest();
    }

    /** The Part 10 stream of the instance: its head, then the pixels generated as they are read. */
    private static InputStream largeInstance() throws IOException {
        Dataset ds = Fixtures.common(Fixtures.CT, SOP, Fixtures.SERIES, "CT", 1)
                .setNumbers(Tag.Rows, Vr.US, 512).setNumbers(Tag.Columns, Vr.US, 512)
                .setNumbers(Tag.BitsAllocated, Vr.US, 16).setNumbers(Tag.BitsStored, Vr.US, 16)
                .setNumbers(Tag.HighBit, Vr.US, 15).setNumbers(Tag.PixelRepresentation, Vr.US, 0)
                .setNumbers(Tag.SamplesPerPixel, Vr.US, 1).setStrings(Tag.NumberOfFrames, Vr.IS, "" + FRAMES)
                .setStrings(Tag.PhotometricInterpretation, Vr.CS, "MONOCHROME2").build();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        DicomWriter.write(DicomWriter.newFile(ds, TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN), head);
        // Pixel Data (7FE0,0010) OW, explicit VR little endian: tag, VR, two reserved bytes, 32-bit length.
        head.write(new byte[] {(byte) 0xE0, 0x7F, 0x10, 0x00, 'O', 'W', 0, 0});
        head.write(new byte[] {(byte) PIXELS, (byte) (PIXELS >> 8), (byte) (PIXELS >> 16), (byte) (PIXELS >> 24)});
        return new SequenceInputStream(new ByteArrayInputStream(head.toByteArray()), new Pattern());
    }

    static int fragmentByte(int frame, int i) {
        return (frame * 31 + i * 7) & 0xFF;
    }

    /** The encapsulated instance, as a Part 10 stream whose fragments are generated as they are read. */
    private static InputStream encapsulatedInstance() throws IOException {
        Dataset ds = Fixtures.common("1.2.840.10008.5.1.4.1.1.7", ENCAPSULATED, Fixtures.SERIES, "OT", 2)
                .setNumbers(Tag.Rows, Vr.US, 128).setNumbers(Tag.Columns, Vr.US, 128)
                .setNumbers(Tag.BitsAllocated, Vr.US, 8).setNumbers(Tag.BitsStored, Vr.US, 8)
                .setNumbers(Tag.HighBit, Vr.US, 7).setNumbers(Tag.PixelRepresentation, Vr.US, 0)
                .setNumbers(Tag.SamplesPerPixel, Vr.US, 1).setStrings(Tag.NumberOfFrames, Vr.IS, "" + FRAGMENTS)
                .setStrings(Tag.PhotometricInterpretation, Vr.CS, "MONOCHROME2").build();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        DicomWriter.write(DicomWriter.newFile(ds, TransferSyntax.of(Uid.JPEGLSLossless)), head);
        // Pixel Data OB of undefined length, then an empty Basic Offset Table item.
        head.write(new byte[] {(byte) 0xE0, 0x7F, 0x10, 0x00, 'O', 'B', 0, 0, -1, -1, -1, -1});
        head.write(new byte[] {(byte) 0xFE, (byte) 0xFF, 0x00, (byte) 0xE0, 0, 0, 0, 0});
        InputStream fragments = new InputStream() {
            private final int[] end = {0xFE, 0xFF, 0xDD, 0xE0, 0, 0, 0, 0}; // Sequence Delimitation Item
            private int frame;
            private int at = -8; // item header, then the fragment
            private int tail;

            @Override
            public int read() {
                if (frame == FRAGMENTS) {
                    return tail < end.length ? end[tail++] : -1;
                }
                int b;
                if (at < 0) {
                    int[] item = {0xFE, 0xFF, 0x00, 0xE0, 0, FRAGMENT >> 8 & 0xFF, 0, 0};
                    b = item[at + 8];
                } else {
                    b = fragmentByte(frame, at);
                }
                if (++at == FRAGMENT) {
                    frame++;
                    at = -8;
                }
                return b;
            }
        };
        return new SequenceInputStream(new ByteArrayInputStream(head.toByteArray()),
                new java.io.BufferedInputStream(fragments, 1 << 16));
    }

    /** The pixel bytes, generated. */
    private static final class Pattern extends InputStream {
        private long at;

        @Override
        public int read() {
            return at < PIXELS ? pixel(at++) : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (at >= PIXELS) {
                return -1;
            }
            int n = (int) Math.min(len, PIXELS - at);
            for (int i = 0; i < n; i++) {
                b[off + i] = (byte) pixel(at++);
            }
            return n;
        }
    }
}
