// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicom.io;

import java.io.IOException;

/**
 * Bad input: the bytes are not a data set this reader can make sense of. Names where (byte offset and tag path)
 * and why, so that a person can find the fault with a hex viewer.
 */
public final class DicomParseException extends IOException {

    /** What is wrong. */
    public enum Reason {
        NOT_DICOM, TRUNCATED, LENGTH_EXCEEDS_REMAINING, VALUE_TOO_LARGE, BAD_DELIMITER, BAD_LENGTH, TOO_DEEP,
        BAD_VALUE, BAD_DEFLATE
    }

    private final long offset;
    private final String tagPath;
    private final String transferSyntax;
    private final Reason reason;

    public DicomParseException(Reason reason, long offset, String tagPath, String transferSyntax, String detail) {
        super(detail + " at byte " + offset + (tagPath.isEmpty() ? "" : " in " + tagPath)
                + (transferSyntax.isEmpty() ? "" : " (transfer syntax " + transferSyntax + ")"));
        this.offset = offset;
        this.tagPath = tagPath;
        this.transferSyntax = transferSyntax;
        this.reason = reason;
    }

    /** Byte offset from the start of the input (of the inflated data set, for deflated transfer syntaxes). */
    public long offset() {
        return offset;
    }

    /** Where in the data set, e.g. {@code (0040,A730)[2] > (0008,0100)}; empty outside any element. */
    public String tagPath() {
        return tagPath;
    }

    public String transferSyntax() {
        return transferSyntax;
    }

    public Reason reason() {
        return reason;
    }
}
