// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicomweb;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.lightbox.archive.Archive;
import org.lightbox.archive.StoredInstance;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Element;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.Tags;
import org.lightbox.dicom.Uid;
import org.lightbox.dicom.Value;
import org.lightbox.dicom.io.DicomFile;
import org.lightbox.dicomweb.WadoMediaTypes.MediaRange;
import org.lightbox.imaging.Frames;

/**
 * WADO-RS bulk data (PS3.18 10.4): {@code .../instances/{instance}/bulkdata/{tag path}}, the path the
 * BulkDataURIs of the metadata carry: a top-level attribute as its tag in 8 hexadecimal digits ({@code 7FE00010}), or
 * one inside a sequence as tag, item index (from 0) and tag, repeated ({@code 00540016/0/00181072}).
 *
 * <p>The value goes as {@code multipart/related; type="application/octet-stream"} by default (one part, with its
 * Content-Location), or as a single {@code application/octet-stream} body when that is what is accepted, which
 * honours one HTTP byte range (206 with Content-Range; 416 past the end). Bytes are little endian, as in Explicit
 * VR Little Endian, whatever the stored byte order; large values stream from the stored file. Encapsulated Pixel
 * Data is sent frame by frame, as the frames resource sends them.
 */
final class BulkdataHandler {
    private static final int COPY_BUFFER = 64 * 1024;

    private BulkdataHandler() {}

    /** One step of a tag path: an attribute, then (if followed by more) the item of its sequence. */
    record Step(int tag, int item) {}

    static void bulkdata(Context ctx, Archive archive, String study, String series, String instance, String path)
            throws DicomwebException, IOException {
        List<Step> steps = parse(path);
        StoredInstance stored = Instances.instance(archive, study, series, instance);
        DicomFile file = FramesHandler.read(archive, stored);
        Element e = find(file.dataset(), steps, instance);
        List<MediaRange> ranges = WadoMediaTypes.accepted(ctx.header("Accept"), ctx.queryParam("accept"));
        if (steps.size() == 1 && e.value() instanceof Value.Fragments) {
            Frames frames = FramesHandler.framesOf(file, instance);
            int[] all = new int[frames.count()];
            for (int i = 0; i < all.length; i++) {
                all[i] = i + 1;
            }
            PixelNegotiation.Choice choice = PixelNegotiation.choose(ranges, file.transferSyntax().uid(),
                    frames.image(), all.length == 1);
            FramesHandler.send(ctx, file.transferSyntax(), frames, all, choice, null);
            return;
        }
        if (e.value() instanceof Value.Items || e.value() instanceof Value.Fragments) {
            throw DicomwebException.badRequest(describe(steps) + " is a sequence, not bulk data");
        }
        boolean pixels = steps.size() == 1 && (e.tag() == Tag.PixelData || e.tag() == Tag.FloatPixelData
                || e.tag() == Tag.DoubleFloatPixelData);
        String type = WadoMediaTypes.OCTET_STREAM + (pixels ? "; transfer-syntax=" + Uid.ExplicitVRLittleEndian : "");
        boolean single = singlePart(ranges, pixels);
        long length = e.value().length();
        if (single) {
            ctx.header("Accept-Ranges", "bytes");
            long[] range = range(ctx.header("Range"), ctx.header("If-Range"), length);
            if (range != null && range[0] < 0) {
                ctx.header("Content-Range", "bytes */" + length);
                WadoRoutes.error(ctx, new DicomwebException(416, "the range " + WadoMediaTypes.clip(ctx.header("Range"))
                        + " lies beyond the " + length + " bytes of " + describe(steps)));
                return;
            }
            long from = range == null ? 0 : range[0];
            long count = range == null ? length : range[1] - range[0] + 1;
            ctx.status(range == null ? 200 : 206).contentType(type);
            if (range != null) {
                ctx.header("Content-Range", "bytes " + range[0] + "-" + range[1] + "/" + length);
            }
            ctx.res().setContentLengthLong(count);
            copy(e, from, count, ctx.res().getOutputStream());
            return;
        }
        Multipart body = new Multipart(ctx.res().getOutputStream());
        ctx.status(200).contentType(body.contentType(WadoMediaTypes.OCTET_STREAM));
        body.part(type, ctx.path(), length);
        copy(e, 0, length, body.out());
        body.finish();
    }

    /** Whether a single octet-stream body is preferred to multipart/related; 406 when neither is accepted. */
    private static boolean singlePart(List<MediaRange> ranges, boolean pixels) throws DicomwebException {
        for (MediaRange r : ranges) {
            String ts = r.parameter("transfer-syntax").orElse(null);
            boolean native_ = ts == null || ts.equals("*") || ts.equals(Uid.ExplicitVRLittleEndian)
                    || pixels && ts.equals(Uid.ImplicitVRLittleEndian);
            if (!native_) {
                continue;
            }
            if (r.type().equals("*") || r.type().equals("multipart") && (r.isWildcard() || r.subtype()
                    .equals("related") && r.partType().map(WadoMediaTypes.OCTET_STREAM::equals).orElse(true))) {
                return false;
            }
            if (r.includes(WadoMediaTypes.OCTET_STREAM)) {
                return true;
            }
        }
        throw DicomwebException.notAcceptable("bulk data are sent as multipart/related; type=\""
                + WadoMediaTypes.OCTET_STREAM + "\" or as " + WadoMediaTypes.OCTET_STREAM + " (little endian), which the"
                + " request does not accept (Accept: " + WadoMediaTypes.clip(ranges.toString()) + ")");
    }

