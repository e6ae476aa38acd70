// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicom;

/**
 * The value representations of PS3.5 section 6.2, with the encoding facts the codec needs.
 */
public enum Vr {
    AE(Kind.TEXT, 0, ' '), AS(Kind.TEXT, 0, ' '), AT(Kind.BINARY, 2, 0), CS(Kind.TEXT, 0, ' '),
    DA(Kind.TEXT, 0, ' '), DS(Kind.TEXT, 0, ' '), DT(Kind.TEXT, 0, ' '), FD(Kind.BINARY, 8, 0),
    FL(Kind.BINARY, 4, 0), IS(Kind.TEXT, 0, ' '), LO(Kind.TEXT, 0, ' '), LT(Kind.TEXT, 0, ' '),
    OB(Kind.BINARY, 1, 0), OD(Kind.BINARY, 8, 0), OF(Kind.BINARY, 4, 0), OL(Kind.BINARY, 4, 0),
    OV(Kind.BINARY, 8, 0), OW(Kind.BINARY, 2, 0), PN(Kind.TEXT, 0, ' '), SH(Kind.TEXT, 0, ' '),
    SL(Kind.BINARY, 4, 0), SQ(Kind.SEQUENCE, 0, 0), SS(Kind.BINARY, 2, 0), ST(Kind.TEXT, 0, ' '),
    SV(Kind.BINARY, 8, 0), TM(Kind.TEXT, 0, ' '), UC(Kind.TEXT, 0, ' '), UI(Kind.TEXT, 0, 0),
    UL(Kind.BINARY, 4, 0), UN(Kind.BINARY, 1, 0), UR(Kind.TEXT, 0, ' '), US(Kind.BINARY, 2, 0),
    UT(Kind.TEXT, 0, ' '), UV(Kind.BINARY, 8, 0);

    /** How a value of this VR is held. */
    public enum Kind { TEXT, BINARY, SEQUENCE }

    private static final Vr[] BY_CODE = new Vr[1 << 16];

    static {
        for (Vr vr : values()) {
            BY_CODE[vr.code()] = vr;
        }
    }

    private final Kind kind;
    private final int unitSize;
    private final byte padding;
    private final boolean longHeader;

    Vr(Kind kind, int unitSize, int padding) {
        this.kind = kind;
        this.unitSize = unitSize;
        this.padding = (byte) padding;
        // PS3.5 7.1.2: these VRs have a reserved field and a 32-bit length in explicit VR encodings.
        this.longHeader = switch (name()) {
            case "OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV" -> true;
            default -> false;
        };
    }

    /** The two ASCII characters as a big-endian 16-bit number, as they appear on the wire. */
    public int code() {
        return name().charAt(0) << 8 | name().charAt(1);
    }

    /** Whether two bytes read as a big-endian number name a VR. */
    public static boolean isCode(int code) {
        return BY_CODE[code & 0xFFFF] != null;
    }

    /** The VR named by two bytes read as a big-endian number; see {@link #isCode}. */
    public static Vr ofCode(int code) {
        Vr vr = BY_CODE[code & 0xFFFF];
        if (vr == null) {
            throw new IllegalArgumentException("not a VR: 0x" + Integer.toHexString(code & 0xFFFF));
        }
        return vr;
    }

    public Kind kind() {
        return kind;
    }

    public boolean isText() {
        return kind == Kind.TEXT;
    }

    /** Bytes per number for binary VRs (the unit that byte swapping reverses); 0 for text and SQ. */
    public int unitSize() {
        return unitSize;
    }

    /** The byte that pads an odd-length value: space for text, NUL for UI and binary. */
    public byte padding() {
        return padding;
    }

    /** Whether the explicit VR header carries a 32-bit length (PS3.5 Table 7.1-1). */
    public boolean hasLongHeader() {
        return longHeader;
    }

    /** Whether the value may be affected by Specific Character Set (PS3.5 6.1.2.3). */
    public boolean usesCharacterSet() {
        return switch (this) {
            case SH, LO, ST, LT, UC, UT, PN -> true;
            default -> false;
        };
    }

    /** Whether a value may hold several values separated by backslash. */
    public boolean isMultiValuedText() {
        return isText() && this != LT && this != ST && this != UT && this != UR;
    }
}
