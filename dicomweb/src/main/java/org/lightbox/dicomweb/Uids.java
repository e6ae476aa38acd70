// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicomweb;

/**
 * UIDs as DICOMweb paths and query parameters carry them. The check is the one ingest applies (PS3.5 9.1's
 * alphabet and length: 1 to 64 digits and dots), so whatever was stored can be named, and nothing else reaches the
 * archive: a path segment such as {@code ..} or {@code 1;DROP TABLE} is refused before any lookup.
 */
final class Uids {
    static final int MAX_LENGTH = 64;

    private Uids() {}

    /** Why the value is no UID, or null when it is one. */
    static String problem(String uid) {
        if (uid == null || uid.isEmpty()) {
            return "is empty";
        }
        if (uid.length() > MAX_LENGTH) {
            return "is " + uid.length() + " characters long, more than the " + MAX_LENGTH + " a UID may have";
        }
        for (int i = 0; i < uid.length(); i++) {
            char c = uid.charAt(i);
            if (c != '.' && (c < '0' || c > '9')) {
                return "is no UID: character '" + printable(c) + "' at " + i + " in \"" + printable(uid) + "\"";
            }
        }
        return null;
    }

    /**
     * The UID, checked.
     *
     * @param keyword the attribute it stands for, named in the message
     * @throws DicomwebException 400 naming the attribute and what is wrong
     */
    static String check(String keyword, String uid) {
        String problem = problem(uid);
        if (problem != null) {
            throw DicomwebException.badRequest(keyword + " " + problem);
        }
        return uid;
    }

    /**
     * The UID, which must be present.
     *
     * @param name what the UID is, for the message ("StudyInstanceUID", "studyUID")
     * @throws DicomwebException 400 naming {@code name} when the value is absent or no UID
     */
    static String require(String name, String value) {
        if (value == null || value.isEmpty()) {
            throw DicomwebException.badRequest(name + " is missing");
        }
        return check(name, value);
    }

    /** The text with control characters escaped, for messages that echo what the client sent. */
    static String printable(CharSequence s) {
        StringBuilder sb = new StringBuilder(Math.min(s.length(), 80));
        for (int i = 0; i < s.length() && i < 80; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7F) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        if (s.length() > 80) {
            sb.append("...");
        }
        return sb.toString();
    }

    private static String printable(char c) {
        return printable(String.valueOf(c));
    }
}
