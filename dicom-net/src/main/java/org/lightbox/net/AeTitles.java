// SPDX-License-Identifier: Apache-2.0
package org.lightbox.net;

/** The rules for AE titles (PS3.5 Table 6.2-1, AE): 1 to 16 characters of ISO 646 without backslash or control. */
final class AeTitles {
    private AeTitles() {}

    static String check(String title, String what) {
        String t = title.strip();
        if (t.isEmpty() || t.length() > 16) {
            throw new IllegalArgumentException(what + " \"" + title + "\" must have 1 to 16 characters");
        }
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            if (c < 0x20 || c > 0x7E || c == '\\') {
                throw new IllegalArgumentException(what + " \"" + title + "\" contains a character AE titles forbid");
            }
        }
        return t;
    }
}
