// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicom;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.lightbox.dicom.internal.ByteSwap;

/** Encoding and decoding of value bytes: numbers per VR and byte order, text splitting and padding. */
final class ValueCodec {
    private ValueCodec() {}

    static int u16(byte[] b, int i, boolean be) {
        return be ? (b[i] & 0xFF) << 8 | b[i + 1] & 0xFF : b[i] & 0xFF | (b[i + 1] & 0xFF) << 8;
    }

    static int i32(byte[] b, int i, boolean be) {
        return be ? (b[i] & 0xFF) << 24 | (b[i + 1] & 0xFF) << 16 | (b[i + 2] & 0xFF) << 8 | b[i + 3] & 0xFF
                : b[i] & 0xFF | (b[i + 1] & 0xFF) << 8 | (b[i + 2] & 0xFF) << 16 | (b[i + 3] & 0xFF) << 24;
    }

    static long i64(byte[] b, int i, boolean be) {
        long hi = i32(b, be ? i : i + 4, be) & 0xFFFFFFFFL;
        long lo = i32(b, be ? i + 4 : i, be) & 0xFFFFFFFFL;
        return hi << 32 | lo;
    }

    static byte[] padded(byte[] raw, byte pad) {
        if ((raw.length & 1) == 0) {
            return raw;
        }
        byte[] out = Arrays.copyOf(raw, raw.length + 1);
        out[raw.length] = pad;
        return out;
    }

    static byte[] swap(byte[] in, int unit) {
        return ByteSwap.swapped(in, in.length, unit);
    }

    /** Splits text at backslash (for VRs that allow it) and trims what PS3.5 6.2 calls insignificant. */
    static List<String> split(Vr vr, String text) {
        if (text.isEmpty()) {
            return List.of();
        }
        if (!vr.isMultiValuedText()) {
            return List.of(trimEnd(text, vr));
        }
        List<String> out = new ArrayList<>(2);
        int start = 0;
        for (int i = 0; i <= text.length(); i++) {
            if (i == text.length() || text.charAt(i) == '\\') {
                out.add(trim(text.substring(start, i), vr));
                start = i + 1;
            }
        }
        return out;
    }

    private static String trim(String s, Vr vr) {
        int b = 0;
        int e = s.length();
        while (e > b && isPad(s.charAt(e - 1))) {
            e--;
        }
        // Leading spaces are insignificant in all multi-valued text VRs but DA/TM/DT/UI/AT-less CS
        // keep none anyway, so strip them uniformly.
        while (b < e && s.charAt(b) == ' ') {
            b++;
        }
        return s.substring(b, e);
    }

    private static String trimEnd(String s, Vr vr) {
        int e = s.length();
        while (e > 0 && isPad(s.charAt(e - 1))) {
            e--;
        }
        return s.substring(0, e);
    }

    private static boolean isPad(char c) {
        return c == ' ' || c == 0;
    }

    static double[] decodeNumbers(Element e) {
        Vr vr = e.vr();
        if (vr == Vr.IS || vr == Vr.DS) {
            List<String> texts = e.strings(SpecificCharacterSet.ASCII);
            double[] out = new double[texts.size()];
            int n = 0;
            for (String t : texts) {
                try {
                    out[n] = Double.parseDouble(t);
                    n++;
                } catch (NumberFormatException ignored) {
                    // Not a number: skipped, as the accessor documents.
                }
            }
            return Arrays.copyOf(out, n);
        }
        byte[] b = e.bytes();
        boolean be = e.bigEndian();
        int unit = vr == Vr.OB || vr == Vr.UN ? 1 : vr.unitSize();
        if (unit == 0) {
            return new double[0];
        }
        double[] out = new double[b.length / unit];
        for (int i = 0; i < out.length; i++) {
            int p = i * unit;
            out[i] = switch (vr) {
                case US, OW -> u16(b, p, be);
                case SS -> (short) u16(b, p, be);
                // OL and OV are uninterpreted words; read unsigned, as DCMTK shows them.
                case UL, OL -> i32(b, p, be) & 0xFFFFFFFFL;
                case SL -> i32(b, p, be);
                case FL, OF -> Float.intBitsToFloat(i32(b, p, be));
                case FD, OD -> Double.longBitsToDouble(i64(b, p, be));
                case SV -> i64(b, p, be);
                case UV, OV -> unsigned(i64(b, p, be));
                case AT -> i32(b, p, be);
                default -> b[p] & 0xFF;
            };
        }
        return out;
    }

