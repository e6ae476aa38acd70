// SPDX-License-Identifier: Apache-2.0
package org.lightbox.codec.nativelib;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.lightbox.imaging.CodecException;
import org.lightbox.imaging.ImageDescription;
import org.lightbox.imaging.PixelCodec;
import org.lightbox.imaging.internal.j2k.J2kCodec;

/**
 * JPEG 2000 lossless and lossy through OpenJPEG 2.5's C API (Debian: libopenjp2-7), called with the FFM API. When the
 * library is not installed this codec claims no transfer syntax, and the pure-Java one takes over. It behaves as the
 * pure-Java codec does: a codestream whose main header turns on the multiple component transform decodes to RGB, a
 * codestream without its EOC marker is refused as truncated, and encoding writes a bare codestream (no JP2 boxes,
 * PS3.5 A.4.4) with the component transform for three samples, so the data set becomes YBR_RCT or YBR_ICT.
 *
 * <p>Threads: OpenJPEG can share one frame's code-blocks among worker threads. By default ({@code auto}) a frame
 * gets the processors that other OpenJPEG calls of this process are not using at that moment (all of them when it is
 * the only one, one when there are as many frames in flight as processors), at most {@value #MAX_AUTO_THREADS}; the
 * system property {@value #THREADS_PROPERTY} fixes the number instead (docs/configuration.md). Thread-safe.
 */
public final class OpenJpegCodec implements PixelCodec {
    /** The system property that sets the worker threads per frame: {@code auto} (the default) or 1 to 64. */
    public static final String THREADS_PROPERTY = "lightbox.openjpeg.threads";
    static final int MAX_AUTO_THREADS = 8;
    /** OpenJPEG calls in flight in this process, so that {@code auto} gives a frame only the idle processors. */
    private static final AtomicInteger IN_FLIGHT = new AtomicInteger();
    private static final String NAME = "JPEG 2000 (OpenJPEG)";
    private static final String LOSSLESS = "1.2.840.10008.1.2.4.90";
    private static final String LOSSY = "1.2.840.10008.1.2.4.91";
    private static final Set<String> SYNTAXES = Set.of(LOSSLESS, LOSSY);
    private static final Optional<OpenJpegApi> API = OpenJpegApi.load();
    /** OpenJPEG's own stream chunk size (OPJ_J2K_STREAM_CHUNK_SIZE). */
    private static final long CHUNK = 1 << 20;
    /** Samples converted at a time from OpenJPEG's int32 planes: small enough to stay in the cache. */
    private static final int BLOCK = 4096;
    private static final ValueLayout.OfShort LE_SHORT = JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** 0 for auto, else the worker threads per frame; -1 when the property is not understood. */
    private final int threads;
    private final String threadsSetting;

    /** The codec with the thread setting of {@value #THREADS_PROPERTY} (auto when unset). */
    public OpenJpegCodec() {
        this(System.getProperty(THREADS_PROPERTY, "auto"));
    }

    /** The codec with {@code threads}: {@code auto} or 1 to 64 worker threads per frame. */
    OpenJpegCodec(String threads) {
        this.threadsSetting = threads;
        this.threads = parseThreads(threads);
    }

