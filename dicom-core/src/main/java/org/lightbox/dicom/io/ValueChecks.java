// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicom.io;

import org.lightbox.dicom.Vr;

/**
 * Cheap character checks of the numeric and identifier VRs (PS3.5 Table 6.2-1), so that a value such as IS "1A"
 * is recorded as a problem when read rather than surprising whoever parses it later.
 */
final class ValueChecks {
    private ValueChecks() {}

    /** Why the value breaks its VR's rules, or null when it does not (or the VR is not checked). */
    static String check(Vr vr, byte[] v) {
        return switch (vr) {
            case IS -> chars(v, "0123456789+- ", 12, vr);
            case DS -> chars(v, "0123456789+-.eE ", 16, vr);
            case DA -> chars(v, "0123456789-. ", 18, vr);
            case UI -> uid(v);
            default -> null;
        };
    }

    private static String chars(byte[] v, String allowed, int maxPerValue, Vr vr) {
        int run = 0;
        for (byte b : v) {
            if (b == '\\') {
                run = 0;
                continue;
            }
            if (allowed.indexOf(b) < 0) {
                return "value '" + printable(v) + "' is not a valid " + vr + " (character 0x"
                        + Integer.toHexString(b & 0xFF) + ")";
            }
            if (++run > maxPerValue) {
                return "value '" + printable(v) + "' is longer than " + vr + " allows (" + maxPerValue + ")";
            }
        }
        return null;
    }

    private static String uid(byte[] v) {
        int end = v.length;
        while (end > 0 && (v[end - 1] == 0 || v[end - 1] == ' ')) {
            end--;
        }
        int componentStart = 0;
        int valueStart = 0;
        for (int i = 0; i <= end; i++) {
            byte b = i < end ? v[i] : (byte) '\\';
            if (b == '.' || b == '\\') {
                if (i == componentStart || v[componentStart] == '0' && i - componentStart > 1) {
                    return "value '" + printable(v) + "' is not a valid UI (empty component or leading zero)";
                }
                componentStart = i + 1;
                if (b == '\\') {
                    if (i - valueStart > 64) {
                        return "value '" + printable(v) + "' is longer than UI allows (64)";
                    }
                    valueStart = i + 1;
                }
            } else if (b < '0' || b > '9') {
                return "value '" + printable(v) + "' is not a valid UI (character 0x" + Integer.toHexString(b & 0xFF)
                        + ")";
            }
        }
        return null;
    }

    private static String printable(byte[] v) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(v.length, 64); i++) {
            char c = (char) (v[i] & 0xFF);
            sb.append(c >= 0x20 && c < 0x7F ? c : '?');
        }
        return sb.toString();
    }
}
