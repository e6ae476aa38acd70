// SPDX-License-Identifier: Apache-2.0
package org.lightbox.codec.nativelib;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.TransferSyntax;
import org.lightbox.dicom.io.DicomFile;
import org.lightbox.dicom.io.DicomReader;
import org.lightbox.imaging.CodecException;
import org.lightbox.imaging.Frames;
import org.lightbox.imaging.ImageDescription;
import org.lightbox.imaging.PixelCodec;
import org.lightbox.imaging.PixelCodec.EncodeOptions;
import org.lightbox.imaging.PixelData;
import org.lightbox.imaging.Transcoder;
import org.lightbox.testkit.ProcessResult;
import org.lightbox.testkit.SharedData;
import org.lightbox.testkit.Tools;

/**
 * HTJ2K through OpenJPH: the shared HTJ2K files decode as OpenJPH's own ojph_expand decodes them, round trips are
 * exact for .201 and bounded for .203, ojph_expand reads what Lightbox writes and Lightbox reads what ojph_compress
 * writes, and corrupt codestreams give a CodecException (and never take the JVM down).
 */
class Htj2kCodecTest {
    private static final Htj2kCodec CODEC = new Htj2kCodec(Htj2kCodec.Decoding.ISOLATED);
    private static final Htj2kCodec IN_PROCESS = new Htj2kCodec(Htj2kCodec.Decoding.IN_PROCESS);
    private static final String NAME = "HTJ2K (OpenJPH)";
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @BeforeEach
    void needsTheShim() {
        assumeTrue(Htj2kCodec.available(),
                "the OpenJPH shim is not built or libopenjph0.9 is missing (apt-get install libopenjph-dev)");
    }

    @Test
    void isFoundThroughTheServiceLoader() {
        assertThat(PixelData.decoder(Htj2kCodec.LOSSLESS_RPCL)).get().extracting(PixelCodec::name).isEqualTo(NAME);
        assertThat(PixelData.encoder(Htj2kCodec.LOSSY)).get().extracting(PixelCodec::name).isEqualTo(NAME);
        assertThat(PixelData.encoder(Htj2kCodec.LOSSLESS_RPCL)).get().extracting(PixelCodec::name).isEqualTo(NAME);
        assertThat(CODEC.encodes()).containsExactlyInAnyOrder(Htj2kCodec.LOSSLESS, Htj2kCodec.LOSSLESS_RPCL,
                Htj2kCodec.LOSSY);
    }

    // (a) the shared files against ojph_expand's decoding of the same codestream

    @Test
    void theSharedLosslessFileDecodesAsOjphExpandDecodesIt(@TempDir Path tmp) throws Exception {
        byte[][] both = decodeSharedAndReference("ts/HTJ2KLossless_08_RGB.dcm", tmp);
        assertThat(both[0]).isEqualTo(both[1]);
    }

    @Test
    void theSharedLossyFileDecodesWithinOneOfOjphExpand(@TempDir Path tmp) throws Exception {
        byte[][] both = decodeSharedAndReference("ts/HTJ2K_08_RGB.dcm", tmp);
        assertThat(maxError(both[0], both[1], 1)).isLessThanOrEqualTo(1);
    }

    /** Lightbox's pixels and ojph_expand's, of frame 1 of a shared 8-bit file. */
    private static byte[][] decodeSharedAndReference(String name, Path tmp) throws Exception {
        assumeTrue(SharedData.dataDir().isPresent(), "../shared/data is absent");
        assumeTrue(Tools.available("ojph_expand"), "ojph_expand is not installed (apt-get install openjph-tools)");
        Path file = SharedData.dataDir().orElseThrow().resolve(name);
        assumeTrue(Files.exists(file), name + " is absent");
        Frames frames = Frames.of(DicomReader.read(file).dataset());
        byte[] codestream = frames.frame(0);
        PixelCodec.Decoded decoded = CODEC.decode(codestream, frames.image(), 0);
        assertThat(decoded.image().photometricInterpretation()).isEqualTo("RGB");
        assertThat(decoded.pixels()).hasSize(frames.image().frameBytes());
        Netpbm reference = expand(codestream, frames.image().samplesPerPixel(), tmp);
        assertThat(reference.width()).isEqualTo(frames.image().columns());
        return new byte[][] {decoded.pixels(), reference.littleEndian()};
    }

