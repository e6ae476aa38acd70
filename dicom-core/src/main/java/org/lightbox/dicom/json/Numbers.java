// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicom.json;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.regex.Pattern;
import org.lightbox.dicom.Vr;

/** Parses binary-number values given as text (JSON numbers or strings, XML values) into little endian bytes. */
final class Numbers {
    /** Decimal numbers as JSON and DS write them, with the sign and point forms DS allows. */
    private static final Pattern DECIMAL = Pattern.compile("[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?");
    private static final BigInteger TWO_TO_64 = BigInteger.ONE.shiftLeft(64);

    private Numbers() {}

    static byte[] encode(Assembler.Attr a, List<String> values) throws DicomModelException {
        Vr vr = a.vr();
        int unit = vr.unitSize();
        byte[] out = new byte[values.size() * unit];
        for (int i = 0; i < values.size(); i++) {
            String v = values.get(i);
            if (v == null) {
                throw Assembler.error(a, vr + " value " + (i + 1) + " is empty; a binary number cannot be");
            }
            long bits = switch (vr) {
                case FL -> Float.floatToRawIntBits(Float.parseFloat(floating(a, i, v)));
                case FD -> Double.doubleToRawLongBits(Double.parseDouble(floating(a, i, v)));
                case US -> integer(a, i, v, BigInteger.ZERO, BigInteger.valueOf(0xFFFF)).longValue();
                case SS -> integer(a, i, v, BigInteger.valueOf(Short.MIN_VALUE), BigInteger.valueOf(Short.MAX_VALUE))
                        .longValue();
                case UL -> integer(a, i, v, BigInteger.ZERO, BigInteger.valueOf(0xFFFFFFFFL)).longValue();
                case SL -> integer(a, i, v, BigInteger.valueOf(Integer.MIN_VALUE),
                        BigInteger.valueOf(Integer.MAX_VALUE)).longValue();
                case SV -> integer(a, i, v, BigInteger.valueOf(Long.MIN_VALUE), BigInteger.valueOf(Long.MAX_VALUE))
                        .longValue();
                case UV -> integer(a, i, v, BigInteger.ZERO, TWO_TO_64.subtract(BigInteger.ONE)).longValue();
                default -> throw new IllegalArgumentException(vr.name());
            };
            for (int j = 0; j < unit; j++) {
                out[i * unit + j] = (byte) (bits >>> 8 * j);
            }
        }
        return out;
    }

    /** The text to parse as a float: a decimal, or NaN and the infinities as Java and XML Schema spell them. */
    private static String floating(Assembler.Attr a, int i, String v) throws DicomModelException {
        String s = v.strip();
        switch (s) {
            case "NaN":
                return s;
            case "Infinity", "+Infinity", "INF", "+INF":
                return "Infinity";
            case "-Infinity", "-INF":
                return "-Infinity";
            default:
                if (DECIMAL.matcher(s).matches()) {
                    return s;
                }
                throw Assembler.error(a, a.vr() + " value " + (i + 1) + " is not a number: " + v);
        }
    }

    private static BigInteger integer(Assembler.Attr a, int i, String v, BigInteger min, BigInteger max)
            throws DicomModelException {
        String s = v.strip();
        BigInteger n;
        try {
            if (!DECIMAL.matcher(s).matches()) {
                throw new NumberFormatException();
            }
            n = new BigDecimal(s).toBigIntegerExact();
        } catch (NumberFormatException | ArithmeticException e) {
            throw Assembler.error(a, a.vr() + " value " + (i + 1) + " is not an integer: " + v);
        }
        if (n.compareTo(min) < 0 || n.compareTo(max) > 0) {
            throw Assembler.error(a, a.vr() + " value " + (i + 1) + " is out of range [" + min + ", " + max + "]: "
                    + v);
        }
        return n;
    }
}
