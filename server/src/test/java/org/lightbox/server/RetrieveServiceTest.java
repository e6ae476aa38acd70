// SPDX-License-Identifier: Apache-2.0
package org.lightbox.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lightbox.archive.Retrieve;
import org.lightbox.archive.StoredInstance;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Element;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.TransferSyntax;
import org.lightbox.dicom.Uid;
import org.lightbox.dicom.Vr;
import org.lightbox.dicom.io.DicomFile;
import org.lightbox.dicom.io.DicomReader;
import org.lightbox.dicom.io.DicomWriter;
import org.lightbox.dicom.io.ReadOptions;
import org.lightbox.imaging.PixelCodec;
import org.lightbox.imaging.Transcoder;
import org.lightbox.net.AcceptorPolicy;
import org.lightbox.net.Association;
import org.lightbox.net.Command;
import org.lightbox.net.DicomServer;
import org.lightbox.net.DimseService;
import org.lightbox.net.NetOptions;
import org.lightbox.net.Proposal;
import org.lightbox.net.Response;
import org.lightbox.net.Status;
import org.lightbox.testkit.ProcessResult;
import org.lightbox.testkit.Tools;

/**
 * C-MOVE and C-GET end to end: the server in-process, stores made with our SCU, retrieves by DCMTK's movescu and
 * getscu and by our SCU, and destinations that are in-process storage SCPs recording what they receive.
 */
class RetrieveServiceTest {
    static final String CT = "1.2.840.10008.5.1.4.1.1.2";
    static final String EVRLE = Uid.ExplicitVRLittleEndian;
    static final String IVRLE = Uid.ImplicitVRLittleEndian;
    static final String RLE = Uid.RLELossless;

    @TempDir
    Path dir;

    private LightboxServer server;
    private Destination dest;
    private Destination plain;
    private int downPort;

    /** A storage SCP that keeps every data set it receives, as received. */
    static final class Destination implements DimseService, AutoCloseable {
        record Received(String transferSyntax, byte[] data, String originatorAe, int originatorId) {}

        final Map<String, Received> received = new ConcurrentHashMap<>();
        final Set<String> refuse = ConcurrentHashMap.newKeySet();
        volatile long delayMillis;
        final DicomServer server;

        Destination(String aet, List<String> syntaxes) throws IOException {
            AcceptorPolicy.Builder p = AcceptorPolicy.builder(aet).unknownPeers(Set.of(AcceptorPolicy.Permission
                    .values()));
            p.accept(CT, syntaxes);
            p.accept(Uid.SecondaryCaptureImageStorage, syntaxes);
            server = DicomServer.start(new DicomServer.Config("127.0.0.1", 0, p.build(), NetOptions.DEFAULT,
                    Map.of(CT, this, Uid.SecondaryCaptureImageStorage, this), 8, null));
        }

