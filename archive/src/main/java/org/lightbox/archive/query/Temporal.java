// SPDX-License-Identifier: Apache-2.0
package org.lightbox.archive.query;

import java.time.DateTimeException;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.lightbox.dicom.Vr;

/**
 * DA, TM and DT values brought to a fixed-width form that compares as text: YYYYMMDD, HHMMSS.FFFFFF and
 * YYYYMMDDHHMMSS.FFFFFF (in UTC when the value carries an offset). A value of lower precision stands for an
 * interval: its start when {@code high} is false, its end when true (PS3.4 C.2.2.2.5: "1030" as an upper bound
 * includes 10:30:59.999999). The legacy forms YYYY.MM.DD and HH:MM:SS are accepted.
 */
final class Temporal {
    private Temporal() {}

    private static final Pattern TM = Pattern.compile("(\\d{2})(\\d{2})?(\\d{2})?(?:\\.(\\d{1,6}))?");
    private static final Pattern DT = Pattern.compile(
            "(\\d{4})(\\d{2})?(\\d{2})?(\\d{2})?(\\d{2})?(\\d{2})?(?:\\.(\\d{1,6}))?([+-]\\d{4})?");
    private static final DateTimeFormatter DT_OUT = DateTimeFormatter.ofPattern("uuuuMMddHHmmss.SSSSSS");

    static Optional<String> normalize(Vr vr, String v, boolean high) {
        return switch (vr) {
            case DA -> date(v);
            case TM -> time(v, high);
            case DT -> dateTime(v, high);
            default -> Optional.empty();
        };
    }

    static Optional<String> date(String v) {
        String s = v.strip().replace(".", "");
        if (s.length() != 8 || !s.chars().allMatch(Character::isDigit)) {
            return Optional.empty();
        }
        int m = Integer.parseInt(s.substring(4, 6));
        int d = Integer.parseInt(s.substring(6, 8));
        return m >= 1 && m <= 12 && d >= 1 && d <= 31 ? Optional.of(s) : Optional.empty();
    }

    static Optional<String> time(String v, boolean high) {
        Matcher m = TM.matcher(v.strip().replace(":", ""));
        if (!m.matches()) {
            return Optional.empty();
        }
        int h = Integer.parseInt(m.group(1));
        String mm = m.group(2) != null ? m.group(2) : high ? "59" : "00";
        String ss = m.group(3) != null ? m.group(3) : high ? "59" : "00";
        String f = m.group(4) != null ? m.group(4) : "";
        String frac = f + (high ? "999999" : "000000").substring(f.length());
        if (h > 23 || Integer.parseInt(mm) > 59 || Integer.parseInt(ss) > 60) {
            return Optional.empty();
        }
        return Optional.of(m.group(1) + mm + ss + "." + frac);
    }

    static Optional<String> dateTime(String v, boolean high) {
        Matcher m = DT.matcher(v.strip());
        if (!m.matches()) {
            return Optional.empty();
        }
        try {
            int year = Integer.parseInt(m.group(1));
            int month = m.group(2) != null ? Integer.parseInt(m.group(2)) : high ? 12 : 1;
            int day = m.group(3) != null ? Integer.parseInt(m.group(3))
                    : high ? YearMonth.of(year, month).lengthOfMonth() : 1;
            int hour = m.group(4) != null ? Integer.parseInt(m.group(4)) : high ? 23 : 0;
            int minute = m.group(5) != null ? Integer.parseInt(m.group(5)) : high ? 59 : 0;
            int second = m.group(6) != null ? Math.min(59, Integer.parseInt(m.group(6))) : high ? 59 : 0;
            String f = m.group(7) != null ? m.group(7) : "";
            int micros = Integer.parseInt(f + (high ? "999999" : "000000").substring(f.length()));
            LocalDateTime t = LocalDateTime.of(year, month, day, hour, minute, second, micros * 1000);
            if (m.group(8) != null) {
                int sign = m.group(8).charAt(0) == '-' ? -1 : 1;
                int oh = Integer.parseInt(m.group(8).substring(1, 3));
                int om = Integer.parseInt(m.group(8).substring(3, 5));
                if (oh > 14 || om > 59) {
                    return Optional.empty();
                }
                t = t.minusMinutes(sign * (oh * 60L + om));
            }
            return Optional.of(t.format(DT_OUT));
        } catch (DateTimeException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /**
     * Where the range delimiter of a DA, TM or DT key value is, or -1 for a single value. A DT value that is valid
     * as a whole (such as one ending in a negative UTC offset) is a single value.
     */
    static int rangeDash(Vr vr, String v) {
        if (vr != Vr.DT) {
            return v.indexOf('-');
        }
        if (dateTime(v, false).isPresent()) {
            return -1;
        }
        for (int i = v.indexOf('-'); i >= 0; i = v.indexOf('-', i + 1)) {
            String a = v.substring(0, i).strip();
            String b = v.substring(i + 1).strip();
            if ((a.isEmpty() || dateTime(a, false).isPresent()) && (b.isEmpty() || dateTime(b, true).isPresent())) {
                return i;
            }
        }
        return v.indexOf('-');
    }

    static Optional<Double> number(String v) {
        try {
            return Optional.of(Double.parseDouble(v.strip()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
