// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicom;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A PN value: up to three component groups (alphabetic, ideographic, phonetic, separated by '=' in the
 * encoding), each of up to five components separated by '^' (PS3.5 6.2.1).
 */
public record PersonName(String alphabetic, String ideographic, String phonetic) {

    public PersonName {
        Objects.requireNonNull(alphabetic);
        Objects.requireNonNull(ideographic);
        Objects.requireNonNull(phonetic);
    }

    /** Parses one decoded value, such as {@code Yamada^Tarou=山田^太郎=やまだ^たろう}. */
    public static PersonName parse(String value) {
        String[] g = value.split("=", -1);
        return new PersonName(g[0], g.length > 1 ? g[1] : "", g.length > 2 ? g[2] : "");
    }

    /** The components of a group (family, given, middle, prefix, suffix), trailing empty ones dropped. */
    public static List<String> components(String group) {
        List<String> out = new ArrayList<>(List.of(group.split("\\^", -1)));
        while (!out.isEmpty() && out.getLast().isEmpty()) {
            out.removeLast();
        }
        return out;
    }

    public boolean isEmpty() {
        return alphabetic.isEmpty() && ideographic.isEmpty() && phonetic.isEmpty();
    }

    /** The encoded form, trailing empty groups dropped. */
    @Override
    public String toString() {
        if (!phonetic.isEmpty()) {
            return alphabetic + "=" + ideographic + "=" + phonetic;
        }
        return ideographic.isEmpty() ? alphabetic : alphabetic + "=" + ideographic;
    }
}