        @Override
        public Response store(Request request, InputStream data) throws IOException {
            byte[] bytes = data.readAllBytes();
            String sop = request.command().sopInstanceUid();
            if (delayMillis > 0) {
                try {
                    Thread.sleep(delayMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (refuse.contains(sop)) {
                return Response.of(Status.STORE_OUT_OF_RESOURCES, "refused by the test");
            }
            received.put(sop, new Received(request.context().transferSyntax(), bytes,
                    request.command().string(Tag.MoveOriginatorApplicationEntityTitle)
                            .orElse(""),
                    request.command().integer(Tag.MoveOriginatorMessageID, -1)));
            return Response.of(Status.SUCCESS);
        }

        int port() {
            return server.port();
        }

        @Override
        public void close() {
            server.close();
        }
    }

    @BeforeEach
    void start() throws IOException {
        dest = new Destination("DEST", List.of());
        plain = new Destination("PLAIN", List.of(EVRLE));
        try (ServerSocket s = new ServerSocket(0)) {
            downPort = s.getLocalPort();
        }
        server = LightboxServer.start(ServerConfigReader.read(null, Map.of("data", dir.resolve("data").toString(),
                "dicom-port", "0", "http-port", "0", "limits.shutdown-grace", "2s",
                "remote-aes.DEST", "127.0.0.1:" + dest.port(), "remote-aes.PLAIN", "127.0.0.1:" + plain.port(),
                "remote-aes.DOWN", "127.0.0.1:" + downPort)));
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        dest.close();
        plain.close();
    }

    // ---- fixtures -------------------------------------------------------------------------------------------------

    static Dataset.Builder instance(String study, String series, String sop) {
        return LightboxServerTest.instance(study, series, sop);
    }

    /** A 64x64 16-bit monochrome image with a gradient, so that compression has something to keep. */
    static Dataset image(String study, String series, String sop) {
        byte[] pixels = new byte[64 * 64 * 2];
        for (int i = 0; i < 64 * 64; i++) {
            pixels[2 * i] = (byte) (i * 7);
            pixels[2 * i + 1] = (byte) ((i >> 5) & 0x0F);
        }
        return instance(study, series, sop)
                .setNumbers(Tag.SamplesPerPixel, Vr.US, 1)
                .setStrings(Tag.PhotometricInterpretation, Vr.CS, "MONOCHROME2")
                .setNumbers(Tag.Rows, Vr.US, 64)
                .setNumbers(Tag.Columns, Vr.US, 64)
                .setNumbers(Tag.BitsAllocated, Vr.US, 16)
                .setNumbers(Tag.BitsStored, Vr.US, 12)
                .setNumbers(Tag.HighBit, Vr.US, 11)
                .setNumbers(Tag.PixelRepresentation, Vr.US, 0)
                .add(Element.of(Tag.PixelData, Vr.OW, pixels)).build();
    }

    static byte[] encode(Dataset ds, String ts) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DicomWriter.writeDataset(ds, TransferSyntax.of(ts), out, DicomWriter.Lengths.AS_READ);
        return out.toByteArray();
    }

    /** The data set of {@code ds} compressed with RLE by our transcoder, bare (no meta). */
    byte[] rle(Dataset ds) throws IOException {
        Path f = dir.resolve("rle.dcm");
        try (OutputStream out = Files.newOutputStream(f)) {
            Transcoder.transcode(DicomWriter.newFile(ds, TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN),
                    TransferSyntax.of(RLE), PixelCodec.EncodeOptions.DEFAULT, out);
        }
        byte[] all = Files.readAllBytes(f);
        return java.util.Arrays.copyOfRange(all, (int) Retrieve.datasetOffset(f), all.length);
    }

    /** Stores each data set, given as bare bytes in its transfer syntax, through our SCU. */
    void store(String ts, byte[]... datasets) throws IOException {
        try (Association a = Association.connect("127.0.0.1", server.dicomPort(),
                new Proposal("TESTSCU", "LIGHTBOX").add(CT, ts), NetOptions.DEFAULT, null, Map.of())) {
            for (byte[] d : datasets) {
                Dataset parsed = DicomReader.readDataset(new ByteArrayInputStream(d), TransferSyntax.of(ts),
                        ReadOptions.DEFAULT);
                Response r = a.store(CT, parsed.string(Tag.SOPInstanceUID).orElseThrow(), ts,
                        out -> out.write(d), Command.PRIORITY_MEDIUM, null, 0);
                assertThat(r.status()).as(r.describe()).isZero();
            }
        }
    }

    /** Study 1.1: three instances in two series, Explicit VR Little Endian. */
    void storeStudyOne() throws IOException {
        store(EVRLE, encode(instance("1.1", "1.1.1", "1.1.1.1").build(), EVRLE),
                encode(instance("1.1", "1.1.1", "1.1.1.2").build(), EVRLE),
                encode(instance("1.1", "1.1.2", "1.1.2.1").build(), EVRLE));
    }

    /** Study 1.2: one instance in Implicit VR Little Endian and one RLE-compressed image. */
    Dataset storeStudyTwo() throws IOException {
        store(IVRLE, encode(instance("1.2", "1.2.1", "1.2.1.1").build(), IVRLE));
        Dataset image = image("1.2", "1.2.1", "1.2.1.2");
        store(RLE, rle(image));
        return image;
    }

    /** The stored data set's bytes, past the File Meta Information. */
    byte[] stored(String sop) throws IOException {
        StoredInstance i = server.archive().find(sop).orElseThrow();
        try (InputStream in = Retrieve.openDataset(server.archive(), i)) {
            return in.readAllBytes();
        }
    }

    static Dataset identifier(String level, String study) {
        return Dataset.builder().setStrings(Tag.QueryRetrieveLevel, Vr.CS, level)
                .setStrings(Tag.StudyInstanceUID, Vr.UI, study).build();
    }

    Association scu(String model) throws IOException {
        return Association.connect("127.0.0.1", server.dicomPort(), new Proposal("TESTSCU", "LIGHTBOX")
                .add(model, EVRLE), NetOptions.DEFAULT, null, Map.of());
    }

    static int count(Response r, int tag) {
        return r.command().integer(tag, -1);
    }

    static List<String> failedList(Response r) {
        return r.dataset() == null ? List.of() : r.dataset().strings(Tag.FailedSOPInstanceUIDList);
    }

    private static ProcessResult dcmtk(String... command) {
        List<String> cmd = new ArrayList<>(List.of("env", "TCP_NODELAY=1"));
        cmd.addAll(List.of(command));
        return Tools.run(cmd, Duration.ofSeconds(60));
    }

    // ---- C-MOVE ---------------------------------------------------------------------------------------------------

    @Test
    @org.junit.jupiter.api.Tag("interop")
    void movescuSendsTheStudyAsStored() throws Exception {
        assumeTrue(Tools.available("movescu"), "DCMTK's movescu is not installed (apt-get install dcmtk)");
        storeStudyOne();
        ProcessResult r = dcmtk("movescu", "-v", "-S", "-aet", "MOVER", "-aec", "LIGHTBOX", "-aem", "DEST",
                "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID=1.1", "127.0.0.1",
                String.valueOf(server.dicomPort()));
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.stdout() + r.stderr()).doesNotContain("Failed");
        assertThat(dest.received.keySet()).containsExactlyInAnyOrder("1.1.1.1", "1.1.1.2", "1.1.2.1");
        for (var e : dest.received.entrySet()) {
            assertThat(e.getValue().transferSyntax()).isEqualTo(EVRLE);
            assertThat(e.getValue().data()).as(e.getKey()).isEqualTo(stored(e.getKey()));
            assertThat(e.getValue().originatorAe()).isEqualTo("MOVER");
            assertThat(e.getValue().originatorId()).isPositive();
        }
    }

