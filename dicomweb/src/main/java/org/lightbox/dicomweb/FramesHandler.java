// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicomweb;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import org.lightbox.archive.Archive;
import org.lightbox.archive.StoredInstance;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.TransferSyntax;
import org.lightbox.dicom.io.DicomFile;
import org.lightbox.dicom.io.DicomReader;
import org.lightbox.dicom.io.ReadOptions;
import org.lightbox.imaging.CodecException;
import org.lightbox.imaging.Frames;
import org.lightbox.imaging.PixelCodec;
import org.lightbox.imaging.Transcoder;

/**
 * WADO-RS frames (PS3.18 10.4): {@code .../instances/{instance}/frames/{list}}, a comma-separated list of
 * frame numbers from 1, each frame one part of a {@code multipart/related} body in the representation
 * {@link PixelNegotiation} chose, or a single body when one frame is asked for in a single-part media type. Each frame
 * is read alone from the stored file (never the whole pixel data), decoded or encoded only when its representation
 * asks for it. A frame beyond the instance's is a 404 naming the count.
 */
final class FramesHandler {
    /**
     * Values at least this large stay in the file when it is read: the pixel data, and each fragment of encapsulated
     * pixel data (a multi-frame instance of small fragments must not be loaded whole to send one frame).
     */
    static final long BULK_THRESHOLD = 1024;
    /** The most frame numbers one request may list. */
    static final int MAX_FRAMES = 100_000;

    private FramesHandler() {}

    static void frames(Context ctx, Archive archive, String study, String series, String instance, String list)
            throws DicomwebException, IOException {
        int[] numbers = frameNumbers(list);
        StoredInstance stored = Instances.instance(archive, study, series, instance);
        DicomFile file = read(archive, stored);
        Frames frames = framesOf(file, instance);
        for (int n : numbers) {
            if (n > frames.count()) {
                throw DicomwebException.notFound("frame " + n + " is beyond the " + frames.count() + " frame"
                        + (frames.count() == 1 ? "" : "s") + " of instance " + instance);
            }
        }
        PixelNegotiation.Choice choice = PixelNegotiation.choose(WadoMediaTypes.accepted(ctx.header("Accept"),
                ctx.queryParam("accept")), file.transferSyntax().uid(), frames.image(), numbers.length == 1);
        String location = ctx.path().substring(0, ctx.path().lastIndexOf('/') + 1);
        send(ctx, file.transferSyntax(), frames, numbers, choice, location);
    }

    /**
     * Sends frames (numbers from 1) as chosen; the first is made before the status is sent, so that a codec failure
     * is still a 406 with its reason.
     *
     * @param location the Content-Location of each part, to which the frame number is appended; null for none
     */
    static void send(Context ctx, TransferSyntax stored, Frames frames, int[] numbers, PixelNegotiation.Choice choice,
            String location) throws DicomwebException, IOException {
        byte[] first = frame(frames, stored, numbers[0], choice);
        if (choice.singlePart()) {
            ctx.status(200).contentType(choice.contentType());
            ctx.res().setContentLength(first.length);
            ctx.res().getOutputStream().write(first);
            return;
        }
        OutputStream out = ctx.res().getOutputStream();
        Multipart body = new Multipart(out);
        ctx.status(200).contentType(body.contentType(choice.partType()));
        for (int k = 0; k < numbers.length; k++) {
            byte[] bytes = k == 0 ? first : frame(frames, stored, numbers[k], choice);
            body.part(choice.contentType(), location == null ? null : location + numbers[k], bytes.length);
            body.out().write(bytes);
        }
        body.finish();
    }

    private static byte[] frame(Frames frames, TransferSyntax stored, int number, PixelNegotiation.Choice choice)
            throws DicomwebException, IOException {
        try {
            if (choice.asStored()) {
                return frames.frame(number - 1);
            }
            return Transcoder.encodeFrame(frames, stored, number - 1, TransferSyntax.of(choice.transferSyntax()),
                    PixelCodec.EncodeOptions.DEFAULT);
        } catch (CodecException e) {
            throw DicomwebException.notAcceptable("frame " + number + " cannot be sent as " + choice.contentType()
                    + ": " + e.getMessage());
        }
    }

    /** The stored file, large values left in it. */
    static DicomFile read(Archive archive, StoredInstance instance) throws IOException {
        return DicomReader.read(archive.blobFile(instance), ReadOptions.DEFAULT.withBulkDataThreshold(BULK_THRESHOLD));
    }

    static Frames framesOf(DicomFile file, String instance) throws DicomwebException, IOException {
        Dataset ds = file.dataset();
        if (!ds.contains(Tag.PixelData) && !ds.contains(Tag.FloatPixelData) && !ds.contains(Tag.DoubleFloatPixelData)) {
            throw DicomwebException.notFound("instance " + instance + " has no pixel data, so no frames");
        }
        try {
            return Frames.of(ds);
        } catch (IllegalArgumentException e) {
            throw DicomwebException.notFound("instance " + instance + " has pixel data but no frames to send: "
                    + e.getMessage());
        }
    }

    /**
     * Frame numbers from a path segment: "1", "1,3,5" (repeats are kept, in order).
     *
     * @throws DicomwebException 400 for anything else, a 0 or a number too large
     */
    static int[] frameNumbers(String list) throws DicomwebException {
        List<Integer> out = new ArrayList<>();
        for (String s : list.split(",", -1)) {
            String v = s.strip();
            if (v.isEmpty() || v.length() > 9 || !v.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw DicomwebException.badRequest("\"" + WadoMediaTypes.clip(list) + "\" is no frame list (frame"
                        + " numbers from 1, separated by commas)");
            }
            int n = Integer.parseInt(v);
            if (n < 1) {
                throw DicomwebException.badRequest("frame numbers start at 1, not " + n);
            }
            out.add(n);
            if (out.size() > MAX_FRAMES) {
                throw DicomwebException.badRequest("more than " + MAX_FRAMES + " frames in one request");
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }
}
