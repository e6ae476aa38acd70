// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicomweb;

/**
 * A DICOMweb request that cannot be answered as asked, with the HTTP status that says why (400 bad request, 404 not
 * found, 406 not acceptable, 503 unavailable) and a message naming what is wrong, sent as the response body.
 */
public final class DicomwebException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int status;

    public DicomwebException(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }

    static DicomwebException badRequest(String message) {
        return new DicomwebException(400, message);
    }

    static DicomwebException notFound(String message) {
        return new DicomwebException(404, message);
    }

    static DicomwebException notAcceptable(String message) {
        return new DicomwebException(406, message);
    }
}