    @Test
    void moveCountsEverySubOperationAndSendsPendingResponses() throws Exception {
        storeStudyOne();
        List<Response> pending = new ArrayList<>();
        Response r;
        try (Association a = scu(Uid.PatientRootQueryRetrieveInformationModelMove)) {
            Dataset id = Dataset.builder().setStrings(Tag.QueryRetrieveLevel, Vr.CS, "SERIES")
                    .setStrings(Tag.PatientID, Vr.LO, "P1")
                    .setStrings(Tag.StudyInstanceUID, Vr.UI, "1.1")
                    .setStrings(Tag.SeriesInstanceUID, Vr.UI, "1.1.1").build();
            r = a.query(Command.C_MOVE_RQ, Uid.PatientRootQueryRetrieveInformationModelMove, id, "DEST",
                    p -> pending.add(p));
        }
        assertThat(r.status()).as(r.describe()).isEqualTo(Status.SUCCESS);
        assertThat(count(r, Tag.NumberOfCompletedSuboperations)).isEqualTo(2);
        assertThat(count(r, Tag.NumberOfFailedSuboperations)).isZero();
        assertThat(count(r, Tag.NumberOfWarningSuboperations)).isZero();
        assertThat(pending).hasSize(1);
        assertThat(count(pending.getFirst(), Tag.NumberOfRemainingSuboperations)).isEqualTo(1);
        assertThat(count(pending.getFirst(), Tag.NumberOfCompletedSuboperations)).isEqualTo(1);
        assertThat(dest.received.keySet()).containsExactlyInAnyOrder("1.1.1.1", "1.1.1.2");
    }

    @Test
    void unknownMoveDestinationIsA801() throws Exception {
        storeStudyOne();
        try (Association a = scu(Uid.StudyRootQueryRetrieveInformationModelMove)) {
            Response r = a.query(Command.C_MOVE_RQ, Uid.StudyRootQueryRetrieveInformationModelMove,
                    identifier("STUDY", "1.1"), "NOWHERE", null);
            assertThat(r.status()).isEqualTo(Status.QR_MOVE_DESTINATION_UNKNOWN);
            // The server keeps serving the same association.
            Response again = a.query(Command.C_MOVE_RQ, Uid.StudyRootQueryRetrieveInformationModelMove,
                    identifier("STUDY", "1.1"), "DEST", null);
            assertThat(again.status()).as(again.describe()).isZero();
        }
    }

