// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicom;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.Temporal;
import java.util.Optional;

/** Parses DA, TM and DT text (PS3.5 6.2), including the partial forms the standard allows. */
final class DateTimes {
    private DateTimes() {}

    static Optional<LocalDate> date(String s) {
        // "YYYY.MM.DD" is the ACR-NEMA form that old files still carry.
        String d = s.length() == 10 && s.charAt(4) == '.' && s.charAt(7) == '.' ? s.replace(".", "") : s;
        if (d.length() != 8 || !digits(d)) {
            return Optional.empty();
        }
        try {
            return Optional.of(LocalDate.of(num(d, 0, 4), num(d, 4, 6), num(d, 6, 8)));
        } catch (java.time.DateTimeException e) {
            return Optional.empty();
        }
    }

    static Optional<LocalTime> time(String s) {
        String t = s.length() > 5 && s.charAt(2) == ':' ? s.replace(":", "") : s;
        int dot = t.indexOf('.');
        String whole = dot < 0 ? t : t.substring(0, dot);
        if (whole.length() < 2 || whole.length() > 6 || (whole.length() & 1) == 1 || !digits(whole)) {
            return Optional.empty();
        }
        int h = num(whole, 0, 2);
        int m = whole.length() >= 4 ? num(whole, 2, 4) : 0;
        int sec = whole.length() >= 6 ? num(whole, 4, 6) : 0;
        int nanos = 0;
        if (dot >= 0) {
            String frac = t.substring(dot + 1);
            if (frac.isEmpty() || frac.length() > 6 || !digits(frac) || whole.length() != 6) {
                return Optional.empty();
            }
            nanos = Integer.parseInt((frac + "000000000").substring(0, 9));
        }
        try {
            // 60 seconds is a leap second in TM; LocalTime has none, so it is held as 59.999999999.
            return Optional.of(sec == 60 ? LocalTime.of(h, m, 59, 999_999_999) : LocalTime.of(h, m, sec, nanos));
        } catch (java.time.DateTimeException e) {
            return Optional.empty();
        }
    }

    static Optional<Temporal> dateTime(String s) {
        int sign = Math.max(s.indexOf('+'), s.indexOf('-'));
        String main = sign >= 0 ? s.substring(0, sign) : s;
        int dot = main.indexOf('.');
        String whole = dot < 0 ? main : main.substring(0, dot);
        if (whole.length() < 4 || whole.length() > 14 || (whole.length() & 1) == 1 || !digits(whole)) {
            return Optional.empty();
        }
        try {
            int year = num(whole, 0, 4);
            int month = whole.length() >= 6 ? num(whole, 4, 6) : 1;
            int day = whole.length() >= 8 ? num(whole, 6, 8) : 1;
            LocalDate date = LocalDate.of(year, month, day);
            LocalTime time = whole.length() > 8 ? time(main.substring(8)).orElse(null) : LocalTime.MIDNIGHT;
            if (time == null) {
                return Optional.empty();
            }
            LocalDateTime local = LocalDateTime.of(date, time);
            if (sign < 0) {
                return Optional.of(local);
            }
            String z = s.substring(sign + 1);
            if (z.length() != 4 || !digits(z)) {
                return Optional.empty();
            }
            int minutes = num(z, 0, 2) * 60 + num(z, 2, 4);
            ZoneOffset offset = ZoneOffset.ofTotalSeconds((s.charAt(sign) == '-' ? -60 : 60) * minutes);
            return Optional.of(OffsetDateTime.of(local, offset));
        } catch (java.time.DateTimeException e) {
            return Optional.empty();
        }
    }

    private static boolean digits(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    private static int num(String s, int from, int to) {
        return Integer.parseInt(s, from, to, 10);
    }
}
