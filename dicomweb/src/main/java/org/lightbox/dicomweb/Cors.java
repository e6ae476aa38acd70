// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicomweb;

import io.javalin.http.Context;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Cross-origin access to {@code /dicom-web} (the Fetch standard's CORS protocol): a viewer served from the same
 * origin needs nothing; one served from another origin is let in only when that origin is configured
 * ({@code dicomweb.cors-origins}), or when {@code *} is. Allowed origins get {@code Access-Control-Allow-Origin} on
 * every answer and their preflight requests are answered 204 with the methods and headers DICOMweb uses; a preflight
 * from an origin not allowed is answered 403 with a message. Requests themselves are never refused for their origin
 * (browsers send Origin on same-origin requests too): without the header, a browser keeps the answer from the page.
 */
final class Cors {
    static final String ALLOW_METHODS = "GET, HEAD, POST, PUT, DELETE, OPTIONS";
    static final String EXPOSE_HEADERS = "Content-Type, Content-Length, Content-Location, Content-Range, ETag,"
            + " Location, Retry-After, Warning";
    /** How long a browser may keep a preflight answer. */
    static final int MAX_AGE_SECONDS = 600;

    private final Set<String> origins;
    private final boolean any;

    /** @param origins allowed origins as {@link #normalize} accepts them, or {@code *} for any */
    Cors(List<String> origins) {
        Set<String> set = new LinkedHashSet<>();
        boolean star = false;
        for (String o : origins) {
            if (o.strip().equals("*")) {
                star = true;
            } else {
                set.add(normalize(o));
            }
        }
        this.origins = Set.copyOf(set);
        this.any = star;
    }

    /**
     * An origin as browsers send it: {@code scheme://host[:port]} in lower case, without a default port, path or
     * trailing slash.
     *
     * @throws IllegalArgumentException saying what is wrong with it
     */
    static String normalize(String origin) {
        String o = origin.strip();
        URI uri;
        try {
            uri = new URI(o);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("\"" + o + "\" is not an origin (scheme://host[:port]): "
                    + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
            throw new IllegalArgumentException("\"" + o + "\" is not an origin: it must be http:// or https:// and a"
                    + " host, such as https://viewer.example.org or http://localhost:3000");
        }
        if (uri.getRawPath() != null && !uri.getRawPath().isEmpty() && !uri.getRawPath().equals("/")
                || uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException("\"" + o + "\" is not an origin: an origin has no path, query or user"
                    + " (scheme://host[:port])");
        }
        int port = uri.getPort();
        boolean standard = port == -1 || scheme.equals("http") && port == 80 || scheme.equals("https") && port == 443;
        return scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + (standard ? "" : ":" + port);
    }

    boolean allows(String origin) {
        if (any) {
            return true;
        }
        try {
            return origins.contains(normalize(origin));
        } catch (IllegalArgumentException e) {
            return false; // "null" (a file or sandboxed page) and anything else that is no origin
        }
    }

    /** Runs before every DICOMweb handler: adds the CORS headers, and answers preflight requests itself. */
    void before(Context ctx) {
        String origin = ctx.header("Origin");
        if (origin == null) {
            return;
        }
        boolean preflight = ctx.method().name().equals("OPTIONS")
                && ctx.header("Access-Control-Request-Method") != null;
        boolean allowed = allows(origin);
        if (allowed) {
            ctx.header("Access-Control-Allow-Origin", any ? "*" : origin);
            ctx.header("Access-Control-Expose-Headers", EXPOSE_HEADERS);
        }
        if (!any) {
            ctx.res().addHeader("Vary", "Origin");
        }
        if (!preflight) {
            return;
        }
        ctx.skipRemainingHandlers();
        if (!allowed) {
            new DicomwebException(403, "cross-origin requests from " + Uids.printable(origin) + " are not allowed:"
                    + " add the origin to dicomweb.cors-origins in the configuration").send(ctx);
            return;
        }
        ctx.header("Access-Control-Allow-Methods", ALLOW_METHODS);
        String headers = ctx.header("Access-Control-Request-Headers");
        if (headers != null && !headers.isBlank()) {
            // Any request header may come from an allowed origin; echo the list (Authorization included).
            ctx.header("Access-Control-Allow-Headers", headers.replaceAll("[^A-Za-z0-9!#$%&'*+.^_`|~, -]", ""));
        }
        ctx.header("Access-Control-Max-Age", String.valueOf(MAX_AGE_SECONDS));
        ctx.status(204);
    }
}
