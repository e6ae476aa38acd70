// SPDX-License-Identifier: Apache-2.0
package org.lightbox.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.lightbox.net.Scripts.ARTIM;
import static org.lightbox.net.Scripts.ECHO_CTX;
import static org.lightbox.net.Scripts.IDLE;
import static org.lightbox.net.Scripts.MAX_PDU;
import static org.lightbox.net.Scripts.STORE_CTX;
import static org.lightbox.net.Scripts.WAIT;
import static org.lightbox.net.Scripts.associate;
import static org.lightbox.net.Scripts.associateRq;
import static org.lightbox.net.Scripts.echoRq;
import static org.lightbox.net.Scripts.expectAbort;
import static org.lightbox.net.Scripts.expectSilentClose;
import static org.lightbox.net.Scripts.pdata;
import static org.lightbox.net.Scripts.storeRqCommand;
import static org.lightbox.net.pdu.Pdu.Abort.REASON_INVALID_PDU_PARAMETER_VALUE;
import static org.lightbox.net.pdu.Pdu.Abort.REASON_NOT_SPECIFIED;
import static org.lightbox.net.pdu.Pdu.Abort.REASON_UNEXPECTED_PDU;
import static org.lightbox.net.pdu.Pdu.Abort.REASON_UNEXPECTED_PDU_PARAMETER;
import static org.lightbox.net.pdu.Pdu.Abort.REASON_UNRECOGNIZED_PDU;
import static org.lightbox.net.pdu.Pdu.Abort.SOURCE_SERVICE_PROVIDER;
import static org.lightbox.net.pdu.Pdu.Abort.SOURCE_SERVICE_USER;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.lightbox.dicom.Uid;
import org.lightbox.net.pdu.Pdu;
import org.lightbox.net.pdu.PduReader;
import org.lightbox.net.pdu.PduWriter;
import org.lightbox.net.pdu.UserInformation;
import org.lightbox.testkit.ScriptedPeer;

/**
 * Issue 4, "bad input": a scripted peer misbehaves against a real {@link DicomServer} on loopback. Every case ends
 * with the connection closed (with the A-ABORT PS3.8 calls for), nothing partial handed to a service as complete, the
 * association's resources freed, and the server still serving a well-behaved association.
 */
class BadInputTest {
    /** The ARTIM timer plus room for a slow machine. */
    private static final Duration ARTIM_BOUND = ARTIM.plusSeconds(3);

    private Scripts.RecordingStore store;
    private Scripts.SlowFind find;
    private DicomServer server;

    @BeforeEach
    void start() throws IOException {
        store = new Scripts.RecordingStore();
        find = new Scripts.SlowFind();
        server = Scripts.server(store, find);
    }

    @AfterEach
    void stop() throws Exception {
        try {
            awaitNoAssociations();
            serverStillServes();
        } finally {
            server.shutdown(Duration.ofSeconds(2));
        }
    }

    private void awaitNoAssociations() throws InterruptedException {
        long end = System.nanoTime() + WAIT.toNanos();
        while (server.activeAssociations() > 0 && System.nanoTime() < end) {
            Thread.sleep(10);
        }
        assertThat(server.activeAssociations()).as("associations still held").isZero();
    }

    private void serverStillServes() throws Exception {
        store.outcomes.clear();
        try (Association a = Association.connect("127.0.0.1", server.port(), Scripts.proposal(),
                NetOptions.DEFAULT.withMaxPduLength(MAX_PDU), null, Map.of())) {
            assertThat(a.echo().status()).isEqualTo(Status.SUCCESS);
            Response r = a.store(Scripts.SC, "2.25.4242", Uid.ExplicitVRLittleEndian, o -> o.write(new byte[40000]),
                    Command.PRIORITY_MEDIUM, null, 0);
            assertThat(r.status()).as(r.describe()).isEqualTo(Status.SUCCESS);
        }
        assertThat(store.next()).isEqualTo("complete 40000");
    }

    // ---- before any association ------------------------------------------------------------------------------------

