// SPDX-License-Identifier: Apache-2.0
package org.lightbox.archive.query;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Element;
import org.lightbox.dicom.ElementDictionary;
import org.lightbox.dicom.Tags;
import org.lightbox.dicom.Vr;

/**
 * One key attribute of a query identifier, parsed into the matching PS3.4 C.2.2.2 asks for: universal (zero length
 * or {@code *}), single value, wild card, range (DA, TM, DT), list of UIDs, empty value ({@code ""}, C.2.2.2.7) or
 * sequence matching (one item of item keys). Several values of a non-UID key are alternatives: an entity matches
 * if one of them does (the semantics of multiple values without Multiple Value Matching negotiated is undefined by
 * C.2.2.2.8; this is the common reading).
 *
 * @param tag the attribute
 * @param vr its VR (the dictionary's when the identifier says UN)
 * @param level the level it belongs to
 * @param universal whether every entity matches it (it is then only a return key)
 * @param terms the alternatives, when not universal and not a sequence
 * @param itemKeys for sequence matching: the keys of the one item; empty means universal
 * @param pairedTime for combined date-time matching: the TM key matched together with this DA key, else 0
 */
record Key(int tag, Vr vr, QueryLevel level, boolean universal, List<Term> terms, List<Key> itemKeys,
        int pairedTime) {

    /** One alternative of a key. */
    sealed interface Term {
        /** A single value (PS3.4 C.2.2.2.1), normalized: DA as YYYYMMDD, PN without trailing delimiters. */
        record Exact(String value) implements Term {}

        /** {@code *} and {@code ?} (C.2.2.2.4). */
        record Wildcard(String pattern) implements Term {}

        /** Inclusive bounds in fixed-width comparable form; an empty bound is open (C.2.2.2.5). */
        record Range(String low, String high) implements Term {}

        /** Matches an entity whose value is empty or absent (C.2.2.2.7). */
        record Empty() implements Term {}
    }

    /** The VRs wild cards apply to (C.2.2.2.4). */
    static boolean wildcardVr(Vr vr) {
        return switch (vr) {
            case AE, CS, LO, LT, PN, SH, ST, UC, UR, UT -> true;
            default -> false;
        };
    }

    static boolean isSequence(Key k) {
        return k.vr == Vr.SQ;
    }

    Key withPairedTime(int timeTag, List<Term> combined) {
        return new Key(tag, vr, level, false, combined, itemKeys, timeTag);
    }

    Key asReturnOnly() {
        return new Key(tag, vr, level, true, List.of(), List.of(), 0);
    }

    /** Parses the key; {@code owner} is the data set (or item) holding it, whose character set decodes it. */
    static Key of(Element e, Dataset owner, QueryLevel level) throws QueryException {
        int tag = e.tag();
        Vr vr = e.vr() == Vr.UN ? ElementDictionary.vrOf(tag) : e.vr();
        if (vr == Vr.SQ || e.value() instanceof org.lightbox.dicom.Value.Items) {
            return sequence(tag, e, level);
        }
        List<String> values;
        try {
            values = owner.strings(tag);
        } catch (RuntimeException x) {
            throw invalid(tag, "its value cannot be decoded: " + x.getMessage());
        }
        if (values.stream().allMatch(String::isEmpty) || values.contains("*")) {
            return new Key(tag, vr, level, true, List.of(), List.of(), 0);
        }
        List<Term> terms = new ArrayList<>(values.size());
        for (String v : values) {
            terms.add(term(tag, vr, v));
        }
        return new Key(tag, vr, level, false, List.copyOf(terms), List.of(), 0);
    }

    private static Key sequence(int tag, Element e, QueryLevel level) throws QueryException {
        List<Dataset> items = e.items();
        if (items.size() > 1) {
            throw invalid(tag, "sequence matching takes one item, not " + items.size() + " (PS3.4 C.2.2.2.6)");
        }
        if (items.isEmpty() || items.getFirst().isEmpty()) {
            return new Key(tag, Vr.SQ, level, true, List.of(), List.of(), 0);
        }
        List<Key> keys = new ArrayList<>();
        for (Element inner : items.getFirst()) {
            keys.add(of(inner, items.getFirst(), level));
        }
        boolean all = keys.stream().allMatch(Key::universal);
        return new Key(tag, Vr.SQ, level, all, List.of(), List.copyOf(keys), 0);
    }

    private static Term term(int tag, Vr vr, String v) throws QueryException {
        if (v.equals("\"\"")) {
            return new Term.Empty();
        }
        boolean wild = v.indexOf('*') >= 0 || v.indexOf('?') >= 0;
        switch (vr) {
            case DA, TM, DT -> {
                if (wild) {
                    throw invalid(tag, "wild cards do not apply to " + vr + " (\"" + v + "\"); use a range");
                }
                return temporal(tag, vr, v);
            }
            case UI -> {
                if (wild) {
                    throw invalid(tag, "wild cards do not apply to UI (\"" + v + "\")");
                }
                return new Term.Exact(v);
            }
            case IS, DS, SS, US, SL, UL, SV, UV, FL, FD -> {
                if (wild) {
                    throw invalid(tag, "wild cards do not apply to " + vr + " (\"" + v + "\")");
                }
                if (Temporal.number(v).isEmpty()) {
                    throw invalid(tag, "\"" + v + "\" is not a number");
                }
                return new Term.Exact(v);
            }
            case PN -> {
                String n = Names.normalize(v);
                return wild ? new Term.Wildcard(n) : new Term.Exact(n);
            }
            default -> {
                return wild && wildcardVr(vr) ? new Term.Wildcard(v) : new Term.Exact(v);
            }
        }
    }

    private static Term temporal(int tag, Vr vr, String v) throws QueryException {
        int dash = Temporal.rangeDash(vr, v);
        if (dash < 0) {
            Optional<String> lo = Temporal.normalize(vr, v, false);
            Optional<String> hi = Temporal.normalize(vr, v, true);
            if (lo.isEmpty() || hi.isEmpty()) {
                throw invalid(tag, "\"" + v + "\" is not a valid " + vr + " value");
            }
            return vr == Vr.DA ? new Term.Exact(lo.get()) : new Term.Range(lo.get(), hi.get());
        }
        String a = v.substring(0, dash).strip();
        String b = v.substring(dash + 1).strip();
        if (a.isEmpty() && b.isEmpty()) {
            throw invalid(tag, "the range \"" + v + "\" has no bounds");
        }
        Optional<String> lo = a.isEmpty() ? Optional.of("") : Temporal.normalize(vr, a, false);
        Optional<String> hi = b.isEmpty() ? Optional.of("") : Temporal.normalize(vr, b, true);
        if (lo.isEmpty() || hi.isEmpty()) {
            throw invalid(tag, "\"" + v + "\" is not a valid " + vr + " range");
        }
        // A range that ends before it starts matches nothing (a TM range crossing midnight is not supported,
        // C.2.2.2.5.2), but is valid: with combined date-time matching its time part may do so.
        return new Term.Range(lo.get(), hi.get());
    }

    static QueryException invalid(int tag, String why) {
        return new QueryException(QueryException.Reason.IDENTIFIER_DOES_NOT_MATCH_SOP_CLASS, tag,
                ElementDictionary.keywordOf(tag) + " " + Tags.format(tag) + ": " + why);
    }
}
