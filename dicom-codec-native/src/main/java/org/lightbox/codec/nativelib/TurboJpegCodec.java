// SPDX-License-Identifier: Apache-2.0
package org.lightbox.codec.nativelib;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.lightbox.dicom.Uid;
import org.lightbox.imaging.CodecException;
import org.lightbox.imaging.ImageDescription;
import org.lightbox.imaging.PixelCodec;
import org.lightbox.imaging.internal.jpeg.JpegCodec;

/**
 * JPEG Baseline and Extended with 8-bit samples through libjpeg-turbo's TurboJPEG 2.1 API (Debian: libturbojpeg0),
 * called with the FFM API. 12-bit and lossless JPEG are beyond an 8-bit libjpeg-turbo build: {@link #canDecode} and
 * {@link #canEncode} turn such images down, and the pure-Java codec takes them. When the library is not installed
 * this codec claims no transfer syntax.
 *
 * <p>The pixels follow the pure-Java codec's conventions exactly: colour stays in the codestream's colour space
 * (TurboJPEG's packed-pixel output would always convert YCbCr to RGB, so colour frames are decoded to their component
 * planes and upsampled here with libjpeg's own "fancy" filter, as the JDK's libjpeg does for the pure-Java codec), and
 * the Photometric Interpretation of the result comes from {@link JpegCodec#decodedPhotometric}. Encoding writes
 * monochrome, or colour as YCbCr 4:2:2 (YBR_FULL_422, as {@code Transcoder.encodedPhotometric} says).
 *
 * <p>libjpeg reports truncated or corrupt entropy data only as a warning and fills the rest with grey. Here any
 * warning other than extraneous bytes before a marker (common and harmless) fails the frame.
 */
public final class TurboJpegCodec implements PixelCodec {
    private static final String NAME = "JPEG (libjpeg-turbo)";
    private static final Set<String> SYNTAXES = Set.of(Uid.JPEGBaseline8Bit, Uid.JPEGExtended12Bit);
    private static final Optional<Api> API = Api.load();

    // turbojpeg.h constants (stable since TurboJPEG 1.2)
    private static final int TJPF_RGB = 0;
    private static final int TJPF_GRAY = 6;
    private static final int TJSAMP_444 = 0;
    private static final int TJSAMP_422 = 1;
    private static final int TJSAMP_420 = 2;
    private static final int TJSAMP_GRAY = 3;
    private static final int TJSAMP_440 = 4;
    private static final int TJSAMP_411 = 5;
    private static final int TJCS_RGB = 0;
    private static final int TJCS_YCBCR = 1;
    private static final int TJCS_GRAY = 2;
    private static final int TJFLAG_ACCURATEDCT = 4096;
    private static final int TJFLAG_STOPONWARNING = 8192;
    private static final int TJERR_WARNING = 0;

