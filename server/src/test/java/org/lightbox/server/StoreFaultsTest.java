// SPDX-License-Identifier: Apache-2.0
package org.lightbox.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lightbox.archive.Archive;
import org.lightbox.archive.ArchiveConfig;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Element;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.TransferSyntax;
import org.lightbox.dicom.Vr;
import org.lightbox.dicom.io.DicomWriter;
import org.lightbox.net.Association;
import org.lightbox.net.Command;
import org.lightbox.net.NetOptions;
import org.lightbox.net.Proposal;
import org.lightbox.net.Response;
import org.lightbox.net.Status;
import org.lightbox.testkit.ProcessResult;
import org.lightbox.testkit.Tools;

/**
 * Issue 5, point 8: bad input and faults at the Storage SCP. A full disk (the blob store on a 4 MiB tmpfs), a data
 * set over {@code limits.max-store-size}, malformed data sets and an unknown SOP class each get a clear answer;
 * nothing half-stored is left (no temporary file, no index row without its blob, no blob without its row) and the
 * server goes on serving.
 */
class StoreFaultsTest {
    static final String CT = "1.2.840.10008.5.1.4.1.1.2";
    static final String PRIVATE_SOP_CLASS = "1.2.826.0.1.3680043.9.7777.99.1";
    static final String EVRLE = TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN.uid();

    @TempDir
    Path dir;

