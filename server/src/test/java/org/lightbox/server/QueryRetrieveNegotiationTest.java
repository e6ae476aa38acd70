// SPDX-License-Identifier: Apache-2.0
package org.lightbox.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.Tags;
import org.lightbox.dicom.TransferSyntax;
import org.lightbox.dicom.Uid;
import org.lightbox.dicom.Vr;
import org.lightbox.dicom.io.DicomWriter;
import org.lightbox.net.Association;
import org.lightbox.net.Command;
import org.lightbox.net.DimseService;
import org.lightbox.net.NetOptions;
import org.lightbox.net.Proposal;
import org.lightbox.net.Response;
import org.lightbox.net.Status;

/**
 * SOP Class Extended Negotiation of the Query/Retrieve service class (PS3.4 C.5) against the whole server over
 * 127.0.0.1: the bytes of the A-ASSOCIATE-AC, and matching that changes only when negotiated (relational queries and
 * retrieves, case-insensitive person names, combined date-time ranges).
 */
class QueryRetrieveNegotiationTest {
    static final String CT = LightboxServerTest.CT;
    static final String EVRLE = Uid.ExplicitVRLittleEndian;
    static final String STUDY_FIND = Uid.StudyRootQueryRetrieveInformationModelFind;
    static final String PATIENT_FIND = Uid.PatientRootQueryRetrieveInformationModelFind;
    static final String STUDY_MOVE = Uid.StudyRootQueryRetrieveInformationModelMove;
    static final String STUDY_GET = Uid.StudyRootQueryRetrieveInformationModelGet;
    static final String PATIENT_GET = Uid.PatientRootQueryRetrieveInformationModelGet;
    static final byte[] ALL_FIND = {1, 1, 1, 1};

    @TempDir
    static Path dir;

    static LightboxServer server;
    static RetrieveServiceTest.Destination dest;

    /** One study of John Doe: two instances in one series, acquired on 31 January 2024 at 09:00. */
    @BeforeAll
    static void start() throws IOException {
        dest = new RetrieveServiceTest.Destination("DEST", List.of());
        server = LightboxServer.start(ServerConfigReader.read(null, Map.of("data", dir.resolve("data").toString(),
                "dicom-port", "0", "http-port", "0", "limits.shutdown-grace", "2s",
                "remote-aes.DEST", "127.0.0.1:" + dest.port())));
        try (Association a = Association.connect("127.0.0.1", server.dicomPort(),
                new Proposal("TESTSCU", "LIGHTBOX").add(CT, EVRLE), NetOptions.DEFAULT, null, Map.of())) {
            for (String sop : List.of("1.5.1.1", "1.5.1.2")) {
                Dataset ds = LightboxServerTest.instance("1.5", "1.5.1", sop)
                        .setStrings(Tag.PatientName, Vr.PN, "DOE^JOHN").setStrings(Tag.PatientID, Vr.LO, "P5")
                        .setStrings(Tag.StudyTime, Vr.TM, "090000").build();
                Response r = a.store(CT, sop, EVRLE, out -> DicomWriter.writeDataset(ds,
                        TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN, out, DicomWriter.Lengths.AS_READ),
                        Command.PRIORITY_MEDIUM, null, 0);
                assertThat(r.status()).as(r.describe()).isZero();
            }
        }
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        dest.close();
    }

    static Association connect(Proposal p, Map<String, DimseService> services) throws IOException {
        return Association.connect("127.0.0.1", server.dicomPort(), p, NetOptions.DEFAULT, null, services);
    }

    /** A Query/Retrieve association proposing {@code model}, with an extended negotiation sub-item unless null. */
    static Association connect(String model, byte[] asked) throws IOException {
        Proposal p = new Proposal("TESTSCU", "LIGHTBOX").add(model, EVRLE);
        if (asked != null) {
            p.extendedNegotiation(model, asked);
        }
        return connect(p, Map.of());
    }

