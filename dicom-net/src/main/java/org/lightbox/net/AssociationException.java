// SPDX-License-Identifier: Apache-2.0
package org.lightbox.net;

import java.io.IOException;

/** An association that could not be established, or ended by an abort: the message says which and why. */
public class AssociationException extends IOException {
    public AssociationException(String message) {
        super(message);
    }

    public AssociationException(String message, Throwable cause) {
        super(message, cause);
    }
}