    @Test
    void identifierWithoutTheUniqueKeyIsA900NamingIt() throws Exception {
        try (Association a = scu(Uid.StudyRootQueryRetrieveInformationModelMove)) {
            Response r = a.query(Command.C_MOVE_RQ, Uid.StudyRootQueryRetrieveInformationModelMove,
                    Dataset.builder().setStrings(Tag.QueryRetrieveLevel, Vr.CS, "STUDY").build(),
                    "DEST", null);
            assertThat(r.status()).isEqualTo(Status.QR_IDENTIFIER_DOES_NOT_MATCH_SOP_CLASS);
            assertThat(r.command().dataset().get(Tag.OffendingElement)).isPresent();
            assertThat(r.errorComment()).contains("StudyInstanceUID");
        }
    }

    @Test
    void compressedInstanceIsDecompressedForADestinationAcceptingOnlyExplicitLittleEndian() throws Exception {
        Dataset image = storeStudyTwo();
        assertThat(server.archive().find("1.2.1.2").orElseThrow().transferSyntaxUid()).isEqualTo(RLE);
        Response r;
        try (Association a = scu(Uid.StudyRootQueryRetrieveInformationModelMove)) {
            r = a.query(Command.C_MOVE_RQ, Uid.StudyRootQueryRetrieveInformationModelMove,
                    identifier("STUDY", "1.2"), "PLAIN", null);
        }
        assertThat(r.status()).as(r.describe()).isZero();
        assertThat(count(r, Tag.NumberOfCompletedSuboperations)).isEqualTo(2);
        Destination.Received rle = plain.received.get("1.2.1.2");
        assertThat(rle.transferSyntax()).isEqualTo(EVRLE);
        Dataset got = DicomReader.readDataset(new ByteArrayInputStream(rle.data()),
                TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN, ReadOptions.DEFAULT);
        assertThat(got.get(Tag.PixelData).orElseThrow().bytes())
                .isEqualTo(image.get(Tag.PixelData).orElseThrow().bytes());
        assertThat(got.string(Tag.PatientName)).hasValue("Doe^Jane");
        // The implicit VR instance is re-encoded, value for value.
        Destination.Received implicit = plain.received.get("1.2.1.1");
        assertThat(implicit.transferSyntax()).isEqualTo(EVRLE);
        Dataset storedSet = DicomReader.readDataset(new ByteArrayInputStream(stored("1.2.1.1")),
                TransferSyntax.IMPLICIT_VR_LITTLE_ENDIAN, ReadOptions.DEFAULT);
        assertThat(implicit.data()).isEqualTo(encode(storedSet, EVRLE));
    }

    @Test
    void compressedInstanceGoesAsStoredWhenTheDestinationAcceptsIt() throws Exception {
        storeStudyTwo();
        try (Association a = scu(Uid.StudyRootQueryRetrieveInformationModelMove)) {
            Response r = a.query(Command.C_MOVE_RQ, Uid.StudyRootQueryRetrieveInformationModelMove,
                    identifier("STUDY", "1.2"), "DEST", null);
            assertThat(r.status()).as(r.describe()).isZero();
        }
        assertThat(dest.received.get("1.2.1.2").transferSyntax()).isEqualTo(RLE);
        assertThat(dest.received.get("1.2.1.2").data()).isEqualTo(stored("1.2.1.2"));
        assertThat(dest.received.get("1.2.1.1").transferSyntax()).isEqualTo(IVRLE);
        assertThat(dest.received.get("1.2.1.1").data()).isEqualTo(stored("1.2.1.1"));
    }

    @Test
    void someFailedIsB000WithTheFailedList() throws Exception {
        storeStudyOne();
        dest.refuse.add("1.1.1.2");
        try (Association a = scu(Uid.StudyRootQueryRetrieveInformationModelMove)) {
            Response r = a.query(Command.C_MOVE_RQ, Uid.StudyRootQueryRetrieveInformationModelMove,
                    identifier("STUDY", "1.1"), "DEST", null);
            assertThat(r.status()).isEqualTo(Status.QR_SUB_OPERATIONS_COMPLETE_WITH_FAILURES);
            assertThat(count(r, Tag.NumberOfCompletedSuboperations)).isEqualTo(2);
            assertThat(count(r, Tag.NumberOfFailedSuboperations)).isEqualTo(1);
            assertThat(failedList(r)).containsExactly("1.1.1.2");
        }
    }

