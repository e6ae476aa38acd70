// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicomweb;

import java.util.List;
import java.util.Optional;
import org.lightbox.dicom.TransferSyntax;
import org.lightbox.dicom.Uid;
import org.lightbox.dicomweb.WadoMediaTypes.MediaRange;
import org.lightbox.imaging.ImageDescription;
import org.lightbox.imaging.PixelData;

/**
 * The representation of frames (and of encapsulated Pixel Data as bulk data) a request accepts and this server can
 * produce for one image (PS3.18 8.7): {@code application/octet-stream} carries native pixels, little
 * endian, decoded from whatever is stored unless {@code transfer-syntax=*} (or the stored syntax) asks for the
 * stored bytes; the compressed media types carry a codestream, as stored when the stored syntax is one of theirs,
 * else encoded by a codec here. Ranges are tried most preferred first; the first one producible wins.
 */
final class PixelNegotiation {
    private PixelNegotiation() {}

    /**
     * @param partType the media type of each part (or of the single body)
     * @param transferSyntax the syntax of the bytes sent
     * @param asStored whether those are the stored bytes of the frame
     * @param singlePart whether the body is one frame alone rather than multipart/related
     */
    record Choice(String partType, String transferSyntax, boolean asStored, boolean singlePart) {
        String contentType() {
            return partType + "; transfer-syntax=" + transferSyntax;
        }
    }

    /**
     * @param singleAllowed whether one part alone may be the answer (exactly one frame is asked for)
     * @throws DicomwebException 406 naming what was asked and how the image is stored, when nothing fits
     */
    static Choice choose(List<MediaRange> ranges, String stored, ImageDescription image, boolean singleAllowed)
            throws DicomwebException {
        for (MediaRange r : ranges) {
            Optional<Choice> c = Optional.empty();
            String ts = r.parameter("transfer-syntax").orElse(null);
            if (r.type().equals("*")) {
                c = resolve(WadoMediaTypes.OCTET_STREAM, ts, stored, image, false);
            } else if (r.type().equals("multipart") && (r.isWildcard() || r.subtype().equals("related"))) {
                c = resolve(r.partType().orElse(WadoMediaTypes.OCTET_STREAM), ts, stored, image, false);
            } else if (singleAllowed && !r.isWildcard()) {
                c = resolve(r.mediaType(), ts, stored, image, true);
            }
            if (c.isPresent()) {
                return c.get();
            }
        }
        throw DicomwebException.notAcceptable("the pixel data are stored in " + stored + " (" + image.bitsAllocated()
                + "-bit, " + image.photometricInterpretation() + "), which cannot be sent here as "
                + WadoMediaTypes.clip(ranges.toString()) + "; application/octet-stream (native, decoded), "
                + "transfer-syntax=* (as stored) and the compressed media types this build encodes can");
    }

    private static Optional<Choice> resolve(String mediaType, String ts, String stored, ImageDescription image,
            boolean single) {
        String type = WadoMediaTypes.canonical(mediaType);
        String target;
        if (type.equals(WadoMediaTypes.OCTET_STREAM)) {
            if (ts == null) {
                target = Uid.ExplicitVRLittleEndian;
            } else if (ts.equals("*")) {
                target = TransferSyntax.of(stored).isNative() ? Uid.ExplicitVRLittleEndian : stored;
            } else {
                target = ts;
            }
        } else {
            List<String> family = WadoMediaTypes.pixelSyntaxes(type);
            if (family.isEmpty()) {
                return Optional.empty();
            }
            if (ts == null || ts.equals("*")) {
                target = family.contains(stored) ? stored : defaultOf(type, family, image);
            } else if (family.contains(ts)) {
                target = ts;
            } else {
                return Optional.empty();
            }
        }
        if (!producible(stored, target, image)) {
            return Optional.empty();
        }
        boolean asStored = target.equals(stored) || TransferSyntax.of(stored).isNative()
                && target.equals(Uid.ExplicitVRLittleEndian);
        return Optional.of(new Choice(type, target, asStored, single));
    }

    /**
     * The syntax a media type gets when the stored one is not among its own: its default (PS3.18 8.7),
     * except that image/jpeg of more than 8 bits, which baseline cannot hold, is lossless JPEG (SV1).
     */
    private static String defaultOf(String type, List<String> family, ImageDescription image) {
        if (type.equals("image/jpeg") && image.bitsStored() > 8) {
            return Uid.JPEGLosslessSV1;
        }
        return family.getFirst();
    }

    /** Whether the frames of this image, stored in {@code stored}, can be sent in {@code target} here. */
    static boolean producible(String stored, String target, ImageDescription image) {
        if (target.equals(stored)) {
            return true;
        }
        TransferSyntax to = TransferSyntax.of(target);
        TransferSyntax from = TransferSyntax.of(stored);
        if (!to.known()) {
            return false;
        }
        boolean readable = from.isNative() || PixelData.decoder(stored, image).isPresent();
        if (to.isNative()) {
            // Frames are little endian: Implicit and Explicit VR Little Endian carry the same pixel bytes.
            return readable && !to.bigEndian() && !to.deflated();
        }
        return readable && to.isEncapsulated() && PixelData.encoder(target, image).isPresent();
    }
}
