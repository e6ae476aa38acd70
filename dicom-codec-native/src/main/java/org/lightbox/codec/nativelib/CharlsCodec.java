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
import java.util.Optional;
import java.util.Set;
import org.lightbox.imaging.CodecException;
import org.lightbox.imaging.ImageDescription;
import org.lightbox.imaging.PixelCodec;
import org.lightbox.imaging.internal.NativeLayout;

/**
 * JPEG-LS through CharLS's C API (Debian: libcharls2), called with the FFM API. When the library is not installed
 * this codec claims no transfer syntax, and the pure-Java one takes over.
 */
public final class CharlsCodec implements PixelCodec {
    private static final String NAME = "JPEG-LS (CharLS)";
    private static final Set<String> SYNTAXES = Set.of("1.2.840.10008.1.2.4.80", "1.2.840.10008.1.2.4.81");
    private static final Optional<Api> API = Api.load();

    /** The entry points of CharLS 2.x used here. */
    private record Api(MethodHandle decoderCreate, MethodHandle decoderDestroy, MethodHandle setSource,
            MethodHandle readHeader, MethodHandle frameInfo, MethodHandle interleaveMode, MethodHandle destinationSize,
            MethodHandle decode, MethodHandle encoderCreate, MethodHandle encoderDestroy, MethodHandle setFrameInfo,
            MethodHandle setNear, MethodHandle setInterleave, MethodHandle estimatedSize, MethodHandle setDestination,
            MethodHandle encode, MethodHandle bytesWritten, MethodHandle errorMessage) {

        static Optional<Api> load() {
            Optional<SymbolLookup> opened = NativeLibrary.open("libcharls.so.2");
            if (opened.isEmpty()) {
                return Optional.empty();
            }
            SymbolLookup lib = opened.get();
            try {
                return Optional.of(new Api(
                        NativeLibrary.function(lib, "charls_jpegls_decoder_create", FunctionDescriptor.of(ADDRESS)),
                        NativeLibrary.function(lib, "charls_jpegls_decoder_destroy", FunctionDescriptor.ofVoid(ADDRESS)),
                        NativeLibrary.function(lib, "charls_jpegls_decoder_set_source_buffer",
                                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG)),
                        NativeLibrary.function(lib, "charls_jpegls_decoder_read_header", FunctionDescriptor.of(JAVA_INT, ADDRESS)),
                        NativeLibrary.function(lib, "charls_jpegls_decoder_get_frame_info",
                                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS)),
                        NativeLibrary.function(lib, "charls_jpegls_decoder_get_interleave_mode",
                                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS)),
                        NativeLibrary.function(lib, "charls_jpegls_decoder_get_destination_size",
                                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS)),
                        NativeLibrary.function(lib, "charls_jpegls_decoder_decode_to_buffer",
                                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT)),
                        NativeLibrary.function(lib, "charls_jpegls_encoder_create", FunctionDescriptor.of(ADDRESS)),
                        NativeLibrary.function(lib, "charls_jpegls_encoder_destroy", FunctionDescriptor.ofVoid(ADDRESS)),
                        NativeLibrary.function(lib, "charls_jpegls_encoder_set_frame_info",
                                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS)),
                        NativeLibrary.function(lib, "charls_jpegls_encoder_set_near_lossless",
                                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT)),
                        NativeLibrary.function(lib, "charls_jpegls_encoder_set_interleave_mode",
                                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT)),
                        NativeLibrary.function(lib, "charls_jpegls_encoder_get_estimated_destination_size",
                                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS)),
                        NativeLibrary.function(lib, "charls_jpegls_encoder_set_destination_buffer",
                                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG)),
                        NativeLibrary.function(lib, "charls_jpegls_encoder_encode_from_buffer",
                                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT)),
                        NativeLibrary.function(lib, "charls_jpegls_encoder_get_bytes_written",
                                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS)),
                        NativeLibrary.function(lib, "charls_get_error_message", FunctionDescriptor.of(ADDRESS, JAVA_INT))));
            } catch (RuntimeException missingSymbol) {
                return Optional.empty();
            }
        }

    }

    /** Whether CharLS was found on this machine. */
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

    @Override
    public Decoded decode(byte[] frame, ImageDescription image, int frameIndex) throws CodecException {
        Api api = API.orElseThrow(() -> new CodecException(NAME, frameIndex, "CharLS is not installed"));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment decoder = (MemorySegment) api.decoderCreate().invokeExact();
            if (decoder.equals(MemorySegment.NULL)) {
                throw new CodecException(NAME, frameIndex, "CharLS could not create a decoder");
            }
            try {
                MemorySegment source = arena.allocateFrom(JAVA_BYTE, frame);
                check(api, (int) api.setSource().invokeExact(decoder, source, (long) frame.length), frameIndex);
                check(api, (int) api.readHeader().invokeExact(decoder), frameIndex);
                MemorySegment info = arena.allocate(16);
                check(api, (int) api.frameInfo().invokeExact(decoder, info), frameIndex);
                int width = info.get(JAVA_INT, 0);
                int height = info.get(JAVA_INT, 4);
                int bits = info.get(JAVA_INT, 8);
                int components = info.get(JAVA_INT, 12);
                if (width != image.columns() || height != image.rows() || components != image.samplesPerPixel()) {
                    throw new CodecException(NAME, frameIndex, "the codestream holds " + width + " x " + height + " x "
                            + components + " samples, the data set says " + image.columns() + " x " + image.rows()
                            + " x " + image.samplesPerPixel());
                }
                MemorySegment mode = arena.allocate(JAVA_INT);
                check(api, (int) api.interleaveMode().invokeExact(decoder, mode), frameIndex);
                MemorySegment size = arena.allocate(JAVA_LONG);
                check(api, (int) api.destinationSize().invokeExact(decoder, 0, size), frameIndex);
                long bytes = size.get(JAVA_LONG, 0);
                int sampleBytes = bits > 8 ? 2 : 1;
                if (bytes != (long) width * height * components * sampleBytes
                        || sampleBytes != Math.max(1, image.bitsAllocated() / 8)) {
                    throw new CodecException(NAME, frameIndex, bits + "-bit samples do not fit Bits Allocated "
                            + image.bitsAllocated());
                }
                MemorySegment out = arena.allocate(bytes);
                check(api, (int) api.decode().invokeExact(decoder, out, bytes, 0), frameIndex);
                byte[] pixels = out.toArray(JAVA_BYTE);
                if (components > 1 && mode.get(JAVA_INT, 0) == 0) {
                    // Interleave mode "none" decodes to planes; the codecs' layout interleaves samples.
                    pixels = NativeLayout.interleave(pixels, image);
                }
                return new Decoded(pixels, image.withPlanarConfiguration(0));
            } finally {
                api.decoderDestroy().invokeExact(decoder);
            }
        } catch (CodecException e) {
            throw e;
        } catch (Throwable t) {
            throw new CodecException(NAME, frameIndex, "CharLS failed: " + t, t);
        }
    }

    @Override
    public byte[] encode(byte[] pixels, ImageDescription image, String transferSyntax, EncodeOptions options,
            int frameIndex) throws CodecException {
        Api api = API.orElseThrow(() -> new CodecException(NAME, frameIndex, "CharLS is not installed"));
        if (image.bitsAllocated() > 16 || image.bitsStored() < 2) {
            throw new CodecException(NAME, frameIndex, "JPEG-LS holds 2 to 16 bits, not " + image.bitsStored());
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment encoder = (MemorySegment) api.encoderCreate().invokeExact();
            try {
                MemorySegment info = arena.allocate(16);
                info.set(JAVA_INT, 0, image.columns());
                info.set(JAVA_INT, 4, image.rows());
                info.set(JAVA_INT, 8, image.bitsStored());
                info.set(JAVA_INT, 12, image.samplesPerPixel());
                check(api, (int) api.setFrameInfo().invokeExact(encoder, info), frameIndex);
                int near = transferSyntax.endsWith(".81") ? options.nearLossless() : 0;
                check(api, (int) api.setNear().invokeExact(encoder, near), frameIndex);
                // Sample interleave for colour, as the codecs' layout already is.
                check(api, (int) api.setInterleave().invokeExact(encoder, image.samplesPerPixel() > 1 ? 2 : 0),
                        frameIndex);
                MemorySegment size = arena.allocate(JAVA_LONG);
                check(api, (int) api.estimatedSize().invokeExact(encoder, size), frameIndex);
                long capacity = size.get(JAVA_LONG, 0);
                MemorySegment out = arena.allocate(capacity);
                check(api, (int) api.setDestination().invokeExact(encoder, out, capacity), frameIndex);
                MemorySegment source = arena.allocateFrom(JAVA_BYTE, maskedSamples(pixels, image));
                check(api, (int) api.encode().invokeExact(encoder, source, (long) pixels.length, 0), frameIndex);
                check(api, (int) api.bytesWritten().invokeExact(encoder, size), frameIndex);
                return out.asSlice(0, size.get(JAVA_LONG, 0)).toArray(JAVA_BYTE);
            } finally {
                api.encoderDestroy().invokeExact(encoder);
            }
        } catch (CodecException e) {
            throw e;
        } catch (Throwable t) {
            throw new CodecException(NAME, frameIndex, "CharLS failed: " + t, t);
        }
    }

    private static final java.lang.invoke.VarHandle LONGS = java.lang.invoke.MethodHandles.byteArrayViewVarHandle(
            long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);

    /**
     * CharLS rejects sample values wider than Bits Stored; bits above it carry nothing (PS3.5 8.1.1). Most frames
     * have none, so they are looked for first, four samples at a time, and the frame copied only when there are.
     */
    private static byte[] maskedSamples(byte[] pixels, ImageDescription image) {
        if (image.bitsAllocated() != 16 || image.bitsStored() == 16) {
            return pixels;
        }
        long one = (1L << image.bitsStored()) - 1;
        long four = one | one << 16 | one << 32 | one << 48;
        int whole = pixels.length & ~7;
        boolean clean = true;
        for (int i = 0; i < whole && clean; i += 8) {
            clean = ((long) LONGS.get(pixels, i) & ~four) == 0;
        }
        for (int i = whole; i + 1 < pixels.length && clean; i += 2) {
            clean = ((pixels[i] & 0xFF | (pixels[i + 1] & 0xFF) << 8) & ~one) == 0;
        }
        if (clean) {
            return pixels;
        }
        byte[] out = pixels.clone();
        for (int i = 0; i < whole; i += 8) {
            LONGS.set(out, i, (long) LONGS.get(out, i) & four);
        }
        for (int i = whole; i + 1 < out.length; i += 2) {
            int v = (out[i] & 0xFF | (out[i + 1] & 0xFF) << 8) & (int) one;
            out[i] = (byte) v;
            out[i + 1] = (byte) (v >> 8);
        }
        return out;
    }

    private static void check(Api api, int error, int frameIndex) throws CodecException {
        if (error != 0) {
            String message;
            try {
                MemorySegment text = (MemorySegment) api.errorMessage().invokeExact(error);
                message = text.reinterpret(1024).getString(0);
            } catch (Throwable t) {
                message = "error " + error;
            }
            throw new CodecException(NAME, frameIndex, "CharLS: " + message);
        }
    }
}
