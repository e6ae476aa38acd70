// SPDX-License-Identifier: Apache-2.0
package org.lightbox.codec.nativelib;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import org.lightbox.imaging.CodecException;
import org.lightbox.imaging.ImageDescription;
import org.lightbox.imaging.PixelCodec;

/**
 * High-Throughput JPEG 2000 (PS3.5 A.4.7) through OpenJPH (Debian: libopenjph0.9), called with the FFM API by way of
 * Lightbox's C shim. Decodes HTJ2K Lossless, Lossless RPCL and HTJ2K; encodes HTJ2K Lossless (5/3 wavelet), HTJ2K
 * Lossless RPCL (the same, with what PS3.5 10.18 asks: RPCL progression, enough decomposition levels for the lowest
 * resolution to be at most 64 samples wide or high, and a TLM marker segment; the shim writes one tile-part per
 * resolution, which TLM indexes) and HTJ2K (9/7 wavelet, quantization step from the quality: {@link
 * #quantizationStep}). Three samples are coded with the component transform, so they decode to RGB and encode to
 * YBR_RCT or YBR_ICT ({@link org.lightbox.imaging.Transcoder#encodedPhotometric}), as the JPEG 2000 codecs do. When
 * the shim or the library is missing this codec claims no transfer syntax.
 *
 * <p>OpenJPH 0.9 is not safe on corrupt input: fuzzing made it loop, abort on an assert() or corrupt its heap. So the
 * shim checks before OpenJPH sees the data: the main header (SIZ, COD, QCD and their agreement), every tile-part's
 * length and header, the EOC marker (a truncated codestream is refused), and, for the usual layout (one tile, one
 * quality layer, one precinct per resolution, no image offset, no SOP/EPH markers: what OpenJPH and most HTJ2K
 * encoders write), every packet header and code-block length. It refuses what OpenJPH would mishandle: COC, QCC, RGN,
 * POC or PPM in the main header, markers other than PLT and COM in tile-part headers, more than 3 coding passes per
 * code-block, subsampled components, components of different depths, and depths above 16 bits. What the checks
 * cannot catch (corrupt code-block contents trip an assert() in OpenJPH's block decoder in about 1 of 16,000 random
 * mutations; other layouts are checked by header only) would abort the process. So by default frames are decoded in
 * separate processes ({@link OpenJphWorkers}): a crash there is a {@link CodecException} for that frame, and the JVM
 * carries on. The system property {@code lightbox.htj2k.decode=in-process} decodes in the JVM instead, which saves
 * the copy through a pipe (docs/BENCHMARKS.md) for archives that only see trusted HTJ2K. Encoding (of pixels Lightbox
 * holds) is always in-process.
 */
public final class Htj2kCodec implements PixelCodec {
    /** Where frames are decoded. */
    enum Decoding {
        /** In a pool of decoding processes: OpenJPH crashing ends one of them, not the JVM. */
        ISOLATED,
        /** In the JVM's process: faster, but a codestream that trips one of OpenJPH's assertions aborts the JVM. */
        IN_PROCESS;

        /** The system property lightbox.htj2k.decode: isolated (the default) or in-process. */
        static Decoding configured() {
            String value = System.getProperty("lightbox.htj2k.decode", "isolated").strip();
            return switch (value) {
                case "in-process" -> IN_PROCESS;
                case "isolated" -> ISOLATED;
                default -> {
                    LOG.log(System.Logger.Level.WARNING, "lightbox.htj2k.decode=" + value
                            + " is neither isolated nor in-process; decoding HTJ2K isolated");
                    yield ISOLATED;
                }
            };
        }
    }

    private static final String NAME = "HTJ2K (OpenJPH)";
    static final String LOSSLESS = "1.2.840.10008.1.2.4.201";
    static final String LOSSLESS_RPCL = "1.2.840.10008.1.2.4.202";
    static final String LOSSY = "1.2.840.10008.1.2.4.203";
    private static final Set<String> DECODES = Set.of(LOSSLESS, LOSSLESS_RPCL, LOSSY);
    private static final Set<String> ENCODES = Set.of(LOSSLESS, LOSSLESS_RPCL, LOSSY);
    private static final System.Logger LOG = System.getLogger(Htj2kCodec.class.getName());
    private static final Optional<OpenJphApi> API = OpenJphApi.load();

    /** The decoding processes, started on the first isolated decode. */
    private static final class Pool {
        static final Optional<OpenJphWorkers> WORKERS = start();

        private static Optional<OpenJphWorkers> start() {
            int size = Integer.getInteger("lightbox.htj2k.workers", Runtime.getRuntime().availableProcessors());
            int seconds = Math.max(1, Integer.getInteger("lightbox.htj2k.worker-timeout", 60));
            Duration timeout = Duration.ofSeconds(seconds);
            Optional<OpenJphWorkers> pool = API.isEmpty() ? Optional.empty()
                    : OpenJphApi.worker().flatMap(path -> OpenJphWorkers.start(path, size, timeout));
            if (API.isPresent() && pool.isEmpty()) {
                LOG.log(System.Logger.Level.WARNING, "the OpenJPH decoding process is not in this build or does "
                        + "not start: HTJ2K decodes in-process, where a corrupt codestream can abort the JVM");
            }
            return pool;
        }
    }

