// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicomweb;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import org.lightbox.archive.Archive;

/**
 * DICOMweb (PS3.18) over the archive, under {@code /dicom-web}: the same ingest, query and retrieve paths as DIMSE,
 * so the two front doors always agree. The server registers it on its HTTP routes; each resource family keeps its
 * own handlers.
 */
public final class DicomWeb {
    /** Where the services live, as ARCHITECTURE's contract says. */
    public static final String ROOT = "/dicom-web";

    private DicomWeb() {}

    /**
     * What the server configures of DICOMweb.
     *
     * @param corsOrigins the origins (scheme://host[:port]) whose pages may use DICOMweb from a browser besides the
     *     server's own, or {@code *} for any; empty for same-origin only
     */
    public record Options(List<String> corsOrigins) {
        public static final Options DEFAULT = new Options(List.of());

        public Options {
            corsOrigins = List.copyOf(corsOrigins);
            corsOrigins.forEach(o -> {
                if (!o.strip().equals("*")) {
                    Cors.normalize(o);
                }
            });
        }

        /**
         * An origin as browsers send it, checked: {@code scheme://host[:port]}, lower case, no default port.
         *
         * @throws IllegalArgumentException saying what is wrong with it
         */
        public static String checkOrigin(String origin) {
            return origin.strip().equals("*") ? "*" : Cors.normalize(origin);
        }
    }

    /** Registers every DICOMweb route with the default options (same-origin only). */
    public static void register(RoutesConfig routes, Supplier<Archive> archive) {
        register(routes, archive, Options.DEFAULT);
    }

    /**
     * Registers every DICOMweb route.
     *
     * @param archive the archive, or null while it is still opening (answered 503)
     */
    public static void register(RoutesConfig routes, Supplier<Archive> archive, Options options) {
        Objects.requireNonNull(options);
        Cors cors = new Cors(options.corsOrigins());
        routes.before(ROOT, cors::before);
        routes.before(ROOT + "/*", cors::before);
        routes.exception(DicomwebException.class, (e, ctx) -> e.send(ctx));
        Capabilities capabilities = new Capabilities();
        new QidoHandler(archive).register(routes, capabilities);
        new MetadataHandler(archive).register(routes, capabilities);
        WadoRoutes.register(routes, archive); // WADO-RS (instances, frames, bulk data, rendered), WADO-URI
        // Resource families register here as they are built: STOW-RS.
        new CapabilitiesHandler(capabilities).register(routes);
    }

    /**
     * The archive, or 503 Service Unavailable while it opens.
     *
     * @throws DicomwebException 503 when the archive is not open yet
     */
    static Archive archive(Supplier<Archive> archive) {
        Archive a = archive.get();
        if (a == null) {
            throw new DicomwebException(503, "the archive is still opening; try again in a moment");
        }
        return a;
    }

    /**
     * The absolute URL of the service as the client reached it, from the request's scheme and Host header (checked
     * to be a host name or address with an optional port; anything else gives the address the server answered on).
     */
    static String baseUrl(Context ctx) {
        String host = ctx.header("Host");
        if (host == null || host.isEmpty() || host.length() > 255 || !host.matches("[A-Za-z0-9.\\-]+(:\\d{1,5})?"
                + "|\\[[0-9A-Fa-f:.]+\\](:\\d{1,5})?")) {
            String local = ctx.req().getLocalAddr();
            host = (local.contains(":") ? "[" + local + "]" : local) + ":" + ctx.req().getLocalPort();
        }
        return ctx.scheme() + "://" + host + ROOT;
    }

    /**
     * A Warning header value (RFC 7234 5.5, as PS3.18 8.3.5 uses it): code 299 (miscellaneous persistent warning),
     * the agent, and the text quoted, in printable ASCII.
     */
    static String warning(Context ctx, String text) {
        String host = ctx.header("Host");
        String agent = host != null && host.matches("[A-Za-z0-9.\\-\\[\\]:]{1,255}") ? host : "lightbox";
        StringBuilder sb = new StringBuilder("299 ").append(agent).append(" \"");
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else {
                sb.append(c >= 0x20 && c < 0x7F ? c : '?');
            }
        }
        return sb.append('"').toString();
    }
}