    @Test
    void randomBytesAreAbortedOrClosedWithinArtim() throws IOException {
        Random r = new Random(20261125);
        for (int i = 0; i < 12; i++) {
            byte[] junk = new byte[1 + r.nextInt(300)];
            r.nextBytes(junk);
            try (ScriptedPeer p = ScriptedPeer.connect("127.0.0.1", server.port(), WAIT)) {
                p.send(junk);
                List<ScriptedPeer.RawPdu> got = p.readUntilClosed(ARTIM_BOUND);
                assertThat(got).as("answer to %d random bytes", junk.length).hasSizeLessThanOrEqualTo(1);
                got.forEach(pdu -> assertThat(pdu.type()).isEqualTo(Pdu.TYPE_ABORT));
            }
        }
    }

    @Test
    void anHttpRequestIsAnUnrecognizedPdu() throws IOException {
        try (ScriptedPeer p = ScriptedPeer.connect("127.0.0.1", server.port(), WAIT)) {
            p.send("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            expectAbort(p, SOURCE_SERVICE_PROVIDER, REASON_UNRECOGNIZED_PDU, ARTIM_BOUND);
        }
    }

    @Test
    void silenceIsClosedWhenTheArtimTimerExpires() throws IOException {
        try (ScriptedPeer p = ScriptedPeer.connect("127.0.0.1", server.port(), WAIT)) {
            long start = System.nanoTime();
            expectSilentClose(p, ARTIM_BOUND);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(ARTIM.minusMillis(50));
        }
    }

    @Test
    void aRequestTrickledSlowerThanTheArtimTimerIsClosed() throws IOException {
        byte[] rq = associateRq();
        try (ScriptedPeer p = ScriptedPeer.connect("127.0.0.1", server.port(), WAIT)) {
            long start = System.nanoTime();
            Thread sender = Thread.ofVirtual().start(() -> {
                try {
                    p.sendSlowly(rq, 4, ARTIM.dividedBy(4));
                } catch (IOException expected) {
                    // the server hung up on us
                }
            });
            assertThat(p.awaitClosed(ARTIM_BOUND)).as("closed within the ARTIM timer").isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(ARTIM.multipliedBy(3));
            p.close();
            sender.interrupt();
        }
    }

    @Test
    void aTruncatedRequestThenCloseIsClosed() throws IOException {
        byte[] rq = associateRq();
        try (ScriptedPeer p = ScriptedPeer.connect("127.0.0.1", server.port(), WAIT)) {
            p.sendTruncated(rq, rq.length / 2).shutdownOutput();
            expectSilentClose(p, ARTIM_BOUND);
        }
    }

    @Test
    void anItemLongerThanItsPduIsAnInvalidParameter() throws IOException {
        byte[] rq = associateRq();
        // The application context item starts right after the 6-byte header and 68 bytes of fixed fields.
        assertThat(rq[74]).isEqualTo((byte) 0x10);
        rq[76] = 0x7F;
        rq[77] = (byte) 0xFF;
        try (ScriptedPeer p = ScriptedPeer.connect("127.0.0.1", server.port(), WAIT)) {
            p.send(rq);
            expectAbort(p, SOURCE_SERVICE_PROVIDER, REASON_INVALID_PDU_PARAMETER_VALUE, ARTIM_BOUND);
        }
    }

    @Test
    void aSubItemOverrunningItsItemIsAnInvalidParameter() throws IOException {
        byte[] rq = associateRq();
        int context = 74 + 4 + Pdu.APPLICATION_CONTEXT.length();
        assertThat(rq[context]).isEqualTo((byte) 0x20);
        int abstractSyntax = context + 8;
        assertThat(rq[abstractSyntax]).isEqualTo((byte) 0x30);
        rq[abstractSyntax + 3] = (byte) 0xF0; // far past the end of the presentation context item
        try (ScriptedPeer p = ScriptedPeer.connect("127.0.0.1", server.port(), WAIT)) {
            p.send(rq);
            expectAbort(p, SOURCE_SERVICE_PROVIDER, REASON_INVALID_PDU_PARAMETER_VALUE, ARTIM_BOUND);
        }
    }

    @Test
    void aUserInformationSubItemOverrunIsAnInvalidParameter() throws IOException {
        byte[] rq = associateRq();
        int userInfo = indexOfItem(rq, 0x50);
        assertThat(rq[userInfo + 4]).isEqualTo((byte) 0x51);
        rq[userInfo + 7] = 0x7F; // the maximum length sub-item now claims 127 bytes of a few dozen
        try (ScriptedPeer p = ScriptedPeer.connect("127.0.0.1", server.port(), WAIT)) {
            p.send(rq);
            expectAbort(p, SOURCE_SERVICE_PROVIDER, REASON_INVALID_PDU_PARAMETER_VALUE, ARTIM_BOUND);
        }
    }

    @Test
    void aPduLengthShorterThanItsItemsIsAnInvalidParameter() throws IOException {
        byte[] rq = associateRq();
        int cut = 20;
        int length = rq.length - 6 - cut;
        rq[4] = (byte) (length >>> 8);
        rq[5] = (byte) length;
        try (ScriptedPeer p = ScriptedPeer.connect("127.0.0.1", server.port(), WAIT)) {
            p.sendTruncated(rq, rq.length - cut);
            expectAbort(p, SOURCE_SERVICE_PROVIDER, REASON_INVALID_PDU_PARAMETER_VALUE, ARTIM_BOUND);
        }
    }

    @Test
    void pDataBeforeAnyRequestIsAborted() throws IOException {
        try (ScriptedPeer p = ScriptedPeer.connect("127.0.0.1", server.port(), WAIT)) {
            p.send(echoRq(1));
            expectAbort(p, SOURCE_SERVICE_USER, REASON_NOT_SPECIFIED, ARTIM_BOUND); // AA-1
        }
    }

    @Test
    void anAssociateAcToAnAcceptorIsAborted() throws IOException {
        Pdu.AssociateRq rq = Scripts.proposal().toPdu(MAX_PDU);
        Pdu.AssociateAc ac = ((AcceptorPolicy.Accept) Scripts.policy().decide(rq)).ac();
        try (ScriptedPeer p = ScriptedPeer.connect("127.0.0.1", server.port(), WAIT)) {
            p.send(PduWriter.encode(ac));
            expectAbort(p, SOURCE_SERVICE_USER, REASON_NOT_SPECIFIED, ARTIM_BOUND); // AA-1
        }
    }

    // ---- established ----------------------------------------------------------------------------------------------

    @Test
    void aPDataLongerThanOurMaximumIsAnInvalidParameter() throws IOException {
        try (ScriptedPeer p = associate(server.port())) {
            p.send(pdata(ECHO_CTX, false, false, new byte[(int) MAX_PDU]));
            expectAbort(p, SOURCE_SERVICE_PROVIDER, REASON_INVALID_PDU_PARAMETER_VALUE, ARTIM_BOUND);
        }
    }

    @Test
    void aPDataExactlyOurMaximumIsAccepted() throws Exception {
        try (ScriptedPeer p = associate(server.port())) {
            // 6 bytes of PDV header inside the variable field: the PDU length is then exactly the maximum.
            p.send(pdata(STORE_CTX, true, true, storeRqCommand(1, "2.25.7")));
            p.send(pdata(STORE_CTX, false, true, new byte[(int) MAX_PDU - 6]));
            ScriptedPeer.RawPdu rsp = p.readPdu(WAIT);
            assertThat(rsp.type()).isEqualTo(Pdu.TYPE_P_DATA_TF);
            assertThat(store.next()).isEqualTo("complete " + (MAX_PDU - 6));
            p.send(PduWriter.encode(new Pdu.ReleaseRq()));
            assertThat(Scripts.decode(p.readPdu(WAIT))).isEqualTo(new Pdu.ReleaseRp());
        }
    }

    @Test
    void anAssociateRqAfterEstablishmentIsAborted() throws IOException {
        try (ScriptedPeer p = associate(server.port())) {
            p.send(associateRq());
            expectAbort(p, SOURCE_SERVICE_PROVIDER, REASON_UNEXPECTED_PDU, ARTIM_BOUND); // AA-8
        }
    }

    @Test
    void aReleaseRpWithoutARequestIsAborted() throws IOException {
        try (ScriptedPeer p = associate(server.port())) {
            p.send(PduWriter.encode(new Pdu.ReleaseRp()));
            expectAbort(p, SOURCE_SERVICE_PROVIDER, REASON_UNEXPECTED_PDU, ARTIM_BOUND); // AA-8
        }
    }

    @Test
    void anUnknownPduTypeAfterEstablishmentIsAborted() throws IOException {
        try (ScriptedPeer p = associate(server.port())) {
            p.send(new byte[] {0x09, 0, 0, 0, 0, 4, 0, 0, 0, 0});
            expectAbort(p, SOURCE_SERVICE_PROVIDER, REASON_UNRECOGNIZED_PDU, ARTIM_BOUND); // AA-8
        }
    }

    @Test
    void aPdvForARejectedContextIsAborted() throws IOException {
        try (ScriptedPeer p = associate(server.port())) {
            p.send(pdata(Scripts.REJECTED_CTX, true, true, new byte[8]));
            expectAbort(p, SOURCE_SERVICE_PROVIDER, REASON_INVALID_PDU_PARAMETER_VALUE, ARTIM_BOUND);
        }
    }

    @Test
    void aPdvForAContextNeverProposedIsAborted() throws IOException {
        try (ScriptedPeer p = associate(server.port())) {
            p.send(pdata(99, true, true, new byte[8]));
            expectAbort(p, SOURCE_SERVICE_PROVIDER, REASON_INVALID_PDU_PARAMETER_VALUE, ARTIM_BOUND);
        }
    }

    @Test
    void commandFragmentsInterleavedWithAnotherContextAreAborted() throws IOException {
        byte[] command = new Command(Command.request(Command.C_ECHO_RQ, 1, Uid.Verification, false).build()).encode();
        byte[] first = java.util.Arrays.copyOf(command, 10);
        try (ScriptedPeer p = associate(server.port())) {
            p.send(pdata(ECHO_CTX, true, false, first));
            p.send(pdata(STORE_CTX, true, true, storeRqCommand(2, "2.25.8")));
            expectAbort(p, SOURCE_SERVICE_PROVIDER, REASON_UNEXPECTED_PDU_PARAMETER, ARTIM_BOUND);
        }
    }

    @Test
    void aDataFragmentInsideACommandIsAborted() throws IOException {
        byte[] command = storeRqCommand(1, "2.25.9");
        try (ScriptedPeer p = associate(server.port())) {
            p.send(pdata(STORE_CTX, true, false, java.util.Arrays.copyOf(command, 12)));
            p.send(pdata(STORE_CTX, false, true, new byte[100]));
            expectAbort(p, SOURCE_SERVICE_PROVIDER, REASON_UNEXPECTED_PDU_PARAMETER, ARTIM_BOUND);
        }
    }

    @Test
    void aMalformedCommandSetIsAborted() throws IOException {
        try (ScriptedPeer p = associate(server.port())) {
            p.send(pdata(ECHO_CTX, true, true, new byte[] {0, 0, 0, 0, 4, 0, 0, 0, 0x7F, 0, 0, 0}));
            expectAbort(p, SOURCE_SERVICE_PROVIDER, REASON_UNEXPECTED_PDU_PARAMETER, ARTIM_BOUND);
        }
    }

    // ---- a C-STORE that never completes ----------------------------------------------------------------------------

    /** Sends a C-STORE-RQ and {@code pdus} data fragments of 1000 bytes, none marked last. */
    private static ScriptedPeer storeStarted(int port, int pdus) throws IOException {
        ScriptedPeer p = associate(port);
        p.send(pdata(STORE_CTX, true, true, storeRqCommand(1, "2.25.10")));
        for (int i = 0; i < pdus; i++) {
            p.send(pdata(STORE_CTX, false, false, new byte[1000]));
        }
        return p;
    }

    @Test
    void aPeerClosingMidDataSetIsAnErrorForTheService() throws Exception {
        try (ScriptedPeer p = storeStarted(server.port(), 3)) {
            p.close();
        }
        assertThat(store.next()).startsWith("IOException after 3000 bytes");
    }

    @Test
    void aPeerResettingMidPduIsAnErrorForTheService() throws Exception {
        try (ScriptedPeer p = storeStarted(server.port(), 2)) {
            byte[] next = pdata(STORE_CTX, false, true, new byte[1000]);
            p.sendTruncated(next, 500);
            Thread.sleep(100);
            p.reset();
        }
        assertThat(store.next()).startsWith("IOException after");
    }

    @Test
    void aPeerClosingInsideAPduIsAnErrorForTheService() throws Exception {
        try (ScriptedPeer p = storeStarted(server.port(), 1)) {
            p.sendTruncated(pdata(STORE_CTX, false, true, new byte[1000]), 300);
            p.shutdownOutput();
            assertThat(store.next()).startsWith("IOException after");
            expectSilentClose(p, ARTIM_BOUND);
        }
    }

    @Test
    void anAbortMidDataSetIsAnErrorForTheService() throws Exception {
        try (ScriptedPeer p = storeStarted(server.port(), 2)) {
            p.send(Scripts.abort(SOURCE_SERVICE_USER, REASON_NOT_SPECIFIED));
            assertThat(store.next()).startsWith("IOException after 2000 bytes");
            expectSilentClose(p, ARTIM_BOUND); // AA-3
        }
    }

    @Test
    void aReleaseRequestMidDataSetIsAnErrorAndAborts() throws Exception {
        try (ScriptedPeer p = storeStarted(server.port(), 2)) {
            p.send(PduWriter.encode(new Pdu.ReleaseRq()));
            assertThat(store.next()).startsWith("IOException after 2000 bytes");
            expectAbort(p, SOURCE_SERVICE_PROVIDER, REASON_UNEXPECTED_PDU_PARAMETER, ARTIM_BOUND);
        }
    }

    @Test
    void aServiceThatSwallowsTheErrorStillSeesTheAssociationEnd() throws Exception {
        store.swallowErrors = true;
        try (ScriptedPeer p = storeStarted(server.port(), 2)) {
            p.send(pdata(STORE_CTX, true, true, storeRqCommand(2, "2.25.11"))); // a command inside the data set
            assertThat(store.next()).startsWith("IOException after 2000 bytes");
            List<ScriptedPeer.RawPdu> got = p.readUntilClosed(ARTIM_BOUND);
            assertThat(got).as("a success must not follow").noneMatch(pdu -> pdu.type() == Pdu.TYPE_P_DATA_TF);
            assertThat(got).hasSize(1);
            assertThat(Scripts.decode(got.get(0))).isEqualTo(
                    new Pdu.Abort(SOURCE_SERVICE_PROVIDER, REASON_UNEXPECTED_PDU_PARAMETER));
        }
    }

    // ---- stalls ---------------------------------------------------------------------------------------------------

    @Test
    void aPeerStallingMidDataSetIsAbortedAfterTheIdleTimeout() throws Exception {
        try (ScriptedPeer p = storeStarted(server.port(), 1)) {
            long start = System.nanoTime();
            p.sendTruncated(pdata(STORE_CTX, false, true, new byte[1000]), 200);
            assertThat(store.next()).startsWith("IOException after");
            List<ScriptedPeer.RawPdu> got = p.readUntilClosed(IDLE.plus(ARTIM_BOUND));
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(IDLE.minusMillis(50));
            assertThat(got).hasSize(1);
            assertThat(got.get(0).type()).isEqualTo(Pdu.TYPE_ABORT);
        }
    }

    @Test
    void aPeerStallingMidPduWhileIdleIsAborted() throws Exception {
        try (ScriptedPeer p = associate(server.port())) {
            p.sendTruncated(echoRq(1), 9);
            List<ScriptedPeer.RawPdu> got = p.readUntilClosed(IDLE.plus(ARTIM_BOUND));
            assertThat(got).hasSize(1);
            assertThat(got.get(0).type()).isEqualTo(Pdu.TYPE_ABORT);
        }
    }

    @Test
    void aPeerStallingMidPduWhileAnOperationRunsIsAbortedNotMisread() throws Exception {
        try (ScriptedPeer p = associate(server.port())) {
            p.send(Scripts.findRq(1));
            Thread.sleep(100); // the C-FIND is now running
            byte[] echo = echoRq(2);
            p.sendTruncated(echo, 9);
            Thread.sleep(IDLE.plusMillis(400));
            try {
                p.send(java.util.Arrays.copyOfRange(echo, 9, echo.length)); // resumes: too late
            } catch (IOException alreadyClosed) {
                // as good
            }
            List<ScriptedPeer.RawPdu> got = p.readUntilClosed(ARTIM_BOUND);
            for (ScriptedPeer.RawPdu pdu : got) {
                if (pdu.type() == Pdu.TYPE_P_DATA_TF) {
                    for (Pdu.Pdv pdv : ((Pdu.PDataTf) Scripts.decode(pdu)).pdvs()) {
                        assertThat(pdv.command() && Command.decode(pdv.data(), pdv.length()).field()
                                == Command.C_ECHO_RSP).as("a C-ECHO-RSP to a stalled PDU").isFalse();
                    }
                }
            }
            assertThat(got).last().satisfies(pdu -> assertThat(pdu.type()).isEqualTo(Pdu.TYPE_ABORT));
            assertThat(find.outcomes.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo("cancelled");
        }
    }

    @Test
    void aPeerThatKeepsTalkingAfterAnAbortIsClosedWithinArtim() throws IOException {
        try (ScriptedPeer p = ScriptedPeer.connect("127.0.0.1", server.port(), WAIT)) {
            p.send("GET / HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII));
            AtomicBoolean closed = new AtomicBoolean();
            Thread talker = Thread.ofVirtual().start(() -> {
                try {
                    while (!closed.get()) {
                        p.send(new byte[] {1});
                        Thread.sleep(ARTIM.dividedBy(4));
                    }
                } catch (IOException | InterruptedException expected) {
                    // the server hung up
                }
            });
            assertThat(p.awaitClosed(ARTIM.multipliedBy(3))).as("closed despite the chatter").isTrue();
            closed.set(true);
            talker.interrupt();
        }
    }

    // ---- many at once ---------------------------------------------------------------------------------------------

    @Test
    void manyBadConnectionsInParallelDoNotDisturbAGoodAssociation() throws Exception {
        List<Script> scripts = List.of(
                p -> p.send("GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII)),
                p -> p.send(echoRq(1)),
                p -> p.sendTruncated(associateRq(), 50).shutdownOutput(),
                p -> { },
                p -> p.send(associateRq()).send(associateRq()),
                p -> p.send(associateRq()).send(pdata(99, true, true, new byte[4])),
                p -> p.send(associateRq()).send(pdata(STORE_CTX, true, true, storeRqCommand(1, "2.25.5")))
                        .send(pdata(STORE_CTX, false, false, new byte[500])).reset());
        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
        AtomicInteger echoes = new AtomicInteger();
        try (Association good = Association.connect("127.0.0.1", server.port(), Scripts.proposal(),
                NetOptions.DEFAULT.withMaxPduLength(MAX_PDU), null, Map.of())) {
            List<Future<?>> bad = new ArrayList<>();
            for (int i = 0; i < 28; i++) {
                Script s = scripts.get(i % scripts.size());
                bad.add(pool.submit(() -> {
                    try (ScriptedPeer p = ScriptedPeer.connect("127.0.0.1", server.port(), WAIT)) {
                        s.run(p);
                        assertThat(p.awaitClosed(ARTIM_BOUND.plus(IDLE))).as("bad connection closed").isTrue();
                    }
                    return null;
                }));
            }
            long end = System.nanoTime() + Duration.ofMillis(1500).toNanos();
            while (System.nanoTime() < end) {
                assertThat(good.echo().status()).isEqualTo(Status.SUCCESS);
                echoes.incrementAndGet();
            }
            for (Future<?> f : bad) {
                f.get(WAIT.toSeconds() * 2, TimeUnit.SECONDS);
            }
            assertThat(good.echo().status()).isEqualTo(Status.SUCCESS);
        } finally {
            pool.shutdownNow();
        }
        assertThat(echoes.get()).isPositive();
    }

    @FunctionalInterface
    private interface Script {
        void run(ScriptedPeer p) throws IOException;
    }

    private static int indexOfItem(byte[] rq, int type) throws IOException {
        int at = 74;
        while (at < rq.length) {
            if ((rq[at] & 0xFF) == type) {
                return at;
            }
            at += 4 + (((rq[at + 2] & 0xFF) << 8) | (rq[at + 3] & 0xFF));
        }
        throw new IOException("no item " + type);
    }

    @Test
    void theScriptedRequestIsWhatTheWriterEncodes() throws IOException {
        Pdu decoded = PduReader.decode(associateRq());
        assertThat(decoded).isEqualTo(Scripts.proposal().toPdu(MAX_PDU));
        assertThat(((Pdu.AssociateRq) decoded).userInformation()).isInstanceOf(UserInformation.class);
    }
}
