// SPDX-License-Identifier: Apache-2.0
package org.lightbox.bench;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.lightbox.codec.nativelib.CharlsCodec;
import org.lightbox.imaging.ImageDescription;
import org.lightbox.imaging.PixelCodec;
import org.lightbox.imaging.internal.jpegls.JpegLsCodec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JPEG-LS lossless on one 512 x 512 12-bit CT-like frame (0.5 MB of pixels): Lightbox's pure-Java codec and CharLS
 * (through FFM) in the same run, each decoding the same codestream. MB/s = 0.5 / (time per operation in s).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g", "--enable-native-access=ALL-UNNAMED"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class JpegLsBenchmark {
    private static final String TS = "1.2.840.10008.1.2.4.80";

    @Param({"lightbox", "charls"})
    public String codec;

    private PixelCodec impl;
    private ImageDescription image;
    private byte[] pixels;
    private byte[] encoded;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        impl = codec.equals("charls") ? new CharlsCodec() : new JpegLsCodec();
        if (codec.equals("charls") && !CharlsCodec.available()) {
            throw new IllegalStateException("libcharls2 is not installed");
        }
        image = new ImageDescription(512, 512, 1, 16, 12, 11, false, 0, "MONOCHROME2", 1, 0);
        pixels = new byte[512 * 512 * 2];
        java.util.Random r = new java.util.Random(3);
        for (int y = 0; y < 512; y++) {
            for (int x = 0; x < 512; x++) {
                double dx = (x - 256) / 215.0;
                double dy = (y - 256) / 169.0;
                int v = (dx * dx + dy * dy <= 1 ? 1000 + (x + y) % 50 : 24) + r.nextInt(16);
                pixels[2 * (y * 512 + x)] = (byte) v;
                pixels[2 * (y * 512 + x) + 1] = (byte) (v >> 8);
            }
        }
        // One codestream for both decoders, so they decode the same bits.
        encoded = new JpegLsCodec().encode(pixels, image, TS, PixelCodec.EncodeOptions.DEFAULT, 0);
    }

    @Benchmark
    public byte[] decode() throws IOException {
        return impl.decode(encoded, image, 0).pixels();
    }

    @Benchmark
    public byte[] encode() throws IOException {
        return impl.encode(pixels, image, TS, PixelCodec.EncodeOptions.DEFAULT, 0);
    }
}
