// SPDX-License-Identifier: Apache-2.0
package org.lightbox.archive;

import java.io.IOException;

/** The index's schema cannot be used: written by a newer Lightbox, or a migration failed. Start-up stops. */
public final class IndexSchemaException extends IOException {
    public IndexSchemaException(String message) {
        super(message);
    }

    public IndexSchemaException(String message, Throwable cause) {
        super(message, cause);
    }
}
