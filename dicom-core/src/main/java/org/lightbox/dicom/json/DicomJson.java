// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicom.json;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Element;
import org.lightbox.dicom.SpecificCharacterSet;
import org.lightbox.dicom.Tags;
import org.lightbox.dicom.Vr;
import org.lightbox.dicom.json.Assembler.Attr;
import org.lightbox.dicom.json.JsonParser.Node;
import org.lightbox.dicom.json.JsonParser.Num;

/**
 * The DICOM JSON Model of PS3.18 Annex F.2: writing a data set as one compact JSON object and reading one back.
 *
 * <p>Writing follows F.2.2 to F.2.7: members named by the tag in eight upper-case hexadecimal digits, in tag order,
 * group lengths left out; "vr"; "Value" arrays, with null for an empty value in a multi-valued element and no "Value"
 * for an empty element; PN as objects with "Alphabetic", "Ideographic" and "Phonetic"; AT as eight hexadecimal
 * digits; DS and IS as numbers spelled as in the data set (as strings where that spelling is no JSON number); SV and UV
 * beyond 2^53 as strings; FL and FD in the shortest form that reads back to the same value, NaN and the infinities as
 * the strings "NaN", "Infinity", "-Infinity" (JSON has no such numbers); binary VRs (OB, OD, OF, OL, OV, OW, UN) as
 * "InlineBinary" in little endian, or "BulkDataURI" when the {@link BulkDataPolicy} gives one. Encapsulated pixel data
 * is written as the base64 of its whole Value Field (the items with their tags, as pydicom writes it); a UN element
 * that holds a sequence is written as the SQ it is.
 *
 * <p>Reading accepts DS, IS, SV and UV as numbers or strings, a PN given as a plain string, members in any order,
 * and "Value": [] as empty. Text is encoded in the character set that the data set's (0008,0005) names (or its
 * parent's), so the data set reads like the one written (text the set does not cover but ISO 8859-1 does, as in files
 * with undeclared Latin-1, goes back to those bytes); text that neither can hold is an error. Values are padded to even
 * length. Pixel Data (7FE0,0010) given inline whose bytes are a complete chain of (FFFE,E000) items is read as
 * encapsulated fragments, since JSON carries no transfer syntax to tell.
 */
public final class DicomJson {
    private DicomJson() {}

    /** Writes the data set as a compact DICOM JSON object. */
    public static void write(Dataset ds, Appendable out, BulkDataPolicy policy) throws IOException {
        writeObject(ds, out, policy, "");
    }

    /** The data set as a DICOM JSON object with every value inline. */
    public static String toJson(Dataset ds) {
        StringBuilder sb = new StringBuilder();
        try {
            write(ds, sb, BulkDataPolicy.inline());
        } catch (IOException e) {
            throw new UncheckedIOException(e); // only from reading a bulk value left in its file
        }
        return sb.toString();
    }

    /** Reads one DICOM JSON object; a BulkDataURI in it is an error. */
    public static Dataset read(Reader in) throws IOException {
        return read(in, BulkDataLoader.none());
    }

    /** Reads one DICOM JSON object, resolving BulkDataURIs with the loader. */
    public static Dataset read(Reader in, BulkDataLoader loader) throws IOException {
        Node root = JsonParser.parse(readAll(in));
        return new Assembler(loader).build(attributes(root, ""), SpecificCharacterSet.ASCII, 0);
    }

