// SPDX-License-Identifier: Apache-2.0
package org.lightbox.codec.nativelib;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Element;
import org.lightbox.dicom.TransferSyntax;
import org.lightbox.dicom.Uid;
import org.lightbox.dicom.Value;
import org.lightbox.dicom.Vr;
import org.lightbox.dicom.io.DicomReader;
import org.lightbox.dicom.io.DicomWriter;
import org.lightbox.imaging.CodecException;
import org.lightbox.imaging.CodecMetrics;
import org.lightbox.imaging.Frames;
import org.lightbox.imaging.ImageDescription;
import org.lightbox.imaging.PixelCodec;
import org.lightbox.imaging.PixelData;
import org.lightbox.imaging.internal.jpeg.JpegCodec;
import org.lightbox.testkit.ProcessResult;
import org.lightbox.testkit.SharedData;
import org.lightbox.testkit.Tools;

/**
 * libjpeg-turbo through FFM against the pure-Java JPEG codec and DCMTK's dcmdjpeg / dcmcjpeg: the same pixels and
 * Photometric Interpretation on decode (within the ±1 by which IDCTs may differ), codestreams the others read, and
 * corrupt or truncated frames refused.
 */
class TurboJpegCodecTest {
    private static final TurboJpegCodec TURBO = new TurboJpegCodec();
    private static final JpegCodec PURE = new JpegCodec();
    private static final String NAME = "JPEG (libjpeg-turbo)";

    @Test
    void isChosenForEightBitImagesOnly() {
        assumeTrue(TurboJpegCodec.available(), "libturbojpeg0 is not installed");
        ImageDescription eight = image(64, 64, 3, 8, "RGB");
        ImageDescription twelve = new ImageDescription(64, 64, 1, 16, 12, 11, false, 0, "MONOCHROME2", 1, 0);
        for (String ts : List.of(Uid.JPEGBaseline8Bit, Uid.JPEGExtended12Bit)) {
            assertThat(PixelData.decoder(ts, eight)).get().extracting(PixelCodec::name).isEqualTo(NAME);
            assertThat(PixelData.encoder(ts, eight)).get().extracting(PixelCodec::name).isEqualTo(NAME);
        }
        assertThat(PixelData.decoder(Uid.JPEGExtended12Bit, twelve)).get().extracting(PixelCodec::name)
                .isEqualTo(PURE.name());
        assertThat(PixelData.encoder(Uid.JPEGExtended12Bit, twelve)).get().extracting(PixelCodec::name)
                .isEqualTo(PURE.name());
        assertThat(PixelData.decoder(Uid.JPEGLosslessSV1, eight)).get().extracting(PixelCodec::name)
                .isEqualTo(PURE.name());
    }

    /** Every 8-bit JPEG Baseline / Extended file of the shared corpus; the 12-bit ones go to pure Java. */
    @TestFactory
    Stream<DynamicTest> sharedFilesDecodeAsThePureJavaCodecAndDcmdjpegDo(@TempDir Path tmp) {
        assumeTrue(TurboJpegCodec.available(), "libturbojpeg0 is not installed");
        assumeTrue(SharedData.dataDir().isPresent(), "../shared/data is absent");
        Path data = SharedData.dataDir().orElseThrow();
        List<DynamicTest> tests = SharedData.manifest().stream()
                .filter(r -> r.get("transfer_syntax_uid").matches("1\\.2\\.840\\.10008\\.1\\.2\\.4\\.5[01]"))
                .filter(r -> !r.get("pixel_md5").isEmpty() && !r.get("file").startsWith("malformed/"))
                .map(r -> DynamicTest.dynamicTest(r.get("file"), () -> {
                    Path file = data.resolve(r.get("file"));
                    Frames frames = Frames.of(DicomReader.read(file).dataset());
                    String ts = r.get("transfer_syntax_uid");
                    PixelCodec chosen = PixelData.decoder(ts, frames.image()).orElseThrow();
                    if (frames.image().bitsStored() > 8) {
                        assertThat(chosen.name()).isEqualTo(PURE.name());
                        assertThat(PixelData.decode(frames, TransferSyntax.of(ts), 0).pixels())
                                .hasSize(frames.image().frameBytes());
                        return;
                    }
                    assertThat(chosen.name()).isEqualTo(NAME);
                    assertAgrees(file, frames, tmp);
                })).toList();
        assertThat(tests).hasSizeGreaterThanOrEqualTo(8);
        return tests.stream();
    }

