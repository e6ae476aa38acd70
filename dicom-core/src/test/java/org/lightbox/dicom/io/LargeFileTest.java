// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicom.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Element;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.TransferSyntax;
import org.lightbox.dicom.Value;
import org.lightbox.dicom.Vr;
import org.lightbox.testkit.ProcessResult;
import org.lightbox.testkit.Tools;

/** A 2.2 GB instance parses in a small fixed heap: bulk data stays in the file or streams past. */
class LargeFileTest {
    private static final long PIXELS = 2_200_000_000L;

    @TempDir
    static Path dir;
    static Path file;
    static long pixelOffset;

    @BeforeAll
    static void writeSparseFile() throws IOException {
        file = dir.resolve("large.dcm");
        Dataset header = Dataset.builder()
                .setStrings(Tag.SOPClassUID, Vr.UI, "1.2.840.10008.5.1.4.1.1.7")
                .setStrings(Tag.SOPInstanceUID, Vr.UI, "1.2.826.0.1.3680043.99.1")
                .setStrings(Tag.PatientName, Vr.PN, "Large^File")
                .setNumbers(Tag.Rows, Vr.US, 10_000).setNumbers(Tag.Columns, Vr.US, 10_000)
                .setNumbers(Tag.NumberOfFrames, Vr.IS, 22).setNumbers(Tag.SamplesPerPixel, Vr.US, 1)
                .setNumbers(Tag.BitsAllocated, Vr.US, 8)
                .build();
        try (OutputStream out = Files.newOutputStream(file)) {
            DicomWriter.write(DicomWriter.newFile(header, TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN), out);
            // Pixel Data header by hand; the value itself is a hole in a sparse file.
            out.write(new byte[] {(byte) 0xE0, 0x7F, 0x10, 0x00, 'O', 'B', 0, 0});
            out.write(new byte[] {(byte) PIXELS, (byte) (PIXELS >>> 8), (byte) (PIXELS >>> 16), (byte) (PIXELS >>> 24)});
        }
        pixelOffset = Files.size(file);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(pixelOffset + PIXELS);
        }
    }

    @Test
    void pixelDataStaysInTheFile() throws IOException {
        DicomFile f = DicomReader.read(file);
        Element pixels = f.dataset().get(Tag.PixelData).orElseThrow();
        assertThat(pixels.value()).isEqualTo(new Value.Bulk(file, pixelOffset, PIXELS));
        assertThat(f.dataset().string(Tag.PatientName)).contains("Large^File");
        assertThat(f.problems()).isEmpty();
    }

    @Test
    void stopsBeforePixelData() throws IOException {
        DicomFile f = DicomReader.read(file, ReadOptions.DEFAULT.withStopBeforePixelData(true));
        assertThat(f.dataset().contains(Tag.PixelData)).isFalse();
        assertThat(f.dataset().integer(Tag.Rows)).hasValue(10_000);
    }

    @Test
    void streamsBulkDataToAHandler() throws IOException {
        AtomicLong seen = new AtomicLong();
        ReadOptions options = ReadOptions.DEFAULT.withBulkDataThreshold(1 << 16).withBulkDataHandler(
                (path, tag, vr, offset, length, value) -> {
                    byte[] buf = new byte[1 << 16];
                    for (int n; (n = value.read(buf)) > 0; ) {
                        seen.addAndGet(n);
                    }
                    return new Value.Bulk(file, offset, length);
                });
        try (InputStream in = Files.newInputStream(file)) {
            DicomFile f = DicomReader.read(in, options);
            assertThat(f.dataset().get(Tag.PixelData).orElseThrow().value().length()).isEqualTo(PIXELS);
        }
        assertThat(seen.get()).isEqualTo(PIXELS);
    }

    @Test
    void aStreamTooLargeToHoldIsRefusedNotLoaded() throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> DicomReader.read(in, ReadOptions.DEFAULT))
                    .isInstanceOfSatisfying(DicomParseException.class, e -> {
                        assertThat(e.reason()).isEqualTo(DicomParseException.Reason.VALUE_TOO_LARGE);
                        assertThat(e.tagPath()).isEqualTo("(7FE0,0010)");
                    });
        }
    }

    @Test
    void aSmallHeapSuffices() {
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessResult r = Tools.run(List.of(java, "-Xmx24m", "-cp", System.getProperty("java.class.path"),
                LargeFileTest.class.getName() + "$Main", file.toString()), Duration.ofMinutes(2));
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.stdout().strip()).isEqualTo("Large^File " + PIXELS);
    }

    /** Run in a child JVM with a 24 MB heap: reads and rewrites the file, streaming its pixel data. */
    public static final class Main {
        public static void main(String[] args) throws IOException {
            Path p = Path.of(args[0]);
            DicomFile f = DicomReader.read(p);
            try (OutputStream out = new java.io.BufferedOutputStream(OutputStream.nullOutputStream())) {
                DicomWriter.write(f, out);
            }
            System.out.println(f.dataset().string(Tag.PatientName).orElse("") + " "
                    + f.dataset().get(Tag.PixelData).orElseThrow().value().length());
        }
    }
}
