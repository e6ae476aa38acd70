// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicomweb;

import io.javalin.http.Context;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.lightbox.archive.Archive;
import org.lightbox.archive.StoredInstance;
import org.lightbox.dicom.io.DicomFile;
import org.lightbox.dicomweb.WadoMediaTypes.MediaRange;
import org.lightbox.imaging.CodecException;
import org.lightbox.imaging.Frames;
import org.lightbox.imaging.Renderer;

/**
 * WADO-RS rendered and thumbnail resources (PS3.18 10.4, 8.3.5.1) of a study, a series, an
 * instance or a frame, through imaging's {@link Renderer} (modality LUT, window or VOI LUT, presentation LUT; colour
 * to RGB): {@code image/jpeg} by default, {@code image/png} or {@code image/gif} when accepted. A study or a series is
 * rendered as its representative instance ({@link Instances#representative}); an instance as its first frame.
 *
 * <p>Query parameters: {@code window=center,width[,linear|linear-exact|sigmoid]} overrides the stored window;
 * {@code viewport=vw,vh} scales the image (up or down, keeping its aspect) to fit vw x vh, and
 * {@code viewport=vw,vh,sx,sy,sw,sh} first takes the region sw x sh from (sx,sy) of the frame (vw and vh may be
 * left empty: the region at its own size); {@code quality=1..100} sets the JPEG quality. A thumbnail without a
 * viewport fits in 128 x 128. {@code annotation} is not supported and is ignored, with a Warning header; other
 * parameters are ignored (PS3.18 8.3).
 */
final class RenderedHandler {
    static final int THUMBNAIL = 128;
    /** The largest viewport side accepted: a rendered image is held in memory while it is encoded. */
    static final int MAX_SIDE = 8192;
    static final int DEFAULT_QUALITY = 90;

    private RenderedHandler() {}

    /**
     * How to render.
     *
     * @param frame from 1
     * @param window centre and width, or empty for the stored window
     * @param function the VOI LUT Function of the window (LINEAR, LINEAR_EXACT, SIGMOID)
     * @param width the width to scale to, 0 for the one the height (or the image) gives
     * @param height the height to scale to, 0 for the one the width (or the image) gives
     * @param enlarge whether the image may be scaled up to width and height (else only down)
     * @param region {x, y, width, height} of the frame to keep, in pixels or (when {@code fractional}) as fractions
     *     of the frame's columns and rows; null for the whole frame
     */
    record Rendering(int frame, Optional<double[]> window, String function, int width, int height, boolean enlarge,
            double[] region, boolean fractional, int quality) {}

    static void instance(Context ctx, Archive archive, StoredInstance instance, int frame, boolean thumbnail,
            boolean frameResource) throws DicomwebException, IOException {
        String type = mediaType(WadoMediaTypes.accepted(ctx.header("Accept"), ctx.queryParam("accept")));
        Rendering r = parameters(ctx.queryParamMap(), frame, thumbnail);
        if (ctx.queryParam("annotation") != null) {
            ctx.header("Warning", "299 lightbox \"annotation is not supported: the image has none\"");
        }
        byte[] image = render(archive, instance, r, type, frameResource);
        ctx.status(200).contentType(type);
        ctx.res().setContentLength(image.length);
        ctx.res().getOutputStream().write(image);
    }