    /** The final response of a C-FIND; the identifier of each match goes to {@code matches}. */
    static Response find(Association a, String model, Dataset id, List<Dataset> matches) throws IOException {
        return a.query(Command.C_FIND_RQ, model, id, null, p -> matches.add(p.dataset()));
    }

    static Dataset.Builder level(String level) {
        return Dataset.builder().setStrings(Tag.QueryRetrieveLevel, Vr.CS, level);
    }

    /** An IMAGE level query naming only the SOP Instance UID: relational (no Study or Series Instance UID). */
    static Dataset imageOnly() {
        return level("IMAGE").setStrings(Tag.SOPInstanceUID, Vr.UI, "1.5.1.2").setStrings(Tag.PatientName, Vr.PN)
                .build();
    }

    static Dataset byName(String name) {
        return level("STUDY").setStrings(Tag.PatientName, Vr.PN, name).setStrings(Tag.StudyInstanceUID, Vr.UI)
                .build();
    }

    /** 30 Jan 12:00 to 31 Jan 10:00 as one range matches 31 Jan 09:00; date and time apart, 09:00 is not 12-10. */
    static Dataset dateTimeRange() {
        return level("STUDY").setStrings(Tag.StudyDate, Vr.DA, "20240130-20240131")
                .setStrings(Tag.StudyTime, Vr.TM, "1200-1000").setStrings(Tag.StudyInstanceUID, Vr.UI).build();
    }

    static String offendingElement(Response r) {
        byte[] at = r.command().dataset().get(Tag.OffendingElement).orElseThrow().bytes();
        int tag = (at[0] & 0xFF) << 16 | (at[1] & 0xFF) << 24 | (at[2] & 0xFF) | (at[3] & 0xFF) << 8;
        return Tags.format(tag);
    }

    // ---- C-FIND ---------------------------------------------------------------------------------------------------

    @Test
    void withoutNegotiationTheAcceptIsSilentAndMatchingIsTheDefault() throws IOException {
        try (Association a = connect(STUDY_FIND, null)) {
            assertThat(a.accept().userInformation().extendedNegotiations()).isEmpty();
            assertThat(a.extendedNegotiation(STUDY_FIND)).isEmpty();
            List<Dataset> matches = new ArrayList<>();
            // Hierarchical: an IMAGE query needs the Study and Series Instance UIDs (PS3.4 C.4.1.3.1).
            Response r = find(a, STUDY_FIND, imageOnly(), matches);
            assertThat(r.status()).as(r.describe()).isEqualTo(Status.QR_IDENTIFIER_DOES_NOT_MATCH_SOP_CLASS);
            assertThat(offendingElement(r)).isEqualTo(Tags.format(Tag.StudyInstanceUID));
            assertThat(r.errorComment()).contains("StudyInstanceUID");
            // Person names are matched as written.
            assertThat(find(a, STUDY_FIND, byName("doe^john"), matches).status()).isZero();
            assertThat(find(a, STUDY_FIND, byName("doe*"), matches).status()).isZero();
            assertThat(matches).isEmpty();
            assertThat(find(a, STUDY_FIND, byName("DOE^JOHN"), matches).status()).isZero();
            assertThat(matches).hasSize(1);
            // Date and time are matched apart.
            matches.clear();
            assertThat(find(a, STUDY_FIND, dateTimeRange(), matches).status()).isZero();
            assertThat(matches).isEmpty();
        }
    }

