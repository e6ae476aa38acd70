// SPDX-License-Identifier: Apache-2.0
package org.lightbox.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.lightbox.net.Scripts.ARTIM;
import static org.lightbox.net.Scripts.ECHO_CTX;
import static org.lightbox.net.Scripts.MAX_PDU;
import static org.lightbox.net.Scripts.WAIT;
import static org.lightbox.net.Scripts.pdata;
import static org.lightbox.net.pdu.Pdu.Abort.REASON_INVALID_PDU_PARAMETER_VALUE;
import static org.lightbox.net.pdu.Pdu.Abort.REASON_NOT_SPECIFIED;
import static org.lightbox.net.pdu.Pdu.Abort.REASON_UNEXPECTED_PDU;
import static org.lightbox.net.pdu.Pdu.Abort.REASON_UNRECOGNIZED_PDU;
import static org.lightbox.net.pdu.Pdu.Abort.SOURCE_SERVICE_PROVIDER;
import static org.lightbox.net.pdu.Pdu.Abort.SOURCE_SERVICE_USER;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.lightbox.dicom.Uid;
import org.lightbox.net.pdu.Pdu;
import org.lightbox.net.pdu.PduWriter;
import org.lightbox.testkit.ScriptedPeer;

/**
 * The cells of PS3.8 Table 9-10 that a peer can reach over a socket, driven against real associations: a
 * {@link DicomServer} as acceptor (Sta2, Sta6, Sta13 after a reject) and {@link Association#connect} as requestor
 * (Sta5, Sta6, Sta7). Each case sends one PDU and checks what comes back before the connection closes.
 */
class StateMachineSocketTest {
    private static final Duration CLOSE_BOUND = ARTIM.plusSeconds(3);
    private static final ExecutorService POOL = Executors.newVirtualThreadPerTaskExecutor();
    private static final byte[] INVALID = {0x09, 0, 0, 0, 0, 4, 0, 0, 0, 0};
    private static final Pdu.Abort PROVIDER_UNEXPECTED = new Pdu.Abort(SOURCE_SERVICE_PROVIDER, REASON_UNEXPECTED_PDU);
    private static final Pdu.Abort PROVIDER_UNRECOGNIZED =
            new Pdu.Abort(SOURCE_SERVICE_PROVIDER, REASON_UNRECOGNIZED_PDU);
    private static final Pdu.Abort USER = new Pdu.Abort(SOURCE_SERVICE_USER, REASON_NOT_SPECIFIED);

    private DicomServer server;

    @BeforeEach
    void start() throws IOException {
        server = Scripts.server(new Scripts.RecordingStore(), new Scripts.SlowFind());
    }

    @AfterEach
    void stop() {
        server.shutdown(Duration.ofSeconds(2));
    }

    @AfterAll
    static void stopPool() {
        POOL.shutdownNow();
    }

    private static Pdu.AssociateRq rq() {
        return Scripts.proposal().toPdu(MAX_PDU);
    }

    private static Pdu.AssociateAc ac(Pdu.AssociateRq rq) {
        return ((AcceptorPolicy.Accept) Scripts.policy().decide(rq)).ac();
    }

    /** One PDU of each kind a peer can send, by the Table 9-10 event it raises. */
    private static Map<String, byte[]> pdus() {
        return Map.of(
                "Evt3 A-ASSOCIATE-AC", PduWriter.encode(ac(rq())),
                "Evt4 A-ASSOCIATE-RJ", PduWriter.encode(new Pdu.AssociateRj(1, 1, 1)),
                "Evt6 A-ASSOCIATE-RQ", PduWriter.encode(rq()),
                "Evt10 P-DATA-TF", echoRsp(),
                "Evt12 A-RELEASE-RQ", PduWriter.encode(new Pdu.ReleaseRq()),
                "Evt13 A-RELEASE-RP", PduWriter.encode(new Pdu.ReleaseRp()),
                "Evt16 A-ABORT", Scripts.abort(SOURCE_SERVICE_USER, REASON_NOT_SPECIFIED),
                "Evt19 invalid PDU", INVALID);
    }

    /** A C-ECHO-RSP that answers nothing outstanding: well-formed P-DATA that either side may ignore. */
    private static byte[] echoRsp() {
        Command rq = new Command(Command.request(Command.C_ECHO_RQ, 999, Uid.Verification, false).build());
        return pdata(ECHO_CTX, true, true, new Command(Command.response(rq, Status.SUCCESS, false).build()).encode());
    }

