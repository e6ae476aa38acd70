// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicomweb;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.lightbox.archive.Archive;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * WADO-RS Retrieve Metadata (PS3.18 10.4.1.1.2) of a study, a series or an instance, from the metadata the archive
 * keeps in its index for every instance: one index query streamed to the client, no instance file read. DICOM JSON by
 * default, multipart XML on request. Each answer has a weak ETag derived from what the metadata is made of (the
 * instances and their blobs' checksums) and {@code Cache-Control: private, no-cache}: a client that sends the ETag
 * back in {@code If-None-Match} gets 304 Not Modified, after one small index query, while nothing has changed.
 */
final class MetadataHandler {
    private static final Logger LOG = LoggerFactory.getLogger(MetadataHandler.class);
    /** Bumped when the representation changes, so that cached answers are not taken for current ones. */
    private static final String FORMAT = "1";
    private static final List<MediaTypes.MediaType> OFFERED = List.of(ResultStream.JSON, ResultStream.PLAIN_JSON,
            ResultStream.MULTIPART_XML);
    private static final List<String> MEDIA_TYPES = List.of("application/dicom+json",
            "multipart/related; type=\"application/dicom+xml\"");

    private final Supplier<Archive> archive;

    MetadataHandler(Supplier<Archive> archive) {
        this.archive = archive;
    }

    void register(RoutesConfig routes, Capabilities capabilities) {
        String r = DicomWeb.ROOT;
        routes.get(r + "/studies/{study}/metadata", ctx -> metadata(ctx, false, false));
        routes.get(r + "/studies/{study}/series/{series}/metadata", ctx -> metadata(ctx, true, false));
        routes.get(r + "/studies/{study}/series/{series}/instances/{instance}/metadata",
                ctx -> metadata(ctx, true, true));
        capabilities.add(r + "/studies/{study}/metadata", "GET", "RetrieveStudyMetadata", MEDIA_TYPES, List.of());
        capabilities.add(r + "/studies/{study}/series/{series}/metadata", "GET", "RetrieveSeriesMetadata",
                MEDIA_TYPES, List.of());
        capabilities.add(r + "/studies/{study}/series/{series}/instances/{instance}/metadata", "GET",
                "RetrieveInstanceMetadata", MEDIA_TYPES, List.of());
    }

    /** The metadata of the study, of a series of it ({@code series}), or of an instance of that ({@code instance}). */
    private void metadata(Context ctx, boolean series, boolean instance) throws IOException {
        MediaTypes.MediaType chosen = MediaTypes.negotiate(Parameters.accept(ctx), OFFERED)
                .orElseThrow(() -> DicomwebException.notAcceptable("metadata is application/dicom+json (the default)"
                        + " or multipart/related; type=\"application/dicom+xml\", not " + Parameters.acceptText(ctx)));
        String studyUid = Uids.check("StudyInstanceUID", ctx.pathParam("study"));
        String seriesUid = series ? Uids.check("SeriesInstanceUID", ctx.pathParam("series")) : null;
        String sopUid = instance ? Uids.check("SOPInstanceUID", ctx.pathParam("instance")) : null;
        Archive a = DicomWeb.archive(archive);
        Optional<String> version = a.metadataVersion(studyUid, seriesUid, sopUid);
        if (version.isEmpty()) {
            throw DicomwebException.notFound(notFound(studyUid, seriesUid, sopUid));
        }
        boolean xml = chosen == ResultStream.MULTIPART_XML;
        String etag = "W/\"" + FORMAT + (xml ? "x" : chosen == ResultStream.PLAIN_JSON ? "p" : "j") + "-"
                + version.get() + "\"";
        ctx.header("ETag", etag);
        ctx.header("Cache-Control", "private, no-cache");
        ctx.res().addHeader("Vary", "Accept");
        if (matches(ctx.header("If-None-Match"), etag)) {
            ctx.status(304);
            return;
        }
        DeferredOutput body = new DeferredOutput(ctx::outputStream, () -> ctx.status(200), QidoHandler.HOLD_BYTES);
        ResultStream out = ResultStream.of(chosen, body);
        ctx.contentType(out.contentType());
        long n;
        try {
            n = a.metadata(studyUid, seriesUid, sopUid, m -> {
                if (out instanceof ResultStream.JsonArray json) {
                    json.raw(w -> MetadataJson.write(m, w));
                } else {
                    MetadataJson.Parsed p = MetadataJson.dataset(m);
                    out.dataset(p.dataset(), p.bulkUris());
                }
            });
            if (n == 0 && body.discard()) {
                ctx.removeHeader("ETag");
                throw DicomwebException.notFound(notFound(studyUid, seriesUid, sopUid)); // deleted meanwhile
            }
            out.close();
        } catch (IOException | RuntimeException e) {
            if (e instanceof DicomwebException || !body.discard()) {
                throw e;
            }
            ctx.removeHeader("ETag");
            throw new DicomwebException(500, "reading the metadata failed: " + e.getMessage());
        }
        LOG.debug("{} {}: metadata of {} instances", ctx.method(), ctx.path(), n);
    }

    private static String notFound(String study, String series, String sop) {
        return sop != null ? "instance " + sop + " not found in series " + series + " of study " + study
                : series != null ? "series " + series + " not found in study " + study
                : "study " + study + " not found";
    }

    /** Whether an If-None-Match header names the ETag (weak comparison, RFC 9110 13.1.2), or is {@code *}. */
    static boolean matches(String ifNoneMatch, String etag) {
        if (ifNoneMatch == null) {
            return false;
        }
        String opaque = opaque(etag);
        for (String candidate : ifNoneMatch.split(",")) {
            String c = candidate.strip();
            if (c.equals("*") || opaque(c).equals(opaque)) {
                return true;
            }
        }
        return false;
    }

    private static String opaque(String tag) {
        return tag.startsWith("W/") ? tag.substring(2) : tag;
    }
}
