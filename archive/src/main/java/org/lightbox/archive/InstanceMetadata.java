// SPDX-License-Identifier: Apache-2.0
package org.lightbox.archive;

import java.io.IOException;

/**
 * One instance's metadata as the index stores it: the data set up to Pixel Data as DICOM JSON (PS3.18 F.2), bulk
 * values replaced by a BulkDataURI {@code bulk:<JSON pointer>} naming their place in the data set, such as
 * {@code bulk:/00540016/Value/0/00181072}.
 *
 * @param transferSyntaxUid the transfer syntax the instance is stored in
 * @param json the DICOM JSON object, compact, members in tag order
 */
public record InstanceMetadata(String studyInstanceUid, String seriesInstanceUid, String sopInstanceUid,
        String transferSyntaxUid, String json) {

    /** The prefix of the BulkDataURIs in {@link #json}; the rest is a JSON Pointer into the object. */
    public static final String BULK_PREFIX = "bulk:";

    /** Receives the metadata of instances one at a time, as they are read from the index. */
    @FunctionalInterface
    public interface Sink {
        void accept(InstanceMetadata metadata) throws IOException;
    }
}
