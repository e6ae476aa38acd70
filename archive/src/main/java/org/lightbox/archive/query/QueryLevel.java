// SPDX-License-Identifier: Apache-2.0
package org.lightbox.archive.query;

import java.util.Optional;

/** The Query/Retrieve Level (0008,0052) of PS3.4 C.3, from the top of the hierarchy down. */
public enum QueryLevel {
    PATIENT,
    STUDY,
    SERIES,
    IMAGE;

    /** The level named by a Query/Retrieve Level value ({@code "PATIENT"}, ..., {@code "IMAGE"}). */
    public static Optional<QueryLevel> of(String code) {
        for (QueryLevel l : values()) {
            if (l.name().equals(code)) {
                return Optional.of(l);
            }
        }
        return Optional.empty();
    }

    /** Whether this level is above (closer to the patient than) the other. */
    public boolean isAbove(QueryLevel other) {
        return ordinal() < other.ordinal();
    }
}
