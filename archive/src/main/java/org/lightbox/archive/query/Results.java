// SPDX-License-Identifier: Apache-2.0
package org.lightbox.archive.query;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Element;
import org.lightbox.dicom.ElementDictionary;
import org.lightbox.dicom.SpecificCharacterSet;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.Vr;

/**
 * The answer for one match: Query/Retrieve Level, the requested keys with the entity's values (index columns,
 * computed counts, or the metadata of the instance standing for the entity), sequences reduced to the matching
 * items and the requested item keys (C.2.2.2.6), Retrieve AE Title when configured and Instance Availability when
 * asked. Text is encoded in the request's character set when it can hold every value, else in UTF-8
 * ({@code ISO_IR 192}); Specific Character Set is returned whenever it is not the default repertoire.
 */
final class Results {
    private Results() {}

    private static final List<String> UTF8 = List.of("ISO_IR 192");

    private sealed interface Out {
        record Text(int tag, Vr vr, List<String> values) implements Out {}

        record Raw(Element element) implements Out {}

        record Seq(int tag, List<List<Out>> items) implements Out {}
    }

    static Dataset build(Query q, Row row, Matching matching) throws IOException {
        List<Out> outs = new ArrayList<>();
        outs.add(new Out.Text(Tag.QueryRetrieveLevel, Vr.CS, List.of(q.level().name())));
        if (!q.options().retrieveAeTitle().isEmpty()) {
            outs.add(new Out.Text(Tag.RetrieveAETitle, Vr.AE, List.of(q.options().retrieveAeTitle())));
        }
        if (q.wantsAvailability()) {
            outs.add(new Out.Text(Tag.InstanceAvailability, Vr.CS, List.of("ONLINE")));
        }
        for (Key k : q.keys()) {
            if (Key.isSequence(k)) {
                outs.add(sequence(k, row.items(k.tag()), matching));
            } else if (row.indexed(k.tag())) {
                Vr vr = Catalogue.column(k.tag()).orElseThrow().kind() == Catalogue.Kind.COUNT ? Vr.IS
                        : ElementDictionary.vrOf(k.tag());
                outs.add(new Out.Text(k.tag(), vr, row.strings(k.tag())));
            } else {
                Optional<Element> e = row.element(k.tag());
                outs.add(e.isPresent() ? of(e.get(), row.metadata()) : new Out.Text(k.tag(), k.vr(), List.of()));
            }
        }
        List<String> charset = charset(q, outs);
        Dataset.Builder b = Dataset.builder();
        if (!charset.isEmpty()) {
            b.setStrings(Tag.SpecificCharacterSet, Vr.CS, charset.toArray(String[]::new));
        }
        SpecificCharacterSet cs = b.charset();
        for (Out o : outs) {
            add(b, o, cs);
        }
        return b.build();
    }

    private static Out sequence(Key k, List<Dataset> items, Matching matching) throws IOException {
        List<List<Out>> out = new ArrayList<>();
        for (Dataset item : items) {
            if (k.itemKeys().isEmpty()) {
                out.add(whole(item));
            } else if (matching.all(k.itemKeys(), Values.of(item))) {
                List<Out> reduced = new ArrayList<>();
                for (Key ik : k.itemKeys()) {
                    if (Key.isSequence(ik)) {
                        reduced.add(sequence(ik, item.items(ik.tag()), matching));
                    } else {
                        Optional<Element> e = item.get(ik.tag());
                        reduced.add(e.isPresent() ? of(e.get(), item) : new Out.Text(ik.tag(), ik.vr(), List.of()));
                    }
                }
                out.add(reduced);
            }
        }
        return new Out.Seq(k.tag(), out);
    }

    private static List<Out> whole(Dataset item) {
        List<Out> out = new ArrayList<>();
        for (Element e : item) {
            if (e.tag() != Tag.SpecificCharacterSet) {
                out.add(of(e, item));
            }
        }
        return out;
    }

    private static Out of(Element e, Dataset owner) {
        if (e.vr() == Vr.SQ) {
            List<List<Out>> items = new ArrayList<>();
            for (Dataset item : e.items()) {
                items.add(whole(item));
            }
            return new Out.Seq(e.tag(), items);
        }
        if (e.vr().isText()) {
            try {
                return new Out.Text(e.tag(), e.vr(), owner.strings(e.tag()));
            } catch (RuntimeException x) {
                return new Out.Text(e.tag(), e.vr(), List.of());
            }
        }
        return new Out.Raw(e);
    }

    /** The request's character set when it holds every value (or all are ASCII), else UTF-8. */
    private static List<String> charset(Query q, List<Out> outs) {
        List<String> text = new ArrayList<>();
        collect(outs, text);
        boolean ascii = text.stream().allMatch(s -> s.chars().allMatch(c -> c < 0x80));
        SpecificCharacterSet req = q.requestCharset();
        if (ascii) {
            return q.charsetGiven() ? req.definedTerms() : List.of();
        }
        if (q.charsetGiven() && req.isKnown() && req != SpecificCharacterSet.ASCII
                && text.stream().allMatch(s -> roundTrips(req, s))) {
            return req.definedTerms();
        }
        return UTF8;
    }

    private static boolean roundTrips(SpecificCharacterSet cs, String s) {
        byte[] b = cs.encode(s, true);
        return cs.decode(b, 0, b.length, true).equals(s);
    }

    private static void collect(List<Out> outs, List<String> into) {
        for (Out o : outs) {
            switch (o) {
                case Out.Text t when t.vr().usesCharacterSet() -> into.addAll(t.values());
                case Out.Seq s -> s.items().forEach(i -> collect(i, into));
                default -> { }
            }
        }
    }

    private static void add(Dataset.Builder b, Out o, SpecificCharacterSet cs) {
        switch (o) {
            case Out.Text t -> b.add(Element.ofStrings(t.tag(), t.vr(), cs, t.values()));
            case Out.Raw r -> b.add(r.element());
            case Out.Seq s -> {
                List<Dataset> items = new ArrayList<>();
                for (List<Out> item : s.items()) {
                    Dataset.Builder ib = Dataset.builder().inheritCharset(cs);
                    for (Out x : item) {
                        add(ib, x, cs);
                    }
                    items.add(ib.build());
                }
                b.setItems(s.tag(), items);
            }
        }
    }
}
