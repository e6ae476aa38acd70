// SPDX-License-Identifier: Apache-2.0
package org.lightbox.archive;

/** What ingest does with an instance whose SOP Instance UID the archive already holds. */
public enum DuplicatePolicy {
    /** Keep the stored instance and drop the new one; the caller answers with a warning. The default. */
    KEEP_FIRST,
    /** Store the new instance in place of the old one (the old blob is removed once the index points elsewhere). */
    REPLACE,
    /** Refuse the new instance: a failure. */
    REJECT
}
