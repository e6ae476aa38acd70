// SPDX-License-Identifier: Apache-2.0
package org.lightbox.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.TransferSyntax;
import org.lightbox.dicom.io.DicomFile;
import org.lightbox.dicom.io.DicomReader;
import org.lightbox.dicom.json.DicomJson;
import org.lightbox.testkit.ProcessResult;
import org.lightbox.testkit.Tools;

/**
 * {@code lightbox find}, {@code move} and {@code get} against DCMTK's dcmqrscp (and storescp as the move destination),
 * in a loopback-only namespace. The archive holds two patients: DOE^JOHN with 3 instances in study 1 and ROE^JANE
 * with 2 in study 2.
 */
class QueryRetrieveCommandsTest {
    private static final int QR_PORT = 11112;
    private static final int DEST_PORT = 11113;
    private static final String QR = "QRSCP@127.0.0.1:" + QR_PORT;

    @TempDir
    Path dir;

    private final List<Path> sent = new ArrayList<>();

    @BeforeEach
    void archive() throws IOException {
        assumeTrue(Loopback.usable(), Loopback.why());
        assumeTrue(Tools.available("dcmqrscp") && Tools.available("dcmqridx"),
                "DCMTK's dcmqrscp and dcmqridx are not installed (apt-get install dcmtk)");
        Path db = Files.createDirectories(dir.resolve("db"));
        Files.createDirectories(dir.resolve("out"));
        for (int n = 1; n <= 3; n++) {
            sent.add(NetFixtures.write(NetFixtures.instance(1, n, NetFixtures.SC),
                    n == 3 ? TransferSyntax.IMPLICIT_VR_LITTLE_ENDIAN : TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN,
                    db.resolve("s1-" + n + ".dcm")));
        }
        for (int n = 1; n <= 2; n++) {
            sent.add(NetFixtures.write(NetFixtures.instance(2, n, NetFixtures.SC),
                    TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN, db.resolve("s2-" + n + ".dcm")));
        }
        List<String> index = new ArrayList<>(List.of("dcmqridx", db.toString()));
        sent.forEach(p -> index.add(p.toString()));
        ProcessResult r = Tools.run(index, java.time.Duration.ofSeconds(60));
        assertThat(r.exitCode()).as(r.toString()).isZero();
        Files.writeString(dir.resolve("dcmqrscp.cfg"), """
                NetworkTCPPort  = %d
                MaxPDUSize      = 16384
                MaxAssociations = 16

                HostTable BEGIN
                dest = (STORESCP, 127.0.0.1, %d)
                HostTable END

                VendorTable BEGIN
                VendorTable END

                AETable BEGIN
                QRSCP %s RW (100, 1024mb) ANY
                AETable END
                """.formatted(QR_PORT, DEST_PORT, db));
    }

    private ProcessResult run(String... lightboxArgs) {
        return Loopback.run(dir, List.of(new Loopback.Server("dcmqrscp -s -c dcmqrscp.cfg", QR_PORT),
                new Loopback.Server("storescp -aet STORESCP -od out " + DEST_PORT, DEST_PORT)),
                Loopback.lightbox(lightboxArgs));
    }