    /** The entry points of TurboJPEG 2.1 used here. */
    private record Api(MethodHandle initDecompress, MethodHandle decompressHeader, MethodHandle decompress,
            MethodHandle decompressToPlanes, MethodHandle planeWidth, MethodHandle planeHeight,
            MethodHandle initCompress, MethodHandle compress, MethodHandle free, MethodHandle errorString,
            MethodHandle errorCode, MethodHandle destroy) {

        static Optional<Api> load() {
            SymbolLookup lib;
            try {
                lib = SymbolLookup.libraryLookup("libturbojpeg.so.0", Arena.global());
            } catch (IllegalArgumentException | IllegalCallerException notInstalled) {
                return Optional.empty();
            }
            Linker l = Linker.nativeLinker();
            try {
                return Optional.of(new Api(
                        h(l, lib, "tjInitDecompress", FunctionDescriptor.of(ADDRESS)),
                        h(l, lib, "tjDecompressHeader3", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG,
                                ADDRESS, ADDRESS, ADDRESS, ADDRESS)),
                        h(l, lib, "tjDecompress2", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG,
                                ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT)),
                        h(l, lib, "tjDecompressToYUVPlanes", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS,
                                JAVA_LONG, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT)),
                        h(l, lib, "tjPlaneWidth", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT)),
                        h(l, lib, "tjPlaneHeight", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT)),
                        h(l, lib, "tjInitCompress", FunctionDescriptor.of(ADDRESS)),
                        h(l, lib, "tjCompress2", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT,
                                JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT)),
                        h(l, lib, "tjFree", FunctionDescriptor.ofVoid(ADDRESS)),
                        h(l, lib, "tjGetErrorStr2", FunctionDescriptor.of(ADDRESS, ADDRESS)),
                        h(l, lib, "tjGetErrorCode", FunctionDescriptor.of(JAVA_INT, ADDRESS)),
                        h(l, lib, "tjDestroy", FunctionDescriptor.of(JAVA_INT, ADDRESS))));
            } catch (RuntimeException missingSymbol) {
                return Optional.empty();
            }
        }

        private static MethodHandle h(Linker l, SymbolLookup lib, String name, FunctionDescriptor d) {
            return l.downcallHandle(lib.find(name).orElseThrow(() -> new IllegalStateException("no " + name)), d);
        }
    }

    /** Whether libturbojpeg was found on this machine. */
    public static boolean available() {
        return API.isPresent();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Set<String> decodes() {
        return API.isPresent() ? SYNTAXES : Set.of();
    }

    @Override
    public Set<String> encodes() {
        return decodes();
    }

    /** 8-bit samples only: the frame's SOF precision then is 8 (a 12-bit frame in 8 bits would be malformed). */
    @Override
    public boolean canDecode(String transferSyntax, ImageDescription image) {
        return decodes().contains(transferSyntax) && eightBit(image);
    }

    @Override
    public boolean canEncode(String transferSyntax, ImageDescription image) {
        return encodes().contains(transferSyntax) && eightBit(image) && !image.signed();
    }

    private static boolean eightBit(ImageDescription image) {
        return image.bitsAllocated() == 8 && image.bitsStored() <= 8 && image.floatBits() == 0
                && (image.samplesPerPixel() == 1 || image.samplesPerPixel() == 3);
    }

    @Override
    public Decoded decode(byte[] frame, ImageDescription image, int frameIndex) throws CodecException {
        Api api = API.orElseThrow(() -> new CodecException(NAME, frameIndex, "libturbojpeg is not installed"));
        if (!eightBit(image)) {
            throw new CodecException(NAME, frameIndex, "libjpeg-turbo here reads 8-bit samples, the data set has "
                    + image.bitsStored() + " bits in " + image.bitsAllocated());
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment handle = (MemorySegment) api.initDecompress().invokeExact();
            if (handle.equals(MemorySegment.NULL)) {
                throw new CodecException(NAME, frameIndex, "TurboJPEG could not create a decompressor");
            }
            try {
                MemorySegment source = arena.allocateFrom(JAVA_BYTE, frame);
                MemorySegment header = arena.allocate(JAVA_INT, 4);
                int rc = (int) api.decompressHeader().invokeExact(handle, source, (long) frame.length, header,
                        header.asSlice(4), header.asSlice(8), header.asSlice(12));
                if (rc != 0) {
                    throw failure(api, handle, frameIndex);
                }
                int width = header.getAtIndex(JAVA_INT, 0);
                int height = header.getAtIndex(JAVA_INT, 1);
                int subsamp = header.getAtIndex(JAVA_INT, 2);
                int colourspace = header.getAtIndex(JAVA_INT, 3);
                int components = colourspace == TJCS_GRAY ? 1 : colourspace == TJCS_RGB
                        || colourspace == TJCS_YCBCR ? 3 : 4;
                if (width != image.columns() || height != image.rows() || components != image.samplesPerPixel()) {
                    throw new CodecException(NAME, frameIndex, "the codestream holds " + width + " x " + height
                            + " pixels of " + components + " components; the data set says " + image.columns() + " x "
                            + image.rows() + " of " + image.samplesPerPixel());
                }
                byte[] pixels = components == 1 ? gray(api, handle, source, frame.length, width, height, arena,
                        frameIndex) : colour(api, handle, source, frame.length, width, height, subsamp, arena,
                        frameIndex);
                return new Decoded(pixels, image.withPlanarConfiguration(0)
                        .withPhotometricInterpretation(JpegCodec.decodedPhotometric(frame, image)));
            } finally {
                int ignored = (int) api.destroy().invokeExact(handle);
            }
        } catch (CodecException e) {
            throw e;
        } catch (Throwable t) {
            throw new CodecException(NAME, frameIndex, "libjpeg-turbo failed: " + t, t);
        }
    }

    private static byte[] gray(Api api, MemorySegment handle, MemorySegment source, int length, int width,
            int height, Arena arena, int frameIndex) throws Throwable {
        MemorySegment out = arena.allocate((long) width * height);
        Decompression run = flags -> (int) api.decompress().invokeExact(handle, source, (long) length, out, width, 0,
                height, TJPF_GRAY, flags);
        decompress(api, handle, run, frameIndex);
        return out.toArray(JAVA_BYTE);
    }

    /** The three component planes as coded (no colour conversion), upsampled to full size and interleaved. */
    private static byte[] colour(Api api, MemorySegment handle, MemorySegment source, int length, int width,
            int height, int subsamp, Arena arena, int frameIndex) throws Throwable {
        int[] w = new int[3];
        int[] h = new int[3];
        MemorySegment planes = arena.allocate(ADDRESS, 3);
        MemorySegment[] plane = new MemorySegment[3];
        for (int c = 0; c < 3; c++) {
            w[c] = (int) api.planeWidth().invokeExact(c, width, subsamp);
            h[c] = (int) api.planeHeight().invokeExact(c, height, subsamp);
            if (w[c] <= 0 || h[c] <= 0) {
                throw new CodecException(NAME, frameIndex, "TurboJPEG cannot size the planes of subsampling "
                        + subsamp);
            }
            plane[c] = arena.allocate((long) w[c] * h[c]);
            planes.setAtIndex(ADDRESS, c, plane[c]);
        }
        Decompression run = flags -> (int) api.decompressToPlanes().invokeExact(handle, source, (long) length,
                planes, width, MemorySegment.NULL, height, flags);
        decompress(api, handle, run, frameIndex);
        int hf = switch (subsamp) {
            case TJSAMP_422, TJSAMP_420 -> 2;
            case TJSAMP_411 -> 4;
            default -> 1;
        };
        int vf = subsamp == TJSAMP_420 || subsamp == TJSAMP_440 ? 2 : 1;
        if (subsamp != TJSAMP_444 && hf == 1 && vf == 1) {
            throw new CodecException(NAME, frameIndex, "unexpected TurboJPEG subsampling " + subsamp);
        }
        byte[] out = new byte[width * height * 3];
        for (int c = 0; c < 3; c++) {
            byte[] p = plane[c].toArray(JAVA_BYTE);
            if (c == 0 || hf == 1 && vf == 1) {
                place(p, w[c], width, height, out, c);
            } else {
                int cw = (width + hf - 1) / hf; // libjpeg's downsampled width and height
                int ch = (height + vf - 1) / vf;
                place(Upsampling.upsample(p, w[c], cw, ch, hf, vf), cw * hf, width, height, out, c);
            }
        }
        return out;
    }

    private static void place(byte[] p, int stride, int width, int height, byte[] out, int component) {
        for (int y = 0; y < height; y++) {
            int o = y * width * 3 + component;
            int i = y * stride;
            for (int x = 0; x < width; x++, o += 3) {
                out[o] = p[i + x];
            }
        }
    }

    @FunctionalInterface
    private interface Decompression {
        int run(int flags) throws Throwable;
    }

    /**
     * Decompresses stopping at the first warning. A warning about extraneous bytes before a marker is harmless, so
     * then the frame is decompressed again to the end, and accepted when the last warning is such a one too.
     */
    private static void decompress(Api api, MemorySegment handle, Decompression run, int frameIndex)
            throws Throwable {
        if (run.run(TJFLAG_ACCURATEDCT | TJFLAG_STOPONWARNING) == 0) {
            return;
        }
        CodecException first = failure(api, handle, frameIndex);
        if (!harmless(first)) {
            throw first;
        }
        if (run.run(TJFLAG_ACCURATEDCT) != 0) {
            CodecException again = failure(api, handle, frameIndex);
            if (!harmless(again)) {
                throw again;
            }
        }
    }

    private static boolean harmless(CodecException e) {
        return e.getMessage().toLowerCase(Locale.ROOT).contains("extraneous bytes")
                && e.getMessage().contains("(warning)");
    }

    @Override
    public byte[] encode(byte[] pixels, ImageDescription image, String transferSyntax, EncodeOptions options,
            int frameIndex) throws CodecException {
        Api api = API.orElseThrow(() -> new CodecException(NAME, frameIndex, "libturbojpeg is not installed"));
        if (!canEncode(transferSyntax, image)) {
            throw new CodecException(NAME, frameIndex, "libjpeg-turbo here writes unsigned 8-bit samples in JPEG"
                    + " Baseline or Extended, not " + image.samplesPerPixel() + " samples of " + image.bitsStored()
                    + " bits" + (image.signed() ? ", signed," : "") + " in " + transferSyntax);
        }
        if (pixels.length != image.frameBytes()) {
            throw new CodecException(NAME, frameIndex, "the frame holds " + pixels.length + " bytes, not "
                    + image.frameBytes());
        }
        boolean colour = image.samplesPerPixel() == 3;
        byte[] samples = colour && image.photometricInterpretation().startsWith("YBR") ? yccToRgb(pixels) : pixels;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment handle = (MemorySegment) api.initCompress().invokeExact();
            if (handle.equals(MemorySegment.NULL)) {
                throw new CodecException(NAME, frameIndex, "TurboJPEG could not create a compressor");
            }
            MemorySegment buffer = arena.allocate(ADDRESS);
            MemorySegment size = arena.allocate(JAVA_LONG);
            try {
                MemorySegment source = arena.allocateFrom(JAVA_BYTE, samples);
                int rc = (int) api.compress().invokeExact(handle, source, image.columns(), 0, image.rows(),
                        colour ? TJPF_RGB : TJPF_GRAY, buffer, size, colour ? TJSAMP_422 : TJSAMP_GRAY,
                        Math.clamp(options.quality(), 1, 100), TJFLAG_ACCURATEDCT);
                if (rc != 0) {
                    throw failure(api, handle, frameIndex);
                }
                MemorySegment jpeg = buffer.get(ADDRESS, 0).reinterpret(size.get(JAVA_LONG, 0));
                return jpeg.toArray(JAVA_BYTE);
            } finally {
                MemorySegment allocated = buffer.get(ADDRESS, 0);
                if (!allocated.equals(MemorySegment.NULL)) {
                    api.free().invokeExact(allocated);
                }
                int ignored = (int) api.destroy().invokeExact(handle);
            }
        } catch (CodecException e) {
            throw e;
        } catch (Throwable t) {
            throw new CodecException(NAME, frameIndex, "libjpeg-turbo failed: " + t, t);
        }
    }

    /** Full-range YCbCr to RGB as the pure-Java codec does before its writer converts back (PS3.3 C.7.6.3.1.2). */
    private static byte[] yccToRgb(byte[] s) {
        byte[] out = new byte[s.length];
        for (int i = 0; i + 2 < s.length; i += 3) {
            double y = s[i] & 0xFF;
            double cb = (s[i + 1] & 0xFF) - 128;
            double cr = (s[i + 2] & 0xFF) - 128;
            out[i] = (byte) Math.clamp(Math.round(y + 1.402 * cr), 0, 255);
            out[i + 1] = (byte) Math.clamp(Math.round(y - 0.344136 * cb - 0.714136 * cr), 0, 255);
            out[i + 2] = (byte) Math.clamp(Math.round(y + 1.772 * cb), 0, 255);
        }
        return out;
    }

    /** The handle's error, with "(warning)" when libjpeg only warned (a corrupt or truncated codestream). */
    private static CodecException failure(Api api, MemorySegment handle, int frameIndex) throws Throwable {
        MemorySegment text = (MemorySegment) api.errorString().invokeExact(handle);
        String message = text.equals(MemorySegment.NULL) ? "unknown error" : text.reinterpret(512).getString(0);
        int code = (int) api.errorCode().invokeExact(handle);
        return new CodecException(NAME, frameIndex, "libjpeg-turbo: " + message
                + (code == TJERR_WARNING ? " (warning)" : ""));
    }
}
