// SPDX-License-Identifier: Apache-2.0
package org.lightbox.archive.query;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Element;
import org.lightbox.dicom.SpecificCharacterSet;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.Tags;

/**
 * A C-FIND or QIDO-RS query, parsed and checked: the information model, the Query/Retrieve Level, the key
 * attributes with their matching (see {@link Key}) and the options negotiated. Run it with
 * {@code Archive.query(query, sink)}. Immutable and thread-safe.
 *
 * <p>Rules applied (PS3.4 C.4.1.3.1): the level must exist in the model; a hierarchical query needs a single
 * value of the unique key of each level above the one queried (relational queries do not); keys of levels below
 * the one queried are not matched nor returned and are listed by {@link #unsupportedKeys()} (C-FIND answers such
 * matches with FF01H). Keys of upper levels other than their unique keys are matched in both kinds of query.
 * Matching on the computed counts (Number of ... Related ...) is not supported: they are returned only.
 */
public final class Query {
    private final InformationModel model;
    private final QueryLevel level;
    private final QueryOptions options;
    private final List<Key> keys;
    private final List<Integer> unsupported;
    private final SpecificCharacterSet requestCharset;
    private final boolean charsetGiven;
    private final boolean wantsAvailability;

    private Query(InformationModel model, QueryLevel level, QueryOptions options, List<Key> keys,
            List<Integer> unsupported, Dataset identifier) {
        this.model = model;
        this.level = level;
        this.options = options;
        this.keys = List.copyOf(keys);
        this.unsupported = List.copyOf(unsupported);
        this.requestCharset = identifier.charset();
        this.charsetGiven = identifier.contains(Tag.SpecificCharacterSet);
        this.wantsAvailability = identifier.contains(Tag.InstanceAvailability);
    }

    /**
     * Parses an identifier.
     *
     * @throws QueryException when the identifier does not match the model (no or a wrong Query/Retrieve Level, a
     *     missing upper unique key in a hierarchical query, a malformed key value)
     */
    public static Query parse(InformationModel model, Dataset identifier, QueryOptions options)
            throws QueryException {
        Optional<String> code = identifier.string(Tag.QueryRetrieveLevel);
        if (code.isEmpty()) {
            throw Key.invalid(Tag.QueryRetrieveLevel, "is missing or empty");
        }
        QueryLevel level = QueryLevel.of(code.get())
                .orElseThrow(() -> Key.invalid(Tag.QueryRetrieveLevel, "\"" + code.get() + "\" is no level"));
        if (!model.allows(level)) {
            throw Key.invalid(Tag.QueryRetrieveLevel, level + " is not a level of the " + model + " model");
        }
        List<Key> keys = new ArrayList<>();
        List<Integer> unsupported = new ArrayList<>();
        for (Element e : identifier) {
            int tag = e.tag();
            if (notAKey(tag)) {
                continue;
            }
            if (tag == Tag.TimezoneOffsetFromUTC) {
                unsupported.add(tag); // times are compared as given
                continue;
            }
            QueryLevel home = Catalogue.levelOf(tag, model, level);
            if (level.isAbove(home)) {
                unsupported.add(tag);
                continue;
            }
            Key k = Key.of(e, identifier, home);
            boolean count = Catalogue.column(tag).map(c -> c.kind() == Catalogue.Kind.COUNT).orElse(false);
            if (count && !k.universal()) {
                unsupported.add(tag);
                k = k.asReturnOnly();
            }
            keys.add(k);
        }
        if (!options.relational()) {
            for (QueryLevel l = model.top(); l.isAbove(level); l = QueryLevel.values()[l.ordinal() + 1]) {
                requireSingle(keys, Catalogue.uniqueKey(l), level);
            }
        }
        if (options.combinedDateTime()) {
            combine(keys);
        }
        return new Query(model, level, options, keys, unsupported, identifier);
    }

    private static boolean notAKey(int tag) {
        return Tags.group(tag) == 0x0002 || Tags.group(tag) == 0x0000 || Tags.element(tag) == 0
                || tag == Tag.SpecificCharacterSet || tag == Tag.QueryRetrieveLevel || tag == Tag.RetrieveAETitle
                || tag == Tag.InstanceAvailability || tag == Tag.QueryRetrieveView;
    }

    private static void requireSingle(List<Key> keys, int tag, QueryLevel level) throws QueryException {
        for (Key k : keys) {
            if (k.tag() == tag && !k.universal() && k.terms().size() == 1
                    && k.terms().getFirst() instanceof Key.Term.Exact) {
                return;
            }
        }
        throw Key.invalid(tag, "a hierarchical query at the " + level
                + " level needs a single value of the unique key of each level above (PS3.4 C.4.1.3.1)");
    }

    private static final int[][] DATE_TIME_PAIRS = {
        {Tag.StudyDate, Tag.StudyTime}, {Tag.SeriesDate, Tag.SeriesTime}, {Tag.ContentDate, Tag.ContentTime},
        {Tag.AcquisitionDate, Tag.AcquisitionTime}, {Tag.PatientBirthDate, Tag.PatientBirthTime},
        {Tag.PerformedProcedureStepStartDate, Tag.PerformedProcedureStepStartTime},
    };

    /** Combined date-time matching (C.2.2.2.5): a DA and a TM range of the same form become one range. */
    private static void combine(List<Key> keys) {
        for (int[] pair : DATE_TIME_PAIRS) {
            int di = indexOf(keys, pair[0]);
            int ti = indexOf(keys, pair[1]);
            if (di < 0 || ti < 0) {
                continue;
            }
            Key d = keys.get(di);
            Key t = keys.get(ti);
            if (d.universal() || t.universal() || d.terms().size() != 1 || t.terms().size() != 1
                    || !(d.terms().getFirst() instanceof Key.Term.Range dr)
                    || !(t.terms().getFirst() instanceof Key.Term.Range tr)
                    || dr.low().isEmpty() != tr.low().isEmpty() || dr.high().isEmpty() != tr.high().isEmpty()) {
                continue;
            }
            String low = dr.low().isEmpty() ? "" : dr.low() + tr.low();
            String high = dr.high().isEmpty() ? "" : dr.high() + tr.high();
            keys.set(di, d.withPairedTime(t.tag(), List.of(new Key.Term.Range(low, high))));
            keys.set(ti, t.asReturnOnly());
        }
    }

    private static int indexOf(List<Key> keys, int tag) {
        for (int i = 0; i < keys.size(); i++) {
            if (keys.get(i).tag() == tag) {
                return i;
            }
        }
        return -1;
    }

    public InformationModel model() {
        return model;
    }

    public QueryLevel level() {
        return level;
    }

    public QueryOptions options() {
        return options;
    }

    /**
     * The keys that were neither matched nor returned (below the level queried; Timezone Offset From UTC) or
     * returned but not matched (the computed counts): C-FIND answers FF01H when this is not empty.
     */
    public List<Integer> unsupportedKeys() {
        return unsupported;
    }

    List<Key> keys() {
        return keys;
    }

    SpecificCharacterSet requestCharset() {
        return requestCharset;
    }

    boolean charsetGiven() {
        return charsetGiven;
    }

    boolean wantsAvailability() {
        return wantsAvailability;
    }
}
