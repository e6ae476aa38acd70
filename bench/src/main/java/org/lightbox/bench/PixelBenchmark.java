// SPDX-License-Identifier: Apache-2.0
package org.lightbox.bench;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Element;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.TransferSyntax;
import org.lightbox.dicom.Uid;
import org.lightbox.dicom.Vr;
import org.lightbox.dicom.io.DicomFile;
import org.lightbox.dicom.io.DicomWriter;
import org.lightbox.imaging.ImageDescription;
import org.lightbox.imaging.PixelCodec;
import org.lightbox.imaging.Renderer;
import org.lightbox.imaging.internal.RleCodec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Pixel work on one 512 x 512 16-bit CT-like frame (a smooth phantom with noise, as gen_dataset.py makes): RLE decode
 * and encode (MB/s = 0.5 MB / time per operation) and rendering to an 8-bit image and to PNG.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class PixelBenchmark {
    private static final RleCodec RLE = new RleCodec();
    private ImageDescription image;
    private byte[] pixels;
    private byte[] rle;
    private DicomFile ct;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        image = new ImageDescription(512, 512, 1, 16, 12, 11, false, 0, "MONOCHROME2", 1, 0);
        pixels = new byte[512 * 512 * 2];
        java.util.Random r = new java.util.Random(3);
        for (int y = 0; y < 512; y++) {
            for (int x = 0; x < 512; x++) {
                double dx = (x - 256) / 215.0;
                double dy = (y - 256) / 169.0;
                int v = (dx * dx + dy * dy <= 1 ? 1000 : 24) + r.nextInt(8);
                pixels[2 * (y * 512 + x)] = (byte) v;
                pixels[2 * (y * 512 + x) + 1] = (byte) (v >> 8);
            }
        }
        rle = RLE.encode(pixels, image, Uid.RLELossless, PixelCodec.EncodeOptions.DEFAULT, 0);
        Dataset ds = Dataset.builder().setStrings(Tag.SOPClassUID, Vr.UI, "1.2.840.10008.5.1.4.1.1.2")
                .setStrings(Tag.SOPInstanceUID, Vr.UI, "2.25.1")
                .setNumbers(Tag.SamplesPerPixel, Vr.US, 1).setStrings(Tag.PhotometricInterpretation, Vr.CS, "MONOCHROME2")
                .setNumbers(Tag.Rows, Vr.US, 512).setNumbers(Tag.Columns, Vr.US, 512)
                .setNumbers(Tag.BitsAllocated, Vr.US, 16).setNumbers(Tag.BitsStored, Vr.US, 12)
                .setNumbers(Tag.HighBit, Vr.US, 11).setNumbers(Tag.PixelRepresentation, Vr.US, 0)
                .setNumbers(Tag.RescaleIntercept, Vr.DS, -1024).setNumbers(Tag.RescaleSlope, Vr.DS, 1)
                .setNumbers(Tag.WindowCenter, Vr.DS, 40).setNumbers(Tag.WindowWidth, Vr.DS, 400)
                .add(Element.of(Tag.PixelData, Vr.OW, pixels)).build();
        ct = DicomWriter.newFile(ds, TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN);
    }

    @Benchmark
    public byte[] rleDecode() throws IOException {
        return RLE.decode(rle, image, 0).pixels();
    }

    @Benchmark
    public byte[] rleEncode() throws IOException {
        return RLE.encode(pixels, image, Uid.RLELossless, PixelCodec.EncodeOptions.DEFAULT, 0);
    }

    @Benchmark
    public BufferedImage renderCtFrame() throws IOException {
        return Renderer.render(ct, Renderer.Options.DEFAULT);
    }

    @Benchmark
    public int renderCtFrameToPng() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(1 << 18);
        Renderer.writePng(Renderer.render(ct, new Renderer.Options(0, Optional.empty(), 0, 0, false)), out);
        return out.size();
    }
}
