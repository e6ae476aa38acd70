// SPDX-License-Identifier: Apache-2.0
package org.lightbox.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.TransferSyntax;
import org.lightbox.dicom.Uid;
import org.lightbox.dicom.Vr;
import org.lightbox.dicom.io.DicomFile;
import org.lightbox.dicom.io.DicomReader;
import org.lightbox.dicom.io.DicomWriter;
import org.lightbox.dicom.io.ReadOptions;
import org.lightbox.testkit.ProcessResult;
import org.lightbox.testkit.Tools;

/** DCMTK's echoscu and storescu against a Lightbox SCP on loopback. */
class DcmtkScuInteropTest {
    @TempDir
    Path dir;

    private DicomServer server;
    private final Map<String, Path> received = new ConcurrentHashMap<>();
    private final Map<String, String> receivedSyntax = new ConcurrentHashMap<>();

    @BeforeEach
    void start() throws IOException {
        DimseService store = new DimseService() {
            @Override
            public Response store(Request request, InputStream data) throws IOException {
                Path f = dir.resolve("rx-" + request.command().sopInstanceUid());
                try (OutputStream o = Files.newOutputStream(f)) {
                    data.transferTo(o);
                }
                received.put(request.command().sopInstanceUid(), f);
                receivedSyntax.put(request.command().sopInstanceUid(), request.context().transferSyntax());
                return Response.of(Status.SUCCESS);
            }
        };
        java.util.HashMap<String, DimseService> services = new java.util.HashMap<>();
        services.put(Uid.Verification, new DimseService() {});
        AcceptorPolicy.STORAGE.forEach(uid -> services.put(uid, store));
        AcceptorPolicy policy = AcceptorPolicy.builder("LIGHTBOX").acceptArchiveDefaults().build();
        server = DicomServer.start(new DicomServer.Config("127.0.0.1", 0, policy, NetOptions.DEFAULT, services, 16,
                null));
    }

    @AfterEach
    void stop() {
        server.shutdown(Duration.ofSeconds(5));
    }

    private static ProcessResult run(String... command) {
        List<String> cmd = new ArrayList<>(List.of("env", "TCP_NODELAY=1"));
        cmd.addAll(List.of(command));
        return Tools.run(cmd, Duration.ofSeconds(60));
    }

    @Test
    void echoscuGetsSuccess() {
        assumeTrue(Tools.available("echoscu"), "DCMTK's echoscu is not installed (apt-get install dcmtk)");
        ProcessResult r = run("echoscu", "-aec", "LIGHTBOX", "127.0.0.1", String.valueOf(server.port()));
        assertThat(r.exitCode()).as(r.toString()).isZero();
    }

    @Test
    void echoscuToAWrongAeTitleIsRejected() {
        assumeTrue(Tools.available("echoscu"), "DCMTK's echoscu is not installed (apt-get install dcmtk)");
        ProcessResult r = run("echoscu", "-aec", "SOMEONE", "127.0.0.1", String.valueOf(server.port()));
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.stdout() + r.stderr()).contains("Called AE Title Not Recognized");
    }

    @Test
    void storescuSendsManyFilesOverOneAssociation() throws IOException {
        assumeTrue(Tools.available("storescu"), "DCMTK's storescu is not installed (apt-get install dcmtk)");
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            files.add(write(instance(i, 64 * 1024 * (i + 1)), TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN,
                    "in" + i + ".dcm"));
        }
        List<String> cmd = new ArrayList<>(List.of("storescu", "-aec", "LIGHTBOX", "-xe", "127.0.0.1",
                String.valueOf(server.port())));
        files.forEach(f -> cmd.add(f.toString()));
        ProcessResult r = run(cmd.toArray(String[]::new));
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(received).hasSize(5);
        for (int i = 0; i < 5; i++) {
            Dataset sent = instance(i, 64 * 1024 * (i + 1));
            String uid = sent.string(Tag.SOPInstanceUID).orElseThrow();
            assertThat(receivedSyntax.get(uid)).isEqualTo(Uid.ExplicitVRLittleEndian);
            try (InputStream in = Files.newInputStream(received.get(uid))) {
                Dataset got = DicomReader.readDataset(in, TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN,
                        ReadOptions.DEFAULT);
                assertThat(got).isEqualTo(sent);
            }
        }
    }

    private Path write(Dataset ds, TransferSyntax ts, String name) throws IOException {
        Path f = dir.resolve(name);
        DicomFile file = DicomWriter.newFile(ds, ts);
        try (OutputStream o = Files.newOutputStream(f)) {
            DicomWriter.write(file, o);
        }
        return f;
    }

    static Dataset instance(int n, int pixelBytes) {
        byte[] pixels = new byte[pixelBytes];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (i * 31 + n);
        }
        return Dataset.builder()
                .setStrings(Tag.SOPClassUID, Vr.UI, Uid.SecondaryCaptureImageStorage)
                .setStrings(Tag.SOPInstanceUID, Vr.UI, "2.25.1000" + n)
                .setStrings(Tag.PatientName, Vr.PN, "TEST^N" + n)
                .setStrings(Tag.PatientID, Vr.LO, "P" + n)
                .setStrings(Tag.StudyInstanceUID, Vr.UI, "2.25.2000")
                .setStrings(Tag.SeriesInstanceUID, Vr.UI, "2.25.3000")
                .setNumbers(Tag.Rows, Vr.US, 256)
                .setNumbers(Tag.Columns, Vr.US, pixelBytes / 512)
                .setNumbers(Tag.BitsAllocated, Vr.US, 16)
                .add(org.lightbox.dicom.Element.of(Tag.PixelData, Vr.OW, pixels))
                .build();
    }
}