    /** What comes back, then the close: an A-ABORT, an A-RELEASE-RP, or nothing ({@code null}). */
    private static void expect(ScriptedPeer p, Pdu reply) throws IOException {
        List<ScriptedPeer.RawPdu> got = p.readUntilClosed(CLOSE_BOUND);
        if (reply == null) {
            assertThat(got).as("nothing before the close").isEmpty();
        } else {
            assertThat(got).hasSize(1);
            assertThat(Scripts.decode(got.get(0))).isEqualTo(reply);
        }
    }

    // ---- acceptor -------------------------------------------------------------------------------------------------

    static Stream<Arguments> acceptorSta2() {
        return Stream.of(
                Arguments.of("Evt3 A-ASSOCIATE-AC", "AA-1", USER),
                Arguments.of("Evt4 A-ASSOCIATE-RJ", "AA-1", USER),
                Arguments.of("Evt10 P-DATA-TF", "AA-1", USER),
                Arguments.of("Evt12 A-RELEASE-RQ", "AA-1", USER),
                Arguments.of("Evt13 A-RELEASE-RP", "AA-1", USER),
                Arguments.of("Evt16 A-ABORT", "AA-2", null),
                // AA-1 names the service user as source; the reason is sent as the provider's, which says more.
                Arguments.of("Evt19 invalid PDU", "AA-1", PROVIDER_UNRECOGNIZED));
    }

    @ParameterizedTest(name = "Sta2, {0}: {1}")
    @MethodSource("acceptorSta2")
    void acceptorSta2(String event, String action, Pdu reply) throws IOException {
        try (ScriptedPeer p = ScriptedPeer.connect("127.0.0.1", server.port(), WAIT)) {
            p.send(pdus().get(event));
            expect(p, reply);
        }
    }

    @Test
    void acceptorSta2TransportClosedAndArtimExpiry() throws IOException {
        try (ScriptedPeer p = ScriptedPeer.connect("127.0.0.1", server.port(), WAIT)) {
            p.shutdownOutput(); // Evt17, AA-5
            expect(p, null);
        }
        try (ScriptedPeer p = ScriptedPeer.connect("127.0.0.1", server.port(), WAIT)) {
            expect(p, null); // Evt18, AA-2
        }
    }

    static Stream<Arguments> acceptorSta6() {
        return Stream.of(
                Arguments.of("Evt3 A-ASSOCIATE-AC", "AA-8", PROVIDER_UNEXPECTED),
                Arguments.of("Evt4 A-ASSOCIATE-RJ", "AA-8", PROVIDER_UNEXPECTED),
                Arguments.of("Evt6 A-ASSOCIATE-RQ", "AA-8", PROVIDER_UNEXPECTED),
                Arguments.of("Evt12 A-RELEASE-RQ", "AR-2, AR-4", new Pdu.ReleaseRp()),
                Arguments.of("Evt13 A-RELEASE-RP", "AA-8", PROVIDER_UNEXPECTED),
                Arguments.of("Evt16 A-ABORT", "AA-3", null),
                Arguments.of("Evt19 invalid PDU", "AA-8", PROVIDER_UNRECOGNIZED));
    }

    @ParameterizedTest(name = "Sta6, {0}: {1}")
    @MethodSource("acceptorSta6")
    void acceptorSta6(String event, String action, Pdu reply) throws IOException {
        try (ScriptedPeer p = Scripts.associate(server.port())) {
            p.send(pdus().get(event));
            expect(p, reply);
        }
    }

    @Test
    void acceptorSta6PDataIsServed() throws IOException {
        try (ScriptedPeer p = Scripts.associate(server.port())) {
            p.send(Scripts.echoRq(5)); // Evt10, DT-2
            Pdu.PDataTf rsp = (Pdu.PDataTf) Scripts.decode(p.readPdu(WAIT));
            Command c = Command.decode(rsp.pdvs().get(0).data(), rsp.pdvs().get(0).length());
            assertThat(c.field()).isEqualTo(Command.C_ECHO_RSP);
            assertThat(c.messageIdBeingRespondedTo()).isEqualTo(5);
            p.shutdownOutput(); // Evt17, AA-4
            expect(p, null);
        }
    }

    @ParameterizedTest(name = "Sta13 after a reject, {0}: ignored")
    @MethodSource("pduNames")
    void acceptorSta13AfterReject(String event) throws IOException {
        Pdu.AssociateRq wrongTitle = new Pdu.AssociateRq(1, "NOBODY", "SCRIPTED", Pdu.APPLICATION_CONTEXT,
                rq().presentationContexts(), rq().userInformation());
        try (ScriptedPeer p = ScriptedPeer.connect("127.0.0.1", server.port(), WAIT)) {
            p.send(PduWriter.encode(wrongTitle));
            assertThat(Scripts.decode(p.readPdu(WAIT))).isInstanceOf(Pdu.AssociateRj.class); // AE-6 → Sta13
            try {
                p.send(pdus().get(event));
            } catch (IOException alreadyClosed) {
                // as good
            }
            // AA-6 (ignore) for most; AA-7 would send an A-ABORT, but the rejecting side has already finished
            // sending (half-closed) and only waits for the close.
            expect(p, null);
        }
    }

