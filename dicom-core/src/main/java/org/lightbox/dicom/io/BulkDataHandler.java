// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicom.io;

import java.io.IOException;
import java.io.InputStream;
import org.lightbox.dicom.Value;
import org.lightbox.dicom.Vr;

/**
 * Takes a bulk value (or one fragment of encapsulated pixel data) as it streams past, instead of the reader loading
 * it: to copy it somewhere, or to note where it lies. What the stream leaves unread is skipped.
 */
@FunctionalInterface
public interface BulkDataHandler {
    /**
     * @param tagPath where the value is, e.g. {@code (7FE0,0010)}
     * @param offset the value's byte offset in the input
     * @return what the data set keeps in its place: a {@link Value.Bytes} or {@link Value.Bulk}
     */
    Value handle(String tagPath, int tag, Vr vr, long offset, long length, InputStream value) throws IOException;
}
