// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicomweb;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * Writes a {@code multipart/related} body (RFC 2387, PS3.18 8.6) part by part onto a stream, so nothing larger
 * than one buffer is held: each part's headers, then whatever the caller writes to {@link #out()}, then the next
 * boundary. The boundary is a random UUID, which no part can contain by chance.
 */
final class Multipart {
    private final OutputStream out;
    private final String boundary;
    private boolean open;

    Multipart(OutputStream out) {
        this.out = out;
        this.boundary = UUID.randomUUID().toString();
    }

    String boundary() {
        return boundary;
    }

    /** The Content-Type of the whole body: {@code multipart/related; type="<partType>"; boundary=...}. */
    String contentType(String partType) {
        return WadoMediaTypes.MULTIPART_RELATED + "; type=\"" + partType + "\"; boundary=" + boundary;
    }

    /**
     * Starts a part; write its bytes to {@link #out()} next.
     *
     * @param location the Content-Location, or null for none
     * @param length the Content-Length, or -1 when not known
     */
    void part(String contentType, String location, long length) throws IOException {
        StringBuilder h = new StringBuilder(128);
        h.append(open ? "\r\n--" : "--").append(boundary).append("\r\nContent-Type: ").append(contentType);
        if (location != null) {
            h.append("\r\nContent-Location: ").append(location);
        }
        if (length >= 0) {
            h.append("\r\nContent-Length: ").append(length);
        }
        h.append("\r\n\r\n");
        out.write(h.toString().getBytes(StandardCharsets.US_ASCII));
        open = true;
    }

    OutputStream out() {
        return out;
    }

    /** Writes the close delimiter (after the last part; a body with no part is the delimiter alone). */
    void finish() throws IOException {
        out.write(((open ? "\r\n--" : "--") + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }
}
