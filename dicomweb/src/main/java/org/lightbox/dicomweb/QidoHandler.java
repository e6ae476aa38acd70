// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicomweb;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.lightbox.archive.Archive;
import org.lightbox.archive.query.QueryOutcome;
import org.lightbox.archive.query.QuerySink;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.Vr;
import org.lightbox.dicom.json.BulkDataPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * QIDO-RS (PS3.18 10.6, the Search transaction) over {@link Archive#query}, the query path C-FIND uses: the six
 * search resources, DICOM JSON by default and multipart XML on request, matches streamed from the index to the
 * client as they are read, {@code limit} and {@code offset} over the archive's stable order (by UID), and a
 * {@code Warning} header naming what was ignored.
 */
final class QidoHandler {
    private static final Logger LOG = LoggerFactory.getLogger(QidoHandler.class);
    /** A result up to this size is held until the query ends, so that its status and Warning can still change. */
    static final int HOLD_BYTES = 256 * 1024;
    private static final List<MediaTypes.MediaType> OFFERED = List.of(ResultStream.JSON, ResultStream.PLAIN_JSON,
            ResultStream.MULTIPART_XML);

    private final Supplier<Archive> archive;

    QidoHandler(Supplier<Archive> archive) {
        this.archive = archive;
    }

    void register(RoutesConfig routes, Capabilities capabilities) {
        String r = DicomWeb.ROOT;
        add(routes, capabilities, r + "/studies", QidoRequest.Resource.STUDIES, "SearchForStudies");
        add(routes, capabilities, r + "/studies/{study}/series", QidoRequest.Resource.STUDY_SERIES,
                "SearchForStudySeries");
        add(routes, capabilities, r + "/series", QidoRequest.Resource.SERIES, "SearchForSeries");
        add(routes, capabilities, r + "/studies/{study}/series/{series}/instances",
                QidoRequest.Resource.STUDY_SERIES_INSTANCES, "SearchForStudySeriesInstances");
        add(routes, capabilities, r + "/studies/{study}/instances", QidoRequest.Resource.STUDY_INSTANCES,
                "SearchForStudyInstances");
        add(routes, capabilities, r + "/instances", QidoRequest.Resource.INSTANCES, "SearchForInstances");
    }

    private void add(RoutesConfig routes, Capabilities capabilities, String path, QidoRequest.Resource resource,
            String id) {
        routes.get(path, ctx -> search(ctx, resource));
        capabilities.add(path, "GET", id, List.of("application/dicom+json",
                "multipart/related; type=\"application/dicom+xml\""), List.of("{attributeID}", "includefield",
                "fuzzymatching", "limit", "offset"));
    }

    void search(Context ctx, QidoRequest.Resource resource) throws IOException {
        MediaTypes.MediaType chosen = negotiate(ctx);
        QidoRequest request = QidoRequest.parse(resource, Parameters.query(ctx),
                resource.studyInPath ? ctx.pathParam("study") : null,
                resource.seriesInPath ? ctx.pathParam("series") : null);
        Archive a = DicomWeb.archive(archive);
        String base = DicomWeb.baseUrl(ctx);
        List<String> warnings = new ArrayList<>(request.warnings());
        boolean[] more = {false};
        DeferredOutput body = new DeferredOutput(ctx::outputStream, () -> {
            ctx.status(200);
            warnings.forEach(w -> ctx.res().addHeader("Warning", DicomWeb.warning(ctx, w)));
            if (more[0]) {
                ctx.res().addHeader("Warning", DicomWeb.warning(ctx, "There are additional results that can be"
                        + " requested"));
            }
        }, HOLD_BYTES);
        ResultStream out = ResultStream.of(chosen, body);
        ctx.contentType(out.contentType());
        long skip = request.offset();
        long limit = request.limit();
        QueryOutcome outcome;
        long[] sent = {0};
        try {
            outcome = a.query(request.query(), new QuerySink() {
                long seen;

                @Override
                public void match(Dataset result) throws IOException {
                    seen++;
                    if (seen <= skip) {
                        return;
                    }
                    if (limit >= 0 && sent[0] >= limit) {
                        more[0] = true; // one match past the limit: there are more
                        return;
                    }
                    out.dataset(answer(result, base), BulkDataPolicy.inline());
                    sent[0]++;
                }

                @Override
                public boolean cancelled() {
                    return more[0];
                }
            });
            out.close();
        } catch (IOException | RuntimeException e) {
            if (body.discard()) {
                throw new DicomwebException(500, "the search failed: " + e.getMessage());
            }
            // The answer has begun: cut it short (the client sees an incomplete body), never pretend it is whole.
            LOG.warn("{} {}: search failed after {} results were sent: {}", ctx.method(), ctx.path(), sent[0],
                    e.toString());
            throw e;
        }
        if (more[0] && body.committed()) {
            LOG.debug("{}: more results than limit {}, not said (the answer had begun)", ctx.path(), limit);
        }
        LOG.debug("{} {}?{}: {} results ({} matched)", ctx.method(), ctx.path(), ctx.queryString(), sent[0],
                outcome.matches());
    }

    /**
     * The answer for one match: without Query/Retrieve Level (a DIMSE notion), with the Retrieve URL (0008,1190) of
     * the study, series or instance (PS3.18 Tables 10.6.3-3 to -5).
     */
    static Dataset answer(Dataset result, String base) {
        Dataset.Builder b = result.toBuilder().remove(Tag.QueryRetrieveLevel);
        String study = result.string(Tag.StudyInstanceUID).orElse("");
        String level = result.string(Tag.QueryRetrieveLevel).orElse("");
        String url = base + "/studies/" + study;
        if (!level.equals("STUDY")) {
            url += "/series/" + result.string(Tag.SeriesInstanceUID).orElse("");
            if (level.equals("IMAGE")) {
                url += "/instances/" + result.string(Tag.SOPInstanceUID).orElse("");
            }
        }
        return b.setStrings(Tag.RetrieveURL, Vr.UR, url).build();
    }

    private static MediaTypes.MediaType negotiate(Context ctx) {
        List<MediaTypes.MediaType> accepted = Parameters.accept(ctx);
        MediaTypes.MediaType chosen = MediaTypes.negotiate(accepted, OFFERED)
                .orElseThrow(() -> DicomwebException.notAcceptable("search results are application/dicom+json"
                        + " (the default) or multipart/related; type=\"application/dicom+xml\", not "
                        + Parameters.acceptText(ctx)));
        return chosen;
    }
}
