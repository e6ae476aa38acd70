// SPDX-License-Identifier: Apache-2.0
package org.lightbox.archive.query;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Person Name handling for matching: trailing empty components and groups are not significant ("DOE^JOHN^^" is
 * "DOE^JOHN"), a key without "=" is matched against the whole value and against each component group
 * (alphabetic, ideographic, phonetic), and the case-insensitive option folds case (Unicode, locale independent).
 */
final class Names {
    private Names() {}

    static String normalize(String pn) {
        String[] groups = pn.split("=", -1);
        List<String> out = new ArrayList<>(groups.length);
        for (String g : groups) {
            int end = g.length();
            while (end > 0 && (g.charAt(end - 1) == '^' || g.charAt(end - 1) == ' ')) {
                end--;
            }
            out.add(g.substring(0, end));
        }
        while (out.size() > 1 && out.getLast().isEmpty()) {
            out.removeLast();
        }
        return String.join("=", out);
    }

    /** The forms of a stored name a key is compared with. */
    static List<String> candidates(String storedValue, boolean keyHasGroups) {
        String n = normalize(storedValue);
        if (keyHasGroups || n.indexOf('=') < 0) {
            return List.of(n);
        }
        List<String> out = new ArrayList<>();
        out.add(n);
        for (String g : n.split("=", -1)) {
            if (!g.isEmpty()) {
                out.add(g);
            }
        }
        return out;
    }

    static String fold(String s) {
        return s.toUpperCase(Locale.ROOT).toLowerCase(Locale.ROOT);
    }
}
