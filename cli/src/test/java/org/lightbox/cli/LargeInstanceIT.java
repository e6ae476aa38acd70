// SPDX-License-Identifier: Apache-2.0
package org.lightbox.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.lightbox.archive.Archive;
import org.lightbox.archive.ArchiveConfig;
import org.lightbox.archive.StoredInstance;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.TransferSyntax;
import org.lightbox.dicom.Uid;
import org.lightbox.dicom.Vr;
import org.lightbox.dicom.io.DicomReader;
import org.lightbox.dicom.io.DicomWriter;
import org.lightbox.testkit.ProcessResult;
import org.lightbox.testkit.Tools;

/**
 * Issue 5, memory: a 2 GiB multi-frame instance (4,096 frames of 512 x 512 16-bit pixels: Pixel Data of 2^31 bytes,
 * one more than an {@code int} holds) through ingest and retrieve with a small heap. The file is written streaming,
 * never held in memory. In one loopback-only network namespace, DCMTK's storescu sends it to {@code java -jar
 * lightbox.jar serve} started as the launcher starts it (G1, exit on OutOfMemoryError) but with {@code -Xmx256m}:
 * the launcher sets no maximum heap, so the JVM's default is a quarter of the machine's memory (6 GB here), and 256
 * MiB proves the memory is bounded rather than merely large. Then movescu has it moved back to a DCMTK storescp in
 * bit-preserving mode. Proven: the C-STORE succeeds; the stored blob's data set and the moved copy's are the sent
 * file's, byte for byte (SHA-256); the server logs no OutOfMemoryError, still answers C-ECHO afterwards, and its peak
 * resident memory stays far below the instance's size. No configuration is needed: {@code limits.max-store-size}
 * has no limit by default. Skipped when the temporary folder has less than three copies' worth of free space.
 */
