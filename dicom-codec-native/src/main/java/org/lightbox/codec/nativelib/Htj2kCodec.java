// SPDX-License-Identifier: Apache-2.0
package org.lightbox.codec.nativelib;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Optional;
import java.util.Set;
import org.lightbox.imaging.CodecException;
import org.lightbox.imaging.ImageDescription;
import org.lightbox.imaging.PixelCodec;

/**
 * High-Throughput JPEG 2000 (PS3.5 A.4.7) through OpenJPH (Debian: libopenjph0.9), called with the FFM API by way of
 * Lightbox's C shim. Decodes HTJ2K Lossless, Lossless RPCL and HTJ2K; encodes HTJ2K Lossless (5/3 wavelet) and HTJ2K
 * (9/7 wavelet, quantization step from the quality: {@link #quantizationStep}). Three samples are coded with the
 * component transform, so they decode to RGB and encode to YBR_RCT or YBR_ICT ({@link org.lightbox.imaging.Transcoder#encodedPhotometric}), as the
 * JPEG 2000 codecs do. When the shim or the library is missing this codec claims no transfer syntax.
 *
 * <p>OpenJPH 0.9 is not safe on corrupt input: fuzzing made it loop, abort on an assert() or corrupt its heap. So the
 * shim checks before OpenJPH sees the data: the main header (SIZ, COD, QCD and their agreement), every tile-part's
 * length and header, the EOC marker (a truncated codestream is refused), and, for the usual layout (one tile, one
 * quality layer, one precinct per resolution, no image offset, no SOP/EPH markers: what OpenJPH and most HTJ2K
 * encoders write), every packet header and code-block length. It refuses what OpenJPH would mishandle: COC, QCC, RGN,
 * POC or PPM in the main header, markers other than PLT and COM in tile-part headers, more than 3 coding passes per
 * code-block, subsampled components, components of different depths, and depths above 16 bits. Codestreams of other
 * layouts (several tiles, layers or precincts) are decoded with the header checks only: for them, a corrupt packet
 * header can still crash the process. For any layout, corrupt code-block contents can still trip an assert() in
 * OpenJPH 0.9's block decoder and abort the process (rare: about 1 in 16,000 random mutations in our fuzzing).
 */
public final class Htj2kCodec implements PixelCodec {
    private static final String NAME = "HTJ2K (OpenJPH)";
    static final String LOSSLESS = "1.2.840.10008.1.2.4.201";
    static final String LOSSLESS_RPCL = "1.2.840.10008.1.2.4.202";
    static final String LOSSY = "1.2.840.10008.1.2.4.203";
    private static final Set<String> DECODES = Set.of(LOSSLESS, LOSSLESS_RPCL, LOSSY);
    // Not .202 yet: Lightbox writes RPCL, but whether that meets all PS3.5 asks of .202 (TLM markers?) is unchecked.
    private static final Set<String> ENCODES = Set.of(LOSSLESS, LOSSY);
    private static final Optional<OpenJphApi> API = OpenJphApi.load();