    static int parseThreads(String setting) {
        String s = setting.strip();
        if (s.equalsIgnoreCase("auto")) {
            return 0;
        }
        try {
            int n = Integer.parseInt(s);
            return n >= 1 && n <= 64 ? n : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Worker threads for one frame: the fixed number, or auto's share of the processors. */
    static int threadsFor(int configured, int processors, int inFlight) {
        if (configured > 0) {
            return configured;
        }
        return Math.clamp(processors / Math.max(1, inFlight), 1, Math.min(MAX_AUTO_THREADS, processors));
    }

    /** Whether OpenJPEG was found on this machine. */
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
        return API.flatMap(OpenJpegApi::encoder).isPresent() ? SYNTAXES : Set.of();
    }

    @Override
    public Decoded decode(byte[] frame, ImageDescription image, int frameIndex) throws CodecException {
        OpenJpegApi api = API.orElseThrow(() -> new CodecException(NAME, frameIndex, "OpenJPEG is not installed"));
        Header header = Header.parse(frame);
        if (header == null) {
            throw new CodecException(NAME, frameIndex, "no JPEG 2000 codestream (SOC and SIZ markers) in the frame");
        }
        if (image.bitsAllocated() != 8 && image.bitsAllocated() != 16 || image.floatBits() != 0) {
            throw new CodecException(NAME, frameIndex, "JPEG 2000 decoding here gives 8 or 16 bits a sample, not "
                    + image.bitsAllocated());
        }
        if (!endsWithEoc(frame)) {
            // OpenJPEG may render a cut codestream at lower quality: refuse it, as the pure-Java codec does.
            throw new CodecException(NAME, frameIndex, "the codestream does not end with an EOC marker (FF D9):"
                    + " truncated");
        }
        IN_FLIGHT.incrementAndGet();
        try (Arena arena = Arena.ofConfined()) {
            // Only the codestream: a JP2 wrapper's colour boxes are not DICOM's business (PS3.5 A.4.4).
            MemorySegment source = arena.allocate(frame.length - header.soc);
            MemorySegment.copy(frame, header.soc, source, JAVA_BYTE, 0, frame.length - header.soc);
            MemorySegment state = OpenJpegApi.state(arena, source);
            long chunk = Math.clamp(source.byteSize(), 4096, CHUNK);
            MemorySegment stream = (MemorySegment) api.streamCreate().invokeExact(chunk, 1);
            if (stream.equals(MemorySegment.NULL)) {
                throw new CodecException(NAME, frameIndex, "OpenJPEG could not create a stream");
            }
            MemorySegment codec = MemorySegment.NULL;
            MemorySegment imagePtr = arena.allocate(ADDRESS);
            try {
                api.setRead().invokeExact(stream, api.readFn());
                api.setSkip().invokeExact(stream, api.skipFn());
                api.setSeek().invokeExact(stream, api.seekFn());
                api.setUserData().invokeExact(stream, state, MemorySegment.NULL);
                api.setUserDataLength().invokeExact(stream, source.byteSize());
                codec = (MemorySegment) api.createDecompress().invokeExact(OpenJpegApi.CODEC_J2K);
                if (codec.equals(MemorySegment.NULL)) {
                    throw new CodecException(NAME, frameIndex, "OpenJPEG could not create a decoder");
                }
                int ignored = (int) api.setErrorHandler().invokeExact(codec, api.errorFn(), state);
                MemorySegment parameters = arena.allocate(OpenJpegApi.DPARAMETERS_BYTES, 8);
                api.defaultDecoderParameters().invokeExact(parameters);
                check(state, (int) api.setupDecoder().invokeExact(codec, parameters), "cannot set up the decoder",
                        frameIndex);
                useThreads(api, codec, frameIndex);
                check(state, (int) api.readHeader().invokeExact(stream, codec, imagePtr),
                        "cannot read the codestream header", frameIndex);
                MemorySegment img = imagePtr.get(ADDRESS, 0).reinterpret(OpenJpegApi.IMAGE_BYTES);
                checkGeometry(img, image, frameIndex);
                check(state, (int) api.decode().invokeExact(codec, stream, img), "cannot decode the codestream",
                        frameIndex);
                check(state, (int) api.endDecompress().invokeExact(codec, stream), "cannot finish decoding",
                        frameIndex);
                byte[] pixels = pixels(img, image, frameIndex);
                String pi = image.samplesPerPixel() == 3 && header.mct ? "RGB" : image.photometricInterpretation();
                return new Decoded(pixels, image.withPlanarConfiguration(0).withPhotometricInterpretation(pi));
            } finally {
                MemorySegment img = imagePtr.get(ADDRESS, 0);
                if (!img.equals(MemorySegment.NULL)) {
                    api.imageDestroy().invokeExact(img);
                }
                if (!codec.equals(MemorySegment.NULL)) {
                    api.destroyCodec().invokeExact(codec);
                }
                api.streamDestroy().invokeExact(stream);
            }
        } catch (CodecException e) {
            throw e;
        } catch (Throwable t) {
            throw new CodecException(NAME, frameIndex, "OpenJPEG failed: " + t, t);
        } finally {
            IN_FLIGHT.decrementAndGet();
        }
    }

    /** Gives the codec its worker threads; before opj_read_header or opj_start_compress. */
    private void useThreads(OpenJpegApi api, MemorySegment codec, int frameIndex) throws Throwable {
        if (threads < 0) {
            throw new CodecException(NAME, frameIndex, "system property " + THREADS_PROPERTY + " must be 'auto' or"
                    + " 1 to 64, not '" + threadsSetting + "'");
        }
        int n = threadsFor(threads, Runtime.getRuntime().availableProcessors(), IN_FLIGHT.get());
        if (n > 1 && api.setThreads().isPresent()) {
            // OPJ_FALSE when OpenJPEG was built without thread support: the frame is then decoded on this thread.
            int ignored = (int) api.setThreads().get().invokeExact(codec, n);
        }
    }

    /** Before decoding: the header's components must be the data set's, whole-size and fitting Bits Allocated. */
    private static void checkGeometry(MemorySegment img, ImageDescription image, int frameIndex)
            throws CodecException {
        int n = img.get(JAVA_INT, OpenJpegApi.IMAGE_NUMCOMPS);
        if (n != image.samplesPerPixel()) {
            throw new CodecException(NAME, frameIndex, "the codestream holds " + n + " components, the data set says "
                    + image.samplesPerPixel());
        }
        MemorySegment comps = img.get(ADDRESS, OpenJpegApi.IMAGE_COMPS).reinterpret(n * OpenJpegApi.COMP_BYTES);
        int limit = image.bitsAllocated() == 8 ? 8 : 16;
        for (int c = 0; c < n; c++) {
            MemorySegment comp = comps.asSlice(c * OpenJpegApi.COMP_BYTES, OpenJpegApi.COMP_BYTES);
            int w = comp.get(JAVA_INT, OpenJpegApi.COMP_W);
            int h = comp.get(JAVA_INT, OpenJpegApi.COMP_H);
            int prec = comp.get(JAVA_INT, OpenJpegApi.COMP_PREC);
            if (w != image.columns() || h != image.rows() || comp.get(JAVA_INT, OpenJpegApi.COMP_DX) != 1
                    || comp.get(JAVA_INT, OpenJpegApi.COMP_DY) != 1) {
                throw new CodecException(NAME, frameIndex, "component " + c + " of the codestream holds " + w + " x "
                        + h + " samples, the data set says " + image.columns() + " x " + image.rows());
            }
            if (prec < 1 || prec > limit) {
                throw new CodecException(NAME, frameIndex, prec + "-bit samples do not fit Bits Allocated "
                        + image.bitsAllocated());
            }
        }
    }

    /**
     * The decoded components, interleaved, little endian, in Bits Allocated: the low bits of OpenJPEG's int32
     * samples; an unsigned component the data set calls signed is sign-extended from Bits Stored.
     */
    private static byte[] pixels(MemorySegment img, ImageDescription image, int frameIndex) throws CodecException {
        int n = image.samplesPerPixel();
        int count = image.pixels();
        int bytes = image.bitsAllocated() / 8;
        byte[] out = new byte[image.frameBytes()];
        MemorySegment comps = img.get(ADDRESS, OpenJpegApi.IMAGE_COMPS).reinterpret(n * OpenJpegApi.COMP_BYTES);
        for (int c = 0; c < n; c++) {
            MemorySegment comp = comps.asSlice(c * OpenJpegApi.COMP_BYTES, OpenJpegApi.COMP_BYTES);
            MemorySegment data = comp.get(ADDRESS, OpenJpegApi.COMP_DATA);
            if (data.equals(MemorySegment.NULL) || comp.get(JAVA_INT, OpenJpegApi.COMP_FACTOR) != 0) {
                throw new CodecException(NAME, frameIndex, "OpenJPEG decoded no samples for component " + c);
            }
            boolean extend = comp.get(JAVA_INT, OpenJpegApi.COMP_SGND) == 0 && image.signed();
            copyPlane(data.reinterpret(4L * count), out, c, n, bytes, extend ? 32 - image.bitsStored() : 0);
        }
        return out;
    }

    /**
     * Copies one int32 plane into {@code out} as sample {@code c} of {@code n}, {@code bytes} bytes each, little
     * endian, sign-extended from the top {@code 32 - shift} bits when {@code shift > 0}. A block at a time: a bulk
     * copy out of native memory, a plain narrowing loop, and for one sample a bulk copy into {@code out}, which
     * compiles well even under C1 (the short commands' compiler).
     */
    static void copyPlane(MemorySegment plane, byte[] out, int c, int n, int bytes, int shift) {
        int count = (int) (plane.byteSize() / 4);
        int[] block = new int[Math.min(BLOCK, count)];
        short[] narrow = n == 1 && bytes == 2 ? new short[block.length] : null;
        MemorySegment to = MemorySegment.ofArray(out);
        for (int at = 0; at < count; at += block.length) {
            int len = Math.min(block.length, count - at);
            MemorySegment.copy(plane, JAVA_INT, 4L * at, block, 0, len);
            if (shift > 0) {
                for (int i = 0; i < len; i++) {
                    block[i] = block[i] << shift >> shift;
                }
            }
            if (narrow != null) {
                for (int i = 0; i < len; i++) {
                    narrow[i] = (short) block[i];
                }
                MemorySegment.copy(narrow, 0, to, LE_SHORT, 2L * at, len);
            } else if (n == 1) {
                for (int i = 0; i < len; i++) {
                    out[at + i] = (byte) block[i];
                }
            } else {
                int step = n * bytes;
                for (int i = 0, o = (at * n + c) * bytes; i < len; i++, o += step) {
                    out[o] = (byte) block[i];
                    if (bytes == 2) {
                        out[o + 1] = (byte) (block[i] >> 8);
                    }
                }
            }
        }
    }

    @Override
    public byte[] encode(byte[] pixels, ImageDescription image, String transferSyntax, EncodeOptions options,
            int frameIndex) throws CodecException {
        OpenJpegApi api = API.orElseThrow(() -> new CodecException(NAME, frameIndex, "OpenJPEG is not installed"));
        OpenJpegApi.Encoder enc = api.encoder()
                .orElseThrow(() -> new CodecException(NAME, frameIndex, "this OpenJPEG cannot encode"));
        boolean lossless = LOSSLESS.equals(transferSyntax);
        if (!lossless && !LOSSY.equals(transferSyntax)) {
            throw new CodecException(NAME, frameIndex, "cannot encode transfer syntax " + transferSyntax);
        }
        if (pixels.length != image.frameBytes()) {
            throw new CodecException(NAME, frameIndex, "the frame holds " + pixels.length + " bytes, not "
                    + image.frameBytes());
        }
        if (image.samplesPerPixel() == 4 || image.floatBits() != 0
                || image.bitsAllocated() != 8 && image.bitsAllocated() != 16) {
            throw new CodecException(NAME, frameIndex, "JPEG 2000 encoding here takes 1 or 3 samples of 8 or 16"
                    + " bits, not " + image.samplesPerPixel() + " of " + image.bitsAllocated());
        }
        int n = image.samplesPerPixel();
        IN_FLIGHT.incrementAndGet();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment parameters = arena.allocate(OpenJpegApi.CPARAMETERS_BYTES, 8);
            enc.defaultEncoderParameters().invokeExact(parameters);
            parameters.set(JAVA_INT, OpenJpegApi.TCP_NUMLAYERS, 1);
            parameters.set(JAVA_INT, OpenJpegApi.CP_DISTO_ALLOC, 1);
            parameters.set(JAVA_FLOAT, OpenJpegApi.TCP_RATES, lossless ? 0f : (float) ratio(options.quality()));
            parameters.set(JAVA_INT, OpenJpegApi.IRREVERSIBLE, lossless ? 0 : 1);
            parameters.set(JAVA_BYTE, OpenJpegApi.TCP_MCT, (byte) (n == 3 ? 1 : 0));
            // Each resolution level halves the image; a small image has fewer to give.
            int levels = 32 - Integer.numberOfLeadingZeros(Math.min(image.rows(), image.columns()));
            parameters.set(JAVA_INT, OpenJpegApi.NUMRESOLUTION, Math.clamp(levels, 1, 6));
            MemorySegment img = newImage(enc, arena, pixels, image, frameIndex);
            MemorySegment capacity = arena.allocate(pixels.length + pixels.length / 2 + 65536L);
            MemorySegment state = OpenJpegApi.state(arena, capacity);
            MemorySegment codec = MemorySegment.NULL;
            MemorySegment stream = MemorySegment.NULL;
            try {
                codec = (MemorySegment) enc.createCompress().invokeExact(OpenJpegApi.CODEC_J2K);
                if (codec.equals(MemorySegment.NULL)) {
                    throw new CodecException(NAME, frameIndex, "OpenJPEG could not create an encoder");
                }
                int ignored = (int) api.setErrorHandler().invokeExact(codec, api.errorFn(), state);
                check(state, (int) enc.setupEncoder().invokeExact(codec, parameters, img),
                        "cannot set up the encoder", frameIndex);
                useThreads(api, codec, frameIndex);
                stream = (MemorySegment) api.streamCreate().invokeExact(Math.clamp(pixels.length, 4096, CHUNK), 0);
                if (stream.equals(MemorySegment.NULL)) {
                    throw new CodecException(NAME, frameIndex, "OpenJPEG could not create a stream");
                }
                api.setWrite().invokeExact(stream, api.writeFn());
                api.setSkip().invokeExact(stream, api.skipFn());
                api.setSeek().invokeExact(stream, api.seekFn());
                api.setUserData().invokeExact(stream, state, MemorySegment.NULL);
                check(state, (int) enc.startCompress().invokeExact(codec, img, stream), "cannot start encoding",
                        frameIndex);
                check(state, (int) enc.encode().invokeExact(codec, stream), "cannot encode", frameIndex);
                check(state, (int) enc.endCompress().invokeExact(codec, stream), "cannot finish encoding",
                        frameIndex);
                byte[] out = capacity.asSlice(0, OpenJpegApi.position(state)).toArray(JAVA_BYTE);
                // Fragments have even lengths; JPEG 2000 decoders ignore padding after EOC.
                return out.length % 2 == 0 ? out : Arrays.copyOf(out, out.length + 1);
            } finally {
                api.imageDestroy().invokeExact(img);
                if (!codec.equals(MemorySegment.NULL)) {
                    api.destroyCodec().invokeExact(codec);
                }
                if (!stream.equals(MemorySegment.NULL)) {
                    api.streamDestroy().invokeExact(stream);
                }
            }
        } catch (CodecException e) {
            throw e;
        } catch (Throwable t) {
            throw new CodecException(NAME, frameIndex, "OpenJPEG failed: " + t, t);
        } finally {
            IN_FLIGHT.decrementAndGet();
        }
    }

