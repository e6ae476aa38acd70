// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicomweb;

import io.javalin.http.Context;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.lightbox.archive.Archive;
import org.lightbox.archive.StoredInstance;
import org.lightbox.dicom.TransferSyntax;
import org.lightbox.dicom.UidRegistry;
import org.lightbox.dicomweb.WadoMediaTypes.MediaRange;
import org.lightbox.imaging.Conversion;
import org.lightbox.imaging.PixelCodec;

/**
 * WADO-URI (PS3.18 9): {@code GET /wado?requestType=WADO&studyUID=..&seriesUID=..&objectUID=..}, served at
 * {@code /dicom-web/wado} and {@code /wado}. The media type comes from {@code contentType} (a list, with quality
 * values), else from the Accept header; with neither (or {@code *}{@code /*}) it is image/jpeg for an image and
 * application/dicom for an instance without pixel data (PS3.18 9.3).
 *
 * <ul>
 * <li>{@code application/dicom}: the Part 10 file in {@code transferSyntax} (default Explicit VR Little Endian;
 * {@code *} for as stored), without media type parameters (PS3.18 9.4); 406 when no codec here converts it.
 * <li>{@code image/jpeg}, {@code image/png}, {@code image/gif}: rendered as the rendered resources are, with
 * {@code frameNumber} (from 1), {@code rows} and {@code columns} (the size to fit in, aspect kept),
 * {@code region=x1,y1,x2,y2} (fractions of the image, 0 to 1), {@code windowCenter} with {@code windowWidth},
 * {@code imageQuality} (1 to 100).
 * </ul>
 *
 * A missing or malformed parameter, a parameter that does not go with the media type (rendering parameters with
 * application/dicom, {@code transferSyntax} with an image), one of {@code windowCenter}/{@code windowWidth} without
 * the other, and the unsupported {@code anonymize}, {@code presentationUID} and {@code presentationSeriesUID} are
 * 400 with a message; {@code annotation} and {@code charset} are ignored.
 */
final class WadoUriHandler {
    private static final List<String> RENDERING = List.of("frameNumber", "rows", "columns", "region", "windowCenter",
            "windowWidth");

    private WadoUriHandler() {}

    static void retrieve(Context ctx, Archive archive) throws DicomwebException, IOException {
        Map<String, List<String>> q = ctx.queryParamMap();
        String requestType = RenderedHandler.single(q, "requestType");
        if (requestType == null) {
            throw DicomwebException.badRequest("requestType is missing (WADO-URI requests carry requestType=WADO)");
        }
        if (!requestType.equals("WADO")) {
            throw DicomwebException.badRequest("requestType \"" + WadoMediaTypes.clip(requestType) + "\" is not"
                    + " supported: only WADO");
        }
        String study = Uids.require("studyUID", RenderedHandler.single(q, "studyUID"));
        String series = Uids.require("seriesUID", RenderedHandler.single(q, "seriesUID"));
        String object = Uids.require("objectUID", RenderedHandler.single(q, "objectUID"));
        for (String unsupported : List.of("anonymize", "presentationUID", "presentationSeriesUID")) {
            if (q.containsKey(unsupported)) {
                throw DicomwebException.badRequest(unsupported + " is not supported here");
            }
        }
        String contentType = RenderedHandler.single(q, "contentType");
        List<MediaRange> ranges = contentType != null ? WadoMediaTypes.accepted(null, contentType)
                : WadoMediaTypes.accepted(ctx.header("Accept"), null);
        StoredInstance instance = Instances.instance(archive, study, series, object);
        String type = choose(ranges, instance);
        if (type.equals(WadoMediaTypes.DICOM)) {
            for (String p : RENDERING) {
                if (q.containsKey(p)) {
                    throw DicomwebException.badRequest(p + " applies to rendered images, not to "
                            + WadoMediaTypes.DICOM);
                }
            }
            dicom(ctx, archive, instance, RenderedHandler.single(q, "transferSyntax"));
            return;
        }
        if (q.containsKey("transferSyntax")) {
            throw DicomwebException.badRequest("transferSyntax applies to " + WadoMediaTypes.DICOM + ", not to " + type);
        }
        byte[] image = RenderedHandler.render(archive, instance, rendering(q), type, false);
        ctx.status(200).contentType(type);
        ctx.res().setContentLength(image.length);
        ctx.res().getOutputStream().write(image);
    }

    /** The media type: the first acceptable among application/dicom and the rendered types. */
    private static String choose(List<MediaRange> ranges, StoredInstance instance) throws DicomwebException {
        for (MediaRange r : ranges) {
            if (r.type().equals("*")) {
                return hasPixels(instance) ? "image/jpeg" : WadoMediaTypes.DICOM;
            }
            if (r.mediaType().equals(WadoMediaTypes.DICOM)) {
                return WadoMediaTypes.DICOM;
            }
            try {
                return RenderedHandler.mediaType(List.of(r));
            } catch (DicomwebException notThisOne) {
                // try the next range
            }
        }
        throw DicomwebException.notAcceptable("WADO-URI answers application/dicom, image/jpeg, image/png or"
                + " image/gif, none of which is asked for (" + WadoMediaTypes.clip(ranges.toString()) + ")");
    }

