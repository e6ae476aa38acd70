// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicom.io;

import java.util.Objects;
import java.util.Optional;

/**
 * How to read: where to stop, what to leave unloaded, and the limits that keep bad input from exhausting memory.
 *
 * @param stopBeforePixelData stop at the top-level Pixel Data (or Float / Double Float Pixel Data) element
 * @param bulkDataThreshold binary values (OB, OW, OD, OF, OL, OV, UN, pixel data) of at least this many bytes are
 *     bulk data: left in the file as {@code Value.Bulk} when reading a file, else given to the bulk data handler,
 *     else loaded
 * @param maxValueLength the largest value loaded into memory; larger values from a file are left in it, from a
 *     stream they are an error ({@code VALUE_TOO_LARGE}) unless a handler takes them
 * @param maxDepth the deepest nesting of sequences accepted
 * @param bulkDataHandler optional handler for bulk values
 */
public record ReadOptions(boolean stopBeforePixelData, long bulkDataThreshold, long maxValueLength, int maxDepth,
        Optional<BulkDataHandler> bulkDataHandler) {

    public static final ReadOptions DEFAULT = new ReadOptions(false, Long.MAX_VALUE, 64L << 20, 64, Optional.empty());

    public ReadOptions {
        Objects.requireNonNull(bulkDataHandler);
        if (bulkDataThreshold < 0 || maxValueLength < 0 || maxDepth < 1) {
            throw new IllegalArgumentException("limits must be positive");
        }
    }

    public ReadOptions withStopBeforePixelData(boolean stop) {
        return new ReadOptions(stop, bulkDataThreshold, maxValueLength, maxDepth, bulkDataHandler);
    }

    public ReadOptions withBulkDataThreshold(long bytes) {
        return new ReadOptions(stopBeforePixelData, bytes, maxValueLength, maxDepth, bulkDataHandler);
    }

    public ReadOptions withMaxValueLength(long bytes) {
        return new ReadOptions(stopBeforePixelData, bulkDataThreshold, bytes, maxDepth, bulkDataHandler);
    }

    public ReadOptions withMaxDepth(int depth) {
        return new ReadOptions(stopBeforePixelData, bulkDataThreshold, maxValueLength, depth, bulkDataHandler);
    }

    public ReadOptions withBulkDataHandler(BulkDataHandler handler) {
        return new ReadOptions(stopBeforePixelData, bulkDataThreshold, maxValueLength, maxDepth,
                Optional.of(handler));
    }
}