    @Test
    void negotiatedRelationalFuzzyAndDateTimeAreAnsweredAndApplied() throws IOException {
        try (Association a = connect(STUDY_FIND, ALL_FIND)) {
            assertThat(a.accept().userInformation().extendedNegotiations()).hasSize(1);
            // Relational, date-time and fuzzy semantic matching yes; timezone query adjustment no.
            assertThat(a.extendedNegotiation(STUDY_FIND)).containsExactly(1, 1, 1, 0);
            List<Dataset> matches = new ArrayList<>();
            Response r = find(a, STUDY_FIND, imageOnly(), matches);
            assertThat(r.status()).as(r.describe()).isZero();
            assertThat(matches).hasSize(1);
            assertThat(matches.getFirst().string(Tag.SOPInstanceUID)).contains("1.5.1.2");
            assertThat(matches.getFirst().string(Tag.PatientName)).contains("DOE^JOHN");
            for (String name : List.of("doe^john", "Doe^John", "doe*", "dOE^j?HN")) {
                matches.clear();
                assertThat(find(a, STUDY_FIND, byName(name), matches).status()).isZero();
                assertThat(matches).as(name).hasSize(1);
                assertThat(matches.getFirst().string(Tag.StudyInstanceUID)).contains("1.5");
            }
            matches.clear();
            assertThat(find(a, STUDY_FIND, dateTimeRange(), matches).status()).isZero();
            assertThat(matches).hasSize(1);
        }
    }

    @Test
    void patientRootRelationalNeedsNoPatientId() throws IOException {
        List<Dataset> matches = new ArrayList<>();
        try (Association a = connect(PATIENT_FIND, null)) {
            Response r = find(a, PATIENT_FIND, imageOnly(), matches);
            assertThat(r.status()).isEqualTo(Status.QR_IDENTIFIER_DOES_NOT_MATCH_SOP_CLASS);
            assertThat(offendingElement(r)).isEqualTo(Tags.format(Tag.PatientID));
        }
        try (Association a = connect(PATIENT_FIND, new byte[] {1})) {
            assertThat(a.extendedNegotiation(PATIENT_FIND)).containsExactly(1); // one byte asked, one answered
            assertThat(find(a, PATIENT_FIND, imageOnly(), matches).status()).isZero();
            assertThat(matches).hasSize(1);
        }
    }

    @Test
    void eachOptionAppliesOnItsOwn() throws IOException {
        try (Association a = connect(STUDY_FIND, new byte[] {0, 0, 1})) {
            assertThat(a.extendedNegotiation(STUDY_FIND)).containsExactly(0, 0, 1);
            List<Dataset> matches = new ArrayList<>();
            assertThat(find(a, STUDY_FIND, imageOnly(), matches).status())
                    .isEqualTo(Status.QR_IDENTIFIER_DOES_NOT_MATCH_SOP_CLASS);
            assertThat(find(a, STUDY_FIND, dateTimeRange(), matches).status()).isZero();
            assertThat(matches).isEmpty();
            assertThat(find(a, STUDY_FIND, byName("doe^john"), matches).status()).isZero();
            assertThat(matches).hasSize(1);
        }
    }

    @Test
    void dcmtkStyleAssociationsWithoutTheSubItemShareTheServerWithNegotiatingOnes() throws IOException {
        // The agreement belongs to the association: one that negotiated does not change another's matching.
        try (Association fuzzy = connect(STUDY_FIND, ALL_FIND); Association plain = connect(STUDY_FIND, null)) {
            List<Dataset> f = new ArrayList<>();
            List<Dataset> p = new ArrayList<>();
            assertThat(find(fuzzy, STUDY_FIND, byName("doe^john"), f).status()).isZero();
            assertThat(find(plain, STUDY_FIND, byName("doe^john"), p).status()).isZero();
            assertThat(f).hasSize(1);
            assertThat(p).isEmpty();
        }
    }

    // ---- C-MOVE and C-GET -----------------------------------------------------------------------------------------

