// SPDX-License-Identifier: Apache-2.0
package org.lightbox.codec.nativelib;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.Arrays;
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
 * <p>The pixels follow the pure-Java codec's conventions exactly: colour stays in the codestream's colour space, and
 * the Photometric Interpretation of the result comes from {@link JpegCodec#decodedPhotometric}. TurboJPEG's
 * packed-pixel output would convert YCbCr to RGB, so a colour codestream is handed to it marked as not transformed
 * (see {@link #untransformed}): libjpeg then upsamples the chroma with the same "fancy" filter as libjpeg 6b (which the
 * JDK's reader and DCMTK's dcmdjpeg use) and copies the components out as they are. Encoding writes
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
    private static final int TJSAMP_422 = 1;
    private static final int TJSAMP_GRAY = 3;
    private static final int TJSAMP_440 = 4;
    private static final int TJCS_RGB = 0;
    private static final int TJCS_YCBCR = 1;
    private static final int TJCS_GRAY = 2;
    private static final int TJFLAG_FASTUPSAMPLE = 256;
    private static final int TJFLAG_ACCURATEDCT = 4096;
    private static final int TJFLAG_STOPONWARNING = 8192;
    private static final int TJERR_WARNING = 0;

    private static final byte[] JFIF = {'J', 'F', 'I', 'F', 0};
    private static final byte[] ADOBE = {'A', 'd', 'o', 'b', 'e'};
    /** APP14 "Adobe", version 100, no flags, transform 0: the components are not colour-transformed. */
    private static final byte[] ADOBE_RGB = {(byte) 0xFF, (byte) 0xEE, 0, 14, 'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0,
        0, 0, 0};

    /** The entry points of TurboJPEG 2.1 used here. */
    private record Api(MethodHandle initDecompress, MethodHandle decompressHeader, MethodHandle decompress,
            MethodHandle initCompress, MethodHandle compress, MethodHandle free, MethodHandle errorString,
            MethodHandle errorCode, MethodHandle destroy) {

        static Optional<Api> load() {
            Optional<SymbolLookup> opened = NativeLibrary.open("libturbojpeg.so.0");
            if (opened.isEmpty()) {
                return Optional.empty();
            }
            SymbolLookup lib = opened.get();
            try {
                return Optional.of(new Api(
                        NativeLibrary.function(lib, "tjInitDecompress", FunctionDescriptor.of(ADDRESS)),
                        NativeLibrary.function(lib, "tjDecompressHeader3", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG,
                                ADDRESS, ADDRESS, ADDRESS, ADDRESS)),
                        NativeLibrary.function(lib, "tjDecompress2", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG,
                                ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT)),
                        NativeLibrary.function(lib, "tjInitCompress", FunctionDescriptor.of(ADDRESS)),
                        NativeLibrary.function(lib, "tjCompress2", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT,
                                JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT)),
                        NativeLibrary.function(lib, "tjFree", FunctionDescriptor.ofVoid(ADDRESS)),
                        NativeLibrary.function(lib, "tjGetErrorStr2", FunctionDescriptor.of(ADDRESS, ADDRESS)),
                        NativeLibrary.function(lib, "tjGetErrorCode", FunctionDescriptor.of(JAVA_INT, ADDRESS)),
                        NativeLibrary.function(lib, "tjDestroy", FunctionDescriptor.of(JAVA_INT, ADDRESS))));
            } catch (RuntimeException missingSymbol) {
                return Optional.empty();
            }
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
                boolean colour = image.samplesPerPixel() == 3;
                MemorySegment source = colour ? untransformed(frame, arena) : arena.allocateFrom(JAVA_BYTE, frame);
                long length = source.byteSize();
                MemorySegment header = arena.allocate(JAVA_INT, 4);
                int rc = (int) api.decompressHeader().invokeExact(handle, source, length, header,
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
                if (colour && colourspace != TJCS_RGB) {
                    throw new CodecException(NAME, frameIndex, "libjpeg-turbo would convert the colour space "
                            + colourspace + " of this codestream");
                }
                MemorySegment out = arena.allocate((long) width * height * components);
                // libjpeg 6b, and so dcmdjpeg and the pure-Java codec, replicate 4:4:0 chroma; libjpeg-turbo's fancy
                // upsampling would filter it vertically. Its plain upsampling replicates, and is the same for 4:4:4.
                int upsampling = subsamp == TJSAMP_440 ? TJFLAG_FASTUPSAMPLE : 0;
                Decompression run = flags -> (int) api.decompress().invokeExact(handle, source, length, out, width, 0,
                        height, colour ? TJPF_RGB : TJPF_GRAY, flags | upsampling);
                decompress(api, handle, run, frameIndex);
                return new Decoded(out.toArray(JAVA_BYTE), image.withPlanarConfiguration(0)
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

    /**
     * The codestream in native memory, marked as not colour-transformed (an Adobe APP14 segment with transform 0
     * after SOI, the transform of any Adobe segment of its own set to 0, a JFIF APP0 made unrecognisable), so that
     * libjpeg takes its components for RGB and TurboJPEG's packed output holds them as coded, upsampled by libjpeg
     * itself. Only the marker segments before the first SOS are read; what libjpeg would refuse is left to it.
     */
    private static MemorySegment untransformed(byte[] frame, Arena arena) {
        if (frame.length < 2 || (frame[0] & 0xFF) != 0xFF || (frame[1] & 0xFF) != 0xD8) {
            return arena.allocateFrom(JAVA_BYTE, frame); // not a JPEG codestream: libjpeg says so
        }
        int shift = ADOBE_RGB.length;
        MemorySegment s = arena.allocate(frame.length + shift);
        MemorySegment.copy(frame, 0, s, JAVA_BYTE, 0, 2);
        MemorySegment.copy(ADOBE_RGB, 0, s, JAVA_BYTE, 2, shift);
        MemorySegment.copy(frame, 2, s, JAVA_BYTE, 2 + shift, frame.length - 2);
        int i = 2;
        while (i + 1 < frame.length) {
            if ((frame[i] & 0xFF) != 0xFF || (frame[i + 1] & 0xFF) == 0xFF || frame[i + 1] == 0) {
                i++; // extraneous bytes, fill bytes or a stuffed zero, skipped as libjpeg's next_marker does
                continue;
            }
            int marker = frame[i + 1] & 0xFF;
            if (marker == 0xDA || marker == 0xD9) {
                break; // SOS or EOI: the colour space is settled
            }
            if (marker == 0x01 || marker >= 0xD0 && marker <= 0xD8) {
                i += 2; // TEM, RSTn and SOI stand alone
                continue;
            }
            if (i + 3 >= frame.length) {
                break;
            }
            int end = i + 2 + ((frame[i + 2] & 0xFF) << 8 | frame[i + 3] & 0xFF);
            int data = i + 4;
            if (marker == 0xE0 && startsWith(frame, data, end, JFIF)) {
                s.set(JAVA_BYTE, data + shift, (byte) 'X');
            } else if (marker == 0xEE && Math.min(end, frame.length) - data >= 12
                    && startsWith(frame, data, end, ADOBE)) {
                s.set(JAVA_BYTE, data + 11 + shift, (byte) 0);
            }
            i = end;
        }
        return s;
    }

    private static boolean startsWith(byte[] b, int from, int end, byte[] prefix) {
        return Math.min(end, b.length) - from >= prefix.length
                && Arrays.equals(b, from, from + prefix.length, prefix, 0, prefix.length);
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