    // (b) round trips

    static Stream<Arguments> images() {
        return Stream.of(
                Arguments.of("8-bit grey", image(1, 8, 8, false)),
                Arguments.of("12-bit grey", image(1, 16, 12, false)),
                Arguments.of("16-bit grey", image(1, 16, 16, false)),
                Arguments.of("12-bit signed grey", image(1, 16, 12, true)),
                Arguments.of("16-bit signed grey", image(1, 16, 16, true)),
                Arguments.of("8-bit RGB", image(3, 8, 8, false)));
    }

    private static ImageDescription image(int samples, int allocated, int stored, boolean signed) {
        return new ImageDescription(67, 93, samples, allocated, stored, stored - 1, signed, 0,
                samples == 3 ? "RGB" : "MONOCHROME2", 1, 0);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("images")
    void losslessRoundTripsAreExact(String label, ImageDescription image) throws Exception {
        byte[] pixels = synthetic(image, 42);
        byte[] encoded = CODEC.encode(pixels, image, Htj2kCodec.LOSSLESS, EncodeOptions.DEFAULT, 0);
        assertThat(encoded).startsWith((byte) 0xFF, (byte) 0x4F, (byte) 0xFF, (byte) 0x51);
        PixelCodec.Decoded decoded = CODEC.decode(encoded, image, 0);
        assertThat(decoded.pixels()).isEqualTo(pixels);
        assertThat(decoded.image().photometricInterpretation()).isEqualTo(image.photometricInterpretation());
        PixelCodec.Decoded inProcess = IN_PROCESS.decode(encoded, image, 0);
        assertThat(inProcess.pixels()).isEqualTo(decoded.pixels());
        assertThat(inProcess.image()).isEqualTo(decoded.image());
        assertThat(org.lightbox.imaging.Transcoder.encodedPhotometric(image, Htj2kCodec.LOSSLESS))
                .isEqualTo(image.samplesPerPixel() == 3 ? "YBR_RCT" : "MONOCHROME2");
    }

    // (b2) HTJ2K Lossless RPCL (.202): PS3.5 10.18 asks for RPCL progression, a lowest resolution at most 64 wide or
    // high, and TLM marker segments (Lightbox writes one tile-part per resolution, which the TLM lists)

    static Stream<Arguments> rpclImages() {
        return Stream.concat(images(), Stream.of(
                // 5 levels would leave 79 columns at the lowest resolution: 6 are needed
                Arguments.of("2500 x 70 12-bit grey", new ImageDescription(70, 2500, 1, 16, 12, 11, false, 0,
                        "MONOCHROME2", 1, 0)),
                Arguments.of("3000 x 3 8-bit grey", new ImageDescription(3, 3000, 1, 8, 8, 7, false, 0,
                        "MONOCHROME2", 1, 0)),
                Arguments.of("1 x 1 8-bit RGB", new ImageDescription(1, 1, 3, 8, 8, 7, false, 0, "RGB", 1, 0))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rpclImages")
    void losslessRpclRoundTripsAreExactAndMeetPs35(String label, ImageDescription image, @TempDir Path tmp)
            throws Exception {
        byte[] pixels = synthetic(image, 17);
        byte[] encoded = CODEC.encode(pixels, image, Htj2kCodec.LOSSLESS_RPCL, EncodeOptions.DEFAULT, 0);
        Codestream cs = Codestream.parse(encoded);
        assertThat(cs.progression()).as("COD progression order").isEqualTo(Codestream.RPCL);
        int levels = cs.levels();
        int lowWidth = ceilShift(image.columns(), levels);
        int lowHeight = ceilShift(image.rows(), levels);
        assertThat(Math.min(lowWidth, lowHeight)).as("lowest resolution %d x %d", lowWidth, lowHeight)
                .isLessThanOrEqualTo(64);
        if (Math.min(image.columns(), image.rows()) >= 64) {
            // Where both sides can be split often enough, both are at most 64 (2500 x 70 needs 6 levels).
            assertThat(Math.max(lowWidth, lowHeight)).isLessThanOrEqualTo(64);
        }
        // One tile-part per resolution, in order, each SOT's Psot listed in the TLM (with the tile's index).
        assertThat(cs.tileParts()).hasSize(levels + 1);
        for (int r = 0; r <= levels; r++) {
            Codestream.TilePart part = cs.tileParts().get(r);
            assertThat(part.tile()).isZero();
            assertThat(part.part()).isEqualTo(r);
            assertThat(part.parts()).isEqualTo(levels + 1);
        }
        assertThat(cs.tlm()).as("TLM marker segment").isNotNull();
        assertThat(cs.tlm().tiles()).containsOnly(0).hasSize(levels + 1);
        assertThat(cs.tlm().lengths()).containsExactlyElementsOf(
                cs.tileParts().stream().map(Codestream.TilePart::psot).toList());
        // Lossless through Lightbox's decoder, both ways, and through OpenJPH's own tool.
        assertThat(CODEC.decode(encoded, image, 0).pixels()).isEqualTo(pixels);
        assertThat(IN_PROCESS.decode(encoded, image, 0).pixels()).isEqualTo(pixels);
        assertThat(org.lightbox.imaging.Transcoder.encodedPhotometric(image, Htj2kCodec.LOSSLESS_RPCL))
                .isEqualTo(image.samplesPerPixel() == 3 ? "YBR_RCT" : "MONOCHROME2");
        if (Tools.available("ojph_expand") && !image.signed()) {
            Netpbm theirs = expand(encoded, image.samplesPerPixel(), tmp);
            assertThat(theirs.littleEndian()).isEqualTo(pixels);
        }
    }

    /** The shared .201 RGB file through the Transcoder to .202 and back: the same pixels, YBR_RCT as PS3.5 8.2 asks. */
    @Test
    void theTranscoderWritesLosslessRpcl(@TempDir Path tmp) throws Exception {
        assumeTrue(SharedData.dataDir().isPresent(), "../shared/data is absent");
        Path file = SharedData.dataDir().orElseThrow().resolve("ts/HTJ2KLossless_08_RGB.dcm");
        assumeTrue(Files.exists(file), file + " is absent");
        DicomFile in = DicomReader.read(file);
        Path out = tmp.resolve("rpcl.dcm");
        try (OutputStream o = Files.newOutputStream(out)) {
            Transcoder.transcode(in, TransferSyntax.of(Htj2kCodec.LOSSLESS_RPCL), EncodeOptions.DEFAULT, o);
        }
        DicomFile written = DicomReader.read(out);
        assertThat(written.transferSyntax().uid()).isEqualTo(Htj2kCodec.LOSSLESS_RPCL);
        Frames frames = Frames.of(written.dataset());
        assertThat(frames.image().photometricInterpretation()).isEqualTo("YBR_RCT");
        assertThat(Codestream.parse(frames.frame(0)).tlm()).isNotNull();
        assertThat(written.dataset().contains(Tag.LossyImageCompression)).isFalse();
        assertThat(PixelData.decode(written, 0).pixels()).isEqualTo(PixelData.decode(in, 0).pixels());
    }

    private static int ceilShift(int value, int shift) {
        return (int) ((value + (1L << shift) - 1) >> shift);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("images")
    void lossyRoundTripsStayClose(String label, ImageDescription image) throws Exception {
        byte[] pixels = synthetic(image, 7);
        byte[] encoded = CODEC.encode(pixels, image, Htj2kCodec.LOSSY, new EncodeOptions(90, 0), 0);
        PixelCodec.Decoded decoded = CODEC.decode(encoded, image, 0);
        // Quality 90 quantizes by about 1.6 levels of Bits Stored; the 9/7 wavelet spreads a few steps of error.
        assertThat(maxError(decoded.pixels(), pixels, image.bitsAllocated() / 8, image.signed()))
                .isPositive().isLessThanOrEqualTo(7);
        byte[] smaller = CODEC.encode(pixels, image, Htj2kCodec.LOSSY, new EncodeOptions(10, 0), 0);
        assertThat(smaller.length).isLessThan(encoded.length);
    }

    @Test
    void qualityStepsFollowBitsStored() {
        assertThat(Htj2kCodec.quantizationStep(100, 8)).isEqualTo(1f / 256);
        assertThat(Htj2kCodec.quantizationStep(85, 12)).isEqualTo(2f / 4096);
        assertThat(Htj2kCodec.quantizationStep(-5, 8)).isEqualTo(Htj2kCodec.quantizationStep(1, 8));
    }

    @Test
    void decodesInParallel() throws Exception {
        ImageDescription image = image(3, 8, 8, false);
        byte[] pixels = synthetic(image, 21);
        byte[] encoded = CODEC.encode(pixels, image, Htj2kCodec.LOSSLESS, EncodeOptions.DEFAULT, 0);
        byte[] corrupt = Arrays.copyOf(encoded, encoded.length / 2);
        List<Boolean> ok = IntStream.range(0, 64).parallel().mapToObj(i -> {
            try {
                if (i % 2 == 0) {
                    return Arrays.equals(CODEC.decode(encoded, image, i).pixels(), pixels);
                }
                CODEC.decode(corrupt, image, i);
                return false;
            } catch (CodecException e) {
                // Each thread sees its own frame and message.
                return e.frame() == i && e.getMessage().contains("truncated");
            }
        }).toList();
        assertThat(ok).containsOnly(true);
    }

    @Test
    void bitsAboveBitsStoredAreIgnored() throws Exception {
        ImageDescription image = image(1, 16, 12, false);
        byte[] pixels = synthetic(image, 3);
        byte[] dirty = pixels.clone();
        for (int i = 1; i < dirty.length; i += 2) {
            dirty[i] |= (byte) 0xF0;
        }
        byte[] encoded = CODEC.encode(dirty, image, Htj2kCodec.LOSSLESS, EncodeOptions.DEFAULT, 0);
        assertThat(CODEC.decode(encoded, image, 0).pixels()).isEqualTo(pixels);
    }

    // (c) cross-checks with OpenJPH's command-line tools

    @ParameterizedTest(name = "{0}")
    @MethodSource("images")
    void ojphExpandDecodesWhatLightboxEncodes(String label, ImageDescription image, @TempDir Path tmp)
            throws Exception {
        assumeTrue(Tools.available("ojph_expand"), "ojph_expand is not installed (apt-get install openjph-tools)");
        assumeTrue(!image.signed(), "PGM holds unsigned samples only");
        byte[] pixels = synthetic(image, 11);
        byte[] encoded = CODEC.encode(pixels, image, Htj2kCodec.LOSSLESS, EncodeOptions.DEFAULT, 0);
        Netpbm theirs = expand(encoded, image.samplesPerPixel(), tmp);
        assertThat(theirs.maxValue()).isEqualTo((1 << image.bitsStored()) - 1);
        assertThat(theirs.littleEndian()).isEqualTo(pixels);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("images")
    void lightboxDecodesWhatOjphCompressEncodes(String label, ImageDescription image, @TempDir Path tmp)
            throws Exception {
        assumeTrue(Tools.available("ojph_compress"), "ojph_compress is not installed (apt-get install openjph-tools)");
        assumeTrue(!image.signed(), "PGM holds unsigned samples only");
        byte[] pixels = synthetic(image, 13);
        Path in = tmp.resolve(image.samplesPerPixel() == 3 ? "in.ppm" : "in.pgm");
        Files.write(in, netpbm(pixels, image));
        Path out = tmp.resolve("out.j2c");
        run(List.of("ojph_compress", "-i", in.toString(), "-o", out.toString(), "-reversible", "true"));
        PixelCodec.Decoded decoded = CODEC.decode(Files.readAllBytes(out), image, 0);
        assertThat(decoded.pixels()).isEqualTo(pixels);
    }

    // (d) corrupt input

    @Test
    void truncatedCodestreamsAreCodecExceptions() throws Exception {
        ImageDescription image = image(3, 8, 8, false);
        byte[] encoded = CODEC.encode(synthetic(image, 5), image, Htj2kCodec.LOSSLESS, EncodeOptions.DEFAULT, 0);
        for (int n = 0; n < encoded.length - 1; n += Math.max(1, n / 8)) {
            byte[] cut = Arrays.copyOf(encoded, n);
            assertThatThrownBy(() -> CODEC.decode(cut, image, 2)).as("first %d bytes", n)
                    .isInstanceOf(CodecException.class).hasMessageStartingWith(NAME + ", frame 3: ");
        }
    }

    @Test
    void bitFlippedCodestreamsFailCleanlyOrDecodeToTheRightSize() throws Exception {
        for (ImageDescription image : List.of(image(1, 8, 8, false), image(3, 8, 8, false))) {
            for (String ts : List.of(Htj2kCodec.LOSSLESS, Htj2kCodec.LOSSY)) {
                byte[] encoded = CODEC.encode(synthetic(image, 9), image, ts, EncodeOptions.DEFAULT, 0);
                Random random = new Random(ts.hashCode() + image.samplesPerPixel());
                for (int trial = 0; trial < 300; trial++) {
                    byte[] bad = encoded.clone();
                    // Half the trials hit the main header, where OpenJPH is most fragile.
                    int span = trial % 2 == 0 ? Math.min(160, bad.length) : bad.length;
                    for (int k = 1 + random.nextInt(6); k > 0; k--) {
                        bad[random.nextInt(span)] ^= (byte) (1 << random.nextInt(8));
                    }
                    try {
                        assertThat(CODEC.decode(bad, image, 0).pixels()).hasSize(image.frameBytes());
                    } catch (CodecException e) {
                        assertThat(e.getMessage()).startsWith(NAME + ", frame 1: ");
                    }
                }
            }
        }
    }

    /** Without the shim's packet check, these flips corrupt OpenJPH 0.9's heap ("free(): invalid pointer"). */
    @Test
    void corruptCodeBlockLengthsAreRefusedBeforeOpenJphReadsThem() throws Exception {
        assumeTrue(SharedData.dataDir().isPresent(), "../shared/data is absent");
        Path file = SharedData.dataDir().orElseThrow().resolve("ts/HTJ2KLossless_08_RGB.dcm");
        assumeTrue(Files.exists(file), file + " is absent");
        Frames frames = Frames.of(DicomReader.read(file).dataset());
        byte[] codestream = frames.frame(0);
        int firstPacket = indexOf(codestream, (byte) 0xFF, (byte) 0x93) + 2;
        for (int mask : new int[] {0x40, 0x20, 0x10}) {
            byte[] bad = codestream.clone();
            bad[firstPacket] ^= (byte) mask;
            assertThatThrownBy(() -> CODEC.decode(bad, frames.image(), 0)).as("mask %x", mask)
                    .isInstanceOf(CodecException.class).hasMessageContaining("code-block");
        }
    }

    private static int indexOf(byte[] data, byte a, byte b) {
        for (int i = 0; i + 1 < data.length; i++) {
            if (data[i] == a && data[i + 1] == b) {
                return i;
            }
        }
        throw new AssertionError("not found");
    }

    @Test
    void foreignDataAndWrongGeometryAreCodecExceptions() throws Exception {
        ImageDescription image = image(1, 8, 8, false);
        assertThatThrownBy(() -> CODEC.decode(new byte[0], image, 0)).isInstanceOf(CodecException.class);
        assertThatThrownBy(() -> CODEC.decode("not a codestream".getBytes(StandardCharsets.US_ASCII), image, 0))
                .isInstanceOf(CodecException.class).hasMessageContaining("SOC");
        byte[] encoded = CODEC.encode(synthetic(image, 1), image, Htj2kCodec.LOSSLESS, EncodeOptions.DEFAULT, 0);
        ImageDescription other = new ImageDescription(67, 92, 1, 8, 8, 7, false, 0, "MONOCHROME2", 1, 0);
        assertThatThrownBy(() -> CODEC.decode(encoded, other, 4)).isInstanceOf(CodecException.class)
                .hasMessage(NAME + ", frame 5: the codestream holds 93 x 67 x 1 samples, the data set says "
                        + "92 x 67 x 1");
        assertThatThrownBy(() -> CODEC.encode(new byte[10], image, Htj2kCodec.LOSSLESS, EncodeOptions.DEFAULT, 0))
                .isInstanceOf(CodecException.class).hasMessageContaining("bytes");
        assertThatThrownBy(() -> CODEC.encode(synthetic(image, 1), image, "1.2.840.10008.1.2.4.90",
                EncodeOptions.DEFAULT, 0)).isInstanceOf(CodecException.class);
    }

    // (e) isolation: OpenJPH aborting ends a decoding process, not the JVM

    /**
     * A codestream Lightbox wrote (67 x 93, 8-bit grey, .201) with four bits flipped in its code-block data, found by
     * fuzzing: the shim's checks pass it, and OpenJPH 0.9's HT block decoder then fails an assertion in mel_init()
     * and calls abort(). In-process that ends the JVM; isolated it must be one frame's CodecException.
     */
    private static final ImageDescription ABORTS_IMAGE = new ImageDescription(93, 67, 1, 8, 8, 7, false, 0,
            "MONOCHROME2", 1, 0);

    @Test
    void aCodestreamThatAbortsOpenJphIsACodecExceptionAndTheNextFrameDecodes() throws Exception {
        assertThat(CODEC.isolated()).as("the build made the decoding process").isTrue();
        byte[] aborts;
        try (var in = Htj2kCodecTest.class.getResourceAsStream("/htj2k/abort-mel-unstuff.j2c")) {
            aborts = in.readAllBytes();
        }
        ImageDescription image = ABORTS_IMAGE;
        byte[] pixels = synthetic(image, 23);
        byte[] good = CODEC.encode(pixels, image, Htj2kCodec.LOSSLESS, EncodeOptions.DEFAULT, 0);
        for (int round = 0; round < 3; round++) {
            assertThatThrownBy(() -> CODEC.decode(aborts, image, 6)).isInstanceOf(CodecException.class)
                    .hasMessageStartingWith(NAME + ", frame 7: OpenJPH crashed on this frame")
                    .hasMessageContaining("SIGABRT").hasMessageContaining("Assertion");
            assertThat(CODEC.decode(good, image, 7).pixels()).isEqualTo(pixels);
        }
    }

    @Test
    void abortsInParallelWithGoodFramesLeaveTheGoodOnesIntact() throws Exception {
        byte[] aborts;
        try (var in = Htj2kCodecTest.class.getResourceAsStream("/htj2k/abort-mel-unstuff.j2c")) {
            aborts = in.readAllBytes();
        }
        ImageDescription image = ABORTS_IMAGE;
        byte[] pixels = synthetic(image, 29);
        byte[] good = CODEC.encode(pixels, image, Htj2kCodec.LOSSLESS, EncodeOptions.DEFAULT, 0);
        List<Boolean> ok = IntStream.range(0, 24).parallel().mapToObj(i -> {
            try {
                if (i % 3 == 0) {
                    CODEC.decode(aborts, image, i);
                    return false;
                }
                return Arrays.equals(CODEC.decode(good, image, i).pixels(), pixels);
            } catch (CodecException e) {
                return i % 3 == 0 && e.frame() == i && e.getMessage().contains("SIGABRT");
            }
        }).toList();
        assertThat(ok).containsOnly(true);
    }

    // helpers

    /** A smooth gradient with noise, every sample inside Bits Stored (sign-extended when signed). */
    private static byte[] synthetic(ImageDescription image, long seed) {
        Random random = new Random(seed);
        int bytes = image.bitsAllocated() / 8;
        int bits = image.bitsStored();
        byte[] out = new byte[image.frameBytes()];
        int i = 0;
        for (int y = 0; y < image.rows(); y++) {
            for (int x = 0; x < image.columns(); x++) {
                for (int s = 0; s < image.samplesPerPixel(); s++) {
                    long v = ((long) (x * 3 + y * 5 + s * 40) << (bits - 8)) + random.nextInt(1 << (bits - 6));
                    int value = (int) (v & ((1L << bits) - 1));
                    if (image.signed()) {
                        value = value << (32 - bits) >> (32 - bits);
                    }
                    out[i++] = (byte) value;
                    if (bytes == 2) {
                        out[i++] = (byte) (value >> 8);
                    }
                }
            }
        }
        return out;
    }

    private static int maxError(byte[] a, byte[] b, int sampleBytes) {
        return maxError(a, b, sampleBytes, false);
    }

    private static int maxError(byte[] a, byte[] b, int sampleBytes, boolean signed) {
        assertThat(a).hasSameSizeAs(b);
        int max = 0;
        for (int i = 0; i < a.length; i += sampleBytes) {
            max = Math.max(max, Math.abs(sample(a, i, sampleBytes, signed) - sample(b, i, sampleBytes, signed)));
        }
        return max;
    }

    private static int sample(byte[] p, int i, int sampleBytes, boolean signed) {
        if (sampleBytes == 1) {
            return signed ? p[i] : p[i] & 0xFF;
        }
        int v = p[i] & 0xFF | (p[i + 1] & 0xFF) << 8;
        return signed ? (short) v : v;
    }

    /** Decodes with OpenJPH's own tool: a PGM for one component, a PPM for three. */
    private static Netpbm expand(byte[] codestream, int samples, Path tmp) throws IOException {
        Path in = tmp.resolve("in.j2c");
        Files.write(in, codestream);
        Path out = tmp.resolve(samples == 3 ? "out.ppm" : "out.pgm");
        run(List.of("ojph_expand", "-i", in.toString(), "-o", out.toString()));
        return Netpbm.parse(Files.readAllBytes(out));
    }

    private static void run(List<String> command) {
        ProcessResult r = Tools.run(command, TIMEOUT);
        assertThat(r.isSuccess()).as("%s: %s", command, r.stderr()).isTrue();
    }

    /** A binary PGM or PPM of unsigned samples, maxval 2^Bits Stored - 1 (samples big endian above 8 bits). */
    private static byte[] netpbm(byte[] pixels, ImageDescription image) {
        String header = (image.samplesPerPixel() == 3 ? "P6" : "P5") + "\n" + image.columns() + " " + image.rows()
                + "\n" + ((1 << image.bitsStored()) - 1) + "\n";
        byte[] head = header.getBytes(StandardCharsets.US_ASCII);
        byte[] out = Arrays.copyOf(head, head.length + pixels.length);
        if (image.bitsAllocated() == 8) {
            System.arraycopy(pixels, 0, out, head.length, pixels.length);
        } else {
            for (int i = 0; i < pixels.length; i += 2) {
                out[head.length + i] = pixels[i + 1];
                out[head.length + i + 1] = pixels[i];
            }
        }
        return out;
    }

    /** A parsed binary PGM/PPM. */
    private record Netpbm(int width, int height, int maxValue, byte[] samples) {
        static Netpbm parse(byte[] file) {
            int[] fields = new int[3];
            int pos = 2;
            for (int f = 0; f < 3; f++) {
                while (Character.isWhitespace(file[pos]) || file[pos] == '#') {
                    if (file[pos] == '#') {
                        while (file[pos] != '\n') {
                            pos++;
                        }
                    }
                    pos++;
                }
                int v = 0;
                while (Character.isDigit(file[pos])) {
                    v = v * 10 + file[pos++] - '0';
                }
                fields[f] = v;
            }
            pos++; // the single whitespace after maxval
            return new Netpbm(fields[0], fields[1], fields[2], Arrays.copyOfRange(file, pos, file.length));
        }

        /** The samples as Lightbox lays them out: little endian above 8 bits. */
        byte[] littleEndian() {
            if (maxValue < 256) {
                return samples;
            }
            byte[] out = samples.clone();
            for (int i = 0; i + 1 < out.length; i += 2) {
                out[i] = samples[i + 1];
                out[i + 1] = samples[i];
            }
            return out;
        }
    }

    /** The markers of a codestream that PS3.5 10.18 constrains, read the way ISO 15444-1 Annex A lays them out. */
    private record Codestream(int progression, int levels, Tlm tlm, List<TilePart> tileParts) {
        static final int RPCL = 2;

        record Tlm(List<Integer> tiles, List<Long> lengths) {}

        record TilePart(int tile, long psot, int part, int parts) {}

        static Codestream parse(byte[] data) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(data);
            assertThat(b.getShort() & 0xFFFF).as("SOC").isEqualTo(0xFF4F);
            int progression = -1;
            int levels = -1;
            Tlm tlm = null;
            for (int marker = b.getShort() & 0xFFFF; marker != 0xFF90; marker = b.getShort() & 0xFFFF) {
                int start = b.position();
                int length = b.getShort() & 0xFFFF;
                if (marker == 0xFF52) {
                    b.get(); // Scod
                    progression = b.get() & 0xFF;
                    b.getShort(); // layers
                    b.get(); // multiple component transform
                    levels = b.get() & 0xFF;
                } else if (marker == 0xFF55) {
                    assertThat(tlm).as("one TLM marker segment").isNull();
                    assertThat(b.get() & 0xFF).as("Ztlm").isZero();
                    int stlm = b.get() & 0xFF;
                    int st = stlm >> 4 & 3;
                    int sp = stlm >> 6 & 1;
                    int entry = st + (sp == 1 ? 4 : 2);
                    assertThat((length - 4) % entry).as("Ltlm").isZero();
                    List<Integer> tiles = new java.util.ArrayList<>();
                    List<Long> lengths = new java.util.ArrayList<>();
                    for (int i = 0; i < (length - 4) / entry; i++) {
                        tiles.add(st == 0 ? -1 : st == 1 ? b.get() & 0xFF : b.getShort() & 0xFFFF);
                        lengths.add(sp == 1 ? b.getInt() & 0xFFFFFFFFL : b.getShort() & 0xFFFF);
                    }
                    tlm = new Tlm(tiles, lengths);
                }
                b.position(start + length);
            }
            List<TilePart> parts = new java.util.ArrayList<>();
            int sot = b.position() - 2;
            while (true) {
                assertThat(b.getShort(sot) & 0xFFFF).as("SOT at %d", sot).isEqualTo(0xFF90);
                assertThat(b.getShort(sot + 2) & 0xFFFF).as("Lsot").isEqualTo(10);
                long psot = b.getInt(sot + 6) & 0xFFFFFFFFL;
                parts.add(new TilePart(b.getShort(sot + 4) & 0xFFFF, psot, b.get(sot + 10) & 0xFF,
                        b.get(sot + 11) & 0xFF));
                assertThat(psot).as("Psot").isGreaterThan(14);
                sot += (int) psot;
                if ((b.getShort(sot) & 0xFFFF) == 0xFFD9) {
                    // EOC ends the codestream; in a data set, a zero byte may pad it to an even length.
                    assertThat(data.length - sot - 2).as("bytes after EOC").isBetween(0, 1);
                    break;
                }
            }
            return new Codestream(progression, levels, tlm, parts);
        }
    }
}