    /**
     * Whether the SOP class is one whose instances have pixel data: the image storage classes are named "... Image
     * Storage" in PS3.6; SR, presentation states, key objects and encapsulated documents are not.
     */
    private static boolean hasPixels(StoredInstance instance) {
        return UidRegistry.lookup(instance.sopClassUid()).map(UidRegistry.Entry::name).orElse("").contains("Image");
    }

    private static void dicom(Context ctx, Archive archive, StoredInstance instance, String transferSyntax)
            throws DicomwebException, IOException {
        String wanted = transferSyntax == null ? WadoMediaTypes.DEFAULT_TRANSFER_SYNTAX
                : transferSyntax.equals("*") ? "*" : Uids.require("transferSyntax", transferSyntax);
        Optional<RetrieveHandler.Plan> plan = RetrieveHandler.plan(instance, wanted);
        if (plan.isEmpty()) {
            throw DicomwebException.notAcceptable("instance " + instance.sopInstanceUid() + " is stored in "
                    + instance.transferSyntaxUid() + ", which cannot be converted to " + wanted + " here");
        }
        if (plan.get().asStored()) {
            ctx.status(200).contentType(WadoMediaTypes.DICOM);
            ctx.res().setContentLengthLong(instance.size());
            RetrieveHandler.copyBlob(archive, instance, ctx.res().getOutputStream());
            return;
        }
        Conversion c;
        try {
            c = Conversion.prepare(archive.blobFile(instance), TransferSyntax.of(wanted),
                    PixelCodec.EncodeOptions.DEFAULT);
        } catch (IOException | RuntimeException e) {
            throw DicomwebException.notAcceptable("cannot convert " + instance.sopInstanceUid() + " to " + wanted
                    + ": " + e.getMessage());
        }
        try (c) {
            ctx.status(200).contentType(WadoMediaTypes.DICOM);
            c.writePart10(ctx.res().getOutputStream());
        }
    }

    private static RenderedHandler.Rendering rendering(Map<String, List<String>> q) throws DicomwebException {
        int frame = 1;
        String f = RenderedHandler.single(q, "frameNumber");
        if (f != null) {
            frame = (int) RenderedHandler.integer("frameNumber", f, 1, Integer.MAX_VALUE);
        }
        int rows = side(q, "rows");
        int columns = side(q, "columns");
        Optional<double[]> window = Optional.empty();
        String c = RenderedHandler.single(q, "windowCenter");
        String w = RenderedHandler.single(q, "windowWidth");
        if (c != null ^ w != null) {
            throw DicomwebException.badRequest((c == null ? "windowWidth" : "windowCenter") + " is given without "
                    + (c == null ? "windowCenter" : "windowWidth"));
        }
        if (c != null) {
            double width = RenderedHandler.number("windowWidth", w);
            if (!(width > 0)) {
                throw DicomwebException.badRequest("windowWidth must be above 0, not " + w.strip());
            }
            window = Optional.of(new double[] {RenderedHandler.number("windowCenter", c), width});
        }
        double[] region = null;
        String r = RenderedHandler.single(q, "region");
        if (r != null) {
            String[] v = r.split(",", -1);
            if (v.length != 4) {
                throw DicomwebException.badRequest("region=" + WadoMediaTypes.clip(r) + ": expected x1,y1,x2,y2");
            }
            double[] g = new double[4];
            for (int i = 0; i < 4; i++) {
                g[i] = RenderedHandler.number("region", v[i]);
                if (g[i] < 0 || g[i] > 1) {
                    throw DicomwebException.badRequest("region values are fractions from 0 to 1, not " + v[i]);
                }
            }
            if (g[2] <= g[0] || g[3] <= g[1]) {
                throw DicomwebException.badRequest("region=" + r + ": x2 and y2 must be greater than x1 and y1");
            }
            region = new double[] {g[0], g[1], g[2] - g[0], g[3] - g[1]};
        }
        int quality = RenderedHandler.DEFAULT_QUALITY;
        String iq = RenderedHandler.single(q, "imageQuality");
        if (iq != null) {
            quality = (int) RenderedHandler.integer("imageQuality", iq, 1, 100);
        }
        return new RenderedHandler.Rendering(frame, window, "LINEAR", columns, rows, true, region, true, quality);
    }

    private static int side(Map<String, List<String>> q, String name) throws DicomwebException {
        String v = RenderedHandler.single(q, name);
        return v == null ? 0 : (int) RenderedHandler.integer(name, v, 1, RenderedHandler.MAX_SIDE);
    }
}