@Tag("interop")
@Tag("large")
class LargeInstanceIT {
    private static final int ROWS = 512;
    private static final int COLUMNS = 512;
    private static final int FRAMES = 4096;
    private static final long PIXEL_BYTES = (long) ROWS * COLUMNS * 2 * FRAMES;
    private static final long NEEDED = 3 * PIXEL_BYTES + (512L << 20);
    private static final String SOP_INSTANCE_UID = "1.2.826.0.1.3680043.9.7777.16.3.1";
    private static final String STUDY_UID = "1.2.826.0.1.3680043.9.7777.16.1.1";
    private static final int LIGHTBOX_PORT = 11112;
    private static final int STORESCP_PORT = 11113;
    private static final Pattern PEAK = Pattern.compile("VmHWM:\\s+(\\d+) kB");

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 600, unit = TimeUnit.SECONDS)
    void twoGibInstanceIsStoredAndMovedBackIdenticalWithA256MibHeap() throws Exception {
        assumeTrue(Loopback.usable(), Loopback.why());
        for (String tool : List.of("storescu", "movescu", "storescp", "echoscu")) {
            assumeTrue(Tools.available(tool), "DCMTK's " + tool + " is not installed (apt-get install dcmtk)");
        }
        Path jar = Path.of("target", "lightbox.jar").toAbsolutePath();
        assumeTrue(Files.isRegularFile(jar), "target/lightbox.jar is not built (mvn package)");
        long free = Files.getFileStore(dir).getUsableSpace();
        assumeTrue(free >= NEEDED, String.format("the 2 GiB instance test needs %.1f GiB free in %s (the file, the"
                + " server's copy and the moved copy), and there are %.1f GiB: skipped", NEEDED / GIB, dir,
                free / GIB));

        long t0 = System.nanoTime();
        Path big = dir.resolve("big.dcm");
        DataSetDigest sent = writeInstance(big);
        long written = System.nanoTime();
        Path move = Files.createDirectories(dir.resolve("move"));
        Files.writeString(dir.resolve("lightbox.yaml"), "remote-aes:\n  STORESCP: 127.0.0.1:" + STORESCP_PORT
                + "\n");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // The launcher's options for `serve` (./lightbox), with a small maximum heap.
        String serve = Loopback.shell(List.of(java, "-Xmx256m", "-XX:+UseG1GC", "-XX:+ExitOnOutOfMemoryError",
                "--enable-native-access=ALL-UNNAMED", "-jar", jar.toString(), "serve", "--config", "lightbox.yaml",
                "--data", "data", "--dicom-port", String.valueOf(LIGHTBOX_PORT), "--http-port", "8080"));
        String storescp = Loopback.shell(List.of("env", "TCP_NODELAY=1", "storescp", "-aet", "STORESCP", "+B", "-od",
                move.toString(), String.valueOf(STORESCP_PORT)));
        String scenario = """
                set -u
                fail() { echo "$*" >&2; exit 1; }
                now() { echo $(( $(date +%%s%%N) / 1000000 )); }
                measure=""; [ -x /usr/bin/time ] && measure="/usr/bin/time -o storescu-peak.txt -f %%M"
                t0=$(now)
                env TCP_NODELAY=1 $measure storescu -v -R -xe -aec LIGHTBOX 127.0.0.1 %1$d big.dcm >storescu.log 2>&1 \
                  || fail "storescu failed: $(cat storescu.log)"
                t1=$(now)
                TCP_NODELAY=1 echoscu -aec LIGHTBOX 127.0.0.1 %1$d >>echo.log 2>&1 || fail "no C-ECHO after storing"
                env TCP_NODELAY=1 movescu -v -S -aec LIGHTBOX -aem STORESCP -k QueryRetrieveLevel=STUDY \
                  -k StudyInstanceUID=%2$s 127.0.0.1 %1$d >movescu.log 2>&1 || fail "movescu failed: $(cat movescu.log)"
                t2=$(now)
                TCP_NODELAY=1 echoscu -aec LIGHTBOX 127.0.0.1 %1$d >>echo.log 2>&1 || fail "no C-ECHO after moving"
                grep VmHWM /proc/$1/status >peak.txt
                grep VmHWM /proc/$2/status >storescp-peak.txt
                echo "store $((t1-t0)) ms, move $((t2-t1)) ms" >timings.txt
                """.formatted(LIGHTBOX_PORT, STUDY_UID);
        Files.writeString(dir.resolve("scenario.sh"), scenario);
        ProcessResult run;
        try {
            run = Loopback.run(dir, Duration.ofSeconds(540), List.of(new Loopback.Server(serve, LIGHTBOX_PORT),
                    new Loopback.Server(storescp, STORESCP_PORT)), "bash scenario.sh $P0 $P1");
        } finally {
            Files.deleteIfExists(big);
        }
        long ran = System.nanoTime();
        String serveLog = read("server-0.log");
        assertThat(run.exitCode()).as("the namespace script: %s\nlightbox serve:\n%s\nstorescp:\n%s", run, serveLog,
                read("server-1.log")).isZero();
        assertThat(read("storescu.log")).as("storescu's C-STORE of the 2 GiB instance")
                .contains("Received Store Response (Success)");
        assertThat(read("movescu.log")).as("movescu").contains("Received Final Move Response (Success)");
        assertThat(serveLog).doesNotContain("OutOfMemoryError").doesNotContain("ERROR");

        DataSetDigest kept;
        try (Archive archive = Archive.open(ArchiveConfig.of(dir.resolve("data")))) {
            Optional<StoredInstance> instance = archive.find(SOP_INSTANCE_UID);
            assertThat(instance).as("indexed").isPresent();
            kept = DataSetDigest.of(archive.blobFile(instance.get()));
        }
        assertThat(kept).as("the stored blob's data set (after Lightbox's File Meta Information)").isEqualTo(sent);
        List<Path> moved;
        try (Stream<Path> s = Files.list(move)) {
            moved = s.toList();
        }
        assertThat(moved).as("what storescp received").hasSize(1);
        assertThat(DataSetDigest.of(moved.getFirst())).as("the moved copy's data set").isEqualTo(sent);
        long done = System.nanoTime();

        Matcher peak = PEAK.matcher(read("peak.txt"));
        assertThat(peak.find()).as("the server's peak resident memory: %s", read("peak.txt")).isTrue();
        long peakMib = Long.parseLong(peak.group(1)) / 1024;
        System.out.printf("2 GiB instance (%,d bytes of data set): written in %d ms; in the namespace %d ms (%s);"
                + " hashes checked in %d ms; peak RSS: lightbox serve %d MiB with -Xmx256m (DCMTK's storescu %s,"
                + " storescp %s)%n", sent.dataSetLength(), ms(written - t0), ms(ran - written),
                read("timings.txt").strip(), ms(done - ran), peakMib, kib(read("storescu-peak.txt").strip()),
                kib(read("storescp-peak.txt").replaceAll("[^0-9]", "")));
        assertThat(peakMib).as("the server's peak resident memory (VmHWM), MiB, for a 2048 MiB instance")
                .isLessThan(512);
    }

    private static final double GIB = 1024.0 * 1024 * 1024;

    /**
     * Writes the instance in Explicit VR Little Endian, 1 MiB at a time (pseudo-random bytes, each MiB stamped with
     * its index so that no two are alike), and returns the digest of its data set, computed on the way.
     */
    private static DataSetDigest writeInstance(Path file) throws Exception {
        Dataset ds = Dataset.builder()
                .setStrings(org.lightbox.dicom.Tag.SOPClassUID, Vr.UI,
                        Uid.MultiFrameGrayscaleWordSecondaryCaptureImageStorage)
                .setStrings(org.lightbox.dicom.Tag.SOPInstanceUID, Vr.UI, SOP_INSTANCE_UID)
                .setStrings(org.lightbox.dicom.Tag.StudyDate, Vr.DA, "20240131")
                .setStrings(org.lightbox.dicom.Tag.Modality, Vr.CS, "OT")
                .setStrings(org.lightbox.dicom.Tag.PatientName, Vr.PN, "LARGE^INSTANCE")
                .setStrings(org.lightbox.dicom.Tag.PatientID, Vr.LO, "LARGE1")
                .setStrings(org.lightbox.dicom.Tag.StudyInstanceUID, Vr.UI, STUDY_UID)
                .setStrings(org.lightbox.dicom.Tag.SeriesInstanceUID, Vr.UI, "1.2.826.0.1.3680043.9.7777.16.2.1")
                .setStrings(org.lightbox.dicom.Tag.InstanceNumber, Vr.IS, "1")
                .setNumbers(org.lightbox.dicom.Tag.SamplesPerPixel, Vr.US, 1)
                .setStrings(org.lightbox.dicom.Tag.PhotometricInterpretation, Vr.CS, "MONOCHROME2")
                .setStrings(org.lightbox.dicom.Tag.NumberOfFrames, Vr.IS, String.valueOf(FRAMES))
                .setNumbers(org.lightbox.dicom.Tag.Rows, Vr.US, ROWS)
                .setNumbers(org.lightbox.dicom.Tag.Columns, Vr.US, COLUMNS)
                .setNumbers(org.lightbox.dicom.Tag.BitsAllocated, Vr.US, 16)
                .setNumbers(org.lightbox.dicom.Tag.BitsStored, Vr.US, 16)
                .setNumbers(org.lightbox.dicom.Tag.HighBit, Vr.US, 15)
                .setNumbers(org.lightbox.dicom.Tag.PixelRepresentation, Vr.US, 0)
                .build();
        ByteArrayOutputStream headBytes = new ByteArrayOutputStream();
        DicomWriter.write(DicomWriter.newFile(ds, TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN), headBytes);
        byte[] head = headBytes.toByteArray();
        int dataSetStart = (int) DicomReader.readHead(new ByteArrayInputStream(head)).datasetOffset();
        // (7FE0,0010) OW, reserved bytes, then the 32-bit length: 0x80000000.
        byte[] pixelHeader = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putShort((short) 0x7FE0)
                .putShort((short) 0x0010).put((byte) 'O').put((byte) 'W').putShort((short) 0)
                .putInt((int) PIXEL_BYTES).array();
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        md.update(head, dataSetStart, head.length - dataSetStart);
        md.update(pixelHeader);
        byte[] chunk = new byte[1 << 20];
        new Random(16).nextBytes(chunk);
        ByteBuffer stamp = ByteBuffer.wrap(chunk).order(ByteOrder.LITTLE_ENDIAN);
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            out.write(head);
            out.write(pixelHeader);
            for (long i = 0; i < PIXEL_BYTES / chunk.length; i++) {
                stamp.putLong(0, i);
                out.write(chunk);
                md.update(chunk);
            }
        }
        long dataSetLength = head.length - dataSetStart + pixelHeader.length + PIXEL_BYTES;
        assertThat(Files.size(file)).isEqualTo(dataSetStart + dataSetLength);
        return new DataSetDigest(Uid.ExplicitVRLittleEndian, dataSetLength, HexFormat.of().formatHex(md.digest()));
    }

    /** A size in KiB as MiB, or "not measured". */
    private static String kib(String kib) {
        return kib.matches("\\d+") ? Long.parseLong(kib) / 1024 + " MiB" : "not measured";
    }

    private static long ms(long nanos) {
        return nanos / 1_000_000;
    }

    private String read(String name) {
        Path p = dir.resolve(name);
        try {
            return Files.exists(p) ? Files.readString(p, StandardCharsets.ISO_8859_1) : "";
        } catch (IOException e) {
            return "(" + e + ")";
        }
    }
}
