// SPDX-License-Identifier: Apache-2.0
package org.lightbox.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.TransferSyntax;
import org.lightbox.dicom.Uid;
import org.lightbox.dicom.Vr;
import org.lightbox.dicom.io.DicomWriter;
import org.lightbox.net.pdu.Pdu;
import org.lightbox.net.pdu.PduReader;
import org.lightbox.net.pdu.PduWriter;
import org.lightbox.testkit.ScriptedPeer;

/**
 * What the scripted-peer tests share: a server with short timers, the PDUs a scripted peer sends, and the checks on
 * what comes back.
 */
final class Scripts {
    static final Duration WAIT = Duration.ofSeconds(10);
    static final Duration ARTIM = Duration.ofMillis(800);
    static final Duration IDLE = Duration.ofMillis(1200);
    static final long MAX_PDU = 16384;
    static final NetOptions OPTIONS = NetOptions.DEFAULT.withArtimTimeout(ARTIM).withIdleTimeout(IDLE)
            .withMaxPduLength(MAX_PDU);
    static final String SC = Uid.SecondaryCaptureImageStorage;
    static final String FIND = Uid.StudyRootQueryRetrieveInformationModelFind;
    /** Context IDs of {@link #proposal()}: 1 and 3 and 7 are accepted, 5 is not. */
    static final int ECHO_CTX = 1;
    static final int STORE_CTX = 3;
    static final int REJECTED_CTX = 5;
    static final int FIND_CTX = 7;

    private Scripts() {}

    static Proposal proposal() {
        return new Proposal("SCRIPTED", "LIGHTBOX")
                .add(Uid.Verification, Uid.ImplicitVRLittleEndian)
                .add(SC, Uid.ExplicitVRLittleEndian)
                .add("1.2.3.4.5.6.7", Uid.ImplicitVRLittleEndian)
                .add(FIND, Uid.ImplicitVRLittleEndian);
    }

    static byte[] associateRq() {
        return PduWriter.encode(proposal().toPdu(MAX_PDU));
    }

    static AcceptorPolicy policy() {
        List<String> plain = List.of(Uid.ImplicitVRLittleEndian, Uid.ExplicitVRLittleEndian);
        return AcceptorPolicy.builder("LIGHTBOX").accept(Uid.Verification, plain).accept(SC, List.of())
                .accept(FIND, plain).maxPduLength(MAX_PDU).build();
    }

    static DicomServer server(RecordingStore store, DimseService find) throws IOException {
        return DicomServer.start(new DicomServer.Config("127.0.0.1", 0, policy(), OPTIONS,
                Map.of(Uid.Verification, new DimseService() {}, SC, store, FIND, find), 64, null));
    }

    static byte[] pdata(int contextId, boolean command, boolean last, byte[] data) {
        return PduWriter.encode(new Pdu.PDataTf(List.of(Pdu.Pdv.of(contextId, command, last, data))));
    }

    static byte[] echoRq(int messageId) {
        return pdata(ECHO_CTX, true, true, new Command(Command.request(Command.C_ECHO_RQ, messageId, Uid.Verification,
                false).build()).encode());
    }

    static byte[] storeRqCommand(int messageId, String instance) {
        return new Command(Command.request(Command.C_STORE_RQ, messageId, SC, true)
                .setNumbers(Tag.Priority, Vr.US, Command.PRIORITY_MEDIUM)
                .setStrings(Tag.AffectedSOPInstanceUID, Vr.UI, instance).build()).encode();
    }

    static byte[] findRq(int messageId) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(pdata(FIND_CTX, true, true, new Command(Command.request(Command.C_FIND_RQ, messageId, FIND, true)
                .setNumbers(Tag.Priority, Vr.US, Command.PRIORITY_MEDIUM).build()).encode()));
        ByteArrayOutputStream identifier = new ByteArrayOutputStream();
        DicomWriter.writeDataset(Dataset.builder().setStrings(Tag.QueryRetrieveLevel, Vr.CS, "STUDY")
                .setStrings(Tag.StudyInstanceUID, Vr.UI, "").build(), TransferSyntax.IMPLICIT_VR_LITTLE_ENDIAN,
                identifier, DicomWriter.Lengths.DEFINED);
        out.write(pdata(FIND_CTX, false, true, identifier.toByteArray()));
        return out.toByteArray();
    }

    static byte[] abort(int source, int reason) {
        return PduWriter.encode(new Pdu.Abort(source, reason));
    }

    static Pdu decode(ScriptedPeer.RawPdu raw) throws IOException {
        return PduReader.decode(raw.bytes());
    }

    /** Connects and completes the A-ASSOCIATE exchange: the peer is then in Sta6 on the server's side. */
    static ScriptedPeer associate(int port) throws IOException {
        ScriptedPeer p = ScriptedPeer.connect("127.0.0.1", port, WAIT);
        p.send(associateRq());
        ScriptedPeer.RawPdu ac = p.readPdu(WAIT);
        assertThat(ac.type()).as("answer to the A-ASSOCIATE-RQ: %s", ac).isEqualTo(Pdu.TYPE_ASSOCIATE_AC);
        return p;
    }

    /** The other side sends exactly one A-ABORT with this source and reason, then closes, within {@code within}. */
    static void expectAbort(ScriptedPeer p, int source, int reason, Duration within) throws IOException {
        List<ScriptedPeer.RawPdu> got = p.readUntilClosed(within);
        assertThat(got).as("PDUs before the close").hasSize(1);
        assertThat(decode(got.get(0))).isEqualTo(new Pdu.Abort(source, reason));
    }

    /** The other side closes within {@code within} without sending anything. */
    static void expectSilentClose(ScriptedPeer p, Duration within) throws IOException {
        assertThat(p.readUntilClosed(within)).as("PDUs before the close").isEmpty();
    }

    /** A C-STORE service that reads each data set to its end and says how that went. */
    static final class RecordingStore implements DimseService {
        final BlockingQueue<String> outcomes = new LinkedBlockingQueue<>();
        volatile boolean swallowErrors;

        @Override
        public Response store(Request request, InputStream data) throws IOException {
            long n = 0;
            byte[] b = new byte[4096];
            try {
                int k;
                while ((k = data.read(b)) >= 0) {
                    n += k;
                }
            } catch (IOException e) {
                outcomes.add("IOException after " + n + " bytes: " + e.getMessage());
                if (swallowErrors) {
                    return Response.of(Status.PROCESSING_FAILURE, "stream broke");
                }
                throw e;
            }
            outcomes.add("complete " + n);
            return Response.of(Status.SUCCESS);
        }

        String next() throws InterruptedException {
            String s = outcomes.poll(WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            assertThat(s).as("the store service was called").isNotNull();
            return s;
        }
    }

    /** A C-FIND service that works until cancelled (or 20 s), to keep an operation running. */
    static final class SlowFind implements DimseService {
        final BlockingQueue<String> outcomes = new LinkedBlockingQueue<>();

        @Override
        public Response find(Request request, Dataset identifier, Responder out) {
            long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (!out.cancelled() && System.nanoTime() < end) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            outcomes.add(out.cancelled() ? "cancelled" : "finished");
            return Response.of(Status.SUCCESS);
        }
    }
}