    private static void writeObject(Dataset ds, Appendable out, BulkDataPolicy policy, String path)
            throws IOException {
        out.append('{');
        boolean first = true;
        for (Element e : ds) {
            if (!Forms.included(e)) {
                continue;
            }
            out.append(first ? "\"" : ",\"");
            first = false;
            String key = Tags.hex(e.tag());
            String p = path + "/" + key;
            out.append(key).append("\":{\"vr\":\"").append(Forms.vrOf(e).name()).append('"');
            switch (Forms.of(ds, e, p, policy)) {
                case Forms.Empty x -> { }
                case Forms.Texts t -> {
                    out.append(",\"Value\":[");
                    for (int i = 0; i < t.values().size(); i++) {
                        out.append(i == 0 ? "" : ",");
                        string(t.values().get(i), out);
                    }
                    out.append(']');
                }
                case Forms.Numbers n -> {
                    out.append(",\"Value\":[");
                    for (int i = 0; i < n.values().size(); i++) {
                        out.append(i == 0 ? "" : ",");
                        String v = n.values().get(i);
                        if (v == null || n.quoted()[i]) {
                            string(v, out);
                        } else {
                            out.append(v);
                        }
                    }
                    out.append(']');
                }
                case Forms.Names n -> {
                    out.append(",\"Value\":[");
                    for (int i = 0; i < n.values().size(); i++) {
                        out.append(i == 0 ? "" : ",");
                        personName(n.values().get(i), out);
                    }
                    out.append(']');
                }
                case Forms.Items items -> {
                    out.append(",\"Value\":[");
                    for (int i = 0; i < items.items().size(); i++) {
                        out.append(i == 0 ? "" : ",");
                        writeObject(items.items().get(i), out, policy, p + "/Value/" + i);
                    }
                    out.append(']');
                }
                case Forms.Binary b -> {
                    out.append(",\"InlineBinary\":\"");
                    Forms.writeBase64(b.element(), out);
                    out.append('"');
                }
                case Forms.BulkUri u -> {
                    out.append(",\"BulkDataURI\":");
                    string(u.uri(), out);
                }
            }
            out.append('}');
        }
        out.append('}');
    }

    private static void personName(String[] groups, Appendable out) throws IOException {
        if (groups == null) {
            out.append("null");
            return;
        }
        String[] names = {"Alphabetic", "Ideographic", "Phonetic"};
        out.append('{');
        boolean first = true;
        for (int g = 0; g < 3; g++) {
            if (!groups[g].isEmpty()) {
                out.append(first ? "\"" : ",\"").append(names[g]).append("\":");
                string(groups[g], out);
                first = false;
            }
        }
        out.append('}');
    }

