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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
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

/**
 * DCMTK's findscu, movescu and getscu against a Lightbox SCP whose C-FIND, C-MOVE and C-GET services answer from a
 * handful of instances held by the test (the archive's real matching is tested with the archive). A second Lightbox
 * SCP is the C-MOVE destination, so no DCMTK server has to listen.
 */
class DcmtkQueryRetrieveInteropTest {
    @TempDir
    Path dir;

    private final List<Dataset> instances = new ArrayList<>();
    private DicomServer server;
    private DicomServer destination;
    private final Map<String, Dataset> arrived = new ConcurrentHashMap<>();

    @BeforeEach
    void start() throws IOException {
        for (int study = 0; study < 2; study++) {
            for (int i = 0; i < 3; i++) {
                instances.add(Dataset.builder()
                        .setStrings(Tag.SOPClassUID, Vr.UI, Uid.SecondaryCaptureImageStorage)
                        .setStrings(Tag.SOPInstanceUID, Vr.UI, "2.25.77" + study + i)
                        .setStrings(Tag.PatientName, Vr.PN, study == 0 ? "DOE^JOHN" : "ROE^JANE")
                        .setStrings(Tag.PatientID, Vr.LO, "PID" + study)
                        .setStrings(Tag.StudyInstanceUID, Vr.UI, "2.25.88" + study)
                        .setStrings(Tag.SeriesInstanceUID, Vr.UI, "2.25.99" + study)
                        .setStrings(Tag.StudyDate, Vr.DA, "2026110" + (study + 1))
                        .setStrings(Tag.Modality, Vr.CS, "OT")
                        .setNumbers(Tag.InstanceNumber, Vr.IS, i + 1)
                        .build());
            }
        }
        DimseService receiver = new DimseService() {
            @Override
            public Response store(Request request, InputStream data) throws IOException {
                arrived.put(request.command().sopInstanceUid(), DicomReader.readDataset(data,
                        TransferSyntax.of(request.context().transferSyntax()), ReadOptions.DEFAULT));
                return Response.of(Status.SUCCESS);
            }
        };
        destination = DicomServer.start(new DicomServer.Config("127.0.0.1", 0,
                AcceptorPolicy.builder("DEST").acceptArchiveDefaults().build(), NetOptions.DEFAULT,
                Map.of(Uid.SecondaryCaptureImageStorage, receiver), 4, null));

        Map<String, DimseService> services = new HashMap<>();
        services.put(Uid.Verification, new DimseService() {});
        QueryService qr = new QueryService();
        AcceptorPolicy.QUERY_RETRIEVE.forEach(uid -> services.put(uid, qr));
        server = DicomServer.start(new DicomServer.Config("127.0.0.1", 0,
                AcceptorPolicy.builder("LIGHTBOX").acceptArchiveDefaults().build(), NetOptions.DEFAULT, services, 8,
                null));
    }

    @AfterEach
    void stop() {
        server.shutdown(Duration.ofSeconds(5));
        destination.shutdown(Duration.ofSeconds(5));
    }

    /** Study-level matching on Patient Name (with a trailing *) and Study Instance UID; enough for the protocol. */
    private final class QueryService implements DimseService {
        private List<Dataset> matches(Dataset keys) {
            String name = keys.string(Tag.PatientName).orElse("");
            String study = keys.string(Tag.StudyInstanceUID).orElse("");
            return instances.stream()
                    .filter(d -> name.isEmpty() || (name.endsWith("*")
                            ? d.string(Tag.PatientName).orElse("").startsWith(name.substring(0, name.length() - 1))
                            : d.string(Tag.PatientName).orElse("").equals(name)))
                    .filter(d -> study.isEmpty() || d.string(Tag.StudyInstanceUID).orElse("").equals(study))
                    .toList();
        }

