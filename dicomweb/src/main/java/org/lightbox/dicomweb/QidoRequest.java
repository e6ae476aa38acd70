// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicomweb;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import org.lightbox.archive.query.InformationModel;
import org.lightbox.archive.query.Query;
import org.lightbox.archive.query.QueryException;
import org.lightbox.archive.query.QueryLevel;
import org.lightbox.archive.query.QueryOptions;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Element;
import org.lightbox.dicom.ElementDictionary;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.Tags;
import org.lightbox.dicom.Vr;

/**
 * A QIDO-RS search (PS3.18 10.6) translated into the archive's query model, the one C-FIND uses: the resource gives
 * the level and the UIDs it names; each {@code {attributeID}={value}} parameter becomes a key of a Study Root
 * identifier with C-FIND's matching (single value, wild cards, ranges, UID lists, sequence items), the default
 * return attributes and {@code includefield} become return keys. Queries are relational (PS3.4 C.4.1.2.2.2), since
 * QIDO-RS searches {@code /series} and {@code /instances} without naming the levels above.
 *
 * <p>Parameters: an attribute is a keyword or a tag as eight hexadecimal digits ({@code 00100010}), a sequence's
 * item attributes as {@code Sequence.Keyword}. Values are as in C-FIND; several values are separated by a backslash
 * or given as repeated parameters, and UIDs and code strings also by commas (which neither can contain). An empty
 * value asks for the attribute back. Anything not understood is refused with a message (400): an unknown name, a
 * malformed date or range, a UID that is not digits and dots, a {@code limit} that is not a number. Values are data,
 * never SQL: the archive binds them.
 *
 * @param query the parsed query
 * @param fuzzy whether person names match case-insensitively ({@code fuzzymatching=true})
 * @param limit the most results to answer, or -1 for all
 * @param offset how many results to skip first
 * @param warnings what was ignored, for the Warning header
 */
record QidoRequest(Query query, boolean fuzzy, long limit, long offset, List<String> warnings) {

    /** The searches of PS3.18 10.6.1: what they return and which UIDs their path names. */
    enum Resource {
        STUDIES(QueryLevel.STUDY, false, false),
        STUDY_SERIES(QueryLevel.SERIES, true, false),
        SERIES(QueryLevel.SERIES, false, false),
        STUDY_SERIES_INSTANCES(QueryLevel.IMAGE, true, true),
        STUDY_INSTANCES(QueryLevel.IMAGE, true, false),
        INSTANCES(QueryLevel.IMAGE, false, false);

        final QueryLevel level;
        final boolean studyInPath;
        final boolean seriesInPath;

        Resource(QueryLevel level, boolean studyInPath, boolean seriesInPath) {
            this.level = level;
            this.studyInPath = studyInPath;
            this.seriesInPath = seriesInPath;
        }
    }

    /** Query parameters that are not attributes (PS3.18 8.3.3, 8.3.4), compared without case. */
    static final Set<String> RESERVED = Set.of("includefield", "fuzzymatching", "limit", "offset", "accept",
            "charset");

    /** Attributes the resource or the protocol sets, which a client cannot give as keys. */
    private static final Set<Integer> NOT_KEYS = Set.of(Tag.QueryRetrieveLevel, Tag.SpecificCharacterSet);

    /** Attributes answered but never matched: their values are the archive's (ONLINE; the URL of the resource). */
    private static final Set<Integer> RETURN_ONLY = Set.of(Tag.InstanceAvailability, Tag.RetrieveURL,
            Tag.RetrieveAETitle, Tag.TimezoneOffsetFromUTC);