    /** A JSON string; control characters and lone surrogates escaped, the rest as is (the output is Unicode). */
    static void string(String s, Appendable out) throws IOException {
        if (s == null) {
            out.append("null");
            return;
        }
        out.append('"');
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            String esc = switch (c) {
                case '"' -> "\\\"";
                case '\\' -> "\\\\";
                case '\n' -> "\\n";
                case '\r' -> "\\r";
                case '\t' -> "\\t";
                case '\b' -> "\\b";
                case '\f' -> "\\f";
                default -> c < 0x20 || Character.isSurrogate(c) && !pairedSurrogate(s, i)
                        ? String.format("\\u%04x", (int) c) : null;
            };
            if (esc != null) {
                out.append(s, start, i).append(esc);
                start = i + 1;
            }
        }
        out.append(s, start, s.length()).append('"');
    }

    private static boolean pairedSurrogate(String s, int i) {
        char c = s.charAt(i);
        return Character.isHighSurrogate(c) ? i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))
                : i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }

    private static String readAll(Reader in) throws IOException {
        StringBuilder sb = new StringBuilder();
        char[] buf = new char[16 * 1024];
        int n;
        while ((n = in.read(buf)) > 0) {
            sb.append(buf, 0, n);
        }
        return sb.toString();
    }

    private static List<Attr> attributes(Node node, String path) throws DicomModelException {
        if (!(node.value() instanceof Map<?, ?> members)) {
            throw error(node, path, "expected a DICOM JSON object (one member per attribute) but found "
                    + kind(node));
        }
        List<Attr> out = new ArrayList<>(members.size());
        for (Map.Entry<?, ?> m : members.entrySet()) {
            String key = (String) m.getKey();
            Node n = (Node) m.getValue();
            String p = path + "/" + key;
            if (!key.matches("[0-9A-Fa-f]{8}")) {
                throw error(n, p, "member name \"" + key + "\" is not a tag of eight hexadecimal digits");
            }
            out.add(attribute(Integer.parseUnsignedInt(key, 16), n, p));
        }
        return out;
    }

    private static Attr attribute(int tag, Node node, String path) throws DicomModelException {
        if (!(node.value() instanceof Map<?, ?> members)) {
            throw error(node, path, "expected an attribute object but found " + kind(node));
        }
        Node vrNode = null;
        Node valueNode = null;
        String valueName = null;
        for (Map.Entry<?, ?> m : members.entrySet()) {
            String name = (String) m.getKey();
            Node n = (Node) m.getValue();
            switch (name) {
                case "vr" -> vrNode = n;
                case "Value", "InlineBinary", "BulkDataURI" -> {
                    if (valueNode != null) {
                        throw error(n, path, "an attribute holds at most one of Value, InlineBinary and BulkDataURI"
                                + " but this one has " + valueName + " and " + name);
                    }
                    valueNode = n;
                    valueName = name;
                }
                default -> throw error(n, path, "unknown member \"" + name + "\" in an attribute object");
            }
        }
        if (vrNode == null) {
            throw error(node, path, "the attribute has no \"vr\"");
        }
        Vr vr = vr(vrNode, path + "/vr");
        Assembler.Content content;
        if (valueNode == null || valueNode.value() == null) {
            content = new Assembler.None();
        } else {
            String p = path + "/" + valueName;
            content = switch (valueName) {
                case "Value" -> values(vr, valueNode, p);
                case "InlineBinary" -> new Assembler.Inline(base64(valueNode, p));
                default -> new Assembler.Uri(text(valueNode, p));
            };
        }
        return new Attr(tag, vr, null, content, path, node.line(), node.column());
    }

    private static Vr vr(Node n, String path) throws DicomModelException {
        String s = text(n, path);
        try {
            if (s.length() == 2) {
                return Vr.valueOf(s);
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        throw error(n, path, "\"" + s + "\" is not a value representation");
    }

    private static Assembler.Content values(Vr vr, Node n, String path) throws DicomModelException {
        if (!(n.value() instanceof List<?> list)) {
            throw error(n, path, "\"Value\" must be an array but is " + kind(n));
        }
        if (list.isEmpty()) {
            return new Assembler.None();
        }
        if (vr == Vr.SQ) {
            List<List<Attr>> items = new ArrayList<>(list.size());
            for (int i = 0; i < list.size(); i++) {
                Node item = (Node) list.get(i);
                items.add(item.value() == null ? List.of() : attributes(item, path + "/" + i));
            }
            return new Assembler.Items(items);
        }
        List<String> out = new ArrayList<>(list.size());
        boolean numeric = switch (vr) {
            case DS, IS, FL, FD, SS, US, SL, UL, SV, UV -> true;
            default -> false;
        };
        for (int i = 0; i < list.size(); i++) {
            Node v = (Node) list.get(i);
            String p = path + "/" + i;
            out.add(switch (v.value()) {
                case null -> null;
                case String s -> s;
                case Num num when numeric -> num.text();
                case Map<?, ?> m when vr == Vr.PN -> personName(m, p);
                default -> throw error(v, p, "a " + vr + " value cannot be " + kind(v));
            });
        }
        return new Assembler.Texts(out);
    }

    private static String personName(Map<?, ?> groups, String path) throws DicomModelException {
        String[] g = {"", "", ""};
        for (Map.Entry<?, ?> m : groups.entrySet()) {
            Node n = (Node) m.getValue();
            int i = switch ((String) m.getKey()) {
                case "Alphabetic" -> 0;
                case "Ideographic" -> 1;
                case "Phonetic" -> 2;
                default -> throw error(n, path, "unknown person name component group \"" + m.getKey() + "\"");
            };
            g[i] = n.value() == null ? "" : text(n, path + "/" + m.getKey());
        }
        return !g[2].isEmpty() ? g[0] + "=" + g[1] + "=" + g[2] : g[1].isEmpty() ? g[0] : g[0] + "=" + g[1];
    }

    private static byte[] base64(Node n, String path) throws DicomModelException {
        String s = text(n, path);
        try {
            return Base64.getDecoder().decode(s.replaceAll("\\s", ""));
        } catch (IllegalArgumentException e) {
            throw error(n, path, "invalid base64: " + e.getMessage());
        }
    }

    private static String text(Node n, String path) throws DicomModelException {
        if (n.value() instanceof String s) {
            return s;
        }
        throw error(n, path, "expected a string but found " + kind(n));
    }

    private static String kind(Node n) {
        return switch (n.value()) {
            case null -> "null";
            case String s -> "a string";
            case Num num -> "a number";
            case Boolean b -> "a boolean";
            case Map<?, ?> m -> "an object";
            default -> "an array";
        };
    }

    private static DicomModelException error(Node n, String path, String reason) {
        return new DicomModelException(reason, path, n.line(), n.column());
    }
}
