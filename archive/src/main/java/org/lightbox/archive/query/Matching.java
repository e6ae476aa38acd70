// SPDX-License-Identifier: Apache-2.0
package org.lightbox.archive.query;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Vr;

/**
 * The exact matching of PS3.4 C.2.2.2 in Java, the authority on every candidate row. An entity with several
 * values matches when one of them does (C.2.2.3). Single value and wild card matching are case-sensitive except
 * for PN with the case-insensitive option; TM and DT compare as instants of fixed precision ({@link Temporal}).
 * One instance per query run (it caches compiled wild card patterns); not thread-safe.
 */
final class Matching {
    private final boolean fold;
    private final Map<String, Pattern> patterns = new HashMap<>();

    Matching(boolean fold) {
        this.fold = fold;
    }

    boolean all(List<Key> keys, Values entity) throws IOException {
        for (Key k : keys) {
            if (!k.universal() && !matches(k, entity)) {
                return false;
            }
        }
        return true;
    }

    boolean matches(Key k, Values entity) throws IOException {
        if (k.universal()) {
            return true;
        }
        if (Key.isSequence(k)) {
            for (Dataset item : entity.items(k.tag())) {
                if (all(k.itemKeys(), Values.of(item))) {
                    return true;
                }
            }
            return false;
        }
        if (k.pairedTime() != 0) {
            return combined(k, entity);
        }
        List<String> values = entity.strings(k.tag());
        for (Key.Term t : k.terms()) {
            if (values.isEmpty() || values.stream().allMatch(String::isEmpty)) {
                if (t instanceof Key.Term.Empty) {
                    return true;
                }
                continue;
            }
            for (String v : values) {
                if (term(k.vr(), t, v)) {
                    return true;
                }
            }
        }
        return false;
    }

    private boolean combined(Key k, Values entity) throws IOException {
        List<String> dates = entity.strings(k.tag());
        List<String> times = entity.strings(k.pairedTime());
        Optional<String> date = dates.isEmpty() ? Optional.empty() : Temporal.date(dates.getFirst());
        if (date.isEmpty()) {
            return false;
        }
        String time = times.isEmpty() ? "000000.000000"
                : Temporal.time(times.getFirst(), false).orElse("000000.000000");
        return inRange((Key.Term.Range) k.terms().getFirst(), date.get() + time);
    }

    private boolean term(Vr vr, Key.Term t, String v) {
        return switch (t) {
            case Key.Term.Empty e -> v.isEmpty();
            case Key.Term.Exact(String x) -> exact(vr, x, v);
            case Key.Term.Wildcard(String p) -> wildcard(vr, p, v);
            case Key.Term.Range r -> Temporal.normalize(vr, v, false).map(n -> inRange(r, n)).orElse(false);
        };
    }

    private boolean exact(Vr vr, String x, String v) {
        return switch (vr) {
            case PN -> {
                for (String c : Names.candidates(v, x.indexOf('=') >= 0)) {
                    if (fold ? Names.fold(c).equals(Names.fold(x)) : c.equals(x)) {
                        yield true;
                    }
                }
                yield false;
            }
            case DA -> Temporal.date(v).map(x::equals).orElse(false);
            case IS, DS, SS, US, SL, UL, SV, UV, FL, FD -> {
                Optional<Double> a = Temporal.number(x);
                Optional<Double> b = Temporal.number(v);
                yield a.isPresent() && b.isPresent() ? a.get().equals(b.get()) : x.equals(v);
            }
            default -> x.equals(v);
        };
    }

    private boolean wildcard(Vr vr, String p, String v) {
        boolean pn = vr == Vr.PN;
        boolean insensitive = pn && fold;
        Pattern re = patterns.computeIfAbsent((insensitive ? "i:" : "s:") + p,
                k -> compile(insensitive ? Names.fold(p) : p));
        if (!pn) {
            return re.matcher(v).matches();
        }
        for (String c : Names.candidates(v, p.indexOf('=') >= 0)) {
            if (re.matcher(insensitive ? Names.fold(c) : c).matches()) {
                return true;
            }
        }
        return false;
    }

    private static Pattern compile(String wildcard) {
        StringBuilder re = new StringBuilder();
        StringBuilder literal = new StringBuilder();
        for (int i = 0; i < wildcard.length(); i++) {
            char ch = wildcard.charAt(i);
            if (ch == '*' || ch == '?') {
                if (!literal.isEmpty()) {
                    re.append(Pattern.quote(literal.toString()));
                    literal.setLength(0);
                }
                re.append(ch == '*' ? ".*" : ".");
            } else {
                literal.append(ch);
            }
        }
        if (!literal.isEmpty()) {
            re.append(Pattern.quote(literal.toString()));
        }
        return Pattern.compile(re.toString(), Pattern.DOTALL);
    }

    private static boolean inRange(Key.Term.Range r, String n) {
        return (r.low().isEmpty() || n.compareTo(r.low()) >= 0) && (r.high().isEmpty() || n.compareTo(r.high()) <= 0);
    }
}
