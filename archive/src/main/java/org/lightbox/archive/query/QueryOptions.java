// SPDX-License-Identifier: Apache-2.0
package org.lightbox.archive.query;

import java.util.Objects;

/**
 * What the front door negotiated or was asked for.
 *
 * @param relational relational queries (PS3.4 C.4.1.2.2.2, extended negotiation): upper-level unique keys are then
 *     not required
 * @param fuzzyPersonNames case-insensitive matching of person names (fuzzy semantic matching by extended
 *     negotiation, QIDO-RS {@code fuzzymatching=true})
 * @param combinedDateTime combined date-time matching of a DA key with its TM key (PS3.4 C.2.2.2.5, extended
 *     negotiation)
 * @param retrieveAeTitle the Retrieve AE Title (0008,0054) put in every answer; empty for none
 */
public record QueryOptions(boolean relational, boolean fuzzyPersonNames, boolean combinedDateTime,
        String retrieveAeTitle) {

    /** Hierarchical, case-sensitive, separate date and time matching, no Retrieve AE Title. */
    public static final QueryOptions DEFAULT = new QueryOptions(false, false, false, "");

    public QueryOptions {
        Objects.requireNonNull(retrieveAeTitle);
    }

    public QueryOptions withRelational(boolean on) {
        return new QueryOptions(on, fuzzyPersonNames, combinedDateTime, retrieveAeTitle);
    }

    public QueryOptions withFuzzyPersonNames(boolean on) {
        return new QueryOptions(relational, on, combinedDateTime, retrieveAeTitle);
    }

    public QueryOptions withCombinedDateTime(boolean on) {
        return new QueryOptions(relational, fuzzyPersonNames, on, retrieveAeTitle);
    }

    public QueryOptions withRetrieveAeTitle(String aet) {
        return new QueryOptions(relational, fuzzyPersonNames, combinedDateTime, aet);
    }
}