    /**
     * The byte range asked for: {first, last}; null for the whole value (no Range, an If-Range, several ranges or
     * a malformed one, all of which RFC 9110 14.2 lets a server ignore); {-1, -1} when it cannot be satisfied.
     */
    static long[] range(String header, String ifRange, long length) {
        if (header == null || ifRange != null) {
            return null;
        }
        String h = header.strip();
        if (!h.regionMatches(true, 0, "bytes=", 0, 6) || h.indexOf(',') >= 0) {
            return null;
        }
        String spec = h.substring(6).strip();
        int dash = spec.indexOf('-');
        if (dash < 0) {
            return null;
        }
        try {
            String a = spec.substring(0, dash).strip();
            String b = spec.substring(dash + 1).strip();
            if (a.isEmpty()) {
                long suffix = Long.parseLong(b);
                if (suffix <= 0 || length == 0) {
                    return new long[] {-1, -1};
                }
                return new long[] {Math.max(0, length - suffix), length - 1};
            }
            long first = Long.parseLong(a);
            long last = b.isEmpty() ? length - 1 : Math.min(Long.parseLong(b), length - 1);
            if (first < 0 || !b.isEmpty() && Long.parseLong(b) < first) {
                return null;
            }
            return first >= length ? new long[] {-1, -1} : new long[] {first, last};
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Writes {@code count} bytes of the value from {@code from}, little endian. */
    private static void copy(Element e, long from, long count, OutputStream out) throws IOException {
        int unit = e.bigEndian() ? e.vr().unitSize() : 1;
        if (e.value() instanceof Value.Bytes b) {
            byte[] data = unit > 1 ? swap(b.data().clone(), unit) : b.data();
            out.write(data, (int) from, (int) count);
            return;
        }
        Value.Bulk bulk = (Value.Bulk) e.value();
        // Read whole units (so a range may start inside one), swap them when big endian, write the range's part.
        long start = from - from % Math.max(1, unit);
        byte[] buffer = new byte[COPY_BUFFER];
        try (InputStream in = bulk.open()) {
            in.skipNBytes(start);
            long at = start;
            long end = from + count;
            while (at < end) {
                int want = (int) Math.min(buffer.length, bulk.length() - at);
                int n = in.readNBytes(buffer, 0, want);
                if (n <= 0) {
                    throw new IOException("the stored value ends at " + at + " of " + bulk.length() + " bytes");
                }
                if (unit > 1) {
                    swap(buffer, unit);
                }
                int skip = (int) Math.max(0, from - at);
                int take = (int) Math.min(n - skip, end - at - skip);
                out.write(buffer, skip, take);
                at += n;
            }
        }
    }

    private static byte[] swap(byte[] b, int unit) {
        for (int i = 0; i + unit <= b.length; i += unit) {
            for (int k = 0; k < unit / 2; k++) {
                byte t = b[i + k];
                b[i + k] = b[i + unit - 1 - k];
                b[i + unit - 1 - k] = t;
            }
        }
        return b;
    }

    /**
     * Parses a tag path.
     *
     * @throws DicomwebException 400 for anything but tag, index, tag, ... ending on a tag
     */
    static List<Step> parse(String path) throws DicomwebException {
        String[] parts = path.split("/", -1);
        if (parts.length % 2 == 0) {
            throw DicomwebException.badRequest("\"" + WadoMediaTypes.clip(path) + "\" is no bulk data path: it ends"
                    + " on an item index, not a tag");
        }
        List<Step> steps = new ArrayList<>();
        for (int i = 0; i < parts.length; i += 2) {
            String t = parts[i];
            if (!t.matches("[0-9A-Fa-f]{8}")) {
                throw DicomwebException.badRequest("\"" + WadoMediaTypes.clip(t) + "\" in bulk data path \""
                        + WadoMediaTypes.clip(path) + "\" is no tag (8 hexadecimal digits, such as 7FE00010)");
            }
            int item = -1;
            if (i + 1 < parts.length) {
                String n = parts[i + 1];
                if (!n.matches("[0-9]{1,9}")) {
                    throw DicomwebException.badRequest("\"" + WadoMediaTypes.clip(n) + "\" in bulk data path \""
                            + WadoMediaTypes.clip(path) + "\" is no item index (a number from 0)");
                }
                item = Integer.parseInt(n);
            }
            steps.add(new Step(Integer.parseUnsignedInt(t, 16), item));
        }
        return steps;
    }

    private static Element find(Dataset ds, List<Step> steps, String instance) throws DicomwebException {
        Dataset at = ds;
        for (int i = 0; i < steps.size(); i++) {
            Step s = steps.get(i);
            Optional<Element> e = at.get(s.tag());
            if (e.isEmpty()) {
                throw DicomwebException.notFound("instance " + instance + " has no " + describe(steps.subList(0,
                        i + 1)));
            }
            if (s.item() < 0) {
                return e.get();
            }
            if (!(e.get().value() instanceof Value.Items items)) {
                throw DicomwebException.notFound(describe(steps.subList(0, i + 1)) + " of instance " + instance
                        + " is no sequence");
            }
            if (s.item() >= items.items().size()) {
                throw DicomwebException.notFound(describe(steps.subList(0, i + 1)) + " of instance " + instance
                        + " has " + items.items().size() + " items");
            }
            at = items.items().get(s.item());
        }
        throw new IllegalStateException("a path ends on a tag");
    }

    private static String describe(List<Step> steps) {
        StringBuilder b = new StringBuilder();
        for (Step s : steps) {
            if (!b.isEmpty()) {
                b.append(" > ");
            }
            b.append(Tags.format(s.tag()));
            if (s.item() >= 0) {
                b.append('[').append(s.item()).append(']');
            }
        }
        return b.toString();
    }
}
