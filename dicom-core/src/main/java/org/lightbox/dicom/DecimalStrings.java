// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicom;

import java.math.BigDecimal;

/** Formats numbers as Decimal String (DS) text, which allows at most 16 characters (PS3.5 6.2). */
final class DecimalStrings {
    private static final int MAX = 16;

    private DecimalStrings() {}

    static String format(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            throw new IllegalArgumentException("DS cannot hold " + v);
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        String s = BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
        if (s.length() <= MAX) {
            return s;
        }
        // Too long: fewer significant digits, in scientific notation where that is shorter.
        for (int digits = 15; digits > 0; digits--) {
            String e = String.format("%." + digits + "G", v).replace("E+", "E");
            if (e.contains("E")) {
                String mantissa = e.substring(0, e.indexOf('E'));
                if (mantissa.contains(".")) {
                    mantissa = mantissa.replaceAll("0+$", "").replaceAll("\\.$", "");
                }
                e = mantissa + e.substring(e.indexOf('E'));
            } else if (e.contains(".")) {
                e = e.replaceAll("0+$", "").replaceAll("\\.$", "");
            }
            if (e.length() <= MAX) {
                return e;
            }
        }
        throw new IllegalArgumentException("cannot format " + v + " as DS");
    }
}
