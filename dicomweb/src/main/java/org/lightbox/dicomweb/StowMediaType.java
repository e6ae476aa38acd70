// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicomweb;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A media type as a Content-Type or Accept header field gives it (RFC 9110 8.3.1, 12.5.1): type and subtype in lower
 * case, parameters with lower-case names and their values unquoted. What STOW-RS reads from its request and part
 * headers.
 */
record StowMediaType(String type, String subtype, Map<String, String> parameters) {

    StowMediaType {
        parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
    }

    /** {@code type/subtype}, without parameters. */
    String essence() {
        return type + "/" + subtype;
    }

    Optional<String> parameter(String name) {
        return Optional.ofNullable(parameters.get(name.toLowerCase(Locale.ROOT)));
    }

    boolean is(String essence) {
        return essence().equals(essence);
    }

    /** The quality an Accept entry gives, 1 when it gives none (or an unreadable one). */
    double quality() {
        try {
            return parameter("q").map(Double::parseDouble).orElse(1.0);
        } catch (NumberFormatException e) {
            return 1.0;
        }
    }

    /**
     * Parses one media type.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    static StowMediaType parse(String text) {
        Cursor c = new Cursor(text);
        StowMediaType t = c.mediaType();
        c.skipSpaces();
        if (!c.atEnd()) {
            throw new IllegalArgumentException("unexpected '" + c.peek() + "' at " + c.pos + " in \"" + text + "\"");
        }
        return t;
    }

    /**
     * Parses an Accept header field: media ranges separated by commas. Entries that cannot be read are left out (an
     * unreadable Accept then lists nothing, which the caller treats like none).
     */
    static List<StowMediaType> parseList(String text) {
        List<StowMediaType> all = new ArrayList<>();
        for (String entry : splitOutsideQuotes(text)) {
            if (entry.isBlank()) {
                continue;
            }
            try {
                all.add(parse(entry.strip()));
            } catch (IllegalArgumentException e) {
                // skipped; see above
            }
        }
        return all;
    }

    private static List<String> splitOutsideQuotes(String text) {
        List<String> out = new ArrayList<>();
        boolean quoted = false;
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (ch == '"') {
                quoted = !quoted;
            } else if (ch == '\\' && quoted) {
                i++;
            } else if (ch == ',' && !quoted) {
                out.add(text.substring(start, i));
                start = i + 1;
            }
        }
        out.add(text.substring(start));
        return out;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(essence());
        parameters.forEach((k, v) -> sb.append("; ").append(k).append('=').append(quoteIfNeeded(v)));
        return sb.toString();
    }

    private static String quoteIfNeeded(String v) {
        for (int i = 0; i < v.length(); i++) {
            if (!isTokenChar(v.charAt(i))) {
                return '"' + v.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
            }
        }
        return v.isEmpty() ? "\"\"" : v;
    }

    /** RFC 9110 tchar. */
    private static boolean isTokenChar(char c) {
        return c > 0x20 && c < 0x7F && "()<>@,;:\\\"/[]?={}".indexOf(c) < 0;
    }

    private static final class Cursor {
        final String s;
        int pos;

        Cursor(String s) {
            this.s = s;
        }

        boolean atEnd() {
            return pos >= s.length();
        }

        char peek() {
            return s.charAt(pos);
        }

        void skipSpaces() {
            while (!atEnd() && (peek() == ' ' || peek() == '\t')) {
                pos++;
            }
        }

        String token(String what) {
            int start = pos;
            while (!atEnd() && isTokenChar(peek())) {
                pos++;
            }
            if (pos == start) {
                throw new IllegalArgumentException("no " + what + " at " + start + " in \"" + s + "\"");
            }
            return s.substring(start, pos).toLowerCase(Locale.ROOT);
        }

        StowMediaType mediaType() {
            skipSpaces();
            String type = token("media type");
            if (atEnd() || peek() != '/') {
                throw new IllegalArgumentException("no '/' after \"" + type + "\" in \"" + s + "\"");
            }
            pos++;
            String subtype = token("media subtype");
            Map<String, String> params = new LinkedHashMap<>();
            while (true) {
                skipSpaces();
                if (atEnd() || peek() != ';') {
                    break;
                }
                pos++;
                skipSpaces();
                if (atEnd()) {
                    break; // a trailing ';' is harmless
                }
                String name = token("parameter name");
                skipSpaces();
                if (atEnd() || peek() != '=') {
                    throw new IllegalArgumentException("no '=' after parameter \"" + name + "\" in \"" + s + "\"");
                }
                pos++;
                skipSpaces();
                String value = !atEnd() && peek() == '"' ? quoted() : rawValue();
                params.putIfAbsent(name, value);
            }
            return new StowMediaType(type, subtype, params);
        }

        /** A parameter value as token; lenient about characters such as '/' that some clients leave unquoted. */
        private String rawValue() {
            int start = pos;
            while (!atEnd() && peek() != ';' && peek() != ',' && peek() != ' ' && peek() != '\t') {
                pos++;
            }
            return s.substring(start, pos);
        }

        private String quoted() {
            pos++; // the opening quote
            StringBuilder sb = new StringBuilder();
            while (!atEnd()) {
                char ch = s.charAt(pos++);
                if (ch == '"') {
                    return sb.toString();
                }
                if (ch == '\\' && !atEnd()) {
                    ch = s.charAt(pos++);
                }
                sb.append(ch);
            }
            throw new IllegalArgumentException("unterminated quoted string in \"" + s + "\"");
        }
    }
}
