// SPDX-License-Identifier: Apache-2.0
package org.lightbox.imaging.internal;

import java.io.ByteArrayOutputStream;
import java.util.Set;
import org.lightbox.dicom.Uid;
import org.lightbox.imaging.CodecException;
import org.lightbox.imaging.ImageDescription;
import org.lightbox.imaging.PixelCodec;

/**
 * RLE Lossless (PS3.5 Annex G): a 64-byte header of segment offsets, then one PackBits segment per byte plane, the
 * most significant plane of each sample first.
 */
public final class RleCodec implements PixelCodec {
    private static final String NAME = "RLE Lossless (Lightbox)";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Set<String> decodes() {
        return Set.of(Uid.RLELossless);
    }

    @Override
    public Set<String> encodes() {
        return Set.of(Uid.RLELossless);
    }

    @Override
    public Decoded decode(byte[] frame, ImageDescription image, int frameIndex) throws CodecException {
        int bytesPerSample = Math.max(1, image.bitsAllocated() / 8);
        int segments = image.samplesPerPixel() * bytesPerSample;
        if (image.bitsAllocated() == 1) {
            throw new CodecException(NAME, frameIndex, "1-bit pixel data cannot be RLE encoded here");
        }
        if (frame.length < 64) {
            throw new CodecException(NAME, frameIndex, "the frame is " + frame.length + " bytes, shorter than the"
                    + " 64-byte RLE header");
        }
        int declared = u32(frame, 0);
        if (declared != segments) {
            throw new CodecException(NAME, frameIndex, "the RLE header declares " + declared + " segments; "
                    + image.samplesPerPixel() + " samples of " + image.bitsAllocated() + " bits need " + segments);
        }
        int pixels = image.pixels();
        byte[] out = new byte[pixels * segments];
        for (int s = 0; s < segments; s++) {
            long start = u32(frame, 4 + 4 * s) & 0xFFFFFFFFL;
            long end = s + 1 < segments ? u32(frame, 8 + 4 * s) & 0xFFFFFFFFL : frame.length;
            if (start < 64 || start > end || end > frame.length) {
                throw new CodecException(NAME, frameIndex, "segment " + (s + 1) + " lies at bytes " + start + "-" + end
                        + " of a " + frame.length + "-byte frame");
            }
            int sample = s / bytesPerSample;
            // Segments run from the most significant byte; little endian output puts it last.
            int byteInSample = bytesPerSample - 1 - s % bytesPerSample;
            int stride = segments;
            int offset = sample * bytesPerSample + byteInSample;
            unpack(frame, (int) start, (int) end, out, offset, stride, pixels, frameIndex, s);
        }
        return new Decoded(out, image.withPlanarConfiguration(0));
    }

    /** PackBits into every {@code stride}-th byte of {@code out} from {@code offset}; exactly {@code count} bytes. */
    private static void unpack(byte[] in, int pos, int end, byte[] out, int offset, int stride, int count,
            int frameIndex, int segment) throws CodecException {
        int o = offset;
        int written = 0;
        while (written < count) {
            if (pos >= end) {
                throw new CodecException(NAME, frameIndex, "segment " + (segment + 1) + " ends after " + written
                        + " of " + count + " bytes");
            }
            int n = in[pos++];
            if (n >= 0) {
                int run = n + 1;
                if (pos + run > end || written + run > count) {
                    throw new CodecException(NAME, frameIndex, "segment " + (segment + 1) + " has a literal run past"
                            + " its end");
                }
                if (stride == 1) {
                    System.arraycopy(in, pos, out, o, run);
                    o += run;
                    pos += run;
                } else {
                    for (int i = 0; i < run; i++) {
                        out[o] = in[pos++];
                        o += stride;
                    }
                }
                written += run;
            } else if (n != -128) {
                int run = 1 - n;
                if (pos >= end || written + run > count) {
                    throw new CodecException(NAME, frameIndex, "segment " + (segment + 1) + " has a repeat run past"
                            + " its end");
                }
                byte b = in[pos++];
                if (stride == 1) {
                    java.util.Arrays.fill(out, o, o + run, b);
                    o += run;
                } else {
                    for (int i = 0; i < run; i++) {
                        out[o] = b;
                        o += stride;
                    }
                }
                written += run;
            }
        }
    }

    @Override
    public byte[] encode(byte[] pixels, ImageDescription image, String transferSyntax, EncodeOptions options,
            int frameIndex) throws CodecException {
        int bytesPerSample = Math.max(1, image.bitsAllocated() / 8);
        int segments = image.samplesPerPixel() * bytesPerSample;
        if (image.bitsAllocated() == 1 || segments > 15) {
            throw new CodecException(NAME, frameIndex, "RLE holds at most 15 byte planes of whole bytes, not "
                    + image.samplesPerPixel() + " samples of " + image.bitsAllocated() + " bits");
        }
        if (pixels.length != image.frameBytes()) {
            throw new CodecException(NAME, frameIndex, "the frame holds " + pixels.length + " bytes, not "
                    + image.frameBytes());
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(pixels.length / 2 + 64);
        byte[] header = new byte[64];
        put32(header, 0, segments);
        out.writeBytes(header);
        byte[] row = new byte[image.columns()];
        for (int s = 0; s < segments; s++) {
            put32(header, 4 + 4 * s, out.size());
            int sample = s / bytesPerSample;
            int byteInSample = bytesPerSample - 1 - s % bytesPerSample;
            int offset = sample * bytesPerSample + byteInSample;
            // Each row is packed on its own: PS3.5 G.3.1 forbids runs across rows.
            for (int r = 0; r < image.rows(); r++) {
                int base = (r * image.columns()) * segments + offset;
                for (int c = 0; c < row.length; c++) {
                    row[c] = pixels[base + c * segments];
                }
                pack(row, out);
            }
            if ((out.size() & 1) == 1) {
                out.write(0);
            }
        }
        byte[] result = out.toByteArray();
        System.arraycopy(header, 0, result, 0, 64);
        return result;
    }

    /** PackBits: runs of 3 or more equal bytes as repeats, the rest as literals of up to 128. */
    private static void pack(byte[] row, ByteArrayOutputStream out) {
        int i = 0;
        int n = row.length;
        while (i < n) {
            int run = 1;
            while (i + run < n && run < 128 && row[i + run] == row[i]) {
                run++;
            }
            if (run >= 3) {
                out.write(1 - run);
                out.write(row[i]);
                i += run;
                continue;
            }
            int start = i;
            while (i < n && i - start < 128) {
                if (i + 2 < n && row[i] == row[i + 1] && row[i] == row[i + 2]) {
                    break;
                }
                i++;
            }
            out.write(i - start - 1);
            out.write(row, start, i - start);
        }
    }

    private static int u32(byte[] b, int at) {
        return b[at] & 0xFF | (b[at + 1] & 0xFF) << 8 | (b[at + 2] & 0xFF) << 16 | (b[at + 3] & 0xFF) << 24;
    }

    private static void put32(byte[] b, int at, int v) {
        b[at] = (byte) v;
        b[at + 1] = (byte) (v >>> 8);
        b[at + 2] = (byte) (v >>> 16);
        b[at + 3] = (byte) (v >>> 24);
    }
}