    /** An opj_image_t holding the frame's samples, one component per sample, Bits Stored deep. */
    private static MemorySegment newImage(OpenJpegApi.Encoder enc, Arena arena, byte[] pixels, ImageDescription image,
            int frameIndex) throws Throwable {
        int n = image.samplesPerPixel();
        int bits = image.bitsStored();
        MemorySegment parms = arena.allocate(n * OpenJpegApi.CMPTPARM_BYTES, 4);
        for (int c = 0; c < n; c++) {
            MemorySegment p = parms.asSlice(c * OpenJpegApi.CMPTPARM_BYTES, OpenJpegApi.CMPTPARM_BYTES);
            p.set(JAVA_INT, 0, 1); // dx
            p.set(JAVA_INT, 4, 1); // dy
            p.set(JAVA_INT, 8, image.columns());
            p.set(JAVA_INT, 12, image.rows());
            p.set(JAVA_INT, 24, bits);
            p.set(JAVA_INT, 32, image.signed() ? 1 : 0);
        }
        int space = n == 3 ? OpenJpegApi.CLRSPC_SRGB : OpenJpegApi.CLRSPC_GRAY;
        MemorySegment img = (MemorySegment) enc.imageCreate().invokeExact(n, parms, space);
        if (img.equals(MemorySegment.NULL)) {
            throw new CodecException(NAME, frameIndex, "OpenJPEG could not allocate the image");
        }
        img = img.reinterpret(OpenJpegApi.IMAGE_BYTES);
        img.set(JAVA_INT, 8, image.columns()); // x1; x0 and y0 stay 0
        img.set(JAVA_INT, 12, image.rows()); // y1
        MemorySegment comps = img.get(ADDRESS, OpenJpegApi.IMAGE_COMPS).reinterpret(n * OpenJpegApi.COMP_BYTES);
        int count = image.pixels();
        int bytes = image.bitsAllocated() / 8;
        int shift = 32 - bits;
        int[] samples = new int[count];
        for (int c = 0; c < n; c++) {
            int o = c * bytes;
            for (int i = 0; i < count; i++, o += n * bytes) {
                int v = bytes == 1 ? pixels[o] & 0xFF : pixels[o] & 0xFF | (pixels[o + 1] & 0xFF) << 8;
                // Bits above Bits Stored carry nothing (PS3.5 8.1.1); signed values extend from its top bit.
                samples[i] = image.signed() ? v << shift >> shift : v << shift >>> shift;
            }
            MemorySegment data = comps.get(ADDRESS, c * OpenJpegApi.COMP_BYTES + OpenJpegApi.COMP_DATA);
            MemorySegment.copy(samples, 0, data.reinterpret(4L * count), JAVA_INT, 0, count);
        }
        return img;
    }