    @Test
    void unreachableDestinationFailsEverySubOperationWithA702() throws Exception {
        storeStudyOne();
        try (Association a = scu(Uid.StudyRootQueryRetrieveInformationModelMove)) {
            Response r = a.query(Command.C_MOVE_RQ, Uid.StudyRootQueryRetrieveInformationModelMove,
                    identifier("STUDY", "1.1"), "DOWN", null);
            assertThat(r.status()).isEqualTo(Status.QR_OUT_OF_RESOURCES_SUB_OPERATIONS);
            assertThat(count(r, Tag.NumberOfFailedSuboperations)).isEqualTo(3);
            assertThat(count(r, Tag.NumberOfCompletedSuboperations)).isZero();
            assertThat(failedList(r)).containsExactlyInAnyOrder("1.1.1.1", "1.1.1.2", "1.1.2.1");
            assertThat(r.errorComment()).contains("DOWN");
            Response again = a.query(Command.C_MOVE_RQ, Uid.StudyRootQueryRetrieveInformationModelMove,
                    identifier("STUDY", "1.1"), "DEST", null);
            assertThat(again.status()).as("still serving: " + again.describe()).isZero();
        }
    }

    @Test
    void cancelStopsBetweenSubOperationsWithFe00AndTheCounts() throws Exception {
        List<byte[]> many = new ArrayList<>();
        for (int i = 1; i <= 12; i++) {
            many.add(encode(instance("1.5", "1.5.1", "1.5.1." + i).build(), EVRLE));
        }
        store(EVRLE, many.toArray(byte[][]::new));
        dest.delayMillis = 50;
        Response r;
        try (Association a = scu(Uid.StudyRootQueryRetrieveInformationModelMove)) {
            r = a.query(Command.C_MOVE_RQ, Uid.StudyRootQueryRetrieveInformationModelMove,
                    identifier("STUDY", "1.5"), "DEST", p -> false);
        }
        assertThat(r.status()).as(r.describe()).isEqualTo(Status.CANCEL);
        int remaining = count(r, Tag.NumberOfRemainingSuboperations);
        int completed = count(r, Tag.NumberOfCompletedSuboperations);
        assertThat(remaining).isPositive();
        assertThat(completed).isPositive();
        assertThat(remaining + completed + count(r, Tag.NumberOfFailedSuboperations)
                + count(r, Tag.NumberOfWarningSuboperations)).isEqualTo(12);
        assertThat(dest.received).hasSize(completed);
    }

    @Test
    void moreSopClassesThan128ContextsHoldAreSpreadOverSeveralAssociations() {
        List<StoredInstance> instances = new ArrayList<>();
        for (int c = 0; c < 100; c++) {
            instances.add(new StoredInstance("1", "1", "1." + c, "1.2.3." + c, c % 2 == 0 ? EVRLE : RLE, "x", 1, "",
                    java.time.Instant.EPOCH));
        }
        List<List<StoredInstance>> groups = RetrieveService.groups(instances);
        assertThat(groups.size()).isGreaterThan(1);
        assertThat(groups.stream().mapToInt(List::size).sum()).isEqualTo(100);
        RetrieveService service = new RetrieveService(null, "LIGHTBOX", Map.of(), NetOptions.DEFAULT);
        for (List<StoredInstance> g : groups) {
            Proposal p = service.proposal("DEST", g);
            assertThat(p.size()).isLessThanOrEqualTo(128);
            for (StoredInstance i : g) {
                assertThat(p.proposes(i.sopClassUid(), i.transferSyntaxUid())).isTrue();
                assertThat(p.proposes(i.sopClassUid(), EVRLE)).isTrue();
                assertThat(p.proposes(i.sopClassUid(), IVRLE)).isTrue();
            }
        }
    }

    // ---- C-GET ----------------------------------------------------------------------------------------------------