    static Stream<String> pduNames() {
        return pdus().keySet().stream().sorted();
    }

    // ---- requestor ------------------------------------------------------------------------------------------------

    /** A requestor under test, connected to a scripted acceptor that has read its A-ASSOCIATE-RQ (Sta5). */
    private record Requestor(ScriptedPeer.Listener listener, ScriptedPeer acceptor, Future<Association> connecting)
            implements AutoCloseable {
        Association established() throws Exception {
            acceptor.send(PduWriter.encode(ac(rq())));
            Association a = connecting.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(a.isEstablished()).isTrue(); // AE-3
            return a;
        }

        @Override
        public void close() throws IOException {
            acceptor.close();
            listener.close();
            connecting.cancel(true);
        }
    }

    private static Requestor requestorInSta5() throws IOException {
        ScriptedPeer.Listener listener = ScriptedPeer.listen();
        Future<Association> connecting = POOL.submit(() -> Association.connect("127.0.0.1", listener.port(),
                Scripts.proposal(), Scripts.OPTIONS, null, Map.of(Uid.Verification, new DimseService() {})));
        ScriptedPeer acceptor = listener.accept(WAIT);
        assertThat(Scripts.decode(acceptor.readPdu(WAIT))).isEqualTo(rq());
        return new Requestor(listener, acceptor, connecting);
    }

    static Stream<Arguments> requestorSta5() {
        return Stream.of(
                Arguments.of("Evt4 A-ASSOCIATE-RJ", "AE-4", null),
                Arguments.of("Evt6 A-ASSOCIATE-RQ", "AA-8", PROVIDER_UNEXPECTED),
                Arguments.of("Evt10 P-DATA-TF", "AA-8", PROVIDER_UNEXPECTED),
                Arguments.of("Evt12 A-RELEASE-RQ", "AA-8", PROVIDER_UNEXPECTED),
                Arguments.of("Evt13 A-RELEASE-RP", "AA-8", PROVIDER_UNEXPECTED),
                Arguments.of("Evt16 A-ABORT", "AA-3", null),
                Arguments.of("Evt19 invalid PDU", "AA-8", PROVIDER_UNRECOGNIZED));
    }