    /** Compression ratio to Bits Stored for a quality of 1 to 100: the pure-Java codec's one mapping. */
    static double ratio(int quality) {
        return J2kCodec.compressionRatio(quality);
    }

    private static void check(MemorySegment state, int ok, String what, int frameIndex) throws CodecException {
        if (ok == 0) {
            String message = OpenJpegApi.message(state);
            throw new CodecException(NAME, frameIndex, what + (message == null ? "" : ": " + message));
        }
    }

    private static boolean endsWithEoc(byte[] b) {
        int end = b.length;
        while (end > 0 && (b[end - 1] == 0 || b[end - 1] == (byte) 0xFF) && b.length - end < 8) {
            end--; // fragments are padded to an even length, with 00 or (by some encoders) FF
        }
        return end >= 2 && (b[end - 2] & 0xFF) == 0xFF && (b[end - 1] & 0xFF) == 0xD9;
    }

    /** Where the codestream starts (after any JP2 boxes) and whether its main COD marker turns on the MCT. */
    private record Header(int soc, boolean mct) {
        static Header parse(byte[] b) {
            int soc = -1;
            for (int i = 0; i + 3 < b.length && i < 4096; i++) {
                if ((b[i] & 0xFF) == 0xFF && (b[i + 1] & 0xFF) == 0x4F && (b[i + 2] & 0xFF) == 0xFF
                        && (b[i + 3] & 0xFF) == 0x51) {
                    soc = i;
                    break;
                }
            }
            if (soc < 0) {
                return null;
            }
            int at = soc + 2;
            // Main header markers up to the first tile part (SOT, FF 90).
            while (at + 4 <= b.length && (b[at] & 0xFF) == 0xFF && (b[at + 1] & 0xFF) != 0x90) {
                if ((b[at + 1] & 0xFF) == 0x52 && at + 8 < b.length) {
                    return new Header(soc, (b[at + 8] & 0xFF) == 1);
                }
                int length = (b[at + 2] & 0xFF) << 8 | b[at + 3] & 0xFF;
                if (length < 2) {
                    break;
                }
                at += 2 + length;
            }
            return new Header(soc, false);
        }
    }
}
