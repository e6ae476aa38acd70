// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicom;

/** Arithmetic on tags held as {@code int} (group in the high 16 bits). */
public final class Tags {
    public static final int ITEM = 0xFFFEE000;
    public static final int ITEM_DELIMITATION = 0xFFFEE00D;
    public static final int SEQUENCE_DELIMITATION = 0xFFFEE0DD;

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private Tags() {}

    public static int of(int group, int element) {
        return group << 16 | element & 0xFFFF;
    }

    public static int group(int tag) {
        return tag >>> 16;
    }

    public static int element(int tag) {
        return tag & 0xFFFF;
    }

    /** Odd groups other than 0001, 0003, 0005, 0007 and FFFF hold private elements (PS3.5 7.8.1). */
    public static boolean isPrivate(int tag) {
        int group = group(tag);
        return (group & 1) == 1 && group > 0x0007 && group != 0xFFFF;
    }

    /** (gggg,0010-00FF) in a private group reserves a block for a private creator. */
    public static boolean isPrivateCreator(int tag) {
        return isPrivate(tag) && element(tag) >= 0x0010 && element(tag) <= 0x00FF;
    }

    /** The private creator element that reserves the block holding {@code tag}, e.g. (0019,1003) -> (0019,0010). */
    public static int privateCreatorOf(int tag) {
        return (tag & 0xFFFF0000) | (element(tag) >>> 8);
    }

    public static boolean isGroupLength(int tag) {
        return element(tag) == 0;
    }

    /** "(gggg,eeee)" in upper-case hex. */
    public static String format(int tag) {
        char[] c = new char[11];
        c[0] = '(';
        c[5] = ',';
        c[10] = ')';
        for (int i = 0; i < 4; i++) {
            c[4 - i] = HEX[tag >>> 16 + 4 * i & 0xF];
            c[9 - i] = HEX[tag >>> 4 * i & 0xF];
        }
        return new String(c);
    }

    /** "ggggeeee" in upper-case hex, the form DICOM JSON uses. */
    public static String hex(int tag) {
        String s = format(tag);
        return s.substring(1, 5) + s.substring(6, 10);
    }
}