    /** A C-GET requestor keeping what it receives; the GET model with the given sub-item, CT with the SCP role. */
    static Response get(String model, byte[] asked, Dataset id, ConcurrentLinkedQueue<String> received)
            throws IOException {
        Proposal p = new Proposal("GETTER", "LIGHTBOX").add(model, EVRLE).add(CT, EVRLE).role(CT, false, true);
        if (asked != null) {
            p.extendedNegotiation(model, asked);
        }
        DimseService sink = new DimseService() {
            @Override
            public Response store(Request request, InputStream data) throws IOException {
                data.transferTo(java.io.OutputStream.nullOutputStream());
                received.add(request.command().sopInstanceUid());
                return Response.of(Status.SUCCESS);
            }
        };
        try (Association a = connect(p, Map.of(CT, sink))) {
            if (asked != null) {
                assertThat(a.extendedNegotiation(model)).containsExactly(1); // relational-retrieval only
            } else {
                assertThat(a.accept().userInformation().extendedNegotiations()).isEmpty();
            }
            return a.query(Command.C_GET_RQ, model, id, null, null);
        }
    }

    @Test
    void relationalGetOnlyWhenNegotiated() throws IOException {
        Dataset image = level("IMAGE").setStrings(Tag.SOPInstanceUID, Vr.UI, "1.5.1.1").build();
        ConcurrentLinkedQueue<String> received = new ConcurrentLinkedQueue<>();
        Response refused = get(STUDY_GET, null, image, received);
        assertThat(refused.status()).as(refused.describe()).isEqualTo(Status.QR_IDENTIFIER_DOES_NOT_MATCH_SOP_CLASS);
        assertThat(offendingElement(refused)).isEqualTo(Tags.format(Tag.StudyInstanceUID));
        assertThat(received).isEmpty();

        // Relational-retrieval asked with Enhanced Multi-Frame Image Conversion too: only the first is granted.
        Response r = get(STUDY_GET, new byte[] {1, 1}, image, received);
        assertThat(r.status()).as(r.describe()).isZero();
        assertThat(r.command().integer(Tag.NumberOfCompletedSuboperations, -1)).isEqualTo(1);
        assertThat(received).containsExactly("1.5.1.1");

        // A series without its study, in the Patient Root model without Patient ID.
        received.clear();
        Dataset series = level("SERIES").setStrings(Tag.SeriesInstanceUID, Vr.UI, "1.5.1").build();
        assertThat(get(PATIENT_GET, null, series, received).status())
                .isEqualTo(Status.QR_IDENTIFIER_DOES_NOT_MATCH_SOP_CLASS);
        Response s = get(PATIENT_GET, new byte[] {1}, series, received);
        assertThat(s.status()).as(s.describe()).isZero();
        assertThat(received).containsExactlyInAnyOrder("1.5.1.1", "1.5.1.2");
    }

    @Test
    void relationalMoveOnlyWhenNegotiated() throws IOException {
        Dataset image = level("IMAGE").setStrings(Tag.SOPInstanceUID, Vr.UI, "1.5.1.2").build();
        try (Association a = connect(STUDY_MOVE, null)) {
            Response r = a.query(Command.C_MOVE_RQ, STUDY_MOVE, image, "DEST", null);
            assertThat(r.status()).as(r.describe()).isEqualTo(Status.QR_IDENTIFIER_DOES_NOT_MATCH_SOP_CLASS);
        }
        assertThat(dest.received).isEmpty();
        try (Association a = connect(STUDY_MOVE, new byte[] {1})) {
            assertThat(a.extendedNegotiation(STUDY_MOVE)).containsExactly(1);
            Response r = a.query(Command.C_MOVE_RQ, STUDY_MOVE, image, "DEST", null);
            assertThat(r.status()).as(r.describe()).isZero();
            // Relational or not, the level retrieved needs its own unique key.
            Response none = a.query(Command.C_MOVE_RQ, STUDY_MOVE, level("IMAGE").build(), "DEST", null);
            assertThat(none.status()).isEqualTo(Status.QR_IDENTIFIER_DOES_NOT_MATCH_SOP_CLASS);
            assertThat(offendingElement(none)).isEqualTo(Tags.format(Tag.SOPInstanceUID));
        }
        assertThat(dest.received.keySet()).containsExactly("1.5.1.2");
    }
}
