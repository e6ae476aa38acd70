// SPDX-License-Identifier: Apache-2.0
package org.lightbox.net.pdu;

import static org.lightbox.net.pdu.Pdu.Abort.REASON_INVALID_PDU_PARAMETER_VALUE;
import static org.lightbox.net.pdu.Pdu.Abort.REASON_UNEXPECTED_PDU_PARAMETER;
import static org.lightbox.net.pdu.Pdu.Abort.REASON_UNRECOGNIZED_PDU;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads PDUs from a stream, checking every length against what encloses it before anything is allocated. One
 * buffer is reused for every PDU: the {@link Pdu.Pdv}s it returns borrow it until the next {@link #read()}.
 */
public final class PduReader {
    /** No A-ASSOCIATE, release or abort PDU needs more; P-DATA-TF PDUs have their own, negotiated, limit. */
    public static final int MAX_CONTROL_PDU_LENGTH = 1 << 20;

    private final InputStream in;
    private long maxPDataLength;
    private byte[] buffer = new byte[16 * 1024];
    private final byte[] header = new byte[6];
    private boolean inside;

    /**
     * @param maxPDataLength the largest P-DATA-TF PDU length accepted: the maximum length this side announced (0 for
     *     none, which still stops at 2^31 - 1 since a PDV must fit a Java array)
     */
    public PduReader(InputStream in, long maxPDataLength) {
        this.in = in;
        this.maxPDataLength = maxPDataLength;
    }

    /** Decodes one PDU held whole in {@code bytes}, for tests and fuzzing. */
    public static Pdu decode(byte[] bytes) throws IOException {
        PduReader reader = new PduReader(new ByteArrayInputStream(bytes), 0);
        Pdu pdu = reader.read();
        if (pdu == null) {
            throw new EOFException("no PDU: the input is empty");
        }
        if (reader.in.read() >= 0) {
            throw new PduFormatException(REASON_INVALID_PDU_PARAMETER_VALUE,
                    "bytes follow the PDU beyond its length");
        }
        return pdu;
    }

    /**
     * Whether the last {@link #read()} stopped (by an exception, a timeout say) after the start of a PDU and before its
     * end: the stream is then in the middle of a PDU and no further PDU can be read from it.
     */
    public boolean isInsidePdu() {
        return inside;
    }

    public void maxPDataLength(long max) {
        this.maxPDataLength = max;
    }

    /**
     * The next PDU, or {@code null} when the stream ends cleanly between PDUs (the peer closed the connection).
     *
     * @throws PduFormatException for an unknown PDU type or a bad length, with the abort reason to send
     * @throws EOFException when the stream ends inside a PDU
     */
    public Pdu read() throws IOException {
        int first = in.read();
        if (first < 0) {
            return null;
        }
        inside = true;
        header[0] = (byte) first;
        readFully(header, 1, 5, "PDU header");
        int type = first;
        long length = ((header[2] & 0xFFL) << 24) | ((header[3] & 0xFF) << 16) | ((header[4] & 0xFF) << 8)
                | (header[5] & 0xFF);
        if (type < Pdu.TYPE_ASSOCIATE_RQ || type > Pdu.TYPE_ABORT) {
            throw new PduFormatException(REASON_UNRECOGNIZED_PDU,
                    String.format("unrecognized PDU type 0x%02X (length %d)", type, length));
        }
        long limit = type == Pdu.TYPE_P_DATA_TF
                ? (maxPDataLength == 0 ? Integer.MAX_VALUE - 8 : maxPDataLength) : MAX_CONTROL_PDU_LENGTH;
        if (length > limit) {
            throw new PduFormatException(REASON_INVALID_PDU_PARAMETER_VALUE, String.format(
                    "PDU type 0x%02X of %d bytes exceeds the limit of %d bytes", type, length, limit));
        }
        int n = (int) length;
        // The buffer grows as the bytes arrive, never on the length alone: six bytes announcing 2 GB allocate nothing.
        int off = 0;
        while (off < n) {
            if (off == buffer.length) {
                buffer = Arrays.copyOf(buffer, (int) Math.min(n, buffer.length * 2L));
            }
            int step = Math.min(n, buffer.length) - off;
            readFully(buffer, off, step, "PDU of type " + type + " and length " + n);
            off += step;
        }
        inside = false;
        Cursor c = new Cursor(buffer, 0, n, pduName(type));
        return switch (type) {
            case Pdu.TYPE_ASSOCIATE_RQ, Pdu.TYPE_ASSOCIATE_AC -> readAssociate(type, c);
            case Pdu.TYPE_ASSOCIATE_RJ -> {
                c.need(4, "A-ASSOCIATE-RJ body");
                c.skip(1);
                yield new Pdu.AssociateRj(c.u8(), c.u8(), c.u8());
            }
            case Pdu.TYPE_P_DATA_TF -> readPData(c);
            case Pdu.TYPE_RELEASE_RQ -> {
                c.need(4, "A-RELEASE-RQ body");
                yield new Pdu.ReleaseRq();
            }
            case Pdu.TYPE_RELEASE_RP -> {
                c.need(4, "A-RELEASE-RP body");
                yield new Pdu.ReleaseRp();
            }
            default -> {
                c.need(4, "A-ABORT body");
                c.skip(2);
                yield new Pdu.Abort(c.u8(), c.u8());
            }
        };
    }

    private static String pduName(int type) {
        return switch (type) {
            case Pdu.TYPE_ASSOCIATE_RQ -> "A-ASSOCIATE-RQ";
            case Pdu.TYPE_ASSOCIATE_AC -> "A-ASSOCIATE-AC";
            case Pdu.TYPE_ASSOCIATE_RJ -> "A-ASSOCIATE-RJ";
            case Pdu.TYPE_P_DATA_TF -> "P-DATA-TF";
            case Pdu.TYPE_RELEASE_RQ -> "A-RELEASE-RQ";
            case Pdu.TYPE_RELEASE_RP -> "A-RELEASE-RP";
            default -> "A-ABORT";
        };
    }

    private static Pdu.PDataTf readPData(Cursor c) throws PduFormatException {
        List<Pdu.Pdv> pdvs = new ArrayList<>(2);
        while (c.remaining() > 0) {
            c.need(4, "PDV item length");
            long itemLength = c.u32();
            if (itemLength < 2 || itemLength > c.remaining()) {
                throw c.invalid("PDV item length " + itemLength + " with " + c.remaining() + " bytes left in the PDU");
            }
            int contextId = c.u8();
            int control = c.u8();
            if ((control & 0xFC) != 0) {
                throw c.invalid(String.format("message control header 0x%02X has reserved bits set", control));
            }
            if ((contextId & 1) == 0) {
                throw c.invalid("presentation context ID " + contextId + " is not odd");
            }
            int dataLength = (int) itemLength - 2;
            pdvs.add(new Pdu.Pdv(contextId, (control & 1) != 0, (control & 2) != 0, c.bytes, c.pos, dataLength));
            c.skip(dataLength);
        }
        if (pdvs.isEmpty()) {
            throw c.invalid("a P-DATA-TF PDU without any PDV");
        }
        return new Pdu.PDataTf(pdvs);
    }

    private static Pdu readAssociate(int type, Cursor c) throws PduFormatException {
        boolean request = type == Pdu.TYPE_ASSOCIATE_RQ;
        c.need(68, "fixed fields");
        int protocolVersion = c.u16();
        c.skip(2);
        String called = c.text(16).strip();
        String calling = c.text(16).strip();
        c.skip(32);
        String applicationContext = null;
        List<Pdu.PresentationContextRq> rqContexts = new ArrayList<>();
        List<Pdu.PresentationContextAc> acContexts = new ArrayList<>();
        UserInformation userInfo = null;
        while (c.remaining() > 0) {
            c.need(4, "item header");
            int itemType = c.u8();
            c.skip(1);
            int itemLength = c.u16();
            Cursor item = c.sub(itemLength, String.format("item 0x%02X", itemType));
            switch (itemType) {
                case 0x10 -> applicationContext = item.uid(itemLength);
                case 0x20 -> {
                    if (!request) {
                        throw c.unexpected("a requested presentation context (item 0x20) in an A-ASSOCIATE-AC");
                    }
                    rqContexts.add(readContextRq(item));
                }
                case 0x21 -> {
                    if (request) {
                        throw c.unexpected("an accepted presentation context (item 0x21) in an A-ASSOCIATE-RQ");
                    }
                    acContexts.add(readContextAc(item));
                }
                case 0x50 -> userInfo = readUserInformation(item, request);
                default -> { } // PS3.8 9.3.1: items of unknown type are skipped
            }
        }
        if (applicationContext == null) {
            throw c.invalid("no application context item");
        }
        if (userInfo == null) {
            throw c.invalid("no user information item");
        }
        return request
                ? new Pdu.AssociateRq(protocolVersion, called, calling, applicationContext, rqContexts, userInfo)
                : new Pdu.AssociateAc(protocolVersion, called, calling, applicationContext, acContexts, userInfo);
    }

    private static Pdu.PresentationContextRq readContextRq(Cursor c) throws PduFormatException {
        c.need(4, "presentation context fields");
        int id = c.u8();
        c.skip(3);
        String abstractSyntax = null;
        List<String> transferSyntaxes = new ArrayList<>();
        while (c.remaining() > 0) {
            c.need(4, "sub-item header");
            int subType = c.u8();
            c.skip(1);
            int length = c.u16();
            Cursor sub = c.sub(length, String.format("sub-item 0x%02X of presentation context %d", subType, id));
            switch (subType) {
                case 0x30 -> {
                    if (abstractSyntax != null) {
                        throw c.unexpected("presentation context " + id + " names two abstract syntaxes");
                    }
                    abstractSyntax = sub.uid(length);
                }
                case 0x40 -> transferSyntaxes.add(sub.uid(length));
                default -> throw c.unexpected(String.format(
                        "sub-item type 0x%02X in presentation context %d", subType, id));
            }
        }
        if (abstractSyntax == null || transferSyntaxes.isEmpty()) {
            throw c.invalid("presentation context " + id + " lacks an abstract syntax or a transfer syntax");
        }
        return new Pdu.PresentationContextRq(id, abstractSyntax, transferSyntaxes);
    }

    private static Pdu.PresentationContextAc readContextAc(Cursor c) throws PduFormatException {
        c.need(4, "presentation context fields");
        int id = c.u8();
        c.skip(1);
        int result = c.u8();
        c.skip(1);
        String transferSyntax = null;
        while (c.remaining() > 0) {
            c.need(4, "sub-item header");
            int subType = c.u8();
            c.skip(1);
            int length = c.u16();
            Cursor sub = c.sub(length, String.format("sub-item 0x%02X of presentation context %d", subType, id));
            if (subType != 0x40) {
                throw c.unexpected(String.format("sub-item type 0x%02X in accepted presentation context %d",
                        subType, id));
            }
            if (result == Pdu.PresentationContextAc.ACCEPTANCE) {
                transferSyntax = sub.uid(length);
            }
        }
        // PS3.8 9.3.3.2: when the context is not accepted the transfer syntax sub-item is not significant and "shall
        // not be tested" (PduWriter, like many, sends it empty)
        if (transferSyntax == null && result == Pdu.PresentationContextAc.ACCEPTANCE) {
            throw c.invalid("accepted presentation context " + id + " names no transfer syntax");
        }
        return new Pdu.PresentationContextAc(id, result, transferSyntax == null ? "" : transferSyntax);
    }

    private static UserInformation readUserInformation(Cursor c, boolean request) throws PduFormatException {
        Long maxLength = null;
        String classUid = null;
        String versionName = null;
        UserInformation.AsyncOpsWindow async = null;
        List<UserInformation.RoleSelection> roles = new ArrayList<>();
        List<UserInformation.ExtendedNegotiation> extended = new ArrayList<>();
        List<UserInformation.CommonExtendedNegotiation> common = new ArrayList<>();
        UserInformation.UserIdentity identity = null;
        byte[] identityResponse = null;
        while (c.remaining() > 0) {
            c.need(4, "user information sub-item header");
            int subType = c.u8();
            c.skip(1);
            int length = c.u16();
            Cursor s = c.sub(length, String.format("user information sub-item 0x%02X", subType));
            switch (subType) {
                case 0x51 -> {
                    s.need(4, "maximum length");
                    maxLength = s.u32();
                }
                case 0x52 -> classUid = s.uid(length);
                case 0x53 -> {
                    s.need(4, "asynchronous operations window");
                    async = new UserInformation.AsyncOpsWindow(s.u16(), s.u16());
                }
                case 0x54 -> {
                    s.need(2, "role selection UID length");
                    String uid = s.uid(s.u16());
                    s.need(2, "role selection roles");
                    roles.add(new UserInformation.RoleSelection(uid, s.u8() == 1, s.u8() == 1));
                }
                case 0x55 -> versionName = s.text(length).strip();
                case 0x56 -> {
                    s.need(2, "extended negotiation UID length");
                    String uid = s.uid(s.u16());
                    extended.add(new UserInformation.ExtendedNegotiation(uid, s.rest()));
                }
                case 0x57 -> {
                    s.need(2, "common extended negotiation UID length");
                    String sopClass = s.uid(s.u16());
                    s.need(2, "service class UID length");
                    String serviceClass = s.uid(s.u16());
                    s.need(2, "related general SOP classes length");
                    Cursor related = s.sub(s.u16(), "related general SOP class identification");
                    List<String> general = new ArrayList<>();
                    while (related.remaining() > 0) {
                        related.need(2, "related general SOP class UID length");
                        general.add(related.uid(related.u16()));
                    }
                    common.add(new UserInformation.CommonExtendedNegotiation(sopClass, serviceClass, general));
                }
                case 0x58 -> {
                    if (!request) {
                        throw c.unexpected("a user identity request (sub-item 0x58) in an A-ASSOCIATE-AC");
                    }
                    s.need(4, "user identity fields");
                    int type = s.u8();
                    boolean positive = s.u8() == 1;
                    byte[] primary = s.take(s.u16());
                    s.need(2, "user identity secondary field length");
                    byte[] secondary = s.take(s.u16());
                    identity = new UserInformation.UserIdentity(type, positive, primary, secondary);
                }
                case 0x59 -> {
                    if (request) {
                        throw c.unexpected("a user identity response (sub-item 0x59) in an A-ASSOCIATE-RQ");
                    }
                    s.need(2, "user identity server response length");
                    identityResponse = s.take(s.u16());
                }
                default -> { } // unknown sub-items are skipped, as for items
            }
        }
        if (maxLength == null) {
            throw c.invalid("no maximum length sub-item (0x51) in the user information");
        }
        if (classUid == null) {
            throw c.invalid("no implementation class UID sub-item (0x52) in the user information");
        }
        return new UserInformation(maxLength, classUid, versionName, async, roles, extended, common, identity,
                identityResponse);
    }

    private void readFully(byte[] b, int off, int len, String what) throws IOException {
        while (len > 0) {
            int n = in.read(b, off, len);
            if (n < 0) {
                throw new EOFException("the connection ended inside a " + what);
            }
            off += n;
            len -= n;
        }
    }

    /** A bounded view of the bytes of one PDU or item; every read checks the bound. */
    private static final class Cursor {
        final byte[] bytes;
        int pos;
        final int end;
        final String where;

        Cursor(byte[] bytes, int pos, int length, String where) {
            this.bytes = bytes;
            this.pos = pos;
            this.end = pos + length;
            this.where = where;
        }

        int remaining() {
            return end - pos;
        }

        void need(int n, String what) throws PduFormatException {
            if (remaining() < n) {
                throw invalid(what + " needs " + n + " bytes, " + remaining() + " left");
            }
        }

        Cursor sub(int length, String what) throws PduFormatException {
            if (length > remaining()) {
                throw invalid(what + " has length " + length + " but only " + remaining() + " bytes remain");
            }
            Cursor c = new Cursor(bytes, pos, length, where + ", " + what);
            pos += length;
            return c;
        }

        int u8() {
            return bytes[pos++] & 0xFF;
        }

        int u16() {
            int v = ((bytes[pos] & 0xFF) << 8) | (bytes[pos + 1] & 0xFF);
            pos += 2;
            return v;
        }

        long u32() {
            long v = ((bytes[pos] & 0xFFL) << 24) | ((bytes[pos + 1] & 0xFF) << 16) | ((bytes[pos + 2] & 0xFF) << 8)
                    | (bytes[pos + 3] & 0xFF);
            pos += 4;
            return v;
        }

        void skip(int n) {
            pos += n;
        }

        byte[] take(int n) throws PduFormatException {
            need(n, "field");
            byte[] b = Arrays.copyOfRange(bytes, pos, pos + n);
            pos += n;
            return b;
        }

        byte[] rest() {
            byte[] b = Arrays.copyOfRange(bytes, pos, end);
            pos = end;
            return b;
        }

        String text(int n) throws PduFormatException {
            need(n, "text field");
            String s = new String(bytes, pos, n, StandardCharsets.US_ASCII);
            pos += n;
            return s;
        }

        /** A UID; trailing NUL or space padding, which some implementations send, is dropped. */
        String uid(int n) throws PduFormatException {
            String s = text(n);
            int e = s.length();
            while (e > 0 && (s.charAt(e - 1) == 0 || s.charAt(e - 1) == ' ')) {
                e--;
            }
            s = s.substring(0, e);
            for (int i = 0; i < s.length(); i++) {
                char ch = s.charAt(i);
                if (ch != '.' && (ch < '0' || ch > '9')) {
                    throw invalid("UID \"" + printable(s) + "\" contains a character other than digits and dots");
                }
            }
            if (s.isEmpty() || s.length() > 64) {
                throw invalid("UID of length " + s.length() + " (1 to 64 allowed)");
            }
            return s;
        }

        PduFormatException invalid(String message) {
            return new PduFormatException(REASON_INVALID_PDU_PARAMETER_VALUE, where + ": " + message);
        }

        PduFormatException unexpected(String message) {
            return new PduFormatException(REASON_UNEXPECTED_PDU_PARAMETER, where + ": " + message);
        }

        private static String printable(String s) {
            StringBuilder b = new StringBuilder();
            for (char ch : s.toCharArray()) {
                b.append(ch >= 0x20 && ch < 0x7F ? String.valueOf(ch) : String.format("\\x%02X", (int) ch));
            }
            return b.toString();
        }
    }
}
