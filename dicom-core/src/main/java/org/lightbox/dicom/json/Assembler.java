// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicom.json;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Element;
import org.lightbox.dicom.SpecificCharacterSet;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.Tags;
import org.lightbox.dicom.Value;
import org.lightbox.dicom.Vr;

/**
 * Builds data sets from attributes as both models hold them (decoded text, numbers as text, items, base64 bytes,
 * bulk data URIs): encodes text in the character set of its data set (PS3.18 F.2.2 note 3: (0008,0005) names the
 * encoding of the source), numbers in little endian, and pads values to even length (PS3.19 A.1.1).
 */
final class Assembler {
    /** Sequences nested deeper than this are refused, so hostile input cannot exhaust the stack. */
    static final int MAX_DEPTH = 64;

    /** One attribute as read; {@code privateCreator} only from XML, whose private tags may omit the block number. */
    record Attr(int tag, Vr vr, String privateCreator, Content content, String path, int line, int column) {}

    sealed interface Content {}

    record None() implements Content {}

    /** Values as text; null for an empty value; PN as "alphabetic=ideographic=phonetic". */
    record Texts(List<String> values) implements Content {}

    record Items(List<List<Attr>> items) implements Content {}

    record Inline(byte[] bytes) implements Content {}

    record Uri(String uri) implements Content {}

    private final BulkDataLoader loader;

    Assembler(BulkDataLoader loader) {
        this.loader = loader;
    }

    Dataset build(List<Attr> attrs, SpecificCharacterSet inherited, int depth) throws DicomModelException {
        Dataset.Builder b = Dataset.builder().inheritCharset(inherited);
        // Specific Character Set first: the other text is encoded with it.
        for (Attr a : attrs) {
            if (a.tag() == Tag.SpecificCharacterSet) {
                b.add(element(a, SpecificCharacterSet.ASCII, depth));
            }
        }
        SpecificCharacterSet charset = b.charset();
        Map<Integer, Map<String, Integer>> creators = creators(attrs);
        for (Attr a : attrs) {
            if (a.tag() == Tag.SpecificCharacterSet) {
                continue;
            }
            Attr resolved = a.privateCreator() == null ? a : resolvePrivate(a, creators, b);
            if (b.contains(resolved.tag())) {
                throw error(resolved, "the data set holds " + Tags.format(resolved.tag()) + " twice");
            }
            b.add(element(resolved, charset, depth));
        }
        return b.build();
    }

    private Element element(Attr a, SpecificCharacterSet charset, int depth) throws DicomModelException {
        int tag = a.tag();
        Vr vr = a.vr();
        return switch (a.content()) {
            case None n -> vr == Vr.SQ ? Element.ofItems(tag, List.of()) : Element.of(tag, vr, new byte[0]);
            case Items items -> {
                if (vr != Vr.SQ) {
                    throw error(a, "items in a " + vr + " element; only SQ holds items");
                }
                if (depth >= MAX_DEPTH) {
                    throw error(a, "sequences nest deeper than " + MAX_DEPTH + " levels");
                }
                List<Dataset> out = new ArrayList<>(items.items().size());
                for (List<Attr> item : items.items()) {
                    out.add(build(item, charset, depth + 1));
                }
                yield Element.ofItems(tag, out);
            }
            case Inline in -> {
                if (vr == Vr.SQ) {
                    throw error(a, "a binary value in an SQ element");
                }
                Value.Fragments fragments = tag == Tag.PixelData && (vr == Vr.OB || vr == Vr.OW)
                        ? Fragments.parse(in.bytes()) : null;
                yield fragments != null ? new Element(tag, vr, fragments, false, true)
                        : Element.of(tag, vr, padded(in.bytes(), vr.padding()));
            }
            case Uri u -> {
                Value v;
                try {
                    v = loader.load(u.uri(), tag, vr);
                } catch (IOException e) {
                    throw new DicomModelException("cannot load bulk data " + u.uri() + ": " + e.getMessage(),
                            a.path(), a.line(), a.column(), e);
                }
                try {
                    yield new Element(tag, vr, v, false, v instanceof Value.Fragments);
                } catch (IllegalArgumentException e) {
                    throw error(a, e.getMessage());
                }
            }
            case Texts t -> Element.of(tag, vr, encode(a, t.values(), charset));
        };
    }