    /**
     * Parses the parameters of a search.
     *
     * @param params the query parameters as decoded, in order, each with all its values
     * @param studyUid the Study Instance UID the path names, or null
     * @param seriesUid the Series Instance UID the path names, or null
     * @throws DicomwebException 400 naming the parameter at fault
     */
    static QidoRequest parse(Resource resource, Map<String, List<String>> params, String studyUid, String seriesUid) {
        List<String> warnings = new ArrayList<>();
        Node root = new Node();
        boolean fuzzy = false;
        boolean all = false;
        long limit = -1;
        long offset = 0;
        List<String> includes = new ArrayList<>();
        boolean nonAscii = false;
        for (Map.Entry<String, List<String>> p : params.entrySet()) {
            String name = p.getKey();
            List<String> values = p.getValue();
            String reserved = name.toLowerCase(Locale.ROOT);
            if (RESERVED.contains(reserved)) {
                switch (reserved) {
                    case "includefield" -> includes.addAll(values);
                    case "fuzzymatching" -> fuzzy = bool(name, single(name, values));
                    case "limit" -> limit = number(name, single(name, values), 1);
                    case "offset" -> offset = number(name, single(name, values), 0);
                    case "charset" -> {
                        if (values.stream().anyMatch(v -> !v.isBlank() && !v.strip().equalsIgnoreCase("utf-8"))) {
                            warnings.add("charset " + values + " ignored: the answer is UTF-8");
                        }
                    }
                    default -> { } // accept: the handler's
                }
                continue;
            }
            List<Integer> path = attributePath(name);
            int tag = path.getLast();
            String joined = String.join("\\", values);
            if (NOT_KEYS.contains(tag)) {
                throw DicomwebException.badRequest(name + " is not a search key: the resource sets the level, and"
                        + " DICOMweb text is Unicode");
            }
            if (path.stream().anyMatch(Tags::isPrivate)) {
                warnings.add(name + " ignored: private attributes are not searched or returned");
                continue;
            }
            if (path.size() == 1 && RETURN_ONLY.contains(tag)) {
                if (!joined.isEmpty()) {
                    warnings.add(name + "=" + Uids.printable(joined) + " not matched: " + keyword(tag)
                            + " is answered, not searched");
                }
                includes.add(name);
                continue;
            }
            if (path.size() == 1 && resource.studyInPath && tag == Tag.StudyInstanceUID
                    || path.size() == 1 && resource.seriesInPath && tag == Tag.SeriesInstanceUID) {
                throw DicomwebException.badRequest(name + " is given by the path of this resource");
            }
            nonAscii |= joined.chars().anyMatch(c -> c >= 0x80);
            root.put(name, path, normalize(name, tag, values));
        }
        for (String include : includes) {
            for (String item : include.split(",")) {
                String f = item.strip();
                if (f.isEmpty()) {
                    continue;
                }
                if (f.equalsIgnoreCase("all")) {
                    all = true;
                    continue;
                }
                List<Integer> path = attributePath(f);
                if (path.stream().anyMatch(Tags::isPrivate)) {
                    warnings.add("includefield " + f + " ignored: private attributes are not returned");
                    continue;
                }
                if (path.size() == 1 && NOT_KEYS.contains(path.getFirst())) {
                    continue; // answered anyway (Specific Character Set) or implied by the resource (the level)
                }
                if (path.size() == 1 && (path.getFirst() == Tag.RetrieveURL || path.getFirst() == Tag.RetrieveAETitle
                        || path.getFirst() == Tag.TimezoneOffsetFromUTC)) {
                    continue; // Retrieve URL is always answered; the others are not known
                }
                root.returnKey(path);
            }
        }
        if (studyUid != null) {
            root.put("path", List.of(Tag.StudyInstanceUID), Uids.check("StudyInstanceUID", studyUid));
        }
        if (seriesUid != null) {
            root.put("path", List.of(Tag.SeriesInstanceUID), Uids.check("SeriesInstanceUID", seriesUid));
        }
        for (int tag : QidoAttributes.defaults(resource.level, resource.studyInPath, resource.seriesInPath, all)) {
            root.returnKey(List.of(tag));
        }
        Dataset.Builder identifier = Dataset.builder();
        if (nonAscii) {
            identifier.setStrings(Tag.SpecificCharacterSet, Vr.CS, "ISO_IR 192");
        }
        identifier.setStrings(Tag.QueryRetrieveLevel, Vr.CS, resource.level.name());
        Dataset id = root.build(identifier);
        QueryOptions options = QueryOptions.DEFAULT.withRelational(true).withFuzzyPersonNames(fuzzy);
        Query query;
        try {
            query = Query.parse(InformationModel.STUDY_ROOT, id, options);
        } catch (QueryException e) {
            throw DicomwebException.badRequest(e.getMessage());
        }
        Set<String> ignored = new LinkedHashSet<>();
        for (int tag : query.unsupportedKeys()) {
            ignored.add(keyword(tag));
        }
        if (!ignored.isEmpty()) {
            warnings.add("not matched (attributes of a level below " + resource.level.name().toLowerCase(Locale.ROOT)
                    + ", or computed counts, which are returned only): " + String.join(", ", ignored));
        }
        return new QidoRequest(query, fuzzy, limit, offset, List.copyOf(warnings));
    }

