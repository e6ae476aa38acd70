// SPDX-License-Identifier: Apache-2.0
package org.lightbox.archive.query;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The SQL of a query: portable (SQLite and PostgreSQL), every value a bound parameter. The WHERE clause is a
 * pre-filter that never loses a match: it narrows the rows with the index columns (equality, LIKE, IN, date
 * ranges), and {@link Matching} then decides exactly in Java, for every key. So SQLite's case-insensitive LIKE,
 * times of mixed precision, person-name component groups and keys the index lacks are all matched correctly.
 */
final class SqlPlan {
    private static final String PATIENT_JOIN = " JOIN patient p ON p.patient_id = st.patient_id"
            + " AND p.issuer_of_patient_id = st.issuer_of_patient_id";

    final String sql;
    final List<Object> params;
    /** The result column (1-based) of each indexed attribute selected. */
    final Map<Integer, Integer> columns;
    /** The result column holding the representative instance's metadata, or 0. */
    final int metadataColumn;

    private SqlPlan(String sql, List<Object> params, Map<Integer, Integer> columns, int metadataColumn) {
        this.sql = sql;
        this.params = params;
        this.columns = columns;
        this.metadataColumn = metadataColumn;
    }

    static SqlPlan of(Query q) {
        List<String> select = new ArrayList<>();
        Map<Integer, Integer> columns = new HashMap<>();
        boolean metadata = false;
        List<String> where = new ArrayList<>();
        List<Object> params = new ArrayList<>();
        boolean fold = q.options().fuzzyPersonNames();
        for (Key k : q.keys()) {
            for (int tag : k.pairedTime() == 0 ? new int[] {k.tag()} : new int[] {k.tag(), k.pairedTime()}) {
                Optional<Catalogue.Column> c = Key.isSequence(k) ? Optional.empty() : Catalogue.column(tag);
                if (c.isPresent()) {
                    if (!columns.containsKey(tag)) {
                        select.add(c.get().sql());
                        columns.put(tag, select.size());
                    }
                } else {
                    metadata = true;
                }
            }
            if (!k.universal()) {
                Catalogue.column(k.tag()).ifPresent(c -> {
                    String cond = condition(k, c, params, fold);
                    if (cond != null) {
                        where.add(cond);
                    }
                });
            }
        }
        if (select.isEmpty()) {
            select.add("1");
        }
        int metadataColumn = 0;
        if (metadata) {
            select.add(metadataSql(q.level()));
            metadataColumn = select.size();
        }
        String sql = "SELECT " + String.join(", ", select) + " FROM " + from(q.level())
                + (where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where)) + " ORDER BY " + order(q.level());
        return new SqlPlan(sql, params, columns, metadataColumn);
    }

    void bind(PreparedStatement ps) throws SQLException {
        for (int i = 0; i < params.size(); i++) {
            switch (params.get(i)) {
                case Long l -> ps.setLong(i + 1, l);
                case Object o -> ps.setString(i + 1, o.toString());
            }
        }
    }

    private static String from(QueryLevel level) {
        return switch (level) {
            case PATIENT -> "patient p";
            case STUDY -> "study st" + PATIENT_JOIN;
            case SERIES -> "series se JOIN study st ON st.study_instance_uid = se.study_instance_uid" + PATIENT_JOIN;
            case IMAGE -> "instance i JOIN series se ON se.series_instance_uid = i.series_instance_uid"
                    + " JOIN study st ON st.study_instance_uid = i.study_instance_uid" + PATIENT_JOIN;
        };
    }

    private static String order(QueryLevel level) {
        return switch (level) {
            case PATIENT -> "p.patient_id, p.issuer_of_patient_id";
            case STUDY -> "st.study_instance_uid";
            case SERIES -> "se.series_instance_uid";
            case IMAGE -> "i.sop_instance_uid";
        };
    }

    /** The metadata of the entity's first instance (by SOP Instance UID), which stands for the entity. */
    private static String metadataSql(QueryLevel level) {
        return switch (level) {
            case PATIENT -> "(SELECT m.metadata FROM instance m JOIN study ms ON ms.study_instance_uid ="
                    + " m.study_instance_uid WHERE ms.patient_id = p.patient_id AND ms.issuer_of_patient_id ="
                    + " p.issuer_of_patient_id ORDER BY m.sop_instance_uid LIMIT 1)";
            case STUDY -> "(SELECT m.metadata FROM instance m WHERE m.study_instance_uid = st.study_instance_uid"
                    + " ORDER BY m.sop_instance_uid LIMIT 1)";
            case SERIES -> "(SELECT m.metadata FROM instance m WHERE m.series_instance_uid = se.series_instance_uid"
                    + " ORDER BY m.sop_instance_uid LIMIT 1)";
            case IMAGE -> "i.metadata";
        };
    }

    /** The pre-filter for one key, or null when only Java can decide. */
    private static String condition(Key k, Catalogue.Column c, List<Object> params, boolean fold) {
        List<String> alternatives = new ArrayList<>();
        List<Object> local = new ArrayList<>();
        List<String> uids = new ArrayList<>();
        for (Key.Term t : k.terms()) {
            if (c.kind() == Catalogue.Kind.UID && t instanceof Key.Term.Exact(String v)) {
                uids.add(v);
                continue;
            }
            String cond = term(c, t, local, fold, k.pairedTime() != 0);
            if (cond == null) {
                return null;
            }
            alternatives.add(cond);
        }
        if (!uids.isEmpty()) {
            alternatives.add(c.sql() + " IN (" + String.join(", ", uids.stream().map(u -> "?").toList()) + ")");
            local.addAll(uids);
        }
        params.addAll(local);
        return "(" + String.join(" OR ", alternatives) + ")";
    }

    private static String term(Catalogue.Column c, Key.Term t, List<Object> params, boolean fold, boolean combined) {
        String col = c.sql();
        if (t instanceof Key.Term.Empty) {
            return c.kind() == Catalogue.Kind.INT ? col + " IS NULL" : "(" + col + " IS NULL OR " + col + " = '')";
        }
        return switch (c.kind()) {
            case TEXT, UID -> switch (t) {
                case Key.Term.Exact(String v) -> bind(params, v, col + " = ?");
                case Key.Term.Wildcard(String p) -> bind(params, like(p), col + " LIKE ? ESCAPE '!'");
                default -> null;
            };
            case PN -> switch (t) {
                case Key.Term.Exact(String v) -> fold ? bind(params, foldedLike(v, false), "UPPER(" + col
                        + ") LIKE ? ESCAPE '!'") : bind(params, "%" + escape(v) + "%", col + " LIKE ? ESCAPE '!'");
                case Key.Term.Wildcard(String p) -> fold ? bind(params, foldedLike(p, true), "UPPER(" + col
                        + ") LIKE ? ESCAPE '!'") : bind(params, "%" + like(p) + "%", col + " LIKE ? ESCAPE '!'");
                default -> null;
            };
            case MULTI -> switch (t) {
                case Key.Term.Exact(String v) -> bind(params, "%" + escape(v) + "%", col + " LIKE ? ESCAPE '!'");
                case Key.Term.Wildcard(String p) -> bind(params, "%" + like(p) + "%", col + " LIKE ? ESCAPE '!'");
                default -> null;
            };
            case DATE -> switch (t) {
                case Key.Term.Exact(String v) -> bind(params, v, col + " = ?");
                case Key.Term.Range(String lo, String hi) -> range(col, params, dateOf(lo, combined),
                        dateOf(hi, combined));
                default -> null;
            };
            case INT -> switch (t) {
                case Key.Term.Exact(String v) -> integral(v) ? bind(params, (long) Double.parseDouble(v),
                        col + " = ?") : null;
                default -> null;
            };
            case TIME, COUNT -> null;
        };
    }

    private static String dateOf(String bound, boolean combined) {
        return combined && bound.length() >= 8 ? bound.substring(0, 8) : bound;
    }

    private static String range(String col, List<Object> params, String lo, String hi) {
        List<String> parts = new ArrayList<>(2);
        if (!lo.isEmpty()) {
            parts.add(bind(params, lo, col + " >= ?"));
        }
        if (!hi.isEmpty()) {
            parts.add(bind(params, hi, col + " <= ?"));
        }
        return "(" + String.join(" AND ", parts) + ")";
    }

    private static boolean integral(String v) {
        Optional<Double> d = Temporal.number(v);
        return d.isPresent() && d.get() == Math.rint(d.get()) && Math.abs(d.get()) < 1e15;
    }

    private static String bind(List<Object> params, Object value, String sql) {
        params.add(value);
        return sql;
    }

    /** A DICOM wild card pattern as a LIKE pattern with '!' as escape character. */
    static String like(String pattern) {
        StringBuilder sb = new StringBuilder(pattern.length() + 8);
        for (int i = 0; i < pattern.length(); i++) {
            char ch = pattern.charAt(i);
            switch (ch) {
                case '*' -> sb.append('%');
                case '?' -> sb.append('_');
                case '%', '_', '!' -> sb.append('!').append(ch);
                default -> sb.append(ch);
            }
        }
        return sb.toString();
    }

    static String escape(String literal) {
        StringBuilder sb = new StringBuilder(literal.length() + 8);
        for (int i = 0; i < literal.length(); i++) {
            char ch = literal.charAt(i);
            if (ch == '%' || ch == '_' || ch == '!') {
                sb.append('!');
            }
            sb.append(ch);
        }
        return sb.toString();
    }

    /**
     * A pattern for {@code UPPER(column) LIKE ?} that cannot miss a case-insensitive match on either engine: ASCII
     * letters upper-cased, and every non-ASCII character (whose upper case SQLite does not know) and every wild
     * card as '%'.
     */
    static String foldedLike(String pattern, boolean wildcards) {
        StringBuilder sb = new StringBuilder("%");
        for (int i = 0; i < pattern.length(); i++) {
            char ch = pattern.charAt(i);
            boolean any = ch > 127 || wildcards && (ch == '*' || ch == '?');
            if (any) {
                if (sb.charAt(sb.length() - 1) != '%' || sb.length() >= 2 && sb.charAt(sb.length() - 2) == '!') {
                    sb.append('%');
                }
            } else if (ch == '%' || ch == '_' || ch == '!') {
                sb.append('!').append(ch);
            } else {
                sb.append(Character.toUpperCase(ch));
            }
        }
        if (sb.charAt(sb.length() - 1) != '%' || sb.length() >= 2 && sb.charAt(sb.length() - 2) == '!') {
            sb.append('%');
        }
        return sb.toString();
    }
}
