// SPDX-License-Identifier: Apache-2.0
package org.lightbox.net.pdu;

import java.io.IOException;

/**
 * A PDU that breaks PS3.8's encoding rules. Carries the A-ABORT reason (PS3.8 Table 9-26) the association should be
 * aborted with, and says in words what was wrong.
 */
public final class PduFormatException extends IOException {
    private final int abortReason;

    public PduFormatException(int abortReason, String message) {
        super(message);
        this.abortReason = abortReason;
    }

    /** One of the {@code Pdu.Abort.REASON_*} codes. */
    public int abortReason() {
        return abortReason;
    }
}