    /** The attribute a parameter names: a keyword or eight hex digits, sequence items after dots. */
    static List<Integer> attributePath(String name) {
        String[] parts = name.split("\\.", -1);
        List<Integer> path = new ArrayList<>(parts.length);
        for (int i = 0; i < parts.length; i++) {
            int tag = tag(parts[i], name);
            if (i < parts.length - 1 && ElementDictionary.vrOf(tag) != Vr.SQ) {
                throw DicomwebException.badRequest("\"" + Uids.printable(name) + "\": " + parts[i]
                        + " is not a sequence, so it has no item attributes");
            }
            path.add(tag);
        }
        return path;
    }

    private static int tag(String part, String name) {
        if (part.length() == 8 && part.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            int tag = Integer.parseUnsignedInt(part, 16);
            if (Tags.group(tag) <= 0x0002 || Tags.isGroupLength(tag) || Tags.group(tag) == 0xFFFE) {
                throw DicomwebException.badRequest("\"" + name + "\": (" + part.substring(0, 4) + ","
                        + part.substring(4) + ") is not an attribute of a data set");
            }
            return tag;
        }
        OptionalInt tag = part.isEmpty() ? OptionalInt.empty() : ElementDictionary.tagOf(part);
        if (tag.isEmpty()) {
            throw DicomwebException.badRequest("unknown query parameter \"" + Uids.printable(name) + "\": "
                    + (part.isEmpty() ? "an empty attribute name" : "\"" + Uids.printable(part)
                    + "\" is neither a keyword of the DICOM dictionary nor a tag of eight hexadecimal digits")
                    + " (search parameters are attributes, " + String.join(", ", new java.util.TreeSet<>(RESERVED))
                    + ")");
        }
        return tag.getAsInt();
    }

    /** The values as C-FIND takes them: joined by backslash; UIDs checked; commas split UI and CS lists. */
    private static String normalize(String name, int tag, List<String> values) {
        Vr vr = ElementDictionary.vrOf(tag);
        List<String> out = new ArrayList<>();
        for (String v : values) {
            String[] parts = vr == Vr.UI || vr == Vr.CS ? v.split("[,\\\\]", -1) : new String[] {v};
            out.addAll(Arrays.asList(parts));
        }
        if (vr == Vr.UI) {
            for (String uid : out) {
                String u = uid.strip();
                if (!u.isEmpty() && !u.equals("*") && !u.equals("\"\"")) {
                    String problem = Uids.problem(u);
                    if (problem != null) {
                        throw DicomwebException.badRequest(name + ": \"" + Uids.printable(u) + "\" " + problem);
                    }
                }
            }
        }
        if (vr == Vr.SQ && out.stream().anyMatch(s -> !s.isEmpty())) {
            throw DicomwebException.badRequest(name + " is a sequence: give its item attributes as " + name
                    + ".Keyword=value");
        }
        return String.join("\\", out.stream().map(s -> vr == Vr.UI || vr == Vr.CS ? s.strip() : s).toList());
    }

    private static String single(String name, List<String> values) {
        if (values.size() != 1) {
            throw DicomwebException.badRequest(name + " is given " + values.size() + " times; give it once");
        }
        return values.getFirst().strip();
    }