    /** Self-made fixtures, so the test means something without ../shared: each sampling DCMTK writes. */
    @ParameterizedTest
    @CsvSource({"3, +eb, 61, 37", "3, +eb +s4, 64, 48", "3, +eb +n1, 45, 33", "3, +ee +n2, 50, 20",
            "3, +eb +cr, 33, 17", "1, +eb, 61, 37", "1, +ee, 8, 9", "3, +eb, 2, 3"})
    @Tag("interop")
    void dcmcjpegFixturesDecodeAsThePureJavaCodecAndDcmdjpegDo(int samples, String options, int rows, int columns,
            @TempDir Path tmp) throws IOException {
        assumeTrue(TurboJpegCodec.available(), "libturbojpeg0 is not installed");
        assumeTrue(Tools.available("dcmcjpeg") && Tools.available("dcmdjpeg"), "DCMTK is not installed");
        ImageDescription image = image(rows, columns, samples, 8, samples == 3 ? "RGB" : "MONOCHROME2");
        Path source = tmp.resolve("native.dcm");
        writeNative(source, image, synthetic(image, rows * 31L + columns));
        Path jpeg = tmp.resolve("jpeg.dcm");
        List<String> command = new ArrayList<>(List.of("dcmcjpeg"));
        command.addAll(List.of(options.split(" ")));
        command.addAll(List.of(source.toString(), jpeg.toString()));
        run(command);
        Frames frames = Frames.of(DicomReader.read(jpeg).dataset());
        assertThat(PixelData.decoder(DicomReader.read(jpeg).transferSyntax().uid(), frames.image())).get()
                .extracting(PixelCodec::name).isEqualTo(NAME);
        assertAgrees(jpeg, frames, tmp);
    }

    /** Native and pure-Java decodes of every frame agree, and both agree with dcmdjpeg's (no colour conversion). */
    private static void assertAgrees(Path file, Frames frames, Path tmp) throws IOException {
        ImageDescription image = frames.image();
        Path out = tmp.resolve("dcmdjpeg-" + System.nanoTime() + ".dcm");
        run(List.of("dcmdjpeg", "+cn", file.toString(), out.toString()));
        Frames theirs = Frames.of(DicomReader.read(out).dataset());
        for (int i = 0; i < frames.count(); i++) {
            PixelCodec.Decoded ours = TURBO.decode(frames.frame(i), image, i);
            PixelCodec.Decoded pure = PURE.decode(frames.frame(i), image, i);
            assertThat(ours.image()).isEqualTo(pure.image());
            assertThat(maxDifference(ours.pixels(), pure.pixels())).as("against pure Java, frame %d", i)
                    .isLessThanOrEqualTo(1);
            byte[] dcmtk = Arrays.copyOf(theirs.frame(i), image.frameBytes());
            assertThat(maxDifference(ours.pixels(), dcmtk)).as("against dcmdjpeg, frame %d", i)
                    .isLessThanOrEqualTo(1);
        }
    }

    /**
     * Every chroma sampling TurboJPEG knows, at sizes that leave partial MCUs: libjpeg-turbo upsamples as libjpeg 6b
     * does (fancy 2:1 filters; 4:4:0 replicated, where libjpeg-turbo's fancy default would filter vertically).
     */
    @ParameterizedTest
    @CsvSource({"0, 37, 61", "1, 37, 61", "2, 37, 61", "4, 37, 61", "5, 37, 61", "2, 3, 5", "1, 9, 2", "4, 17, 1"})
    void everyChromaSamplingDecodesAsThePureJavaCodecDoes(int subsamp, int rows, int columns) throws Throwable {
        assumeTrue(TurboJpegCodec.available(), "libturbojpeg0 is not installed");
        ImageDescription image = image(rows, columns, 3, 8, "YBR_FULL");
        byte[] jpeg = turboJpeg(synthetic(image, subsamp), columns, rows, subsamp);
        PixelCodec.Decoded ours = TURBO.decode(jpeg, image, 0);
        PixelCodec.Decoded pure = PURE.decode(jpeg, image, 0);
        assertThat(ours.image()).isEqualTo(pure.image());
        assertThat(maxDifference(ours.pixels(), pure.pixels())).isLessThanOrEqualTo(1);
    }