    @Test
    @org.junit.jupiter.api.Tag("interop")
    void getscuRetrievesTheStudyIntoAFolder() throws Exception {
        assumeTrue(Tools.available("getscu"), "DCMTK's getscu is not installed (apt-get install dcmtk)");
        storeStudyOne();
        Path out = Files.createDirectories(dir.resolve("got"));
        ProcessResult r = dcmtk("getscu", "-v", "-S", "-aec", "LIGHTBOX", "-od", out.toString(),
                "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID=1.1", "127.0.0.1",
                String.valueOf(server.dicomPort()));
        assertThat(r.exitCode()).as(r.toString()).isZero();
        List<Path> files;
        try (Stream<Path> s = Files.list(out)) {
            files = s.toList();
        }
        assertThat(files).hasSize(3);
        for (Path f : files) {
            DicomFile got = DicomReader.read(f);
            String sop = got.dataset().string(Tag.SOPInstanceUID).orElseThrow();
            byte[] all = Files.readAllBytes(f);
            byte[] data = java.util.Arrays.copyOfRange(all, (int) Retrieve.datasetOffset(f), all.length);
            assertThat(data).as(sop).isEqualTo(stored(sop));
        }
    }

    /** A C-GET requestor that accepts CT in the given syntaxes (taking the SCP role unless told not to). */
    Response get(Destination sink, Dataset identifier, boolean scpRole, String... syntaxes) throws IOException {
        Proposal p = new Proposal("GETTER", "LIGHTBOX").add(Uid.StudyRootQueryRetrieveInformationModelGet, EVRLE);
        for (String ts : syntaxes) {
            p.add(CT, ts);
        }
        if (scpRole) {
            p.role(CT, false, true);
        }
        try (Association a = Association.connect("127.0.0.1", server.dicomPort(), p, NetOptions.DEFAULT, null,
                Map.of(CT, sink))) {
            return a.query(Command.C_GET_RQ, Uid.StudyRootQueryRetrieveInformationModelGet, identifier, null, null);
        }
    }

    @Test
    void getSendsOnTheSameAssociationConvertingWhatWasNotAccepted() throws Exception {
        Dataset image = storeStudyTwo();
        Response r = get(plain, identifier("STUDY", "1.2"), true, EVRLE);
        assertThat(r.status()).as(r.describe()).isZero();
        assertThat(count(r, Tag.NumberOfCompletedSuboperations)).isEqualTo(2);
        Dataset got = DicomReader.readDataset(new ByteArrayInputStream(plain.received.get("1.2.1.2").data()),
                TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN, ReadOptions.DEFAULT);
        assertThat(got.get(Tag.PixelData).orElseThrow().bytes())
                .isEqualTo(image.get(Tag.PixelData).orElseThrow().bytes());
        assertThat(plain.received.get("1.2.1.1").originatorAe()).isEmpty();
    }

    @Test
    void getAsStoredWhenTheStoredSyntaxWasAccepted() throws Exception {
        storeStudyTwo();
        Response r = get(dest, identifier("STUDY", "1.2"), true, RLE, IVRLE);
        assertThat(r.status()).as(r.describe()).isZero();
        assertThat(dest.received.get("1.2.1.2").data()).isEqualTo(stored("1.2.1.2"));
        assertThat(dest.received.get("1.2.1.1").data()).isEqualTo(stored("1.2.1.1"));
    }

    @Test
    void getWithoutTheScpRoleFailsEverySubOperation() throws Exception {
        storeStudyOne();
        Response r = get(dest, identifier("STUDY", "1.1"), false, EVRLE);
        assertThat(r.status()).isEqualTo(Status.QR_OUT_OF_RESOURCES_SUB_OPERATIONS);
        assertThat(count(r, Tag.NumberOfFailedSuboperations)).isEqualTo(3);
        assertThat(failedList(r)).hasSize(3);
        assertThat(dest.received).isEmpty();
    }

    @Test
    void getOfAnInstanceWithoutAcceptedContextCountsItAsFailed() throws Exception {
        storeStudyTwo();
        // CT in RLE only: the implicit VR instance has no context to go on, the RLE one goes as stored.
        Response r = get(dest, identifier("STUDY", "1.2"), true, RLE);
        assertThat(r.status()).as(r.describe()).isEqualTo(Status.QR_SUB_OPERATIONS_COMPLETE_WITH_FAILURES);
        assertThat(count(r, Tag.NumberOfCompletedSuboperations)).isEqualTo(1);
        assertThat(count(r, Tag.NumberOfFailedSuboperations)).isEqualTo(1);
        assertThat(failedList(r)).containsExactly("1.2.1.1");
        assertThat(dest.received.keySet()).containsExactly("1.2.1.2");
    }
}
