// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicomweb;

/**
 * UIDs taken from request paths and query parameters: checked against the rule the index holds them to (PS3.5 9.1's
 * alphabet and length: digits and dots, at most 64), so that nothing else reaches a query or a message.
 */
final class Uids {
    static final int MAX = 64;

    private Uids() {}

    /**
     * @param name what the UID is, for the message ("StudyInstanceUID", "studyUID")
     * @throws DicomwebException 400 naming {@code name} when {@code value} is absent or no UID
     */
    static String require(String name, String value) throws DicomwebException {
        if (value == null || value.isEmpty()) {
            throw DicomwebException.badRequest(name + " is missing");
        }
        if (value.length() > MAX) {
            throw DicomwebException.badRequest(name + " is " + value.length() + " characters long, more than the " + MAX
                    + " a UID may have");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c != '.' && (c < '0' || c > '9')) {
                throw DicomwebException.badRequest(name + " is no UID: character '" + printable(c) + "' at " + i
                        + " (a UID is digits and dots)");
            }
        }
        return value;
    }

    private static String printable(char c) {
        return c >= 0x20 && c < 0x7F ? String.valueOf(c) : String.format("\\u%04x", (int) c);
    }
}