        @Override
        public Response find(Request request, Dataset keys, Responder out) throws IOException {
            Map<String, Dataset> studies = new java.util.LinkedHashMap<>();
            for (Dataset d : matches(keys)) {
                studies.putIfAbsent(d.string(Tag.StudyInstanceUID).orElseThrow(), d);
            }
            for (Dataset d : studies.values()) {
                if (out.cancelled()) {
                    return Response.of(Status.CANCEL);
                }
                Dataset.Builder b = Dataset.builder().setStrings(Tag.QueryRetrieveLevel, Vr.CS, "STUDY");
                for (var e : keys) {
                    if (e.tag() != Tag.QueryRetrieveLevel) {
                        d.get(e.tag()).ifPresentOrElse(b::add, () -> b.add(e));
                    }
                }
                out.pending(Response.of(Status.PENDING).withDataset(b.build()));
            }
            return Response.of(Status.SUCCESS);
        }

        @Override
        public Response move(Request request, Dataset keys, Responder out) throws IOException {
            String dest = request.command().string(Tag.MoveDestination).orElse("").strip();
            if (!dest.equals("DEST")) {
                return Response.of(Status.QR_MOVE_DESTINATION_UNKNOWN, "unknown destination " + dest);
            }
            List<Dataset> todo = matches(keys);
            Proposal p = new Proposal("LIGHTBOX", "DEST").add(Uid.SecondaryCaptureImageStorage,
                    Uid.ExplicitVRLittleEndian);
            int done = 0;
            try (Association a = Association.connect("127.0.0.1", destination.port(), p, NetOptions.DEFAULT, null,
                    Map.of())) {
                for (Dataset d : todo) {
                    Response r = a.store(Uid.SecondaryCaptureImageStorage, d.string(Tag.SOPInstanceUID).orElseThrow(),
                            Uid.ExplicitVRLittleEndian, o -> DicomWriter.writeDataset(d,
                                    TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN, o, DicomWriter.Lengths.DEFINED),
                            Command.PRIORITY_MEDIUM, request.association().callingAeTitle(),
                            request.command().messageId());
                    assertThat(r.status()).isZero();
                    done++;
                    out.pending(counts(Status.PENDING, todo.size() - done, done, 0));
                }
            }
            return counts(Status.SUCCESS, 0, done, 0);
        }

        @Override
        public Response get(Request request, Dataset keys, Responder out) throws IOException {
            List<Dataset> todo = matches(keys);
            int done = 0;
            PresentationContext pc = request.association().context(Uid.SecondaryCaptureImageStorage).orElseThrow();
            for (Dataset d : todo) {
                Response r = request.association().store(Uid.SecondaryCaptureImageStorage,
                        d.string(Tag.SOPInstanceUID).orElseThrow(), pc.transferSyntax(),
                        o -> DicomWriter.writeDataset(d, TransferSyntax.of(pc.transferSyntax()), o,
                                DicomWriter.Lengths.DEFINED), Command.PRIORITY_MEDIUM, null, 0);
                assertThat(r.status()).isZero();
                done++;
                out.pending(counts(Status.PENDING, todo.size() - done, done, 0));
            }
            return counts(Status.SUCCESS, 0, done, 0);
        }

        private static Response counts(int status, int remaining, int completed, int failed) {
            Dataset.Builder c = Dataset.builder();
            if (Status.isPending(status)) {
                c.setNumbers(Tag.NumberOfRemainingSuboperations, Vr.US, remaining);
            }
            c.setNumbers(Tag.NumberOfCompletedSuboperations, Vr.US, completed)
                    .setNumbers(Tag.NumberOfFailedSuboperations, Vr.US, failed)
                    .setNumbers(Tag.NumberOfWarningSuboperations, Vr.US, 0);
            return Response.of(status, c, null);
        }
    }

    private static ProcessResult run(String... command) {
        List<String> cmd = new ArrayList<>(List.of("env", "TCP_NODELAY=1"));
        cmd.addAll(List.of(command));
        return Tools.run(cmd, Duration.ofSeconds(60));
    }

