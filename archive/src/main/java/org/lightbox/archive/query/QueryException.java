// SPDX-License-Identifier: Apache-2.0
package org.lightbox.archive.query;

import java.util.OptionalInt;

/**
 * A query that cannot be run, with the reason in the terms of PS3.4 C.4.1.1.4: an identifier that does not match
 * the SOP class (C-FIND status A900H, QIDO-RS 400), or a query that cannot be processed (C000H).
 */
public final class QueryException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why the query was refused. */
    public enum Reason {
        /** The identifier is malformed or breaks the rules of the model (C-FIND A900H). */
        IDENTIFIER_DOES_NOT_MATCH_SOP_CLASS,
        /** The query is understood but exceeds what this archive will process (C-FIND C000H). */
        UNABLE_TO_PROCESS
    }

    private final Reason reason;
    private final int tag;

    QueryException(Reason reason, int tag, String message) {
        super(message);
        this.reason = reason;
        this.tag = tag;
    }

    public Reason reason() {
        return reason;
    }

    /** The attribute at fault, when there is one (for Offending Element (0000,0901)). */
    public OptionalInt tag() {
        return tag == 0 ? OptionalInt.empty() : OptionalInt.of(tag);
    }
}
