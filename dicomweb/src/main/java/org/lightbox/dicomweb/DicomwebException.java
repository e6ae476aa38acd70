// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicomweb;

import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A request that cannot be answered as asked, with the HTTP status and a message that names what is wrong. Thrown
 * by the DICOMweb handlers and turned into the answer by {@link #send}: the status, and a JSON body
 * {@code {"error":"..."}} (plain text when the client does not accept JSON).
 */
final class DicomwebException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(DicomwebException.class);

    private final int status;

    DicomwebException(int status, String message) {
        super(message, null, false, false);
        this.status = status;
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

    int status() {
        return status;
    }

    /** Answers the request with this error, unless the response has already begun (then it can only be cut). */
    void send(Context ctx) {
        if (ctx.res().isCommitted()) {
            LOG.warn("{} {}: {} after the answer began: {}", ctx.method(), ctx.path(), status, getMessage());
            return;
        }
        if (status >= 500 && status != 503) {
            LOG.warn("{} {}: {} {}", ctx.method(), ctx.path(), status, getMessage());
        } else {
            LOG.debug("{} {}: {} {}", ctx.method(), ctx.path(), status, getMessage());
        }
        String accept = ctx.header("Accept");
        boolean text = accept != null && !accept.isBlank() && !accept.contains("json") && !accept.contains("*/*")
                && !accept.contains("application/*") && accept.contains("text/");
        ctx.status(status);
        if (status == 503) {
            ctx.header("Retry-After", "2");
        }
        if (text) {
            ctx.contentType("text/plain; charset=utf-8").result(getMessage());
        } else {
            StringBuilder json = new StringBuilder("{\"error\":");
            quote(getMessage(), json);
            ctx.contentType("application/json").result(json.append('}').toString().getBytes(StandardCharsets.UTF_8));
        }
    }

    /** A JSON string. */
    static void quote(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || Character.isSurrogate(c)) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