    /**
     * Renders one frame of an instance into {@code mediaType}, whole in memory (a rendered image is small).
     *
     * @param frameResource whether the frame was named in the path (a missing one is then 404, else 400)
     */
    static byte[] render(Archive archive, StoredInstance instance, Rendering r, String mediaType,
            boolean frameResource) throws DicomwebException, IOException {
        DicomFile file = FramesHandler.read(archive, instance);
        Frames frames;
        try {
            frames = FramesHandler.framesOf(file, instance.sopInstanceUid());
        } catch (DicomwebException e) {
            throw DicomwebException.notAcceptable("instance " + instance.sopInstanceUid() + " has no pixel data:"
                    + " it is rendered only as an image here");
        }
        if (r.frame() > frames.count()) {
            String m = "frame " + r.frame() + " is beyond the " + frames.count() + " frame"
                    + (frames.count() == 1 ? "" : "s") + " of instance " + instance.sopInstanceUid();
            throw frameResource ? DicomwebException.notFound(m) : DicomwebException.badRequest(m);
        }
        BufferedImage image;
        try {
            image = Renderer.render(file, new Renderer.Options(r.frame() - 1, r.window(), 0, 0, false,
                    r.function()));
        } catch (CodecException | IllegalArgumentException e) {
            throw DicomwebException.notAcceptable("instance " + instance.sopInstanceUid() + " cannot be rendered"
                    + " here: " + e.getMessage());
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("cannot render")) {
                throw DicomwebException.notAcceptable("instance " + instance.sopInstanceUid() + ": "
                        + e.getMessage());
            }
            throw e;
        }
        if (r.region() != null) {
            double[] g = r.region();
            double sx = r.fractional() ? image.getWidth() : 1;
            double sy = r.fractional() ? image.getHeight() : 1;
            try {
                image = Renderer.region(image, (int) Math.floor(g[0] * sx), (int) Math.floor(g[1] * sy),
                        (int) Math.ceil(g[2] * sx), (int) Math.ceil(g[3] * sy));
            } catch (IllegalArgumentException e) {
                throw DicomwebException.badRequest(e.getMessage());
            }
        }
        image = scale(image, r);
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 * 1024);
        switch (mediaType) {
            case "image/png" -> Renderer.writePng(image, out);
            case "image/gif" -> Renderer.writeGif(image, out);
            default -> Renderer.writeJpeg(image, r.quality(), out);
        }
        return out.toByteArray();
    }

    private static BufferedImage scale(BufferedImage image, Rendering r) {
        if (r.width() <= 0 && r.height() <= 0) {
            return image;
        }
        double w = r.width() > 0 ? r.width() : Double.MAX_VALUE;
        double h = r.height() > 0 ? r.height() : Double.MAX_VALUE;
        double scale = Math.min(w / image.getWidth(), h / image.getHeight());
        if (scale >= 1 && !r.enlarge()) {
            return image;
        }
        int tw = Math.max(1, (int) Math.round(image.getWidth() * scale));
        int th = Math.max(1, (int) Math.round(image.getHeight() * scale));
        return Renderer.scaleToFit(image, tw, th);
    }

    /**
     * The rendered media type the request prefers: image/jpeg for any image, image/png, image/gif.
     *
     * @throws DicomwebException 406 when none of them is accepted
     */
    static String mediaType(List<MediaRange> ranges) throws DicomwebException {
        for (MediaRange r : ranges) {
            if (r.includes("image/jpeg")) {
                return "image/jpeg";
            }
            for (String t : List.of("image/png", "image/gif")) {
                if (r.mediaType().equals(t)) {
                    return t;
                }
            }
        }
        throw DicomwebException.notAcceptable("rendered images are image/jpeg, image/png or image/gif here, which"
                + " the request does not accept (Accept: " + WadoMediaTypes.clip(ranges.toString()) + ")");
    }

    /** The rendering query parameters of PS3.18 8.3.5.1. */
    static Rendering parameters(Map<String, List<String>> query, int frame, boolean thumbnail)
            throws DicomwebException {
        Optional<double[]> window = Optional.empty();
        String function = "LINEAR";
        String w = single(query, "window");
        if (w != null) {
            String[] v = w.split(",", -1);
            if (v.length < 2 || v.length > 3) {
                throw DicomwebException.badRequest("window=" + WadoMediaTypes.clip(w) + ": expected center,width"
                        + " and optionally a function (linear, linear-exact or sigmoid)");
            }
            double center = number("window center", v[0]);
            double width = number("window width", v[1]);
            if (!(width > 0)) {
                throw DicomwebException.badRequest("window width must be above 0, not " + v[1].strip());
            }
            window = Optional.of(new double[] {center, width});
            if (v.length == 3) {
                function = switch (v[2].strip().toLowerCase(Locale.ROOT)) {
                    case "linear" -> "LINEAR";
                    case "linear-exact" -> "LINEAR_EXACT";
                    case "sigmoid" -> "SIGMOID";
                    default -> throw DicomwebException.badRequest("window function \"" + WadoMediaTypes.clip(v[2])
                            + "\" is none of linear, linear-exact, sigmoid");
                };
            }
        }
        int width = thumbnail ? THUMBNAIL : 0;
        int height = thumbnail ? THUMBNAIL : 0;
        boolean enlarge = false;
        double[] region = null;
        String vp = single(query, "viewport");
        if (vp != null) {
            String[] v = vp.split(",", -1);
            if (v.length != 2 && v.length != 6) {
                throw DicomwebException.badRequest("viewport=" + WadoMediaTypes.clip(vp) + ": expected vw,vh or"
                        + " vw,vh,sx,sy,sw,sh");
            }
            boolean sized = !v[0].isBlank() || !v[1].isBlank();
            if (v.length == 2 || sized) {
                width = side("viewport width", v[0]);
                height = side("viewport height", v[1]);
                enlarge = true;
            } else {
                width = 0;
                height = 0;
            }
            if (v.length == 6) {
                region = new double[4];
                for (int i = 0; i < 4; i++) {
                    region[i] = number("viewport " + List.of("sx", "sy", "sw", "sh").get(i), v[2 + i]);
                }
                if (region[2] <= 0 || region[3] <= 0) {
                    throw DicomwebException.badRequest("viewport sw and sh must be above 0 (flipping is not"
                            + " supported here), not " + v[4].strip() + "," + v[5].strip());
                }
            }
        }
        int quality = DEFAULT_QUALITY;
        String q = single(query, "quality");
        if (q != null) {
            quality = (int) integer("quality", q, 1, 100);
        }
        return new Rendering(frame, window, function, width, height, enlarge, region, false, quality);
    }

    static String single(Map<String, List<String>> query, String name) throws DicomwebException {
        List<String> v = query.get(name);
        if (v == null || v.isEmpty()) {
            return null;
        }
        if (v.size() > 1) {
            throw DicomwebException.badRequest(name + " is given " + v.size() + " times");
        }
        return v.getFirst();
    }

    static double number(String name, String s) throws DicomwebException {
        try {
            double d = Double.parseDouble(s.strip());
            if (Double.isFinite(d) && s.strip().matches("[-+]?[0-9.eE+-]+")) {
                return d;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw DicomwebException.badRequest(name + " \"" + WadoMediaTypes.clip(s) + "\" is no number");
    }

    static long integer(String name, String s, long min, long max) throws DicomwebException {
        String v = s.strip();
        if (!v.matches("[-+]?[0-9]{1,12}")) {
            throw DicomwebException.badRequest(name + " \"" + WadoMediaTypes.clip(s) + "\" is no integer");
        }
        long n = Long.parseLong(v);
        if (n < min || n > max) {
            throw DicomwebException.badRequest(name + " must be " + min + " to " + max + ", not " + n);
        }
        return n;
    }

    private static int side(String name, String s) throws DicomwebException {
        return (int) integer(name, s, 1, MAX_SIDE);
    }
}
