// SPDX-License-Identifier: Apache-2.0
package org.lightbox.imaging;

import java.util.Set;

/**
 * Compresses and decompresses single frames of one family of transfer syntaxes. Native pixels on either side are
 * little endian, samples interleaved (planar configuration 0), 1-bit data one byte per pixel, each sample in the
 * width Bits Allocated gives (8, 16, 32 or 64 bits).
 */
public interface PixelCodec {
    /** For logs, metrics and errors, e.g. "RLE (Lightbox)" or "JPEG-LS (CharLS)". */
    String name();

    /** The transfer syntax UIDs this codec reads. */
    Set<String> decodes();

    /** The transfer syntax UIDs this codec writes; empty for a decoder only. */
    Set<String> encodes();

    /**
     * Whether this codec reads {@code image} in {@code transferSyntax}: a codec may take only some images of a syntax
     * (an 8-bit-only JPEG library, say, of JPEG Extended, which holds 8 or 12 bits). By default, every image of a
     * syntax in {@link #decodes()}.
     */
    default boolean canDecode(String transferSyntax, ImageDescription image) {
        return decodes().contains(transferSyntax);
    }

    /** Whether this codec writes {@code image} (as the encoder will be given it) in {@code transferSyntax}. */
    default boolean canEncode(String transferSyntax, ImageDescription image) {
        return encodes().contains(transferSyntax);
    }

    /**
     * Decodes one frame.
     *
     * @param frameIndex counted from 0, for error messages
     * @return the pixels and what they are: a JPEG decoder may turn YBR into RGB, for example
     */
    Decoded decode(byte[] frame, ImageDescription image, int frameIndex) throws CodecException;

    /** Encodes one frame of native pixels in {@code transferSyntax}. */
    byte[] encode(byte[] pixels, ImageDescription image, String transferSyntax, EncodeOptions options, int frameIndex)
            throws CodecException;

    /** A decoded frame and the description its pixels now follow. */
    record Decoded(byte[] pixels, ImageDescription image) {}

    /**
     * @param quality for lossy syntaxes, 1 (smallest) to 100 (best); ignored by lossless ones
     * @param nearLossless for JPEG-LS near-lossless, the largest error allowed per sample
     */
    record EncodeOptions(int quality, int nearLossless) {
        public static final EncodeOptions DEFAULT = new EncodeOptions(90, 2);
    }
}