    @ParameterizedTest(name = "Sta5, {0}: {1}")
    @MethodSource("requestorSta5")
    void requestorSta5(String event, String action, Pdu reply) throws Exception {
        try (Requestor r = requestorInSta5()) {
            r.acceptor().send(pdus().get(event));
            expect(r.acceptor(), reply);
            assertThatThrownBy(() -> r.connecting().get(WAIT.toSeconds(), TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).cause().isInstanceOf(AssociationException.class);
        }
    }

    @Test
    void requestorSta5TransportClosed() throws Exception {
        try (Requestor r = requestorInSta5()) {
            r.acceptor().close(); // Evt17, AA-4
            assertThatThrownBy(() -> r.connecting().get(WAIT.toSeconds(), TimeUnit.SECONDS))
                    .cause().isInstanceOf(AssociationException.class).hasMessageContaining("closed");
        }
    }

    @Test
    void requestorSta5InvalidAcceptIsAnInvalidParameter() throws Exception {
        byte[] ac = PduWriter.encode(ac(rq()));
        ac[74 + 3] = (byte) 0xF0; // the application context item overruns the PDU
        try (Requestor r = requestorInSta5()) {
            r.acceptor().send(ac);
            expect(r.acceptor(), new Pdu.Abort(SOURCE_SERVICE_PROVIDER, REASON_INVALID_PDU_PARAMETER_VALUE));
            assertThatThrownBy(() -> r.connecting().get(WAIT.toSeconds(), TimeUnit.SECONDS))
                    .cause().isInstanceOf(AssociationException.class);
        }
    }

    static Stream<Arguments> requestorSta6() {
        return Stream.of(
                Arguments.of("Evt3 A-ASSOCIATE-AC", "AA-8", PROVIDER_UNEXPECTED),
                Arguments.of("Evt4 A-ASSOCIATE-RJ", "AA-8", PROVIDER_UNEXPECTED),
                Arguments.of("Evt6 A-ASSOCIATE-RQ", "AA-8", PROVIDER_UNEXPECTED),
                Arguments.of("Evt12 A-RELEASE-RQ", "AR-2, AR-4", new Pdu.ReleaseRp()),
                Arguments.of("Evt13 A-RELEASE-RP", "AA-8", PROVIDER_UNEXPECTED),
                Arguments.of("Evt16 A-ABORT", "AA-3", null),
                Arguments.of("Evt19 invalid PDU", "AA-8", PROVIDER_UNRECOGNIZED));
    }

    @ParameterizedTest(name = "Sta6, {0}: {1}")
    @MethodSource("requestorSta6")
    void requestorSta6(String event, String action, Pdu reply) throws Exception {
        try (Requestor r = requestorInSta5()) {
            Association a = r.established();
            r.acceptor().send(pdus().get(event));
            expect(r.acceptor(), reply);
            assertThat(a.awaitEnd(WAIT)).isTrue();
            assertThat(a.endReason()).isNotEmpty();
        }
    }

    @Test
    void requestorSta6PDataForAnUnacceptedContext() throws Exception {
        try (Requestor r = requestorInSta5()) {
            Association a = r.established();
            r.acceptor().send(pdata(Scripts.REJECTED_CTX, true, true, new byte[4]));
            expect(r.acceptor(), new Pdu.Abort(SOURCE_SERVICE_PROVIDER, REASON_INVALID_PDU_PARAMETER_VALUE));
            assertThat(a.awaitEnd(WAIT)).isTrue();
        }
    }

    /** Sta7: the requestor has sent A-RELEASE-RQ (AR-1) and waits for the reply. */
    private static Future<?> releasing(Requestor r, Association a) throws IOException {
        Future<?> release = POOL.submit(() -> {
            a.release();
            return null;
        });
        assertThat(Scripts.decode(r.acceptor().readPdu(WAIT))).isEqualTo(new Pdu.ReleaseRq());
        return release;
    }

    static Stream<Arguments> requestorSta7() {
        return Stream.of(
                Arguments.of("Evt3 A-ASSOCIATE-AC", "AA-8", PROVIDER_UNEXPECTED),
                Arguments.of("Evt4 A-ASSOCIATE-RJ", "AA-8", PROVIDER_UNEXPECTED),
                Arguments.of("Evt6 A-ASSOCIATE-RQ", "AA-8", PROVIDER_UNEXPECTED),
                Arguments.of("Evt13 A-RELEASE-RP", "AR-3", null),
                Arguments.of("Evt16 A-ABORT", "AA-3", null),
                Arguments.of("Evt19 invalid PDU", "AA-8", PROVIDER_UNRECOGNIZED));
    }

    @ParameterizedTest(name = "Sta7, {0}: {1}")
    @MethodSource("requestorSta7")
    void requestorSta7(String event, String action, Pdu reply) throws Exception {
        try (Requestor r = requestorInSta5()) {
            Association a = r.established();
            Future<?> release = releasing(r, a);
            r.acceptor().send(pdus().get(event));
            expect(r.acceptor(), reply);
            try {
                release.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                assertThat(e.getCause()).isInstanceOf(AssociationException.class);
            }
            assertThat(a.awaitEnd(WAIT)).isTrue();
            assertThat(a.endReason()).isEqualTo(action.equals("AR-3") ? "released" : a.endReason());
        }
    }

    @Test
    void requestorSta7PDataThenReleaseRp() throws Exception {
        try (Requestor r = requestorInSta5()) {
            Association a = r.established();
            Future<?> release = releasing(r, a);
            r.acceptor().send(echoRsp()); // Evt10, AR-6: still Sta7
            Thread.sleep(50);
            assertThat(a.state()).isEqualTo(StateMachine.State.STA7);
            r.acceptor().send(PduWriter.encode(new Pdu.ReleaseRp())); // Evt13, AR-3
            expect(r.acceptor(), null);
            release.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(a.endReason()).isEqualTo("released");
        }
    }

    @Test
    void requestorSta7ReleaseCollision() throws Exception {
        try (Requestor r = requestorInSta5()) {
            Association a = r.established();
            Future<?> release = releasing(r, a);
            r.acceptor().send(PduWriter.encode(new Pdu.ReleaseRq())); // Evt12, AR-8 → Sta9, AR-9 → Sta11
            assertThat(Scripts.decode(r.acceptor().readPdu(WAIT))).isEqualTo(new Pdu.ReleaseRp());
            r.acceptor().send(PduWriter.encode(new Pdu.ReleaseRp())); // Evt13 in Sta11, AR-3
            expect(r.acceptor(), null);
            release.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(a.endReason()).isEqualTo("released");
        }
    }
}