    /** Whether the shim and OpenJPH were found on this machine. */
    public static boolean available() {
        return API.isPresent();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Set<String> decodes() {
        return API.isPresent() ? DECODES : Set.of();
    }

    @Override
    public Set<String> encodes() {
        return API.isPresent() ? ENCODES : Set.of();
    }

    /**
     * The quantization step of the 9/7 wavelet for a quality of 1 to 100, relative to the sample range as OpenJPH
     * takes it: one level of Bits Stored at 100, doubling every 15 below (about 1.6 levels at 90, 10 at 50, 97 at 1).
     * On 8-bit data quality 90 gives some 50 dB PSNR; what a level means follows Bits Stored, so 12- and 16-bit data
     * lose no more of their range than 8-bit data.
     */
    static float quantizationStep(int quality, int bitsStored) {
        int q = Math.clamp(quality, 1, 100);
        return (float) (Math.pow(2, (100 - q) / 15.0) / (1L << bitsStored));
    }

    @Override
    public Decoded decode(byte[] frame, ImageDescription image, int frameIndex) throws CodecException {
        OpenJphApi api = API.orElseThrow(() -> new CodecException(NAME, frameIndex, "OpenJPH is not installed"));
        if (image.bitsAllocated() != 8 && image.bitsAllocated() != 16 || image.floatBits() != 0) {
            throw new CodecException(NAME, frameIndex, "HTJ2K decodes to 8 or 16 bits allocated, not "
                    + image.bitsAllocated());
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment source = arena.allocateFrom(JAVA_BYTE, frame);
            MemorySegment error = arena.allocate(OpenJphApi.ERROR_CAPACITY);
            MemorySegment info = arena.allocate(JAVA_INT, OpenJphApi.HEADER_INTS);
            check((int) api.header().invokeExact(source, (long) frame.length, info, error,
                    (long) OpenJphApi.ERROR_CAPACITY), error, frameIndex);
            int width = info.getAtIndex(JAVA_INT, OpenJphApi.WIDTH);
            int height = info.getAtIndex(JAVA_INT, OpenJphApi.HEIGHT);
            int components = info.getAtIndex(JAVA_INT, OpenJphApi.COMPONENTS);
            int bits = info.getAtIndex(JAVA_INT, OpenJphApi.BIT_DEPTH);
            if (width != image.columns() || height != image.rows() || components != image.samplesPerPixel()) {
                throw new CodecException(NAME, frameIndex, "the codestream holds " + width + " x " + height + " x "
                        + components + " samples, the data set says " + image.columns() + " x " + image.rows()
                        + " x " + image.samplesPerPixel());
            }
            int sampleBytes = image.bitsAllocated() / 8;
            if (bits > image.bitsAllocated()) {
                throw new CodecException(NAME, frameIndex, bits + "-bit samples do not fit Bits Allocated "
                        + image.bitsAllocated());
            }
            long bytes = image.frameBytes();
            MemorySegment out = arena.allocate(bytes);
            check((int) api.decode().invokeExact(source, (long) frame.length, sampleBytes, out, bytes, error,
                    (long) OpenJphApi.ERROR_CAPACITY), error, frameIndex);
            byte[] pixels = out.toArray(JAVA_BYTE);
            if (sampleBytes == 2 && bits < 16 && image.signed() && info.getAtIndex(JAVA_INT, OpenJphApi.SIGNED) == 0) {
                // An unsigned codestream in a data set that says signed: the samples' top bit is their sign.
                signExtend(pixels, bits);
            }
            boolean transform = info.getAtIndex(JAVA_INT, OpenJphApi.COLOUR_TRANSFORM) != 0;
            // The component transform is undone by the decoder: the samples are RGB whatever YBR_* the data set said.
            String pi = components == 3 && transform ? "RGB" : image.photometricInterpretation();
            return new Decoded(pixels,
                    image.withPlanarConfiguration(0).withPhotometricInterpretation(pi));
        } catch (CodecException e) {
            throw e;
        } catch (Throwable t) {
            throw new CodecException(NAME, frameIndex, "OpenJPH failed: " + t, t);
        }
    }

    @Override
    public byte[] encode(byte[] pixels, ImageDescription image, String transferSyntax, EncodeOptions options,
            int frameIndex) throws CodecException {
        OpenJphApi api = API.orElseThrow(() -> new CodecException(NAME, frameIndex, "OpenJPH is not installed"));
        if (!ENCODES.contains(transferSyntax)) {
            throw new CodecException(NAME, frameIndex, "cannot encode transfer syntax " + transferSyntax);
        }
        if (image.samplesPerPixel() != 1 && image.samplesPerPixel() != 3
                || image.bitsAllocated() != 8 && image.bitsAllocated() != 16 || image.floatBits() != 0) {
            throw new CodecException(NAME, frameIndex, "HTJ2K encodes 1 or 3 samples of 8 or 16 bits, not "
                    + image.samplesPerPixel() + " of " + image.bitsAllocated());
        }
        if (image.samplesPerPixel() == 3 && !image.photometricInterpretation().equals("RGB")) {
            // The component transform expects RGB; YBR input would be transformed twice.
            throw new CodecException(NAME, frameIndex, "colour pixels must be RGB, not "
                    + image.photometricInterpretation());
        }
        if (pixels.length < image.frameBytes()) {
            throw new CodecException(NAME, frameIndex, "the frame holds " + pixels.length + " bytes, not "
                    + image.frameBytes());
        }
        boolean reversible = !LOSSY.equals(transferSyntax);
        float step = reversible ? 0 : quantizationStep(options.quality(), image.bitsStored());
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment source = arena.allocateFrom(JAVA_BYTE, pixels);
            MemorySegment error = arena.allocate(OpenJphApi.ERROR_CAPACITY);
            MemorySegment progression = arena.allocateFrom("RPCL");
            MemorySegment out = arena.allocate(ADDRESS);
            MemorySegment size = arena.allocate(JAVA_LONG);
            // The shim masks each sample to Bits Stored and sign-extends signed ones (PS3.5 8.1.1).
            check((int) api.encode().invokeExact(source, image.columns(), image.rows(), image.samplesPerPixel(),
                    image.bitsAllocated() / 8, image.bitsStored(), image.signed() ? 1 : 0, reversible ? 1 : 0, step,
                    progression, out, size, error, (long) OpenJphApi.ERROR_CAPACITY), error, frameIndex);
            MemorySegment data = out.get(ADDRESS, 0);
            try {
                return data.reinterpret(size.get(JAVA_LONG, 0)).toArray(JAVA_BYTE);
            } finally {
                api.free().invokeExact(data);
            }
        } catch (CodecException e) {
            throw e;
        } catch (Throwable t) {
            throw new CodecException(NAME, frameIndex, "OpenJPH failed: " + t, t);
        }
    }

    private static void signExtend(byte[] pixels, int bits) {
        int shift = 32 - bits;
        for (int i = 0; i + 1 < pixels.length; i += 2) {
            int v = (pixels[i] & 0xFF | (pixels[i + 1] & 0xFF) << 8) << shift >> shift;
            pixels[i] = (byte) v;
            pixels[i + 1] = (byte) (v >> 8);
        }
    }

    private static void check(int result, MemorySegment error, int frameIndex) throws CodecException {
        if (result != 0) {
            throw new CodecException(NAME, frameIndex, "OpenJPH: " + error.getString(0));
        }
    }
}
