// SPDX-License-Identifier: Apache-2.0
package org.lightbox.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import org.lightbox.archive.Archive;
import org.lightbox.archive.DeleteResult;
import org.lightbox.archive.DeleteTarget;
import org.lightbox.dicomweb.DicomWeb;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API under {@code /api}: deletion of a study, a series or an instance, also served as DICOMweb's DELETE
 * under {@code /dicom-web} (same routes below it, same access rule). Every answer is JSON: 200 with
 * what was deleted, 400 for a malformed UID, 404 naming what is not there, 401 without the configured token, 403
 * when the API is disabled, 503 while the archive opens, 500 when the index fails.
 */
final class AdminHandler {
    private static final Logger LOG = LoggerFactory.getLogger(AdminHandler.class);

    private final ServerConfig.Admin config;
    private final Supplier<Archive> archive;
    private final ServerMetrics metrics;
    private final ObjectMapper json = new ObjectMapper();

    /** @param archive the archive, or null while it is opening */
    AdminHandler(ServerConfig.Admin config, Supplier<Archive> archive, ServerMetrics metrics) {
        this.config = config;
        this.archive = archive;
        this.metrics = metrics;
    }

    /**
     * Registers the deletion routes under {@code /api} and, with the same answers and the same access rule (deletion
     * is an admin action whichever door it comes through), under {@code /dicom-web}: DICOMweb's DELETE of a study,
     * series or instance, which PS3.18 leaves out and viewers and scripts expect.
     */
    void register(RoutesConfig routes) {
        for (String root : new String[] {"/api", DicomWeb.ROOT}) {
            routes.delete(root + "/studies/{study}", ctx -> delete(ctx,
                    c -> new DeleteTarget.Study(c.pathParam("study"))));
            routes.delete(root + "/studies/{study}/series/{series}", ctx -> delete(ctx,
                    c -> new DeleteTarget.Series(c.pathParam("study"), c.pathParam("series"))));
            routes.delete(root + "/studies/{study}/series/{series}/instances/{instance}", ctx -> delete(ctx,
                    c -> new DeleteTarget.Instance(c.pathParam("study"), c.pathParam("series"),
                            c.pathParam("instance"))));
        }
    }

    private void delete(Context ctx, Function<Context, DeleteTarget> target) throws IOException {
        if (!allowed(ctx)) {
            return;
        }
        DeleteTarget t;
        try {
            t = target.apply(ctx);
        } catch (IllegalArgumentException e) {
            error(ctx, 400, e.getMessage());
            return;
        }
        Archive a = archive.get();
        if (a == null) {
            error(ctx, 503, "the archive is still opening");
            return;
        }
        DeleteResult result;
        try {
            result = a.delete(t);
        } catch (IOException e) {
            LOG.error("deleting {} failed: {}", t.describe(), e.getMessage(), e);
            error(ctx, 500, "deleting " + t.describe() + " failed: " + e.getMessage());
            return;
        }
        switch (result) {
            case DeleteResult.NotFound n -> error(ctx, 404, n.message());
            case DeleteResult.Deleted d -> {
                metrics.deleted(d.instances(), d.bytes());
                LOG.info("deleted {} through DELETE {} from {}: {} instances, {} bytes ({} empty series and {}"
                        + " empty studies removed)", t.describe(), ctx.path(), ctx.ip(), d.instances(), d.bytes(),
                        d.series(), d.studies());
                send(ctx, 200, body(t, d));
            }
        }
    }

    /** What a 200 answer says: the level, its UIDs and what went. */
    private static Map<String, Object> body(DeleteTarget t, DeleteResult.Deleted d) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("deleted", switch (t) {
            case DeleteTarget.Study s -> "study";
            case DeleteTarget.Series s -> "series";
            case DeleteTarget.Instance i -> "instance";
        });
        body.put("studyInstanceUid", t.studyInstanceUid());
        switch (t) {
            case DeleteTarget.Study s -> { }
            case DeleteTarget.Series s -> body.put("seriesInstanceUid", s.seriesInstanceUid());
            case DeleteTarget.Instance i -> {
                body.put("seriesInstanceUid", i.seriesInstanceUid());
                body.put("sopInstanceUid", i.sopInstanceUid());
            }
        }
        body.put("instances", d.instances());
        body.put("series", d.series());
        body.put("studies", d.studies());
        body.put("bytes", d.bytes());
        return body;
    }

    /** Answers 403 or 401 and returns false unless the request may use the admin API. */
    private boolean allowed(Context ctx) throws IOException {
        if (!config.enabled()) {
            error(ctx, 403, "the admin API is disabled (admin.enabled in the configuration)");
            return false;
        }
        if (config.hasToken()) {
            String auth = ctx.header("Authorization");
            String sent = auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7) ? auth.substring(7).strip() : "";
            // Compared in constant time, so that the answer's timing does not reveal how much of a guess was right.
            if (!MessageDigest.isEqual(sent.getBytes(StandardCharsets.UTF_8),
                    config.token().getBytes(StandardCharsets.UTF_8))) {
                LOG.warn("admin API request {} {} from {} refused: {}", ctx.method(), ctx.path(), ctx.ip(),
                        auth == null ? "no token" : "wrong token");
                ctx.header("WWW-Authenticate", "Bearer realm=\"lightbox-admin\"");
                error(ctx, 401, "the admin API needs the configured token (admin.token) as 'Authorization: Bearer"
                        + " <token>'");
                return false;
            }
        }
        return true;
    }

    private void error(Context ctx, int status, String message) throws IOException {
        send(ctx, status, Map.of("error", message));
    }

    private void send(Context ctx, int status, Map<String, Object> body) throws IOException {
        ctx.status(status).contentType("application/json").result(json.writeValueAsString(body));
    }
}
