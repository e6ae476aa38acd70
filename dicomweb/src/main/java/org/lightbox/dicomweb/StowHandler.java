// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicomweb;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.lightbox.archive.Archive;
import org.lightbox.dicom.Dataset;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * STOW-RS on HTTP: {@code POST /dicom-web/studies} and {@code POST /dicom-web/studies/{study}} (PS3.18 10.5), the
 * body streamed from the request into {@link StowService}. The answer is the Store Instances Response Module in
 * {@code application/dicom+json} (or {@code application/dicom+xml} when the Accept header field prefers it), with a
 * Warning header field per failure or problem; a request refused as a whole (400, 406, 415, 503) answers
 * {@code {"error": "..."}} in JSON.
 */
final class StowHandler {
    private static final Logger LOG = LoggerFactory.getLogger(StowHandler.class);
    /** Warning header fields at most (each at most 300 characters), well inside Jetty's 8 KiB of headers. */
    private static final int MAX_WARNINGS = 10;

    private final Supplier<Archive> archive;
    private final StowService.Limits limits;
    private final ObjectMapper json = new ObjectMapper();
    private volatile StowService service;

    StowHandler(Supplier<Archive> archive, StowService.Limits limits) {
        this.archive = archive;
        this.limits = limits;
    }

    void register(RoutesConfig routes) {
        routes.post(DicomWeb.ROOT + "/studies", ctx -> store(ctx, null));
        routes.post(DicomWeb.ROOT + "/studies/{study}", ctx -> store(ctx, ctx.pathParam("study")));
    }

    private void store(Context ctx, String study) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        if (study != null) {
            String problem = uidProblem(study);
            if (problem != null) {
                error(ctx, 400, "the Study Instance UID in the path " + problem);
                return;
            }
        }
        Boolean xml = xmlAccepted(ctx.header("Accept"));
        if (xml == null) {
            error(ctx, 406, "STOW-RS answers application/dicom+json or application/dicom+xml, and the Accept header"
                    + " field allows neither: " + ctx.header("Accept"));
            return;
        }
        Archive a = archive.get();
        if (a == null) {
            error(ctx, 503, "the archive is still opening");
            return;
        }
        StowService s = service;
        if (s == null || s.archive() != a) {
            s = new StowService(a, limits);
            service = s;
        }
        StowService.Result result;
        try {
            result = s.store(ctx.header("Content-Type"), ctx.req().getInputStream(), study);
        } catch (StowService.StowException e) {
            LOG.info("STOW-RS {} from {} refused ({}): {}", ctx.path(), ctx.ip(), e.status, e.getMessage());
            error(ctx, e.status, e.getMessage());
            return;
        }
        int status = StowResponse.status(result);
        Dataset module = StowResponse.module(result, base(ctx), study);
        for (String w : StowResponse.warnings(result, MAX_WARNINGS)) {
            ctx.res().addHeader("Warning", w);
        }
        if (result.outcomes().isEmpty()) {
            String why = result.problems().isEmpty() ? "the request holds no instance" : String.join("; ",
                    result.problems());
            error(ctx, 400, why);
        } else {
            ctx.status(status).contentType(xml ? StowService.DICOM_XML : StowService.DICOM_JSON)
                    .result(xml ? StowResponse.xml(module) : StowResponse.json(module));
        }
        long failed = result.outcomes().stream().filter(o -> !o.stored()).count();
        long warned = result.outcomes().stream().filter(o -> o.kind() == StowOutcome.Kind.WARNING).count();
        LOG.info("STOW-RS {} from {}: {} instances stored ({} with warnings), {} failed, {} in {} ms{}", ctx.path(),
                ctx.ip(), result.stored(), warned, failed, status, (System.nanoTime() - t0) / 1_000_000,
                result.problems().isEmpty() ? "" : "; " + String.join("; ", result.problems()));
        for (StowOutcome o : result.outcomes()) {
            if (!o.stored()) {
                LOG.info("STOW-RS part {} {} failed with {}: {}", o.part(), o.sopInstanceUid(),
                        String.format("%04X", o.reason()), o.message());
            }
        }
    }

    /**
     * Whether the answer is XML (true), JSON (false), or neither is acceptable (null). No Accept, or one that names
     * nothing readable, means JSON.
     */
    static Boolean xmlAccepted(String accept) {
        if (accept == null || accept.isBlank()) {
            return false;
        }
        List<StowMediaType> ranges = StowMediaType.parseList(accept);
        if (ranges.isEmpty()) {
            return false;
        }
        double jsonQ = 0;
        double xmlQ = 0;
        for (StowMediaType m : ranges) {
            double q = m.quality();
            String essence = m.essence();
            boolean multipartXml = m.is("multipart/related")
                    && m.parameter("type").map(t -> t.equalsIgnoreCase(StowService.DICOM_XML)).orElse(false);
            if (essence.equals(StowService.DICOM_JSON) || essence.equals("application/json")) {
                jsonQ = Math.max(jsonQ, q);
            } else if (essence.equals(StowService.DICOM_XML) || multipartXml) {
                xmlQ = Math.max(xmlQ, q);
            } else if (essence.equals("*/*") || essence.equals("application/*")) {
                jsonQ = Math.max(jsonQ, q * 0.999); // a wildcard: JSON, unless XML is named with the same quality
            }
        }
        if (jsonQ <= 0 && xmlQ <= 0) {
            return null;
        }
        return xmlQ > jsonQ;
    }

    /** The DICOMweb root as this client reached it, for Retrieve URLs. */
    private static String base(Context ctx) {
        String host = ctx.header("Host");
        if (host == null || host.isBlank()) {
            host = ctx.req().getLocalAddr() + ":" + ctx.req().getLocalPort();
        }
        return ctx.scheme() + "://" + host + DicomWeb.ROOT;
    }

    /** Why a path segment is no UID (PS3.5 9.1: digits and dots, at most 64), or null. */
    static String uidProblem(String uid) {
        if (uid.isEmpty()) {
            return "is empty";
        }
        if (uid.length() > 64) {
            return "is " + uid.length() + " characters long, more than the 64 a UID may have";
        }
        for (int i = 0; i < uid.length(); i++) {
            char c = uid.charAt(i);
            if (c != '.' && (c < '0' || c > '9')) {
                return "is no UID: character '" + c + "' at " + i;
            }
        }
        return null;
    }

    private void error(Context ctx, int status, String message) throws IOException {
        ctx.status(status).contentType("application/json").result(json.writeValueAsString(Map.of("error", message)));
    }
}
