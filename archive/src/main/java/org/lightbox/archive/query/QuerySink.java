// SPDX-License-Identifier: Apache-2.0
package org.lightbox.archive.query;

import java.io.IOException;
import org.lightbox.dicom.Dataset;

/**
 * Receives the matches of a query one at a time, as they are read from the index. {@link #cancelled()} is asked
 * before each row, so a C-CANCEL or a closed HTTP connection stops the query between two matches.
 */
public interface QuerySink {

    /** One match: the requested keys with their values, Query/Retrieve Level and Specific Character Set. */
    void match(Dataset result) throws IOException;

    /** Whether the requestor has cancelled; asked between rows. */
    default boolean cancelled() {
        return false;
    }
}
