// SPDX-License-Identifier: Apache-2.0
package org.lightbox.imaging.internal.jpegls;

import java.util.Set;
import org.lightbox.imaging.CodecException;
import org.lightbox.imaging.ImageDescription;
import org.lightbox.imaging.PixelCodec;

/**
 * JPEG-LS lossless and near-lossless (ITU-T T.87 / ISO 14495-1, PS3.5 A.4.3) in pure Java: 2 to 16 bits per sample,
 * one or more components, interleave modes none, line and sample, preset parameters (LSE type 1) and restart
 * markers. Not supported (refused with a CodecException): mapping tables, HP colour transforms, DNL-defined heights,
 * subsampled components. Samples are returned as stored, without sign extension (as pydicom's manifest has them).
 * Encoding writes default parameters, ILV 0 for one component and ILV 2 (sample interleaved) for more, Bits Stored
 * as the precision; bits above Bits Stored are not kept.
 */
public final class JpegLsCodec implements PixelCodec {
    static final String NAME = "JPEG-LS (Lightbox)";
    static final String LOSSLESS = "1.2.840.10008.1.2.4.80";
    static final String NEAR_LOSSLESS = "1.2.840.10008.1.2.4.81";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Set<String> decodes() {
        return Set.of(LOSSLESS, NEAR_LOSSLESS);
    }

    @Override
    public Set<String> encodes() {
        return Set.of(LOSSLESS, NEAR_LOSSLESS);
    }

    @Override
    public Decoded decode(byte[] frame, ImageDescription image, int frameIndex) throws CodecException {
        try {
            byte[] pixels = new JlsFrameReader(frame, image).read();
            return new Decoded(pixels, image.withPlanarConfiguration(0));
        } catch (JlsFormatException | IllegalArgumentException e) {
            throw new CodecException(NAME, frameIndex, e.getMessage(), e);
        } catch (RuntimeException e) {
            // A bug met by corrupt data must still come out as a failed frame, not a crash.
            throw new CodecException(NAME, frameIndex, "corrupt codestream (" + e + ")", e);
        }
    }

    @Override
    public byte[] encode(byte[] pixels, ImageDescription image, String transferSyntax, EncodeOptions options,
            int frameIndex) throws CodecException {
        int near;
        if (LOSSLESS.equals(transferSyntax)) {
            near = 0;
        } else if (NEAR_LOSSLESS.equals(transferSyntax)) {
            near = options.nearLossless();
        } else {
            throw new CodecException(NAME, frameIndex, "cannot encode transfer syntax " + transferSyntax);
        }
        try {
            return JlsFrameWriter.write(pixels, image, near);
        } catch (IllegalArgumentException e) {
            throw new CodecException(NAME, frameIndex, e.getMessage(), e);
        }
    }
}