    private LightboxServer server;
    private Path mounted;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        if (mounted != null) {
            Tools.run(List.of("umount", mounted.toString()), Duration.ofSeconds(30));
        }
    }

    private LightboxServer start(Map<String, String> extra) throws IOException {
        Map<String, String> o = new HashMap<>(Map.of("data", dir.resolve("data").toString(), "dicom-port", "0",
                "http-port", "0", "limits.shutdown-grace", "2s"));
        o.putAll(extra);
        server = LightboxServer.start(ServerConfigReader.read(null, o));
        return server;
    }

    private Association connect(String sopClass) throws IOException {
        return Association.connect("127.0.0.1", server.dicomPort(), new Proposal("FAULTS", "LIGHTBOX")
                .add(sopClass, EVRLE).add(org.lightbox.dicom.Uid.Verification, EVRLE), NetOptions.DEFAULT, null,
                Map.of());
    }

    static Dataset instance(String sopClass, String sop, int pixelBytes) {
        byte[] pixels = new byte[pixelBytes];
        new Random(sop.hashCode()).nextBytes(pixels);
        return Dataset.builder()
                .setStrings(Tag.SOPClassUID, Vr.UI, sopClass)
                .setStrings(Tag.SOPInstanceUID, Vr.UI, sop)
                .setStrings(Tag.Modality, Vr.CS, "OT")
                .setStrings(Tag.PatientName, Vr.PN, "Fault^Test")
                .setStrings(Tag.PatientID, Vr.LO, "FAULT")
                .setStrings(Tag.StudyInstanceUID, Vr.UI, "1.2.826.0.1.3680043.9.7777.8.1")
                .setStrings(Tag.SeriesInstanceUID, Vr.UI, "1.2.826.0.1.3680043.9.7777.8.1.1")
                .add(Element.of(Tag.PixelData, Vr.OB, pixels))
                .build();
    }

    private static Response store(Association a, String sopClass, String sop, int pixelBytes) throws IOException {
        Dataset ds = instance(sopClass, sop, pixelBytes);
        return a.store(sopClass, sop, EVRLE, out -> DicomWriter.writeDataset(ds,
                TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN, out, DicomWriter.Lengths.AS_READ), Command.PRIORITY_MEDIUM,
                null, 0);
    }

    private static Response storeBytes(Association a, String sop, byte[] data) throws IOException {
        return a.store(CT, sop, EVRLE, out -> out.write(data), Command.PRIORITY_MEDIUM, null, 0);
    }

    private Path blobs() {
        return dir.resolve("data").resolve("blobs");
    }

    private List<Path> tempFiles() throws IOException {
        try (Stream<Path> s = Files.list(blobs().resolve("tmp"))) {
            return s.toList();
        }
    }

    /** Stops the server and opens the folder again: reconciliation must find nothing to repair. */
    private void assertConsistentAfterStop() throws IOException {
        server.close();
        server = null;
        try (Archive archive = Archive.open(ArchiveConfig.of(dir.resolve("data")))) {
            assertThat(archive.startupReport().isClean()).as(archive.startupReport().toString()).isTrue();
        }
    }

    private void assertEchoOnANewAssociation() throws IOException {
        Association b = connect(CT);
        try {
            assertThat(b.echo().status()).isEqualTo(Status.SUCCESS);
            b.release();
        } finally {
            b.abort();
        }
    }

    @Test
    void aFullDiskIsOutOfResourcesNothingHalfStoredAndStoringResumesOnceThereIsSpace() throws Exception {
        Path blobs = Files.createDirectories(blobs());
        ProcessResult m = Tools.run(List.of("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", blobs.toString()),
                Duration.ofSeconds(30));
        assumeTrue(m.exitCode() == 0, "cannot mount a 4 MiB tmpfs here (needs root and CAP_SYS_ADMIN): " + m);
        mounted = blobs;
        start(Map.of());
        List<String> stored = new ArrayList<>();
        Response full = null;
        String failedSop = null;
        Association a = connect(CT);
        try {
            for (int i = 1; i <= 20 && full == null; i++) {
                String sop = "1.2.826.0.1.3680043.9.7777.8.1.1." + i;
                Response r = store(a, CT, sop, 700 * 1024);
                if (r.status() == Status.SUCCESS) {
                    stored.add(sop);
                } else {
                    full = r;
                    failedSop = sop;
                }
            }
            assertThat(full).as("a 4 MiB store fills up within 20 instances of 700 KiB").isNotNull();
            assertThat(full.status()).as(full.describe()).isEqualTo(Status.STORE_OUT_OF_RESOURCES);
            assertThat(full.errorComment()).contains("not stored").containsIgnoringCase("no space left");
            assertThat(stored).hasSizeBetween(3, 6);
            // The association goes on: an echo, and a small instance fails the same clear way or fits.
            assertThat(a.echo().status()).isEqualTo(Status.SUCCESS);
            a.release();
        } finally {
            a.abort();
        }
        assertThat(tempFiles()).as("no temporary file left by the failed write").isEmpty();
        assertThat(server.archive().find(failedSop)).isEmpty();
        for (String sop : stored) {
            assertThat(server.archive().find(sop)).as(sop).isPresent();
        }
        assertEchoOnANewAssociation();

        // Space freed (the tmpfs grown): the same instance is stored now.
        ProcessResult grow = Tools.run(List.of("mount", "-o", "remount,size=64m", blobs.toString()),
                Duration.ofSeconds(30));
        assertThat(grow.exitCode()).as(grow.toString()).isZero();
        Association b = connect(CT);
        try {
            assertThat(store(b, CT, failedSop, 700 * 1024).status()).isEqualTo(Status.SUCCESS);
            b.release();
        } finally {
            b.abort();
        }
        assertThat(server.archive().find(failedSop)).isPresent();
        assertConsistentAfterStop();
    }

    @Test
    void aDataSetOverTheSizeLimitAbortsTheAssociationAndNothingIsStored() throws Exception {
        start(Map.of("limits.max-store-size", "64KiB"));
        Association a = connect(CT);
        try {
            assertThat(store(a, CT, "1.2.826.0.1.3680043.9.7777.8.2.1", 1000).status()).isEqualTo(Status.SUCCESS);
            Throwable t = catchThrowable(() -> store(a, CT, "1.2.826.0.1.3680043.9.7777.8.2.2", 256 * 1024));
            assertThat(t).as("the association is aborted").isInstanceOf(IOException.class);
            assertThat(a.awaitEnd(Duration.ofSeconds(10))).isTrue();
            assertThat(a.isEstablished()).isFalse();
        } finally {
            a.abort();
        }
        Thread.sleep(200); // the SCP side of the abort finishes on its own thread
        assertThat(server.archive().find("1.2.826.0.1.3680043.9.7777.8.2.2")).isEmpty();
        assertThat(tempFiles()).isEmpty();
        // The server keeps serving: another association stores what fits.
        Association b = connect(CT);
        try {
            assertThat(store(b, CT, "1.2.826.0.1.3680043.9.7777.8.2.3", 1000).status()).isEqualTo(Status.SUCCESS);
            b.release();
        } finally {
            b.abort();
        }
        assertConsistentAfterStop();
    }

    @Test
    void malformedDataSetsAreCannotUnderstandWithAMessageAndNothingIsStored() throws Exception {
        start(Map.of());
        byte[] garbage = new byte[2048];
        java.util.Arrays.fill(garbage, (byte) 0xFF);
        // SOP Class UID, then a Patient Name whose length runs past the end of the data set.
        byte[] truncated = {0x08, 0x00, 0x16, 0x00, 'U', 'I', 0x1A, 0x00, '1', '.', '2', '.', '8', '4', '0', '.',
                '1', '0', '0', '0', '8', '.', '5', '.', '1', '.', '4', '.', '1', '.', '1', '.', '2', 0x00,
                0x10, 0x00, 0x10, 0x00, 'P', 'N', (byte) 0xC8, 0x00, 'D', 'o', 'e'};
        byte[] random = new byte[4096];
        new Random(8).nextBytes(random);
        Map<String, byte[]> cases = Map.of("1.2.826.0.1.3680043.9.7777.8.3.1", garbage,
                "1.2.826.0.1.3680043.9.7777.8.3.2", truncated, "1.2.826.0.1.3680043.9.7777.8.3.3", random);
        Association a = connect(CT);
        try {
            for (Map.Entry<String, byte[]> c : cases.entrySet()) {
                Response r = storeBytes(a, c.getKey(), c.getValue());
                assertThat(r.status()).as(c.getKey() + ": " + r.describe()).isEqualTo(Status.STORE_CANNOT_UNDERSTAND);
                // The Error Comment is an LO (64 characters): the reason's start; the log has all of it.
                assertThat(r.errorComment()).as(r.describe()).startsWith("the data set cannot be read");
            }
            assertThat(storeBytes(a, "1.2.826.0.1.3680043.9.7777.8.3.2", truncated).errorComment())
                    .contains("a value length of 200 bytes");
            assertThat(store(a, CT, "1.2.826.0.1.3680043.9.7777.8.3.4", 1000).status()).isEqualTo(Status.SUCCESS);
            a.release();
        } finally {
            a.abort();
        }
        for (String sop : cases.keySet()) {
            assertThat(server.archive().find(sop)).as(sop).isEmpty();
        }
        assertThat(tempFiles()).isEmpty();
        assertConsistentAfterStop();
    }

    @Test
    void anUnknownSopClassIsRefusedAtNegotiationUnlessConfigured() throws Exception {
        start(Map.of());
        Association a = connect(PRIVATE_SOP_CLASS);
        try {
            assertThat(a.context(PRIVATE_SOP_CLASS)).as("a private SOP class is not accepted by default").isEmpty();
            assertThat(a.echo().status()).isEqualTo(Status.SUCCESS);
            a.release();
        } finally {
            a.abort();
        }
        server.close();
        start(Map.of("extra-storage-sop-classes", PRIVATE_SOP_CLASS));
        Association b = connect(PRIVATE_SOP_CLASS);
        try {
            assertThat(b.context(PRIVATE_SOP_CLASS)).isPresent();
            Response r = store(b, PRIVATE_SOP_CLASS, "1.2.826.0.1.3680043.9.7777.8.4.1", 1000);
            assertThat(r.status()).as(r.describe()).isEqualTo(Status.SUCCESS);
            b.release();
        } finally {
            b.abort();
        }
        assertThat(server.archive().find("1.2.826.0.1.3680043.9.7777.8.4.1")).hasValueSatisfying(s ->
                assertThat(s.sopClassUid()).isEqualTo(PRIVATE_SOP_CLASS));
        assertConsistentAfterStop();
    }

    @Test
    void extraStorageSopClassesMustBeUids() {
        Map<String, String> o = Map.of("data", dir.resolve("data").toString(), "extra-storage-sop-classes",
                "1.2.3, 1.2.x");
        assertThat(catchThrowable(() -> ServerConfigReader.read(null, o))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("extra-storage-sop-classes").hasMessageContaining("1.2.x");
        assertThat(ServerConfigReader.parse("extra-storage-sop-classes: [1.2.3, 1.2.4]\n", Map.of())
                .extraStorageSopClasses()).containsExactlyInAnyOrder("1.2.3", "1.2.4");
    }
}
