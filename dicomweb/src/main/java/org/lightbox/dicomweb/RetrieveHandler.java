// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicomweb;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.lightbox.archive.Archive;
import org.lightbox.archive.StoredInstance;
import org.lightbox.dicom.TransferSyntax;
import org.lightbox.dicomweb.WadoMediaTypes.MediaRange;
import org.lightbox.imaging.Conversion;
import org.lightbox.imaging.PixelCodec;
import org.lightbox.imaging.PixelData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * WADO-RS retrieval of DICOM instances (PS3.18 10.4): a study, a series or an instance as
 * {@code multipart/related; type="application/dicom"}, one Part 10 file per part, streamed part by part.
 *
 * <p>The transfer syntax is negotiated from the acceptable media types, per instance, most preferred first:
 * {@code transfer-syntax=*} or the stored syntax sends the blob exactly as stored; another syntax converts it through
 * imaging's {@link Conversion} (the path C-MOVE and C-GET take) when a codec here can; no {@code transfer-syntax}
 * means Explicit VR Little Endian (PS3.18 8.7.3). An instance no acceptable syntax can carry is left out, named
 * in a {@code Warning} header; when that leaves nothing, the answer is 406. A single instance may also be asked for
 * as a bare {@code application/dicom} body.
 */
final class RetrieveHandler {
    private static final Logger LOG = LoggerFactory.getLogger(RetrieveHandler.class);
    private static final int COPY_BUFFER = 64 * 1024;
    private static final long MAP_REGION = 64L << 20;

    private RetrieveHandler() {}

    /** What the request accepts: a transfer syntax ("*" for as stored), in one part or in a multipart body. */
    record Wanted(String transferSyntax, boolean singlePart) {}

    /** How one instance goes: as stored, or converted to a syntax. */
    record Plan(StoredInstance instance, String transferSyntax, boolean asStored) {}

    static void study(Context ctx, Archive archive, String study) throws DicomwebException, IOException {
        send(ctx, archive, Instances.study(archive, study), false);
    }

    static void series(Context ctx, Archive archive, String study, String series)
            throws DicomwebException, IOException {
        send(ctx, archive, Instances.series(archive, study, series), false);
    }

    static void instance(Context ctx, Archive archive, String study, String series, String instance)
            throws DicomwebException, IOException {
        send(ctx, archive, List.of(Instances.instance(archive, study, series, instance)), true);
    }

    private static void send(Context ctx, Archive archive, List<StoredInstance> instances, boolean instanceLevel)
            throws DicomwebException, IOException {
        List<Wanted> wanted = wanted(WadoMediaTypes.accepted(ctx.header("Accept"), ctx.queryParam("accept")),
                instanceLevel);
        List<Plan> plans = new ArrayList<>();
        Set<String> refused = new LinkedHashSet<>();
        boolean singlePart = false;
        for (StoredInstance i : instances) {
            Optional<Plan> p = Optional.empty();
            for (Wanted w : wanted) {
                p = plan(i, w.transferSyntax());
                if (p.isPresent()) {
                    singlePart = w.singlePart();
                    break;
                }
            }
            p.ifPresentOrElse(plans::add, () -> refused.add(i.transferSyntaxUid()));
        }
        if (plans.isEmpty()) {
            throw DicomwebException.notAcceptable("no acceptable transfer syntax: the " + (instances.size() == 1
                    ? "instance is" : instances.size() + " instances are") + " stored in " + String.join(", ",
                    refused) + ", which cannot be sent as " + describe(wanted) + " here");
        }
        // Whatever can fail before the first byte fails here, while an error status can still be sent.
        Conversion first = null;
        while (!plans.isEmpty() && !plans.getFirst().asStored()) {
            try {
                first = prepare(archive, plans.getFirst());
                break;
            } catch (IOException | RuntimeException e) {
                if (plans.size() == 1) {
                    throw DicomwebException.notAcceptable("cannot convert " + plans.getFirst().instance()
                            .sopInstanceUid() + " to " + plans.getFirst().transferSyntax() + ": " + e.getMessage());
                }
                LOG.warn("WADO-RS: {} left out: {}", plans.getFirst().instance().sopInstanceUid(), e.toString());
                refused.add(plans.removeFirst().instance().transferSyntaxUid());
            }
        }
        int left = instances.size() - plans.size();
        if (left > 0) {
            ctx.header("Warning", "299 lightbox \"" + left + " of " + instances.size() + " instances left out:"
                    + " stored in " + String.join(", ", refused) + ", which cannot be sent as " + describe(wanted)
                    + "\"");
        }
        if (singlePart) {
            single(ctx, archive, plans.getFirst(), first);
            return;
        }
        OutputStream out = ctx.res().getOutputStream();
        Multipart body = new Multipart(out);
        ctx.status(200).contentType(body.contentType(WadoMediaTypes.DICOM));
        for (Plan p : plans) {
            Conversion c = first;
            first = null;
            if (!p.asStored() && c == null) {
                try {
                    c = prepare(archive, p);
                } catch (IOException | RuntimeException e) {
                    // The status is sent: leave the instance out (the log says why).
                    LOG.warn("WADO-RS: {} left out of a response already started: {}",
                            p.instance().sopInstanceUid(), e.toString());
                    continue;
                }
            }
            String type = WadoMediaTypes.DICOM + "; transfer-syntax=" + p.transferSyntax();
            String location = DicomWeb.ROOT + "/studies/" + p.instance().studyInstanceUid() + "/series/"
                    + p.instance().seriesInstanceUid() + "/instances/" + p.instance().sopInstanceUid();
            if (p.asStored()) {
                body.part(type, location, p.instance().size());
                copyBlob(archive, p.instance(), body.out());
            } else {
                try (Conversion conversion = c) {
                    body.part(type, location, -1);
                    conversion.writePart10(body.out());
                }
            }
        }
        body.finish();
    }