    private byte[] encode(Attr a, List<String> values, SpecificCharacterSet charset) throws DicomModelException {
        Vr vr = a.vr();
        return switch (vr) {
            case SQ -> throw error(a, "an SQ element holds items, not values");
            case OB, OD, OF, OL, OV, OW, UN -> throw error(a, vr + " takes InlineBinary or BulkDataURI, not Value");
            case AT -> tags(a, values);
            case US, SS, UL, SL, SV, UV, FL, FD -> Numbers.encode(a, values);
            case DS, IS -> ascii(a, decimals(a, values));
            default -> text(a, values, charset);
        };
    }

    private byte[] text(Attr a, List<String> values, SpecificCharacterSet charset) throws DicomModelException {
        Vr vr = a.vr();
        if (values.size() > 1 && !vr.isMultiValuedText()) {
            throw error(a, vr + " holds a single value, not " + values.size());
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < values.size(); i++) {
            String v = values.get(i) == null ? "" : values.get(i);
            if (vr.isMultiValuedText() && v.indexOf('\\') >= 0) {
                // PS3.18 F.2.4: 05/12 separates values; inside one it would split it.
                throw error(a, "value " + (i + 1) + " holds a backslash, the delimiter of " + vr + " values");
            }
            sb.append(i == 0 ? "" : "\\").append(v);
        }
        String joined = sb.toString();
        if (!vr.usesCharacterSet()) {
            return padded(joined.getBytes(StandardCharsets.ISO_8859_1), vr.padding());
        }
        byte[] raw = charset.encode(joined, vr == Vr.PN);
        if (!isAscii(joined) && !decodesTo(charset, raw, joined, vr)) {
            // Bytes the character set does not define are read as ISO 8859-1 (the lenient decoding of undeclared
            // Latin-1 text); writing them back that way restores the original bytes.
            byte[] latin1 = joined.getBytes(StandardCharsets.ISO_8859_1);
            if (!decodesTo(charset, latin1, joined, vr)) {
                throw error(a, "the text cannot be encoded in the Specific Character Set "
                        + (charset.definedTerms().isEmpty() ? "(default repertoire)" : charset.definedTerms())
                        + " that (0008,0005) declares");
            }
            raw = latin1;
        }
        return padded(raw, vr.padding());
    }

    /** DS and IS text as given (strings preserve their format); numbers too long for DS are shortened. */
    private List<String> decimals(Attr a, List<String> values) throws DicomModelException {
        List<String> out = new ArrayList<>(values.size());
        for (int i = 0; i < values.size(); i++) {
            String v = values.get(i) == null ? "" : values.get(i).strip();
            if (a.vr() == Vr.IS && !v.isEmpty() && !v.matches("[+-]?[0-9]+")) {
                v = integral(v);
            } else if (a.vr() == Vr.DS && v.length() > 16) {
                try {
                    v = new String(Element.ofNumbers(0, Vr.DS, Double.parseDouble(v)).bytes(),
                            StandardCharsets.US_ASCII).strip();
                } catch (NumberFormatException e) {
                    throw error(a, "DS value " + (i + 1) + " is no number and longer than 16 characters: " + v);
                }
            }
            out.add(v);
        }
        return out;
    }

    /** A JSON number such as 5.0 or 1e3 for IS is written as the integer it is; other text is kept as is. */
    private static String integral(String v) {
        try {
            BigInteger i = new BigDecimal(v).toBigIntegerExact();
            return i.toString();
        } catch (NumberFormatException | ArithmeticException e) {
            return v;
        }
    }

    private byte[] ascii(Attr a, List<String> values) throws DicomModelException {
        return text(new Attr(a.tag(), Vr.CS, null, null, a.path(), a.line(), a.column()), values,
                SpecificCharacterSet.ASCII);
    }