    private final Decoding decoding;

    /** A codec decoding as the system property lightbox.htj2k.decode says. */
    public Htj2kCodec() {
        this(Decoding.configured());
    }

    Htj2kCodec(Decoding decoding) {
        this.decoding = decoding;
    }

    /** Whether the shim and OpenJPH were found on this machine. */
    public static boolean available() {
        return API.isPresent();
    }

    /** Whether this codec's frames are decoded in separate processes (false without the worker executable). */
    boolean isolated() {
        return decoding == Decoding.ISOLATED && API.isPresent() && Pool.WORKERS.isPresent();
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
        int sampleBytes = image.bitsAllocated() / 8;
        OpenJphWorkers.Answer answer = isolated()
                ? Pool.WORKERS.orElseThrow().decode(frame, sampleBytes, image.columns(), image.rows(),
                        image.samplesPerPixel(), image.frameBytes(), NAME, frameIndex)
                : decodeInProcess(api, frame, sampleBytes, image, frameIndex);
        if (answer.status() < 0) {
            throw new CodecException(NAME, frameIndex, "OpenJPH: " + answer.message());
        }
        int[] info = answer.info();
        int width = info[OpenJphApi.WIDTH];
        int height = info[OpenJphApi.HEIGHT];
        int components = info[OpenJphApi.COMPONENTS];
        int bits = info[OpenJphApi.BIT_DEPTH];
        if (width != image.columns() || height != image.rows() || components != image.samplesPerPixel()) {
            throw new CodecException(NAME, frameIndex, "the codestream holds " + width + " x " + height + " x "
                    + components + " samples, the data set says " + image.columns() + " x " + image.rows()
                    + " x " + image.samplesPerPixel());
        }
        if (bits > image.bitsAllocated() || answer.pixels() == null) {
            throw new CodecException(NAME, frameIndex, bits + "-bit samples do not fit Bits Allocated "
                    + image.bitsAllocated());
        }
        byte[] pixels = answer.pixels();
        if (sampleBytes == 2 && bits < 16 && image.signed() && info[OpenJphApi.SIGNED] == 0) {
            // An unsigned codestream in a data set that says signed: the samples' top bit is their sign.
            signExtend(pixels, bits);
        }
        boolean transform = info[OpenJphApi.COLOUR_TRANSFORM] != 0;
        // The component transform is undone by the decoder: the samples are RGB whatever YBR_* the data set said.
        String pi = components == 3 && transform ? "RGB" : image.photometricInterpretation();
        return new Decoded(pixels, image.withPlanarConfiguration(0).withPhotometricInterpretation(pi));
    }

    /**
     * The header, and the samples when it matches the image (as the decoding process answers, so that both ways
     * share the checks above).
     */
    private static OpenJphWorkers.Answer decodeInProcess(OpenJphApi api, byte[] frame, int sampleBytes,
            ImageDescription image, int frameIndex) throws CodecException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment source = arena.allocateFrom(JAVA_BYTE, frame);
            MemorySegment error = arena.allocate(OpenJphApi.ERROR_CAPACITY);
            MemorySegment info = arena.allocate(JAVA_INT, OpenJphApi.HEADER_INTS);
            int result = (int) api.header().invokeExact(source, (long) frame.length, info, error,
                    (long) OpenJphApi.ERROR_CAPACITY);
            int[] header = info.toArray(JAVA_INT);
            if (result != 0) {
                return new OpenJphWorkers.Answer(-1, header, null, error.getString(0));
            }
            if (header[OpenJphApi.WIDTH] != image.columns() || header[OpenJphApi.HEIGHT] != image.rows()
                    || header[OpenJphApi.COMPONENTS] != image.samplesPerPixel()
                    || header[OpenJphApi.BIT_DEPTH] > 8 * sampleBytes) {
                return new OpenJphWorkers.Answer(1, header, null, null);
            }
            long bytes = image.frameBytes();
            MemorySegment out = arena.allocate(bytes);
            result = (int) api.decode().invokeExact(source, (long) frame.length, sampleBytes, out, bytes, error,
                    (long) OpenJphApi.ERROR_CAPACITY);
            return result != 0 ? new OpenJphWorkers.Answer(-1, header, null, error.getString(0))
                    : new OpenJphWorkers.Answer(0, header, out.toArray(JAVA_BYTE), null);
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
                    progression, LOSSLESS_RPCL.equals(transferSyntax) ? 1 : 0, out, size, error,
                    (long) OpenJphApi.ERROR_CAPACITY), error, frameIndex);
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
