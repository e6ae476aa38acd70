// SPDX-License-Identifier: Apache-2.0
package org.lightbox.net.pdu;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Encode, decode, compare: every PDU type with random contents, every user information sub-item included; and the
 * fragmentation of {@link PDataOutputStream} under any maximum length.
 */
class PduRoundTripTest {

    @Property(tries = 400)
    void everyPduSurvivesARoundTrip(@ForAll("pdus") Pdu pdu) throws IOException {
        byte[] bytes = PduWriter.encode(pdu);
        Pdu back = PduReader.decode(bytes);
        assertThat(back).isEqualTo(pdu);
        assertThat(PduWriter.encode(back)).as("re-encoded byte for byte").isEqualTo(bytes);
        assertThat(bytes.length - 6L).isEqualTo(((bytes[2] & 0xFFL) << 24) | ((bytes[3] & 0xFF) << 16)
                | ((bytes[4] & 0xFF) << 8) | (bytes[5] & 0xFF));
    }

    @Property(tries = 300)
    void pDataOutputStreamFragmentsWithinTheMaximum(@ForAll @Size(max = 6000) byte[] data,
            @ForAll("maxLengths") long peerMax, @ForAll @IntRange(min = 1, max = 1200) int chunk,
            @ForAll boolean command, @ForAll("contextIds") int contextId) throws IOException {
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        try (PDataOutputStream out = new PDataOutputStream(wire, contextId, command, peerMax, null)) {
            for (int at = 0; at < data.length; at += chunk) {
                if (chunk == 1) {
                    out.write(data[at]);
                } else {
                    out.write(data, at, Math.min(chunk, data.length - at));
                }
            }
        }
        PduReader reader = new PduReader(new ByteArrayInputStream(wire.toByteArray()), peerMax);
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        List<Pdu.Pdv> pdvs = new ArrayList<>();
        Pdu pdu;
        while ((pdu = reader.read()) != null) { // the reader refuses any PDU longer than peerMax
            assertThat(pdu).isInstanceOf(Pdu.PDataTf.class);
            List<Pdu.Pdv> in = ((Pdu.PDataTf) pdu).pdvs();
            assertThat(in).hasSize(1);
            Pdu.Pdv pdv = in.get(0);
            pdvs.add(Pdu.Pdv.of(pdv.contextId(), pdv.command(), pdv.last(), pdv.data()));
            joined.write(pdv.buffer(), pdv.offset(), pdv.length());
        }
        assertThat(joined.toByteArray()).isEqualTo(data);
        assertThat(pdvs).isNotEmpty();
        for (int i = 0; i < pdvs.size(); i++) {
            Pdu.Pdv pdv = pdvs.get(i);
            assertThat(pdv.last()).as("last flag on PDV %d of %d", i + 1, pdvs.size()).isEqualTo(i == pdvs.size() - 1);
            assertThat(pdv.contextId()).isEqualTo(contextId);
            assertThat(pdv.command()).isEqualTo(command);
            assertThat(pdv.length() > 0 || pdvs.size() == 1).as("no empty fragment but an empty message").isTrue();
        }
    }

    // ---- generators -----------------------------------------------------------------------------------------------

