// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicom.json;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict RFC 8259 parser into a small tree whose nodes remember their line and column, so that errors found while
 * interpreting the tree can say where they are.
 */
final class JsonParser {
    /** Deeper nesting than this is refused (a DICOM level takes three JSON levels). */
    private static final int MAX_NESTING = 3 * Assembler.MAX_DEPTH + 8;

    /**
     * A value: {@code Map<String, Node>} (members in document order), {@code List<Node>}, {@code String},
     * {@link Num}, {@code Boolean} or null.
     */
    record Node(Object value, int line, int column) {}

    /** A number, kept as written. */
    record Num(String text) {}

    private final String s;
    private int pos;
    private int line = 1;
    private int lineStart;

    private JsonParser(String s) {
        this.s = s;
    }

    static Node parse(String text) throws DicomModelException {
        JsonParser p = new JsonParser(text);
        p.skipSpace();
        if (p.pos < text.length() && text.charAt(p.pos) == '\uFEFF') {
            p.pos++; // a byte order mark, which RFC 8259 lets parsers ignore
        }
        Node n = p.value(0);
        p.skipSpace();
        if (p.pos < text.length()) {
            throw p.error("unexpected " + p.describe() + " after the end of the JSON value");
        }
        return n;
    }

    private Node value(int depth) throws DicomModelException {
        skipSpace();
        if (pos >= s.length()) {
            throw error("the JSON text ends where a value was expected");
        }
        int l = line;
        int c = column();
        char ch = s.charAt(pos);
        if (depth > MAX_NESTING && (ch == '{' || ch == '[')) {
            throw error("JSON nests deeper than " + MAX_NESTING + " levels");
        }
        return switch (ch) {
            case '{' -> new Node(object(depth), l, c);
            case '[' -> new Node(array(depth), l, c);
            case '"' -> new Node(string(), l, c);
            case 't' -> literal("true", Boolean.TRUE, l, c);
            case 'f' -> literal("false", Boolean.FALSE, l, c);
            case 'n' -> literal("null", null, l, c);
            default -> {
                if (ch == '-' || ch >= '0' && ch <= '9') {
                    yield new Node(number(), l, c);
                }
                throw error("unexpected " + describe() + " where a JSON value was expected");
            }
        };
    }

    private Map<String, Node> object(int depth) throws DicomModelException {
        pos++;
        Map<String, Node> members = new LinkedHashMap<>();
        skipSpace();
        if (peek() == '}') {
            pos++;
            return members;
        }
        while (true) {
            skipSpace();
            if (peek() != '"') {
                throw error("expected a member name in quotes but found " + describe());
            }
            int l = line;
            int c = column();
            String name = string();
            skipSpace();
            expect(':');
            Node v = value(depth + 1);
            if (members.putIfAbsent(name, v) != null) {
                throw new DicomModelException("duplicate member \"" + name + "\"", "", l, c);
            }
            skipSpace();
            char ch = peek();
            pos++;
            if (ch == '}') {
                return members;
            }
            if (ch != ',') {
                pos--;
                throw error("expected ',' or '}' but found " + describe());
            }
        }
    }

    private List<Node> array(int depth) throws DicomModelException {
        pos++;
        List<Node> items = new ArrayList<>();
        skipSpace();
        if (peek() == ']') {
            pos++;
            return items;
        }
        while (true) {
            items.add(value(depth + 1));
            skipSpace();
            char ch = peek();
            pos++;
            if (ch == ']') {
                return items;
            }
            if (ch != ',') {
                pos--;
                throw error("expected ',' or ']' but found " + describe());
            }
        }
    }

    private String string() throws DicomModelException {
        pos++;
        StringBuilder sb = null;
        int start = pos;
        while (true) {
            if (pos >= s.length()) {
                throw error("the JSON text ends inside a string");
            }
            char ch = s.charAt(pos);
            if (ch == '"') {
                String out = sb == null ? s.substring(start, pos) : sb.append(s, start, pos).toString();
                pos++;
                return out;
            }
            if (ch < 0x20) {
                throw error("a control character (U+" + String.format("%04X", (int) ch)
                        + ") inside a string must be escaped");
            }
            if (ch != '\\') {
                pos++;
                continue;
            }
            if (sb == null) {
                sb = new StringBuilder();
            }
            sb.append(s, start, pos);
            pos++;
            if (pos >= s.length()) {
                throw error("the JSON text ends inside a string");
            }
            char e = s.charAt(pos++);
            switch (e) {
                case '"', '\\', '/' -> sb.append(e);
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'u' -> {
                    if (pos + 4 > s.length()) {
                        throw error("a \\u escape needs four hexadecimal digits");
                    }
                    try {
                        sb.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
                    } catch (NumberFormatException x) {
                        throw error("a \\u escape needs four hexadecimal digits");
                    }
                    pos += 4;
                }
                default -> {
                    pos--;
                    throw error("invalid escape \\" + e + " in a string");
                }
            }
            start = pos;
        }
    }

    private Num number() throws DicomModelException {
        int start = pos;
        if (peek() == '-') {
            pos++;
        }
        if (peek() == '0') {
            pos++;
        } else if (!digits()) {
            throw error("a number needs digits after '-'");
        }
        if (peek() == '.') {
            pos++;
            if (!digits()) {
                throw error("a number needs digits after its decimal point");
            }
        }
        if (peek() == 'e' || peek() == 'E') {
            pos++;
            if (peek() == '+' || peek() == '-') {
                pos++;
            }
            if (!digits()) {
                throw error("a number needs digits in its exponent");
            }
        }
        return new Num(s.substring(start, pos));
    }

    private boolean digits() {
        int start = pos;
        while (pos < s.length() && s.charAt(pos) >= '0' && s.charAt(pos) <= '9') {
            pos++;
        }
        return pos > start;
    }

    private Node literal(String word, Object v, int l, int c) throws DicomModelException {
        if (!s.startsWith(word, pos)) {
            throw error("unexpected " + describe() + " where a JSON value was expected");
        }
        pos += word.length();
        return new Node(v, l, c);
    }

    private void expect(char ch) throws DicomModelException {
        if (peek() != ch) {
            throw error("expected '" + ch + "' but found " + describe());
        }
        pos++;
    }

    private char peek() {
        return pos < s.length() ? s.charAt(pos) : '\0';
    }

    private void skipSpace() {
        while (pos < s.length()) {
            char ch = s.charAt(pos);
            if (ch == '\n') {
                line++;
                lineStart = pos + 1;
            } else if (ch != ' ' && ch != '\t' && ch != '\r') {
                return;
            }
            pos++;
        }
    }

    private int column() {
        return pos - lineStart + 1;
    }

    private String describe() {
        if (pos >= s.length()) {
            return "the end of the text";
        }
        char ch = s.charAt(pos);
        return ch < 0x20 || ch > 0x7E ? "U+" + String.format("%04X", (int) ch) : "'" + ch + "'";
    }

    private DicomModelException error(String reason) {
        return new DicomModelException(reason, "", line, column());
    }
}