    private byte[] tags(Attr a, List<String> values) throws DicomModelException {
        byte[] out = new byte[values.size() * 4];
        for (int i = 0; i < values.size(); i++) {
            String v = values.get(i);
            if (v == null || !v.matches("[0-9A-Fa-f]{8}")) {
                throw error(a, "AT value " + (i + 1) + " is not 8 hexadecimal digits: " + v);
            }
            int t = Integer.parseUnsignedInt(v, 16);
            out[4 * i] = (byte) (t >>> 16);
            out[4 * i + 1] = (byte) (t >>> 24);
            out[4 * i + 2] = (byte) t;
            out[4 * i + 3] = (byte) (t >>> 8);
        }
        return out;
    }

    /** The private creators of a data set: group -> creator (trimmed) -> block number (0x10 to 0xFF). */
    private static Map<Integer, Map<String, Integer>> creators(List<Attr> attrs) {
        Map<Integer, Map<String, Integer>> out = new HashMap<>();
        for (Attr a : attrs) {
            if (Tags.isPrivateCreator(a.tag()) && a.privateCreator() == null && a.content() instanceof Texts t
                    && t.values().size() == 1 && t.values().getFirst() != null) {
                out.computeIfAbsent(Tags.group(a.tag()), g -> new HashMap<>())
                        .putIfAbsent(t.values().getFirst().strip(), Tags.element(a.tag()));
            }
        }
        return out;
    }

    /**
     * PS3.19 private attributes name their creator and may carry only the low byte of the element (ggggxxee with xx
     * 00, as DCMTK writes); find the block the creator reserves here, or reserve a free one.
     */
    private Attr resolvePrivate(Attr a, Map<Integer, Map<String, Integer>> creators, Dataset.Builder b)
            throws DicomModelException {
        int tag = a.tag();
        String creator = a.privateCreator().strip();
        if (!Tags.isPrivate(tag) || Tags.isPrivateCreator(tag) && a.content() instanceof Texts t
                && t.values().size() == 1 && creator.equals(String.valueOf(t.values().getFirst()).strip())) {
            // Not private, or the creator element itself: the tag stands as written.
            return new Attr(tag, a.vr(), null, a.content(), a.path(), a.line(), a.column());
        }
        int group = Tags.group(tag);
        Map<String, Integer> blocks = creators.computeIfAbsent(group, g -> new HashMap<>());
        int given = Tags.element(tag) >>> 8;
        Integer block = given != 0 && creator.equals(nameOf(blocks, given)) ? Integer.valueOf(given)
                : blocks.get(creator);
        if (block == null) {
            block = 0x10;
            while (block <= 0xFF && (blocks.containsValue(block) || b.contains(Tags.of(group, block)))) {
                block++;
            }
            if (block > 0xFF) {
                throw error(a, "no free private block in group " + String.format("%04X", group)
                        + " for creator " + creator);
            }
            blocks.put(creator, block);
            b.add(Element.ofStrings(Tags.of(group, block), Vr.LO, b.charset(), List.of(creator)));
        }
        int resolved = Tags.of(group, block << 8 | Tags.element(tag) & 0xFF);
        return new Attr(resolved, a.vr(), null, a.content(), a.path(), a.line(), a.column());
    }

    private static String nameOf(Map<String, Integer> blocks, int block) {
        for (Map.Entry<String, Integer> e : blocks.entrySet()) {
            if (e.getValue() == block) {
                return e.getKey();
            }
        }
        return null;
    }

    static byte[] padded(byte[] raw, byte pad) {
        if ((raw.length & 1) == 0) {
            return raw;
        }
        byte[] out = java.util.Arrays.copyOf(raw, raw.length + 1);
        out[raw.length] = pad;
        return out;
    }

    private static boolean decodesTo(SpecificCharacterSet charset, byte[] raw, String text, Vr vr) {
        return charset.decode(raw, 0, raw.length, vr == Vr.PN).equals(text);
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    static DicomModelException error(Attr a, String reason) {
        return new DicomModelException(reason, a.path(), a.line(), a.column());
    }
}