    private static void single(Context ctx, Archive archive, Plan p, Conversion prepared) throws IOException {
        ctx.status(200).contentType(WadoMediaTypes.DICOM + "; transfer-syntax=" + p.transferSyntax());
        if (p.asStored()) {
            ctx.res().setContentLengthLong(p.instance().size());
            copyBlob(archive, p.instance(), ctx.res().getOutputStream());
            return;
        }
        try (Conversion c = prepared) {
            c.writePart10(ctx.res().getOutputStream());
        }
    }

    /**
     * Writes a stored file. On Jetty's own output stream the file is mapped and handed over region by region, so
     * its bytes go from the page cache to the socket without passing through a Java array; elsewhere, copied.
     */
    static void copyBlob(Archive archive, StoredInstance instance, OutputStream out) throws IOException {
        if (out instanceof org.eclipse.jetty.ee10.servlet.HttpOutput jetty) {
            try (FileChannel ch = FileChannel.open(archive.blobFile(instance), StandardOpenOption.READ)) {
                long size = ch.size();
                for (long at = 0; at < size; at += MAP_REGION) {
                    jetty.write(ch.map(FileChannel.MapMode.READ_ONLY, at, Math.min(MAP_REGION, size - at)));
                }
            }
            return;
        }
        try (InputStream in = Files.newInputStream(archive.blobFile(instance))) {
            byte[] buffer = new byte[COPY_BUFFER];
            int n;
            while ((n = in.read(buffer)) > 0) {
                out.write(buffer, 0, n);
            }
        }
    }

    private static Conversion prepare(Archive archive, Plan p) throws IOException {
        return Conversion.prepare(archive.blobFile(p.instance()), TransferSyntax.of(p.transferSyntax()),
                PixelCodec.EncodeOptions.DEFAULT);
    }

    /** The first acceptable transfer syntax that this instance can be sent in. */
    static Optional<Plan> plan(StoredInstance instance, String wanted) {
        String stored = instance.transferSyntaxUid();
        if (wanted.equals("*") || wanted.equals(stored)) {
            return Optional.of(new Plan(instance, stored, true));
        }
        return convertible(stored, wanted) ? Optional.of(new Plan(instance, wanted, false)) : Optional.empty();
    }

    /**
     * Whether codecs here turn pixel data stored in {@code from} into {@code to}, by the transfer syntaxes alone
     * (the image itself may still defeat a codec: that is found when preparing). Data sets without pixel data
     * convert to any syntax; the answer for them is the same.
     */
    static boolean convertible(String from, String to) {
        TransferSyntax target = TransferSyntax.of(to);
        TransferSyntax source = TransferSyntax.of(from);
        if (!target.known() || !(target.isNative() || target.isEncapsulated())) {
            return false;
        }
        boolean readable = !source.isEncapsulated() || PixelData.decoder(from).isPresent();
        return readable && (target.isNative() || PixelData.encoder(to).isPresent());
    }

    /**
     * The transfer syntaxes the media ranges accept for DICOM instances, most preferred first: multipart/related
     * of application/dicom (or any type), and for one instance application/dicom alone.
     *
     * @throws DicomwebException 406 when no range accepts a DICOM media type
     */
    static List<Wanted> wanted(List<MediaRange> ranges, boolean instanceLevel) throws DicomwebException {
        List<Wanted> out = new ArrayList<>();
        for (MediaRange r : ranges) {
            String ts = r.parameter("transfer-syntax").orElse(WadoMediaTypes.DEFAULT_TRANSFER_SYNTAX);
            boolean multipart = r.type().equals("multipart") && (r.isWildcard()
                    || r.subtype().equals("related") && r.partType().map(WadoMediaTypes.DICOM::equals).orElse(true));
            if (r.type().equals("*") || multipart) {
                out.add(new Wanted(ts, false));
            } else if (instanceLevel && r.includes(WadoMediaTypes.DICOM)) {
                out.add(new Wanted(ts, true));
            }
        }
        if (out.isEmpty()) {
            throw DicomwebException.notAcceptable("this resource is sent as multipart/related; type=\""
                    + WadoMediaTypes.DICOM + "\"" + (instanceLevel ? " or " + WadoMediaTypes.DICOM : "")
                    + ", which the request does not accept (Accept: " + WadoMediaTypes.clip(ranges.toString()) + ")");
        }
        return out;
    }

    private static String describe(List<Wanted> wanted) {
        List<String> ts = new ArrayList<>();
        wanted.forEach(w -> {
            if (!ts.contains(w.transferSyntax())) {
                ts.add(w.transferSyntax());
            }
        });
        return String.join(" or ", ts);
    }
}
