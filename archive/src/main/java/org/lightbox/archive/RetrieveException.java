// SPDX-License-Identifier: Apache-2.0
package org.lightbox.archive;

import java.util.OptionalInt;
import org.lightbox.archive.query.QueryException;

/**
 * A C-MOVE or C-GET identifier that selects nothing because it breaks the rules of the model (PS3.4 C.4.2.2.1,
 * C.4.3.2.1): the status is A900H (identifier does not match SOP class) or, for a query the index will not process,
 * C000H, with the attribute at fault as Offending Element.
 */
public final class RetrieveException extends Exception {
    private static final long serialVersionUID = 1L;

    private final QueryException.Reason reason;
    private final int tag;

    RetrieveException(QueryException.Reason reason, int tag, String message) {
        super(message);
        this.reason = reason;
        this.tag = tag;
    }

    public QueryException.Reason reason() {
        return reason;
    }

    /** The attribute at fault, when there is one. */
    public OptionalInt tag() {
        return tag == 0 ? OptionalInt.empty() : OptionalInt.of(tag);
    }
}
