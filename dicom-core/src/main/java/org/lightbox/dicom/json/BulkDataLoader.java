// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicom.json;

import java.io.IOException;
import org.lightbox.dicom.Value;
import org.lightbox.dicom.Vr;

/**
 * Supplies the value a Bulk Data URI refers to when reading DICOM JSON or XML. For the XML {@code BulkData uuid="u"}
 * form the URI given is {@code urn:uuid:u}.
 */
@FunctionalInterface
public interface BulkDataLoader {

    /**
     * The value, as little endian bytes ({@link Value.Bytes} or {@link Value.Bulk}) or encapsulated fragments.
     *
     * @throws IOException when the URI cannot be resolved; the reader reports it with the element's position
     */
    Value load(String uri, int tag, Vr vr) throws IOException;

    /** Refuses every URI: reading a document that holds one fails with a message naming it. */
    static BulkDataLoader none() {
        return (uri, tag, vr) -> {
            throw new IOException("no bulk data loader was given to resolve BulkDataURI " + uri);
        };
    }
}