    @Test
    void findPrintsEachMatchAsText() {
        ProcessResult r = run("find", QR, "-L", "STUDY", "-k", "PatientName=DOE*", "-k", "StudyDate=",
                "-k", "StudyInstanceUID", "-k", "PatientID");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.stdout()).contains("# match 1").doesNotContain("# match 2")
                .contains("[DOE^JOHN]").contains("[20240102]").contains("[1.2.826.0.1.3680043.99.2.1]")
                .contains("# 1 match, 0x0000 (success)");
    }

    @Test
    void findPrintsAJsonArrayOnPatientRoot() throws IOException {
        ProcessResult r = run("find", QR, "-P", "-L", "PATIENT", "-k", "PatientName", "-k", "(0010,0020)",
                "--json");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        String json = r.stdout().strip();
        assertThat(json).startsWith("[").endsWith("]");
        // Each element of the array is one data set of the DICOM JSON model.
        List<String> names = new ArrayList<>();
        for (String object : json.substring(1, json.length() - 1).split("\n,\n|,\n")) {
            if (!object.isBlank()) {
                Dataset ds = DicomJson.read(new StringReader(object));
                names.add(ds.string(Tag.PatientName).orElse(""));
            }
        }
        assertThat(names).containsExactlyInAnyOrder("DOE^JOHN", "ROE^JANE");
    }

    @Test
    void findCanCancelAfterTheFirstMatch() {
        ProcessResult r = run("find", QR, "-L", "IMAGE", "-k", "StudyInstanceUID=1.2.826.0.1.3680043.99.2.1",
                "-k", "SeriesInstanceUID=1.2.826.0.1.3680043.99.3.1", "-k", "SOPInstanceUID", "--cancel", "1");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        // dcmqrscp may have sent every match before it reads the C-CANCEL; only the first is printed either way.
        assertThat(r.stdout()).contains("# match 1").doesNotContain("# match 2").containsPattern(
                "# 1 match, 0x(FE00 \\(cancelled\\)|0000 \\(success\\))");
    }

    @Test
    void moveSendsTheStudyToTheDestinationAndCounts() throws IOException {
        ProcessResult r = run("move", QR, "--dest", "STORESCP", "-k", "StudyInstanceUID=1.2.826.0.1.3680043.99.2.1");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.stdout()).contains("pending: remaining").contains("C-MOVE 0x0000 (success): completed 3,"
                + " failed 0, warning 0");
        Map<String, DicomFile> got = NetFixtures.readAll(dir.resolve("out"));
        assertThat(got).hasSize(3);
        for (Path p : sent.subList(0, 3)) {
            DicomFile f = DicomReader.read(p);
            assertThat(got.get(f.dataset().string(Tag.SOPInstanceUID).orElseThrow()).dataset()).isEqualTo(f.dataset());
        }
    }

    @Test
    void moveToAnUnknownDestinationFails() {
        ProcessResult r = run("move", QR, "--dest", "NOWHERE", "-k", "StudyInstanceUID=1.2.826.0.1.3680043.99.2.1");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
        assertThat(r.stderr()).contains("lightbox move: C-MOVE failed: 0xA801");
    }

    @Test
    void getWritesEachInstanceAsAPart10File() throws IOException {
        ProcessResult r = run("get", QR, "-L", "SERIES", "-k", "StudyInstanceUID=1.2.826.0.1.3680043.99.2.2",
                "-k", "SeriesInstanceUID=1.2.826.0.1.3680043.99.3.2", "--out", dir.resolve("got").toString());
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.stdout()).contains("C-GET 0x0000 (success): completed 2, failed 0, warning 0")
                .contains("received 2 instances into");
        Map<String, DicomFile> got = NetFixtures.readAll(dir.resolve("got"));
        assertThat(got).hasSize(2);
        for (Path p : sent.subList(3, 5)) {
            DicomFile f = DicomReader.read(p);
            DicomFile g = got.get(f.dataset().string(Tag.SOPInstanceUID).orElseThrow());
            assertThat(g.dataset()).isEqualTo(f.dataset());
            assertThat(g.fileMetaInformation().string(Tag.MediaStorageSOPInstanceUID))
                    .isEqualTo(f.dataset().string(Tag.SOPInstanceUID));
            assertThat(g.problems()).isEmpty();
        }
        try (var files = Files.list(dir.resolve("got"))) {
            assertThat(files.map(p -> p.getFileName().toString())).allMatch(n -> n.matches("[0-9.]+\\.dcm"));
        }
    }

    @Test
    void aWrongCalledAeTitleIsRejectedWithTheReason() {
        ProcessResult r = run("echo", "NOBODY@127.0.0.1:" + QR_PORT);
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
        assertThat(r.stderr()).startsWith("lightbox echo: NOBODY rejected").containsIgnoringCase("called AE");
    }
}
