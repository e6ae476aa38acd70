// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicom.json;

import java.io.IOException;

/**
 * DICOM JSON or Native DICOM Model XML that cannot be read: malformed text, or a well-formed document that does not
 * follow PS3.18 Annex F / PS3.19 Annex A. The message names the reason, where in the data set it happened (an
 * RFC 6901 JSON Pointer such as {@code /00081115/Value/0/0020000E}, in DICOM JSON terms for XML as well) and the
 * line and column of the input.
 */
public final class DicomModelException extends IOException {
    private final String path;
    private final int line;
    private final int column;

    public DicomModelException(String reason, String path, int line, int column) {
        super(format(reason, path, line, column));
        this.path = path;
        this.line = line;
        this.column = column;
    }

    DicomModelException(String reason, String path, int line, int column, Throwable cause) {
        this(reason, path, line, column);
        initCause(cause);
    }

    /** Where in the data set: a JSON Pointer ({@code ""} for the whole document). */
    public String path() {
        return path;
    }

    /** The line of the input (1-based), or -1 when unknown. */
    public int line() {
        return line;
    }

    /** The column of the input (1-based), or -1 when unknown. */
    public int column() {
        return column;
    }

    private static String format(String reason, String path, int line, int column) {
        StringBuilder sb = new StringBuilder(reason);
        if (!path.isEmpty()) {
            sb.append(" at ").append(path);
        }
        if (line > 0) {
            sb.append(path.isEmpty() ? " at " : " (").append("line ").append(line).append(", column ").append(column);
            if (!path.isEmpty()) {
                sb.append(')');
            }
        }
        return sb.toString();
    }
}