    @Provide
    Arbitrary<Long> maxLengths() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(1, Arbitraries.just(0L)),
                net.jqwik.api.Tuple.of(6, Arbitraries.longs().between(7, 2000)),
                net.jqwik.api.Tuple.of(2, Arbitraries.longs().between(2000, 0xFFFFFFFFL)));
    }

    @Provide
    Arbitrary<Integer> contextIds() {
        return Arbitraries.integers().between(0, 127).map(i -> 2 * i + 1);
    }

    @Provide
    Arbitrary<Pdu> pdus() {
        return Arbitraries.oneOf(associateRq(), associateAc(), associateRj(), pData(),
                Arbitraries.just(new Pdu.ReleaseRq()), Arbitraries.just(new Pdu.ReleaseRp()), abort());
    }

    static Arbitrary<String> uids() {
        Arbitrary<String> component = Arbitraries.oneOf(Arbitraries.just("0"),
                Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(9).filter(s -> s.charAt(0) != '0'));
        return component.list().ofMinSize(1).ofMaxSize(10).map(l -> String.join(".", l)).filter(s -> s.length() <= 64);
    }

    static Arbitrary<String> aeTitles() {
        return Arbitraries.strings().withChars("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-").ofMinLength(1).ofMaxLength(16);
    }

    static Arbitrary<byte[]> bytes(int max) {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(max);
    }

    static Arbitrary<Pdu.AssociateRq> associateRq() {
        Arbitrary<Pdu.PresentationContextRq> context = Combinators.combine(
                Arbitraries.integers().between(0, 127).map(i -> 2 * i + 1), uids(),
                uids().list().ofMinSize(1).ofMaxSize(4)).as(Pdu.PresentationContextRq::new);
        return Combinators.combine(Arbitraries.integers().between(0, 0xFFFF), aeTitles(), aeTitles(), uids(),
                context.list().ofMaxSize(6), userInformation(true)).as(Pdu.AssociateRq::new);
    }

    static Arbitrary<Pdu.AssociateAc> associateAc() {
        Arbitrary<Pdu.PresentationContextAc> context = Combinators.combine(
                Arbitraries.integers().between(0, 127).map(i -> 2 * i + 1), Arbitraries.integers().between(0, 4),
                uids()).as((id, result, ts) -> new Pdu.PresentationContextAc(id, result,
                        result == Pdu.PresentationContextAc.ACCEPTANCE ? ts : "")); // not significant otherwise
        return Combinators.combine(Arbitraries.integers().between(0, 0xFFFF), aeTitles(), aeTitles(), uids(),
                context.list().ofMaxSize(6), userInformation(false)).as(Pdu.AssociateAc::new);
    }

    static Arbitrary<UserInformation> userInformation(boolean request) {
        Arbitrary<UserInformation.AsyncOpsWindow> async = Combinators.combine(
                Arbitraries.integers().between(0, 0xFFFF), Arbitraries.integers().between(0, 0xFFFF))
                .as(UserInformation.AsyncOpsWindow::new);
        Arbitrary<UserInformation.RoleSelection> role = Combinators.combine(uids(), Arbitraries.of(true, false),
                Arbitraries.of(true, false)).as(UserInformation.RoleSelection::new);
        Arbitrary<UserInformation.ExtendedNegotiation> extended = Combinators.combine(uids(), bytes(24))
                .as(UserInformation.ExtendedNegotiation::new);
        Arbitrary<UserInformation.CommonExtendedNegotiation> common = Combinators.combine(uids(), uids(),
                uids().list().ofMaxSize(3)).as(UserInformation.CommonExtendedNegotiation::new);
        Arbitrary<UserInformation.UserIdentity> identity = Combinators.combine(Arbitraries.integers().between(1, 5),
                Arbitraries.of(true, false), bytes(40), bytes(40)).as(UserInformation.UserIdentity::new);
        Arbitrary<String> versionName = Arbitraries.strings().withChars("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.")
                .ofMinLength(1).ofMaxLength(16);
        Arbitrary<UserInformation> base = Combinators.combine(Arbitraries.longs().between(0, 0xFFFFFFFFL), uids(),
                versionName.injectNull(0.3), async.injectNull(0.5)).as((max, uid, version, window) ->
                        UserInformation.of(max, uid, version).withAsyncOps(window));
        return Combinators.combine(base, role.list().ofMaxSize(3), extended.list().ofMaxSize(3),
                common.list().ofMaxSize(2), identity.injectNull(0.5), bytes(40).injectNull(0.5))
                .as((u, roles, ext, com, id, response) -> {
                    UserInformation v = u.withRoleSelections(roles).withExtendedNegotiations(ext)
                            .withCommonExtendedNegotiations(com);
                    return request ? v.withUserIdentity(id) : v.withUserIdentityResponse(response);
                });
    }

    static Arbitrary<Pdu.AssociateRj> associateRj() {
        Arbitrary<Integer> b = Arbitraries.integers().between(0, 255);
        return Combinators.combine(b, b, b).as(Pdu.AssociateRj::new);
    }

    static Arbitrary<Pdu.Abort> abort() {
        Arbitrary<Integer> b = Arbitraries.integers().between(0, 255);
        return Combinators.combine(b, b).as(Pdu.Abort::new);
    }

    static Arbitrary<Pdu.PDataTf> pData() {
        Arbitrary<Pdu.Pdv> pdv = Combinators.combine(Arbitraries.integers().between(0, 127).map(i -> 2 * i + 1),
                Arbitraries.of(true, false), Arbitraries.of(true, false), bytes(300)).as(Pdu.Pdv::of);
        return pdv.list().ofMinSize(1).ofMaxSize(4).map(Pdu.PDataTf::new);
    }
}
