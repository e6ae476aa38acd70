// SPDX-License-Identifier: Apache-2.0
package org.lightbox.archive;

import java.util.Objects;

/** What {@link Archive#delete} did: deleted the target, or found nothing to delete. */
public sealed interface DeleteResult {

    DeleteTarget target();

    /**
     * The target's index rows are gone (nothing of it is served any more) and so are its blobs, unless removing one
     * failed: then it is logged and removed by the next reconciliation, never indexed again.
     *
     * @param instances instances deleted
     * @param series series rows removed because they had no instance left
     * @param studies study rows removed because they had no instance left (0 or 1)
     * @param bytes the size of the deleted instances' blobs
     */
    record Deleted(DeleteTarget target, int instances, int series, int studies, long bytes) implements DeleteResult {
        public Deleted {
            Objects.requireNonNull(target);
        }
    }

    /**
     * Nothing deleted: the study, series or instance is not in the archive, or not where the target says.
     *
     * @param message names the first level not found, such as "series 1.2.3 not found in study 1.2"
     */
    record NotFound(DeleteTarget target, String message) implements DeleteResult {
        public NotFound {
            Objects.requireNonNull(target);
            Objects.requireNonNull(message);
        }
    }
}
