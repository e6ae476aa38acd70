// SPDX-License-Identifier: Apache-2.0
package org.lightbox.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.Uid;
import org.lightbox.dicom.Vr;
import org.lightbox.net.pdu.Pdu;
import org.lightbox.net.pdu.PduReader;
import org.lightbox.net.pdu.PduWriter;
import org.lightbox.net.pdu.UserInformation;

/** SOP Class Extended Negotiation answered by the acceptor (PS3.7 D.3.3.5): the A-ASSOCIATE-AC, then over a socket. */
class ExtendedNegotiationTest {
    static final String FIND = Uid.StudyRootQueryRetrieveInformationModelFind;
    static final String MOVE = Uid.StudyRootQueryRetrieveInformationModelMove;
    static final String GET = Uid.StudyRootQueryRetrieveInformationModelGet;
    static final String PATIENT_FIND = Uid.PatientRootQueryRetrieveInformationModelFind;
    static final String IVRLE = Uid.ImplicitVRLittleEndian;

    private DicomServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.shutdown(Duration.ofSeconds(5));
        }
    }

    /** Relational, combined date-time and fuzzy names for FIND; relational retrieval for MOVE; nothing for GET. */
    static AcceptorPolicy policy() {
        return AcceptorPolicy.builder("LIGHTBOX").accept(FIND, List.of(IVRLE)).accept(MOVE, List.of(IVRLE))
                .accept(GET, List.of(IVRLE)).accept(PATIENT_FIND, List.of(IVRLE))
                .extendedNegotiation(FIND, (byte) 1, (byte) 1, (byte) 1, (byte) 0)
                .extendedNegotiation(MOVE, (byte) 1)
                .build();
    }

    static Pdu.AssociateAc accept(Proposal p) throws IOException {
        AcceptorPolicy.Decision d = policy().decide(p.toPdu(16384));
        assertThat(d).isInstanceOf(AcceptorPolicy.Accept.class);
        // Through the wire format and back, as the requestor will read it.
        return (Pdu.AssociateAc) PduReader.decode(PduWriter.encode(((AcceptorPolicy.Accept) d).ac()));
    }

    static Map<String, byte[]> replies(Pdu.AssociateAc ac) {
        Map<String, byte[]> m = new java.util.LinkedHashMap<>();
        for (UserInformation.ExtendedNegotiation e : ac.userInformation().extendedNegotiations()) {
            assertThat(m.put(e.sopClassUid(), e.info())).as("one sub-item per SOP class").isNull();
        }
        return m;
    }

    static byte[] b(int... v) {
        byte[] out = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (byte) v[i];
        }
        return out;
    }

    @Test
    void theReplyIsWhatWasAskedAndIsSupported() throws IOException {
        Pdu.AssociateAc ac = accept(new Proposal("SCU", "LIGHTBOX").add(FIND, IVRLE).add(MOVE, IVRLE)
                .extendedNegotiation(FIND, b(1, 1, 1, 1)).extendedNegotiation(MOVE, b(1)));
        assertThat(replies(ac)).containsOnlyKeys(FIND, MOVE);
        assertThat(replies(ac).get(FIND)).containsExactly(1, 1, 1, 0); // timezone adjustment is not supported
        assertThat(replies(ac).get(MOVE)).containsExactly(1);
    }

    @Test
    void theSubItemOnTheWireIsTypeFiftySixWithTheUidAndTheBytes() {
        Proposal p = new Proposal("SCU", "LIGHTBOX").add(FIND, IVRLE).extendedNegotiation(FIND, b(1, 0, 1));
        Pdu.AssociateAc ac = ((AcceptorPolicy.Accept) policy().decide(p.toPdu(16384))).ac();
        byte[] uid = FIND.getBytes(StandardCharsets.US_ASCII);
        int length = 2 + uid.length + 3;
        String expected = "5600" + String.format("%04x", length) + String.format("%04x", uid.length)
                + HexFormat.of().formatHex(uid) + "010001";
        assertThat(HexFormat.of().formatHex(PduWriter.encode(ac))).contains(expected);
    }

    @Test
    void theReplyIsNeverLongerThanTheProposalNorThanWhatIsKnown() throws IOException {
        // One byte offered: one byte back (PS3.4 C.5.1.1.2).
        assertThat(replies(accept(new Proposal("SCU", "LIGHTBOX").add(FIND, IVRLE)
                .extendedNegotiation(FIND, b(1)))).get(FIND)).containsExactly(1);
        // Seven bytes offered: the four this acceptor knows; the missing ones mean 0.
        assertThat(replies(accept(new Proposal("SCU", "LIGHTBOX").add(FIND, IVRLE)
                .extendedNegotiation(FIND, b(1, 1, 1, 1, 1, 1, 1)))).get(FIND)).containsExactly(1, 1, 1, 0);
        // MOVE knows one byte (relational retrieval); Enhanced Multi-Frame Image Conversion is not answered.
        assertThat(replies(accept(new Proposal("SCU", "LIGHTBOX").add(MOVE, IVRLE)
                .extendedNegotiation(MOVE, b(1, 1)))).get(MOVE)).containsExactly(1);
    }

    @Test
    void whatWasNotAskedForIsNotGranted() throws IOException {
        assertThat(replies(accept(new Proposal("SCU", "LIGHTBOX").add(FIND, IVRLE)
                .extendedNegotiation(FIND, b(0, 1, 0, 0)))).get(FIND)).containsExactly(0, 1, 0, 0);
        assertThat(replies(accept(new Proposal("SCU", "LIGHTBOX").add(FIND, IVRLE)
                .extendedNegotiation(FIND, b(0, 0, 0, 0)))).get(FIND)).containsExactly(0, 0, 0, 0);
    }

    @Test
    void noSubItemWithoutAProposalAnAcceptedContextOrAnAnswer() throws IOException {
        // Nothing proposed: nothing answered, as for DCMTK's findscu.
        assertThat(accept(new Proposal("SCU", "LIGHTBOX").add(FIND, IVRLE)).userInformation()
                .extendedNegotiations()).isEmpty();
        // Proposed for a SOP class whose context was not accepted (no such context at all, or refused syntaxes).
        assertThat(replies(accept(new Proposal("SCU", "LIGHTBOX").add(FIND, IVRLE)
                .extendedNegotiation(MOVE, b(1))))).isEmpty();
        assertThat(replies(accept(new Proposal("SCU", "LIGHTBOX").add(FIND, IVRLE)
                .add(MOVE, Uid.ExplicitVRBigEndian).extendedNegotiation(MOVE, b(1))))).isEmpty();
        // Accepted, proposed, but the policy has no answer for it.
        assertThat(replies(accept(new Proposal("SCU", "LIGHTBOX").add(GET, IVRLE).add(PATIENT_FIND, IVRLE)
                .extendedNegotiation(GET, b(1)).extendedNegotiation(PATIENT_FIND, b(1))))).isEmpty();
    }

    @Test
    void onlyTheFirstSubItemOfASopClassCounts() throws IOException {
        Map<String, byte[]> r = replies(accept(new Proposal("SCU", "LIGHTBOX").add(FIND, IVRLE)
                .extendedNegotiation(FIND, b(0, 0, 1)).extendedNegotiation(FIND, b(1, 1, 1))));
        assertThat(r.get(FIND)).containsExactly(0, 0, 1);
    }

    @Test
    void aFunctionMayAnswerAsItLikesAndAnEmptyAnswerSendsNothing() throws IOException {
        AcceptorPolicy p = AcceptorPolicy.builder("LIGHTBOX").accept(FIND, List.of(IVRLE))
                .accept(MOVE, List.of(IVRLE))
                .extendedNegotiation(FIND, asked -> new byte[] {(byte) asked.length, 7})
                .extendedNegotiation(MOVE, asked -> new byte[0]).build();
        Pdu.AssociateAc ac = ((AcceptorPolicy.Accept) p.decide(new Proposal("SCU", "LIGHTBOX").add(FIND, IVRLE)
                .add(MOVE, IVRLE).extendedNegotiation(FIND, b(1, 1, 1)).extendedNegotiation(MOVE, b(1))
                .toPdu(16384))).ac();
        assertThat(replies(ac)).containsOnlyKeys(FIND);
        assertThat(replies(ac).get(FIND)).containsExactly(3, 7);
    }

    @Test
    void theAgreedBytesReachTheServiceAndTheRequestor() throws Exception {
        ConcurrentLinkedQueue<String> seen = new ConcurrentLinkedQueue<>();
        DimseService find = new DimseService() {
            @Override
            public Response find(Request request, Dataset identifier, Responder out) {
                seen.add(request.extendedNegotiation(1) + "," + request.extendedNegotiation(2) + ","
                        + request.extendedNegotiation(3) + "," + request.extendedNegotiation(4) + ","
                        + request.extendedNegotiation(5) + "," + request.extendedNegotiation(0));
                return Response.of(Status.SUCCESS);
            }
        };
        server = DicomServer.start(new DicomServer.Config("127.0.0.1", 0, policy(), NetOptions.DEFAULT,
                Map.of(FIND, find, PATIENT_FIND, find), 4, null));
        Dataset id = Dataset.builder().setStrings(Tag.QueryRetrieveLevel, Vr.CS, "STUDY").build();
        Proposal asked = new Proposal("SCU", "LIGHTBOX").add(FIND, IVRLE).add(PATIENT_FIND, IVRLE)
                .extendedNegotiation(FIND, b(1, 0, 1, 1, 1));
        try (Association a = Association.connect("127.0.0.1", server.port(), asked, NetOptions.DEFAULT, null,
                Map.of())) {
            assertThat(a.extendedNegotiation(FIND)).containsExactly(1, 0, 1, 0);
            assertThat(a.extendedNegotiation(PATIENT_FIND)).isEmpty();
            assertThat(a.query(Command.C_FIND_RQ, FIND, id, null, null).status()).isZero();
            assertThat(a.query(Command.C_FIND_RQ, PATIENT_FIND, id, null, null).status()).isZero();
        }
        // Another association without the sub-item: the defaults again.
        try (Association a = Association.connect("127.0.0.1", server.port(),
                new Proposal("SCU", "LIGHTBOX").add(FIND, IVRLE), NetOptions.DEFAULT, null, Map.of())) {
            assertThat(a.extendedNegotiation(FIND)).isEmpty();
            assertThat(a.query(Command.C_FIND_RQ, FIND, id, null, null).status()).isZero();
        }
        assertThat(seen).containsExactly("1,0,1,0,0,0", "0,0,0,0,0,0", "0,0,0,0,0,0");
    }
}
