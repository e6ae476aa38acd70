// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicomweb;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Media types as HTTP carries them (RFC 9110 8.3.1, 12.5.1): parsing an {@code Accept} header with its q-values and
 * parameters ({@code type}, {@code transfer-syntax}, {@code charset}, ...), and choosing what to answer among what a
 * resource offers. Shared by the DICOMweb resource families.
 */
final class MediaTypes {
    private MediaTypes() {}

    /**
     * One media range: type and subtype in lower case ({@code *} for any), parameters with lower-case names and
     * their values unquoted, and the weight {@code q} (0 to 1).
     */
    record MediaType(String type, String subtype, Map<String, String> parameters, double q) {
        MediaType {
            parameters = Map.copyOf(parameters);
        }

        static MediaType of(String type, String subtype, Map<String, String> parameters) {
            return new MediaType(type, subtype, parameters, 1);
        }

        /** A parameter's value, or empty. */
        Optional<String> parameter(String name) {
            return Optional.ofNullable(parameters.get(name));
        }

        /** {@code type/subtype}. */
        String essence() {
            return type + "/" + subtype;
        }

        /** Whether this range (as the client sent it) covers the type/subtype of {@code offered}. */
        boolean covers(MediaType offered) {
            return (type.equals("*") || type.equals(offered.type))
                    && (subtype.equals("*") || subtype.equals(offered.subtype));
        }

        /** How specific the range is: 0 for {@code * / *}, 1 for {@code type/*}, 2 for a full type, 3 with parameters. */
        int specificity() {
            return type.equals("*") ? 0 : subtype.equals("*") ? 1 : parameters.isEmpty() ? 2 : 3;
        }

        /** As a header value: {@code type/subtype; name="value"}; values quoted when they need it. */
        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder(essence());
            parameters.forEach((k, v) -> sb.append("; ").append(k).append('=').append(quoteIfNeeded(v)));
            return sb.toString();
        }
    }

    /** The Accept header of a request that sends none: anything. */
    static final List<MediaType> ANY = List.of(MediaType.of("*", "*", Map.of()));

    /**
     * Parses an Accept header (or the {@code accept} query parameter): comma-separated media ranges, each with
     * parameters and an optional {@code q}. Commas inside quoted strings do not split.
     *
     * @return the ranges in the order given; {@link #ANY} for a null or blank header
     * @throws IllegalArgumentException naming what is malformed
     */
    static List<MediaType> parseAccept(String header) {
        if (header == null || header.isBlank()) {
            return ANY;
        }
        List<MediaType> out = new ArrayList<>();
        for (String range : split(header, ',')) {
            if (!range.isBlank()) {
                out.add(parse(range));
            }
        }
        return out.isEmpty() ? ANY : List.copyOf(out);
    }

    /** Parses one media type or range, such as {@code multipart/related; type="application/dicom+xml"}. */
    static MediaType parse(String text) {
        List<String> parts = split(text, ';');
        String essence = parts.getFirst().strip().toLowerCase(Locale.ROOT);
        int slash = essence.indexOf('/');
        if (slash <= 0 || slash == essence.length() - 1 || !token(essence.substring(0, slash))
                || !token(essence.substring(slash + 1))) {
            throw new IllegalArgumentException("\"" + text.strip() + "\" is not a media type (type/subtype)");
        }
        String type = essence.substring(0, slash);
        String subtype = essence.substring(slash + 1);
        if (type.equals("*") && !subtype.equals("*")) {
            throw new IllegalArgumentException("\"" + text.strip() + "\" is not a media range (*/" + subtype + ")");
        }
        Map<String, String> params = new LinkedHashMap<>();
        double q = 1;
        for (String p : parts.subList(1, parts.size())) {
            if (p.isBlank()) {
                continue;
            }
            int eq = p.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("parameter \"" + p.strip() + "\" of \"" + text.strip()
                        + "\" has no value");
            }
            String name = p.substring(0, eq).strip().toLowerCase(Locale.ROOT);
            String value = unquote(p.substring(eq + 1).strip());
            if (name.equals("q")) {
                try {
                    q = Double.parseDouble(value);
                } catch (NumberFormatException e) {
                    q = -1;
                }
                if (!(q >= 0 && q <= 1) || value.length() > 5) {
                    throw new IllegalArgumentException("q=" + value + " in \"" + text.strip()
                            + "\" is not a weight from 0 to 1");
                }
            } else {
                params.put(name, value);
            }
        }
        return new MediaType(type, subtype, params, q);
    }

    /**
     * Chooses the representation to answer: among the offered types (in the server's order of preference), the one
     * the client weighs highest. A range covers an offer when type and subtype match and every parameter the range
     * names has the offer's value (a {@code type} parameter compared without case and quotes); the most specific
     * covering range gives the weight. An offer with weight 0 is refused.
     *
     * @return the chosen offer, or empty: the answer is then 406 Not Acceptable
     */
    static Optional<MediaType> negotiate(List<MediaType> accepted, List<MediaType> offered) {
        MediaType best = null;
        double bestQ = 0;
        for (MediaType offer : offered) {
            double q = weight(accepted, offer);
            if (q > bestQ) {
                best = offer;
                bestQ = q;
            }
        }
        return Optional.ofNullable(best);
    }

    /** The weight the client gives an offer: that of the most specific range covering it, 0 when none does. */
    static double weight(List<MediaType> accepted, MediaType offer) {
        return accepted.stream().filter(r -> r.covers(offer) && parametersMatch(r, offer))
                .max(Comparator.comparingInt(MediaType::specificity)).map(MediaType::q).orElse(0.0);
    }

    private static boolean parametersMatch(MediaType range, MediaType offer) {
        for (Map.Entry<String, String> p : range.parameters().entrySet()) {
            String offered = offer.parameters().get(p.getKey());
            if (offered == null || !offered.equalsIgnoreCase(p.getValue())) {
                return false;
            }
        }
        return true;
    }

    /** Splits at the separator outside quoted strings. */
    private static List<String> split(String s, char separator) {
        List<String> out = new ArrayList<>();
        boolean quoted = false;
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && quoted) {
                i++;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (c == separator && !quoted) {
                out.add(s.substring(start, i));
                start = i + 1;
            }
        }
        out.add(s.substring(start));
        return out;
    }

    private static String unquote(String v) {
        if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
            return v.substring(1, v.length() - 1).replace("\\\"", "\"").replace("\\\\", "\\");
        }
        return v;
    }

    static String quoteIfNeeded(String v) {
        return !v.isEmpty() && v.chars().allMatch(c -> c > 32 && c < 127 && "()<>@,;:\\\"/[]?={}".indexOf(c) < 0)
                ? v : "\"" + v.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static boolean token(String s) {
        return !s.isEmpty() && s.chars().allMatch(c -> c > 32 && c < 127 && "()<>@,;:\\\"/[]?={}".indexOf(c) < 0);
    }
}