    private static double unsigned(long v) {
        return v >= 0 ? v : (double) (v >>> 1) * 2.0 + (v & 1);
    }

    static long[] decodeLongs(Element e) {
        Vr vr = e.vr();
        if (vr == Vr.IS || vr == Vr.DS) {
            List<String> texts = e.strings(SpecificCharacterSet.ASCII);
            long[] out = new long[texts.size()];
            int n = 0;
            for (String t : texts) {
                try {
                    out[n] = vr == Vr.IS ? Long.parseLong(t.startsWith("+") ? t.substring(1) : t)
                            : new BigDecimal(t).longValue();
                    n++;
                } catch (NumberFormatException ignored) {
                    // Not a number: skipped.
                }
            }
            return Arrays.copyOf(out, n);
        }
        if (vr == Vr.SV || vr == Vr.UV || vr == Vr.OV) {
            byte[] b = e.bytes();
            long[] out = new long[b.length / 8];
            for (int i = 0; i < out.length; i++) {
                out[i] = i64(b, 8 * i, e.bigEndian());
            }
            return out;
        }
        double[] d = decodeNumbers(e);
        long[] out = new long[d.length];
        for (int i = 0; i < d.length; i++) {
            out[i] = (long) d[i];
        }
        return out;
    }

    static List<String> numbersAsText(Element e) {
        Vr vr = e.vr();
        if (vr == Vr.AT) {
            List<String> out = new ArrayList<>();
            for (int t : e.tags()) {
                out.add(Tags.format(t));
            }
            return out;
        }
        if (vr == Vr.SQ || vr == Vr.OB || vr == Vr.UN || !(e.value() instanceof Value.Bytes)) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        if (vr == Vr.SV || vr == Vr.OV || vr == Vr.UV) {
            for (long v : decodeLongs(e)) {
                out.add(vr == Vr.SV ? Long.toString(v) : Long.toUnsignedString(v));
            }
            return out;
        }
        for (double d : decodeNumbers(e)) {
            out.add(formatNumber(vr, d));
        }
        return out;
    }

    static String formatNumber(Vr vr, double d) {
        if (vr == Vr.FL || vr == Vr.OF) {
            return Float.toString((float) d);
        }
        if (vr == Vr.FD || vr == Vr.OD) {
            return Double.toString(d);
        }
        return Long.toString((long) d);
    }

    static byte[] encodeNumbers(Vr vr, double[] values) {
        if (vr == Vr.IS || vr == Vr.DS) {
            StringBuilder sb = new StringBuilder();
            for (double v : values) {
                if (!sb.isEmpty()) {
                    sb.append('\\');
                }
                sb.append(vr == Vr.IS ? Long.toString((long) v) : DecimalStrings.format(v));
            }
            return padded(sb.toString().getBytes(StandardCharsets.US_ASCII), (byte) ' ');
        }
        int unit = vr == Vr.OB || vr == Vr.UN ? 1 : vr.unitSize();
        if (unit == 0) {
            throw new IllegalArgumentException(vr + " does not hold numbers");
        }
        byte[] out = new byte[values.length * unit];
        for (int i = 0; i < values.length; i++) {
            long bits = switch (vr) {
                case FL, OF -> Float.floatToRawIntBits((float) values[i]);
                case FD, OD -> Double.doubleToRawLongBits(values[i]);
                default -> (long) values[i];
            };
            for (int j = 0; j < unit; j++) {
                out[i * unit + j] = (byte) (bits >>> 8 * j);
            }
        }
        return padded(out, (byte) 0);
    }
}
