// SPDX-License-Identifier: Apache-2.0
package org.lightbox.archive.query;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Runs a {@link Query} on a connection to the index: one SQL statement (see {@link SqlPlan}) read row by row,
 * each candidate checked by {@link Matching} and its answer built and handed to the sink before the next row is
 * read, so memory does not grow with the number of matches. The archive calls it with a connection of its own
 * index ({@code Archive.query}); the connection is used by one thread and not closed here.
 */
public final class QueryExecutor {
    private static final int FETCH_SIZE = 256;

    private QueryExecutor() {}

    /**
     * Streams the matches of the query to the sink, asking {@link QuerySink#cancelled()} before every row.
     *
     * @throws SQLException when the index fails
     * @throws IOException when the sink fails, or an instance's stored metadata cannot be read
     */
    public static QueryOutcome run(Connection c, Query query, QuerySink sink) throws SQLException, IOException {
        SqlPlan plan = SqlPlan.of(query);
        Matching matching = new Matching(query.options().fuzzyPersonNames());
        long matches = 0;
        try (PreparedStatement ps = c.prepareStatement(plan.sql)) {
            plan.bind(ps);
            ps.setFetchSize(FETCH_SIZE);
            try (ResultSet rs = ps.executeQuery()) {
                while (true) {
                    if (sink.cancelled()) {
                        return new QueryOutcome(matches, true);
                    }
                    if (!rs.next()) {
                        return new QueryOutcome(matches, false);
                    }
                    Row row = Row.read(plan, rs);
                    if (matching.all(query.keys(), row)) {
                        sink.match(Results.build(query, row, matching));
                        matches++;
                    }
                }
            }
        }
    }

    /** The SQL a query runs, with {@code ?} for its bound values: for logs and tests. */
    public static String sql(Query query) {
        return SqlPlan.of(query).sql;
    }
}