    /** The components stay as coded whatever JFIF or Adobe segment (transform 1, YCbCr) the codestream carries. */
    @Test
    void jfifAndAdobeSegmentsLeaveTheComponentsAsCoded() throws CodecException {
        assumeTrue(TurboJpegCodec.available(), "libturbojpeg0 is not installed");
        ImageDescription image = image(24, 40, 3, 8, "RGB");
        byte[] jfif = TURBO.encode(synthetic(image, 9), image, Uid.JPEGBaseline8Bit, PixelCodec.EncodeOptions.DEFAULT,
                0);
        assertThat(jfif[3] & 0xFF).isEqualTo(0xE0);
        byte[] adobe = {(byte) 0xFF, (byte) 0xEE, 0, 14, 'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, 1};
        byte[] both = new byte[jfif.length + adobe.length];
        int app0End = 4 + ((jfif[4] & 0xFF) << 8 | jfif[5] & 0xFF);
        System.arraycopy(jfif, 0, both, 0, app0End);
        System.arraycopy(adobe, 0, both, app0End, adobe.length);
        System.arraycopy(jfif, app0End, both, app0End + adobe.length, jfif.length - app0End);
        ImageDescription stored = image.withPhotometricInterpretation("YBR_FULL_422");
        PixelCodec.Decoded pure = PURE.decode(jfif, stored, 0);
        for (byte[] jpeg : List.of(jfif, both)) {
            PixelCodec.Decoded ours = TURBO.decode(jpeg, stored, 0);
            assertThat(ours.image()).isEqualTo(pure.image());
            assertThat(maxDifference(ours.pixels(), pure.pixels())).isLessThanOrEqualTo(1);
        }
        assertThat(TURBO.decode(both, stored, 0).pixels()).isEqualTo(TURBO.decode(jfif, stored, 0).pixels());
        assertThat(jfif[6]).as("the caller's codestream is not changed").isEqualTo((byte) 'J');
    }

    @ParameterizedTest
    @CsvSource({"1, 90, 38", "3, 90, 29", "1, 50, 30", "3, 50, 27", "3, 100, 30", "1, 100, 45", "1, 10, 22"})
    @Tag("interop")
    void encodedFramesAreReadByDcmdjpegAndThePureJavaCodec(int samples, int quality, double minPsnr,
            @TempDir Path tmp) throws IOException {
        assumeTrue(TurboJpegCodec.available(), "libturbojpeg0 is not installed");
        assumeTrue(Tools.available("dcmdjpeg"), "DCMTK is not installed");
        ImageDescription image = image(75, 91, samples, 8, samples == 3 ? "RGB" : "MONOCHROME2");
        byte[] pixels = synthetic(image, quality);
        byte[] jpeg = TURBO.encode(pixels, image, Uid.JPEGBaseline8Bit, new PixelCodec.EncodeOptions(quality, 0), 0);
        assertThat(jpeg[3] & 0xFF).isEqualTo(0xE0); // JFIF, so readers know the components are YCbCr
        assertThat(sof(jpeg)).isEqualTo(0xC0);

        String pi = org.lightbox.imaging.Transcoder.encodedPhotometric(image, Uid.JPEGBaseline8Bit);
        PixelCodec.Decoded pure = PURE.decode(jpeg, image.withPhotometricInterpretation(pi), 0);
        Path file = tmp.resolve("turbo.dcm");
        writeEncapsulated(file, image.withPhotometricInterpretation(pi), jpeg);
        Path out = tmp.resolve("dcmdjpeg.dcm");
        run(List.of("dcmdjpeg", file.toString(), out.toString())); // converts YBR_FULL_422 to RGB (+cp)
        byte[] dcmtk = Arrays.copyOf(Frames.of(DicomReader.read(out).dataset()).frame(0), image.frameBytes());
        assertThat(psnr(pixels, dcmtk)).as("dcmdjpeg against the original").isGreaterThan(minPsnr);
        assertThat(pure.image().photometricInterpretation()).isEqualTo(samples == 3 ? "YBR_FULL" : "MONOCHROME2");
        byte[] pureRgb = samples == 3 ? ybrToRgb(pure.pixels()) : pure.pixels();
        assertThat(psnr(pixels, pureRgb)).as("pure Java against the original").isGreaterThan(minPsnr);
        assertThat(maxDifference(pureRgb, dcmtk)).isLessThanOrEqualTo(2);
        // as good as the pure-Java encoder at the same quality (4:2:2 chroma caps colour PSNR on hard edges)
        byte[] javaJpeg = PURE.encode(pixels, image, Uid.JPEGBaseline8Bit, new PixelCodec.EncodeOptions(quality, 0), 0);
        byte[] java = PURE.decode(javaJpeg, image.withPhotometricInterpretation(pi), 0).pixels();
        assertThat(psnr(pixels, pureRgb)).isGreaterThan(psnr(pixels, samples == 3 ? ybrToRgb(java) : java) - 0.5);
        // and our own decoder reads our codestream as the pure-Java one does
        assertThat(maxDifference(TURBO.decode(jpeg, image.withPhotometricInterpretation(pi), 0).pixels(),
                pure.pixels())).isLessThanOrEqualTo(1);
    }

    @Test
    void ybrInputIsEncodedAsThePureJavaCodecDoes() throws CodecException {
        assumeTrue(TurboJpegCodec.available(), "libturbojpeg0 is not installed");
        ImageDescription ybr = image(40, 40, 3, 8, "YBR_FULL");
        byte[] pixels = synthetic(ybr, 7);
        PixelCodec.EncodeOptions q = new PixelCodec.EncodeOptions(95, 0);
        byte[] ours = TURBO.encode(pixels, ybr, Uid.JPEGBaseline8Bit, q, 0);
        byte[] theirs = PURE.encode(pixels, ybr, Uid.JPEGBaseline8Bit, q, 0);
        ImageDescription stored = ybr.withPhotometricInterpretation("YBR_FULL_422");
        byte[] a = PURE.decode(ours, stored, 0).pixels();
        byte[] b = PURE.decode(theirs, stored, 0).pixels();
        assertThat(psnr(pixels, a)).isGreaterThan(27).isGreaterThan(psnr(pixels, b) - 0.5);
        assertThat(psnr(a, b)).isGreaterThan(40);
    }

    @Test
    void truncatedAndCorruptCodestreamsGiveCodecExceptions() throws CodecException {
        assumeTrue(TurboJpegCodec.available(), "libturbojpeg0 is not installed");
        ImageDescription image = image(64, 64, 3, 8, "RGB");
        byte[] good = TURBO.encode(synthetic(image, 1), image, Uid.JPEGBaseline8Bit, PixelCodec.EncodeOptions.DEFAULT,
                0);
        ImageDescription stored = image.withPhotometricInterpretation("YBR_FULL_422");
        // Cut in the entropy-coded data: libjpeg only warns ("premature end of data segment") and fills in grey.
        byte[] cut = Arrays.copyOf(good, good.length * 2 / 3);
        assertThatThrownBy(() -> TURBO.decode(cut, stored, 2)).isInstanceOf(CodecException.class)
                .hasMessageContaining(NAME).hasMessageContaining("frame 3").hasMessageContaining("Premature end");
        // Cut in the header, garbage, nothing, a wrong size: errors.
        assertThatThrownBy(() -> TURBO.decode(Arrays.copyOf(good, 40), stored, 0)).isInstanceOf(CodecException.class)
                .hasMessageContaining("frame 1");
        byte[] noise = new byte[500];
        new Random(3).nextBytes(noise);
        assertThatThrownBy(() -> TURBO.decode(noise, stored, 0)).isInstanceOf(CodecException.class);
        assertThatThrownBy(() -> TURBO.decode(new byte[0], stored, 0)).isInstanceOf(CodecException.class);
        assertThatThrownBy(() -> TURBO.decode(good, image(32, 64, 3, 8, "YBR_FULL_422"), 0))
                .isInstanceOf(CodecException.class).hasMessageContaining("data set says");
        // Corrupt entropy data: flipped bytes in the middle of the scan.
        byte[] flipped = good.clone();
        for (int i = good.length / 2; i < good.length / 2 + 40; i++) {
            flipped[i] = (byte) 0xFF;
        }
        assertThatThrownBy(() -> TURBO.decode(flipped, stored, 0)).isInstanceOf(CodecException.class)
                .hasMessageContaining(NAME);
        // Random damage never crashes the JVM: either an exception or a frame of the right size.
        Random r = new Random(11);
        for (int k = 0; k < 300; k++) {
            byte[] bad = good.clone();
            for (int j = 0; j < 1 + r.nextInt(6); j++) {
                bad[r.nextInt(bad.length)] = (byte) r.nextInt(256);
            }
            byte[] cutAt = Arrays.copyOf(bad, 2 + r.nextInt(bad.length - 2));
            for (byte[] b : List.of(bad, cutAt)) {
                try {
                    assertThat(TURBO.decode(b, stored, 0).pixels()).hasSize(image.frameBytes());
                } catch (CodecException expected) {
                    assertThat(expected.codec()).isEqualTo(NAME);
                }
            }
        }
    }

    @Test
    void extraneousBytesBeforeAMarkerAreOnlyAWarning() throws CodecException {
        assumeTrue(TurboJpegCodec.available(), "libturbojpeg0 is not installed");
        ImageDescription image = image(32, 48, 1, 8, "MONOCHROME2");
        byte[] good = TURBO.encode(synthetic(image, 2), image, Uid.JPEGBaseline8Bit, PixelCodec.EncodeOptions.DEFAULT,
                0);
        // Two stray bytes before EOI: libjpeg warns "extraneous bytes before marker 0xd9", the image is whole.
        byte[] padded = new byte[good.length + 2];
        System.arraycopy(good, 0, padded, 0, good.length - 2);
        padded[good.length - 2] = 0x12;
        padded[good.length - 1] = 0x34;
        padded[good.length] = (byte) 0xFF;
        padded[good.length + 1] = (byte) 0xD9;
        assertThat(TURBO.decode(padded, image, 0).pixels()).isEqualTo(TURBO.decode(good, image, 0).pixels());
    }

    @Test
    void decodesAndEncodesAreCountedUnderTheCodecsName() throws IOException {
        assumeTrue(TurboJpegCodec.available(), "libturbojpeg0 is not installed");
        ImageDescription image = image(16, 24, 1, 8, "MONOCHROME2");
        CodecMetrics.Counts before = counts(CodecMetrics.Operation.DECODE);
        PixelCodec encoder = PixelData.encoder(Uid.JPEGBaseline8Bit, image).orElseThrow();
        byte[] jpeg = encoder.encode(synthetic(image, 4), image, Uid.JPEGBaseline8Bit,
                PixelCodec.EncodeOptions.DEFAULT, 0);
        PixelCodec decoder = PixelData.decoder(Uid.JPEGBaseline8Bit, image).orElseThrow();
        decoder.decode(jpeg, image, 0);
        assertThatThrownBy(() -> decoder.decode(Arrays.copyOf(jpeg, 20), image, 1))
                .isInstanceOf(CodecException.class);
        CodecMetrics.Counts after = counts(CodecMetrics.Operation.DECODE);
        assertThat(after.frames() - before.frames()).isEqualTo(1);
        assertThat(after.inputBytes() - before.inputBytes()).isEqualTo(jpeg.length);
        assertThat(after.outputBytes() - before.outputBytes()).isEqualTo(image.frameBytes());
        assertThat(after.failures() - before.failures()).isEqualTo(1);
        assertThat(after.nanos()).isGreaterThan(before.nanos());
        assertThat(counts(CodecMetrics.Operation.ENCODE).frames()).isPositive();
    }

    private static CodecMetrics.Counts counts(CodecMetrics.Operation op) {
        return PixelData.metrics().snapshot().stream().filter(c -> c.codec().equals(NAME) && c.operation() == op)
                .findFirst().orElse(new CodecMetrics.Counts(NAME, op, 0, 0, 0, 0, 0));
    }

    // ---- helpers ----

    private static ImageDescription image(int rows, int columns, int samples, int bits, String pi) {
        return new ImageDescription(rows, columns, samples, bits, bits, bits - 1, false, 0, pi, 1, 0);
    }

    /** A gradient with noise and hard-edged blocks: something for the DCT to get wrong. */
    private static byte[] synthetic(ImageDescription image, long seed) {
        Random random = new Random(seed);
        byte[] out = new byte[image.frameBytes()];
        int n = image.samplesPerPixel();
        for (int y = 0, o = 0; y < image.rows(); y++) {
            for (int x = 0; x < image.columns(); x++) {
                for (int c = 0; c < n; c++) {
                    double v = 255.0 * (x + 2 * y + 37 * c) / (image.columns() + 2 * image.rows() + 80)
                            + random.nextGaussian() * 2;
                    if ((x / 8 + y / 8 + c) % 5 == 0) {
                        v = 255 - v;
                    }
                    out[o++] = (byte) Math.clamp(Math.round(v), 0, 255);
                }
            }
        }
        return out;
    }

    /** RGB pixels compressed by TurboJPEG with the given TJSAMP_* chroma sampling (the codec itself writes 4:2:2). */
    private static byte[] turboJpeg(byte[] rgb, int width, int height, int subsamp) throws Throwable {
        Linker linker = Linker.nativeLinker();
        SymbolLookup lib = SymbolLookup.libraryLookup("libturbojpeg.so.0", Arena.global());
        MethodHandle init = linker.downcallHandle(lib.find("tjInitCompress").orElseThrow(),
                FunctionDescriptor.of(ADDRESS));
        MethodHandle compress = linker.downcallHandle(lib.find("tjCompress2").orElseThrow(), FunctionDescriptor.of(
                JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT,
                JAVA_INT, JAVA_INT));
        MethodHandle free = linker.downcallHandle(lib.find("tjFree").orElseThrow(), FunctionDescriptor.ofVoid(ADDRESS));
        MethodHandle destroy = linker.downcallHandle(lib.find("tjDestroy").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, ADDRESS));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment handle = (MemorySegment) init.invokeExact();
            MemorySegment buffer = arena.allocate(ADDRESS);
            MemorySegment size = arena.allocate(JAVA_LONG);
            int rc = (int) compress.invokeExact(handle, arena.allocateFrom(JAVA_BYTE, rgb), width, 0, height,
                    0 /* TJPF_RGB */, buffer, size, subsamp, 90, 4096 /* TJFLAG_ACCURATEDCT */);
            assertThat(rc).isZero();
            byte[] jpeg = buffer.get(ADDRESS, 0).reinterpret(size.get(JAVA_LONG, 0)).toArray(JAVA_BYTE);
            free.invokeExact(buffer.get(ADDRESS, 0));
            int ignored = (int) destroy.invokeExact(handle);
            return jpeg;
        }
    }

    private static int maxDifference(byte[] a, byte[] b) {
        assertThat(a).hasSameSizeAs(b);
        int max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs((a[i] & 0xFF) - (b[i] & 0xFF)));
        }
        return max;
    }

    private static double psnr(byte[] a, byte[] b) {
        assertThat(a).hasSameSizeAs(b);
        double se = 0;
        for (int i = 0; i < a.length; i++) {
            double e = (a[i] & 0xFF) - (b[i] & 0xFF);
            se += e * e;
        }
        return se == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(255.0 * 255 / (se / a.length));
    }

    /** Full-range YCbCr to RGB with libjpeg's rounding (PS3.3 C.7.6.3.1.2). */
    private static byte[] ybrToRgb(byte[] p) {
        byte[] out = new byte[p.length];
        for (int i = 0; i < p.length; i += 3) {
            int y = p[i] & 0xFF;
            int cb = (p[i + 1] & 0xFF) - 128;
            int cr = (p[i + 2] & 0xFF) - 128;
            out[i] = (byte) Math.clamp(Math.round(y + 1.402 * cr), 0, 255);
            out[i + 1] = (byte) Math.clamp(Math.round(y - 0.344136 * cb - 0.714136 * cr), 0, 255);
            out[i + 2] = (byte) Math.clamp(Math.round(y + 1.772 * cb), 0, 255);
        }
        return out;
    }

    private static int sof(byte[] jpeg) {
        for (int i = 2; i + 3 < jpeg.length; ) {
            int marker = jpeg[i + 1] & 0xFF;
            if (marker >= 0xC0 && marker <= 0xC3) {
                return marker;
            }
            i += 2 + ((jpeg[i + 2] & 0xFF) << 8 | jpeg[i + 3] & 0xFF);
        }
        return -1;
    }

    private static void run(List<String> command) throws IOException {
        ProcessResult r = Tools.run(command, Duration.ofSeconds(60));
        if (!r.isSuccess()) {
            throw new IOException(command + " failed (" + r.exitCode() + "): " + r.stderr() + r.stdout());
        }
    }

    private static Dataset.Builder header(ImageDescription image) {
        Dataset.Builder b = Dataset.builder()
                .setStrings(org.lightbox.dicom.Tag.SOPClassUID, Vr.UI, "1.2.840.10008.5.1.4.1.1.7")
                .setStrings(org.lightbox.dicom.Tag.SOPInstanceUID, Vr.UI, "2.25.98765432109876543210")
                .setStrings(org.lightbox.dicom.Tag.Modality, Vr.CS, "OT")
                .setNumbers(org.lightbox.dicom.Tag.SamplesPerPixel, Vr.US, image.samplesPerPixel())
                .setStrings(org.lightbox.dicom.Tag.PhotometricInterpretation, Vr.CS, image.photometricInterpretation())
                .setNumbers(org.lightbox.dicom.Tag.Rows, Vr.US, image.rows())
                .setNumbers(org.lightbox.dicom.Tag.Columns, Vr.US, image.columns())
                .setNumbers(org.lightbox.dicom.Tag.BitsAllocated, Vr.US, image.bitsAllocated())
                .setNumbers(org.lightbox.dicom.Tag.BitsStored, Vr.US, image.bitsStored())
                .setNumbers(org.lightbox.dicom.Tag.HighBit, Vr.US, image.highBit())
                .setNumbers(org.lightbox.dicom.Tag.PixelRepresentation, Vr.US, 0);
        if (image.samplesPerPixel() == 3) {
            b.setNumbers(org.lightbox.dicom.Tag.PlanarConfiguration, Vr.US, 0);
        }
        return b;
    }

    private static void writeNative(Path file, ImageDescription image, byte[] pixels) throws IOException {
        byte[] even = pixels.length % 2 == 0 ? pixels : Arrays.copyOf(pixels, pixels.length + 1);
        Dataset ds = header(image).add(new Element(org.lightbox.dicom.Tag.PixelData, Vr.OB, new Value.Bytes(even),
                false, false)).build();
        try (OutputStream out = Files.newOutputStream(file)) {
            DicomWriter.write(DicomWriter.newFile(ds, TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN), out);
        }
    }

    private static void writeEncapsulated(Path file, ImageDescription image, byte[] frame) throws IOException {
        byte[] even = frame.length % 2 == 0 ? frame : Arrays.copyOf(frame, frame.length + 1);
        Dataset ds = header(image).add(new Element(org.lightbox.dicom.Tag.PixelData, Vr.OB,
                new Value.Fragments(List.of(Value.Bytes.EMPTY, new Value.Bytes(even))), false, true)).build();
        try (OutputStream out = Files.newOutputStream(file)) {
            DicomWriter.write(DicomWriter.newFile(ds, TransferSyntax.of(Uid.JPEGBaseline8Bit)), out);
        }
    }
}
