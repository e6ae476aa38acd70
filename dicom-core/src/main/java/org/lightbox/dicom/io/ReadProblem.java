// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicom.io;

/**
 * Something non-conformant the reader accepted, the way the major readers do, and did not silently repair: the
 * data set holds what the bytes said, and this says what was odd about them.
 */
public record ReadProblem(long offset, String tagPath, String message) {
    @Override
    public String toString() {
        return message + " at byte " + offset + (tagPath.isEmpty() ? "" : " in " + tagPath);
    }
}