    private static boolean bool(String name, String v) {
        if (v.equalsIgnoreCase("true")) {
            return true;
        }
        if (v.equalsIgnoreCase("false")) {
            return false;
        }
        throw DicomwebException.badRequest(name + " must be true or false, not \"" + Uids.printable(v) + "\"");
    }

    private static long number(String name, String v, long min) {
        if (v.isEmpty() || v.length() > 18 || !v.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw DicomwebException.badRequest(name + " must be a whole number of at least " + min + ", not \""
                    + Uids.printable(v) + "\"");
        }
        long n = Long.parseLong(v);
        if (n < min) {
            throw DicomwebException.badRequest(name + " must be at least " + min + ", not " + n);
        }
        return n;
    }

    static String keyword(int tag) {
        String k = ElementDictionary.keywordOf(tag);
        return (k.isEmpty() ? "" : k + " ") + Tags.format(tag);
    }

    /** The identifier as a tree of keys: a value (text) or the keys of a sequence's one item. */
    private static final class Node {
        private final TreeMap<Integer, Object> keys = new TreeMap<>(Integer::compareUnsigned);

        /** A matching key; a second value for the same attribute is another alternative. */
        void put(String name, List<Integer> path, String value) {
            Node at = descend(name, path);
            int tag = path.getLast();
            Object old = at.keys.get(tag);
            if (old instanceof Node && !value.isEmpty()) {
                throw DicomwebException.badRequest(name + " is a sequence whose item attributes are also given");
            }
            if (old instanceof String s && !s.isEmpty() && !value.isEmpty()) {
                at.keys.put(tag, s + "\\" + value);
            } else if (!(old instanceof Node) && (old == null || !value.isEmpty())) {
                at.keys.put(tag, value);
            }
        }

        /** A return key, unless the attribute is already there. */
        void returnKey(List<Integer> path) {
            Node at = descend("includefield", path);
            at.keys.putIfAbsent(path.getLast(), "");
        }

        private Node descend(String name, List<Integer> path) {
            Node at = this;
            for (int tag : path.subList(0, path.size() - 1)) {
                Object inner = at.keys.get(tag);
                if (inner instanceof String s && !s.isEmpty()) {
                    throw DicomwebException.badRequest(name + ": " + keyword(tag) + " has a value and item attributes");
                }
                if (!(inner instanceof Node)) {
                    inner = new Node();
                    at.keys.put(tag, inner);
                }
                at = (Node) inner;
            }
            return at;
        }

        Dataset build(Dataset.Builder b) {
            for (Map.Entry<Integer, Object> e : keys.entrySet()) {
                int tag = e.getKey();
                Vr vr = ElementDictionary.vrOf(tag);
                if (e.getValue() instanceof Node n) {
                    b.setItems(tag, List.of(n.build(Dataset.builder().inheritCharset(b.charset()))));
                    continue;
                }
                String value = (String) e.getValue();
                if (vr == Vr.SQ) {
                    b.setItems(tag, List.of());
                } else if (value.isEmpty()) {
                    b.add(Element.of(tag, vr, new byte[0]));
                } else if (vr.isText()) {
                    b.setStrings(tag, vr, vr.isMultiValuedText() ? value.split("\\\\", -1) : new String[] {value});
                } else if (vr.unitSize() > 0 && vr != Vr.OB && vr != Vr.UN && vr != Vr.AT && vr != Vr.OW) {
                    double[] numbers;
                    try {
                        numbers = Arrays.stream(value.split("\\\\")).mapToDouble(Double::parseDouble).toArray();
                    } catch (NumberFormatException x) {
                        throw DicomwebException.badRequest(keyword(tag) + " (" + vr + ") takes numbers, not \""
                                + Uids.printable(value) + "\"");
                    }
                    b.setNumbers(tag, vr, numbers);
                } else {
                    throw DicomwebException.badRequest(keyword(tag) + " (" + vr + ") cannot be searched by value;"
                            + " it can only be asked for (includefield)");
                }
            }
            return b.build();
        }
    }
}