    @Test
    void findscuGetsOneAnswerPerMatchingStudy() throws IOException {
        assumeTrue(Tools.available("findscu"), "DCMTK's findscu is not installed (apt-get install dcmtk)");
        ProcessResult r = run("findscu", "-S", "-aec", "LIGHTBOX", "-k", "QueryRetrieveLevel=STUDY",
                "-k", "PatientName=DOE*", "-k", "StudyInstanceUID", "-k", "StudyDate", "-X", "-od", dir.toString(),
                "127.0.0.1", String.valueOf(server.port()));
        assertThat(r.exitCode()).as(r.toString()).isZero();
        List<Path> answers;
        try (Stream<Path> s = Files.list(dir)) {
            answers = s.filter(f -> f.getFileName().toString().startsWith("rsp")).toList();
        }
        assertThat(answers).hasSize(1);
        DicomFile answer = DicomReader.read(answers.get(0));
        assertThat(answer.dataset().string(Tag.StudyInstanceUID)).contains("2.25.880");
        assertThat(answer.dataset().string(Tag.StudyDate)).contains("20261101");
    }

    @Test
    void movescuMovesAStudyToTheDestination() {
        assumeTrue(Tools.available("movescu"), "DCMTK's movescu is not installed (apt-get install dcmtk)");
        // DEST is resolved by the SCP; movescu itself listens for nothing (--port is not given).
        ProcessResult r = run("movescu", "-S", "-aec", "LIGHTBOX", "-aem", "DEST", "-k", "QueryRetrieveLevel=STUDY",
                "-k", "StudyInstanceUID=2.25.881", "127.0.0.1", String.valueOf(server.port()));
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(arrived.keySet()).containsExactlyInAnyOrder("2.25.7710", "2.25.7711", "2.25.7712");
    }

    @Test
    void movescuToAnUnknownDestinationFails() {
        assumeTrue(Tools.available("movescu"), "DCMTK's movescu is not installed (apt-get install dcmtk)");
        ProcessResult r = run("movescu", "-v", "-S", "-aec", "LIGHTBOX", "-aem", "NOWHERE", "-k",
                "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID=2.25.881", "127.0.0.1",
                String.valueOf(server.port()));
        assertThat(r.stdout() + r.stderr()).contains("MoveDestinationUnknown");
        assertThat(arrived).isEmpty();
    }

    @Test
    void getscuRetrievesOverTheSameAssociation() throws IOException {
        assumeTrue(Tools.available("getscu"), "DCMTK's getscu is not installed (apt-get install dcmtk)");
        Path out = Files.createDirectories(dir.resolve("got"));
        ProcessResult r = run("getscu", "-S", "-aec", "LIGHTBOX", "-k", "QueryRetrieveLevel=STUDY",
                "-k", "StudyInstanceUID=2.25.880", "-od", out.toString(), "127.0.0.1", String.valueOf(server.port()));
        assertThat(r.exitCode()).as(r.toString()).isZero();
        List<Path> files;
        try (Stream<Path> s = Files.list(out)) {
            files = s.toList();
        }
        assertThat(files).hasSize(3);
        for (Path f : files) {
            Dataset got = DicomReader.read(f).dataset();
            Dataset sent = instances.stream().filter(d -> d.string(Tag.SOPInstanceUID).equals(
                    got.string(Tag.SOPInstanceUID))).findFirst().orElseThrow();
            assertThat(got).isEqualTo(sent);
        }
    }

    @Test
    void severalAssociationsAtOnce() throws Exception {
        assumeTrue(Tools.available("findscu"), "DCMTK's findscu is not installed (apt-get install dcmtk)");
        List<Thread> threads = new ArrayList<>();
        List<ProcessResult> results = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < 6; i++) {
            threads.add(Thread.ofVirtual().start(() -> results.add(run("findscu", "-S", "-aec", "LIGHTBOX", "-k",
                    "QueryRetrieveLevel=STUDY", "-k", "PatientName", "127.0.0.1", String.valueOf(server.port())))));
        }
        for (Thread t : threads) {
            t.join();
        }
        assertThat(results).hasSize(6).allSatisfy(r -> assertThat(r.exitCode()).as(r.toString()).isZero());
    }
}
