// SPDX-License-Identifier: Apache-2.0
package org.lightbox.net.pdu;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** Encodes PDUs as PS3.8 section 9.3 lays them out: big endian lengths, AE titles padded to 16 bytes. */
public final class PduWriter {
    private PduWriter() {}

    public static void write(Pdu pdu, OutputStream out) throws IOException {
        out.write(encode(pdu));
    }

    public static byte[] encode(Pdu pdu) {
        Buf b = new Buf();
        switch (pdu) {
            case Pdu.AssociateRq rq -> {
                b.u8(Pdu.TYPE_ASSOCIATE_RQ).u8(0);
                int at = b.lengthHere32();
                associateFixed(b, rq.protocolVersion(), rq.calledAeTitle(), rq.callingAeTitle());
                b.item(0x10, ascii(rq.applicationContext()));
                for (Pdu.PresentationContextRq pc : rq.presentationContexts()) {
                    Buf item = new Buf().u8(pc.id()).u8(0).u8(0).u8(0);
                    item.item(0x30, ascii(pc.abstractSyntax()));
                    for (String ts : pc.transferSyntaxes()) {
                        item.item(0x40, ascii(ts));
                    }
                    b.item(0x20, item.toByteArray());
                }
                b.item(0x50, userInformation(rq.userInformation()));
                b.patch32(at);
            }
            case Pdu.AssociateAc ac -> {
                b.u8(Pdu.TYPE_ASSOCIATE_AC).u8(0);
                int at = b.lengthHere32();
                associateFixed(b, ac.protocolVersion(), ac.calledAeTitle(), ac.callingAeTitle());
                b.item(0x10, ascii(ac.applicationContext()));
                for (Pdu.PresentationContextAc pc : ac.presentationContexts()) {
                    Buf item = new Buf().u8(pc.id()).u8(0).u8(pc.result()).u8(0);
                    item.item(0x40, ascii(pc.transferSyntax()));
                    b.item(0x21, item.toByteArray());
                }
                b.item(0x50, userInformation(ac.userInformation()));
                b.patch32(at);
            }
            case Pdu.AssociateRj rj -> b.u8(Pdu.TYPE_ASSOCIATE_RJ).u8(0).u32(4)
                    .u8(0).u8(rj.result()).u8(rj.source()).u8(rj.reason());
            case Pdu.PDataTf p -> {
                b.u8(Pdu.TYPE_P_DATA_TF).u8(0);
                int at = b.lengthHere32();
                for (Pdu.Pdv pdv : p.pdvs()) {
                    b.u32(pdv.length() + 2L).u8(pdv.contextId())
                            .u8((pdv.command() ? 1 : 0) | (pdv.last() ? 2 : 0));
                    b.write(pdv.buffer(), pdv.offset(), pdv.length());
                }
                b.patch32(at);
            }
            case Pdu.ReleaseRq ignored -> b.u8(Pdu.TYPE_RELEASE_RQ).u8(0).u32(4).u32(0);
            case Pdu.ReleaseRp ignored -> b.u8(Pdu.TYPE_RELEASE_RP).u8(0).u32(4).u32(0);
            case Pdu.Abort a -> b.u8(Pdu.TYPE_ABORT).u8(0).u32(4).u8(0).u8(0).u8(a.source()).u8(a.reason());
        }
        return b.toByteArray();
    }

    private static void associateFixed(Buf b, int version, String called, String calling) {
        b.u16(version).u16(0);
        b.write(aeTitle(called), 0, 16);
        b.write(aeTitle(calling), 0, 16);
        b.write(new byte[32], 0, 32);
    }

    private static byte[] userInformation(UserInformation u) {
        Buf b = new Buf();
        b.item(0x51, new Buf().u32(u.maxLength()).toByteArray());
        b.item(0x52, ascii(u.implementationClassUid()));
        if (u.asyncOps() != null) {
            b.item(0x53, new Buf().u16(u.asyncOps().invoked()).u16(u.asyncOps().performed()).toByteArray());
        }
        for (UserInformation.RoleSelection r : u.roleSelections()) {
            byte[] uid = ascii(r.sopClassUid());
            b.item(0x54, new Buf().u16(uid.length).bytes(uid).u8(r.scu() ? 1 : 0).u8(r.scp() ? 1 : 0).toByteArray());
        }
        if (u.implementationVersionName() != null) {
            b.item(0x55, ascii(u.implementationVersionName()));
        }
        for (UserInformation.ExtendedNegotiation e : u.extendedNegotiations()) {
            byte[] uid = ascii(e.sopClassUid());
            b.item(0x56, new Buf().u16(uid.length).bytes(uid).bytes(e.info()).toByteArray());
        }
        for (UserInformation.CommonExtendedNegotiation c : u.commonExtendedNegotiations()) {
            byte[] sop = ascii(c.sopClassUid());
            byte[] service = ascii(c.serviceClassUid());
            Buf related = new Buf();
            for (String g : c.relatedGeneralSopClasses()) {
                byte[] uid = ascii(g);
                related.u16(uid.length).bytes(uid);
            }
            byte[] rel = related.toByteArray();
            b.item(0x57, new Buf().u16(sop.length).bytes(sop).u16(service.length).bytes(service).u16(rel.length)
                    .bytes(rel).toByteArray());
        }
        if (u.userIdentity() != null) {
            UserInformation.UserIdentity id = u.userIdentity();
            b.item(0x58, new Buf().u8(id.type()).u8(id.positiveResponseRequested() ? 1 : 0)
                    .u16(id.primaryField().length).bytes(id.primaryField())
                    .u16(id.secondaryField().length).bytes(id.secondaryField()).toByteArray());
        }
        if (u.userIdentityResponse() != null) {
            b.item(0x59, new Buf().u16(u.userIdentityResponse().length).bytes(u.userIdentityResponse())
                    .toByteArray());
        }
        return b.toByteArray();
    }

    /** An AE title in its 16-byte field: up to 16 characters of ISO 646, space padded. */
    static byte[] aeTitle(String title) {
        byte[] field = "                ".getBytes(StandardCharsets.US_ASCII);
        byte[] t = title.getBytes(StandardCharsets.US_ASCII);
        if (t.length > 16) {
            throw new IllegalArgumentException("AE title longer than 16 characters: " + title);
        }
        System.arraycopy(t, 0, field, 0, t.length);
        return field;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** A byte array builder with big endian integers and item headers. */
    private static final class Buf extends ByteArrayOutputStream {
        Buf u8(int v) {
            write(v);
            return this;
        }

        Buf u16(int v) {
            if (v > 0xFFFF) {
                throw new IllegalArgumentException("field of " + v + " bytes does not fit a 16-bit length");
            }
            write(v >>> 8);
            write(v);
            return this;
        }

        Buf u32(long v) {
            write((int) (v >>> 24));
            write((int) (v >>> 16));
            write((int) (v >>> 8));
            write((int) v);
            return this;
        }

        Buf bytes(byte[] b) {
            write(b, 0, b.length);
            return this;
        }

        Buf item(int type, byte[] body) {
            return u8(type).u8(0).u16(body.length).bytes(body);
        }

        int lengthHere32() {
            int at = count;
            u32(0);
            return at;
        }

        void patch32(int at) {
            long len = count - at - 4L;
            buf[at] = (byte) (len >>> 24);
            buf[at + 1] = (byte) (len >>> 16);
            buf[at + 2] = (byte) (len >>> 8);
            buf[at + 3] = (byte) len;
        }
    }
}
