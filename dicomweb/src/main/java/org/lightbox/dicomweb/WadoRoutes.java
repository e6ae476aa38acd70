// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicomweb;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;
import org.lightbox.archive.Archive;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WADO routes: WADO-RS retrieval of studies, series and instances ({@link RetrieveHandler}), frames
 * ({@link FramesHandler}), bulk data ({@link BulkdataHandler}), rendered and thumbnail resources
 * ({@link RenderedHandler}) under {@link DicomWeb#ROOT}, and WADO-URI ({@link WadoUriHandler}) at
 * {@code /dicom-web/wado} and {@code /wado}. UIDs in paths are checked first (400); every refusal is a
 * {@link DicomwebException} sent as its status with a plain-text message; 503 while the archive opens. Bodies go to
 * the servlet stream as they are made (no compression: DICOM and images gain little from it).
 */
final class WadoRoutes {
    private static final Logger LOG = LoggerFactory.getLogger(WadoRoutes.class);
    private static final String STUDY = DicomWeb.ROOT + "/studies/{study}";
    private static final String SERIES = STUDY + "/series/{series}";
    private static final String INSTANCE = SERIES + "/instances/{instance}";
    private static final String FRAME = INSTANCE + "/frames/{frame}";

    private WadoRoutes() {}

    @FunctionalInterface
    interface Action {
        void handle(Context ctx, Archive archive) throws DicomwebException, IOException;
    }

    static void register(RoutesConfig routes, Supplier<Archive> archive) {
        routes.get(STUDY, wrap(archive, (ctx, a) -> RetrieveHandler.study(ctx, a, study(ctx))));
        routes.get(SERIES, wrap(archive, (ctx, a) -> RetrieveHandler.series(ctx, a, study(ctx), series(ctx))));
        routes.get(INSTANCE, wrap(archive, (ctx, a) -> RetrieveHandler.instance(ctx, a, study(ctx), series(ctx),
                instance(ctx))));
        routes.get(INSTANCE + "/frames/{frames}", wrap(archive, (ctx, a) -> FramesHandler.frames(ctx, a, study(ctx),
                series(ctx), instance(ctx), ctx.pathParam("frames"))));
        routes.get(INSTANCE + "/bulkdata/<path>", wrap(archive, (ctx, a) -> BulkdataHandler.bulkdata(ctx, a,
                study(ctx), series(ctx), instance(ctx), ctx.pathParam("path"))));
        for (boolean thumbnail : new boolean[] {false, true}) {
            String leaf = thumbnail ? "/thumbnail" : "/rendered";
            routes.get(STUDY + leaf, wrap(archive, (ctx, a) -> RenderedHandler.instance(ctx, a,
                    Instances.representative(a, study(ctx), null), 1, thumbnail, false)));
            routes.get(SERIES + leaf, wrap(archive, (ctx, a) -> RenderedHandler.instance(ctx, a,
                    Instances.representative(a, study(ctx), series(ctx)), 1, thumbnail, false)));
            routes.get(INSTANCE + leaf, wrap(archive, (ctx, a) -> RenderedHandler.instance(ctx, a,
                    Instances.instance(a, study(ctx), series(ctx), instance(ctx)), 1, thumbnail, false)));
            routes.get(FRAME + leaf, wrap(archive, (ctx, a) -> {
                int[] frame = FramesHandler.frameNumbers(ctx.pathParam("frame"));
                if (frame.length != 1) {
                    throw DicomwebException.badRequest("a rendered frame is one frame number, not "
                            + WadoMediaTypes.clip(ctx.pathParam("frame")));
                }
                RenderedHandler.instance(ctx, a, Instances.instance(a, study(ctx), series(ctx), instance(ctx)),
                        frame[0], thumbnail, true);
            }));
        }
        routes.get(DicomWeb.ROOT + "/wado", wrap(archive, WadoUriHandler::retrieve));
        routes.get("/wado", wrap(archive, WadoUriHandler::retrieve));
    }

    private static String study(Context ctx) throws DicomwebException {
        return Uids.require("StudyInstanceUID", ctx.pathParam("study"));
    }

    private static String series(Context ctx) throws DicomwebException {
        return Uids.require("SeriesInstanceUID", ctx.pathParam("series"));
    }

    private static String instance(Context ctx) throws DicomwebException {
        return Uids.require("SOPInstanceUID", ctx.pathParam("instance"));
    }

    static Handler wrap(Supplier<Archive> archive, Action action) {
        return ctx -> {
            Archive a = archive.get();
            if (a == null) {
                error(ctx, new DicomwebException(503, "the archive is still opening"));
                return;
            }
            try {
                action.handle(ctx, a);
            } catch (DicomwebException e) {
                if (ctx.res().isCommitted()) {
                    LOG.warn("{} {}: {} after the response started", ctx.method(), ctx.path(), e.getMessage());
                    return;
                }
                error(ctx, e);
            } catch (IOException e) {
                if (ctx.res().isCommitted()) {
                    // The client went away, or a stored file failed mid-way: the body ends short of its close
                    // delimiter, which tells a multipart reader it is incomplete.
                    LOG.debug("{} {}: response cut short: {}", ctx.method(), ctx.path(), e.toString());
                    return;
                }
                LOG.error("{} {} failed: {}", ctx.method(), ctx.path(), e.toString(), e);
                error(ctx, new DicomwebException(500, "the archive failed: " + e.getMessage()));
            }
        };
    }

    static void error(Context ctx, DicomwebException e) throws IOException {
        for (String header : new String[] {"Warning", "Accept-Ranges"}) {
            ctx.res().setHeader(header, null); // set for the answer that is not sent
        }
        byte[] body = (e.getMessage() + "\n").getBytes(StandardCharsets.UTF_8);
        ctx.status(e.status()).contentType("text/plain; charset=utf-8");
        ctx.res().setContentLength(body.length);
        ctx.res().getOutputStream().write(body);
    }
}
