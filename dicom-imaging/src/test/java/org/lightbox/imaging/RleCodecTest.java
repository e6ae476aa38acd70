// SPDX-License-Identifier: Apache-2.0
package org.lightbox.imaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Element;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.TransferSyntax;
import org.lightbox.dicom.Uid;
import org.lightbox.dicom.Vr;
import org.lightbox.dicom.io.DicomFile;
import org.lightbox.dicom.io.DicomReader;
import org.lightbox.dicom.io.DicomWriter;
import org.lightbox.imaging.internal.RleCodec;
import org.lightbox.testkit.ProcessResult;
import org.lightbox.testkit.Tools;

/** RLE Lossless: exact round trips, agreement with DCMTK both ways, and clear errors on corrupt frames. */
class RleCodecTest {
    private static final RleCodec RLE = new RleCodec();

    @TempDir
    Path dir;

    static ImageDescription image(int rows, int cols, int samples, int bits) {
        return new ImageDescription(rows, cols, samples, bits, bits, bits - 1, false, 0,
                samples == 3 ? "RGB" : "MONOCHROME2", 1, 0);
    }

    static byte[] pixels(Random r, ImageDescription image, boolean smooth) {
        byte[] p = new byte[image.frameBytes()];
        if (smooth) {
            for (int i = 0; i < p.length; i++) {
                p[i] = (byte) (i / 37 % 7 == 0 ? r.nextInt(4) : i / 97);
            }
        } else {
            r.nextBytes(p);
        }
        return p;
    }

    @Property(tries = 150)
    void encodeThenDecodeIsExact(@ForAll @IntRange(min = 1, max = 70) int rows,
            @ForAll @IntRange(min = 1, max = 70) int cols, @ForAll boolean colour, @ForAll @IntRange(max = 3) int width,
            @ForAll boolean smooth, @ForAll long seed) throws IOException {
        ImageDescription image = image(rows, cols, colour ? 3 : 1, new int[] {8, 16, 32, 64}[width]);
        if (image.samplesPerPixel() * image.bitsAllocated() / 8 > 15) {
            assertThatThrownBy(() -> RLE.encode(new byte[image.frameBytes()], image, Uid.RLELossless,
                    PixelCodec.EncodeOptions.DEFAULT, 0)).isInstanceOf(CodecException.class);
            return;
        }
        byte[] p = pixels(new Random(seed), image, smooth);
        byte[] encoded = RLE.encode(p, image, Uid.RLELossless, PixelCodec.EncodeOptions.DEFAULT, 0);
        assertThat(encoded.length % 2).isZero();
        assertThat(RLE.decode(encoded, image, 0).pixels()).isEqualTo(p);
    }

    @Test
    void whatLightboxEncodesDcmtkDecodesAndTheOtherWay() throws Exception {
        assumeTrue(Tools.available("dcmcrle") && Tools.available("dcmdrle"), "DCMTK is not installed");
        for (ImageDescription image : List.of(image(33, 47, 1, 8), image(64, 64, 1, 16), image(20, 31, 3, 8))) {
            byte[] p = pixels(new Random(image.rows()), image, true);
            Dataset native_ = dataset(image, Element.of(Tag.PixelData, image.bitsAllocated() > 8 ? Vr.OW : Vr.OB, p));
            // DCMTK encodes, Lightbox decodes.
            Path plain = write(native_, TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN, "plain.dcm");
            Path theirs = dir.resolve("theirs.dcm");
            run("dcmcrle", plain.toString(), theirs.toString());
            assertThat(PixelData.decode(DicomReader.read(theirs), 0).pixels()).isEqualTo(p);
            // Lightbox encodes, DCMTK decodes.
            Path ours = dir.resolve("ours.dcm");
            try (OutputStream out = Files.newOutputStream(ours)) {
                Transcoder.transcode(DicomReader.read(plain), TransferSyntax.of(Uid.RLELossless),
                        PixelCodec.EncodeOptions.DEFAULT, out);
            }
            Path back = dir.resolve("back.dcm");
            run("dcmdrle", ours.toString(), back.toString());
            DicomFile decoded = DicomReader.read(back);
            assertThat(PixelData.decode(decoded, 0).pixels()).isEqualTo(p);
        }
    }

    @Test
    void corruptFramesNameTheFrameAndTheCodec() {
        ImageDescription image = image(16, 16, 1, 16);
        byte[] good = new byte[0];
        try {
            good = RLE.encode(pixels(new Random(1), image, true), image, Uid.RLELossless,
                    PixelCodec.EncodeOptions.DEFAULT, 0);
        } catch (CodecException e) {
            throw new AssertionError(e);
        }
        byte[] truncated = java.util.Arrays.copyOf(good, good.length / 2);
        assertThatThrownBy(() -> RLE.decode(truncated, image, 4)).isInstanceOf(CodecException.class)
                .hasMessageContaining("frame 5").hasMessageContaining("RLE");
        assertThatThrownBy(() -> RLE.decode(new byte[10], image, 0)).isInstanceOf(CodecException.class)
                .hasMessageContaining("64-byte RLE header");
        Random r = new Random(7);
        for (int i = 0; i < 3000; i++) {
            byte[] bad = good.clone();
            for (int k = 0; k < 1 + r.nextInt(6); k++) {
                bad[r.nextInt(bad.length)] = (byte) r.nextInt(256);
            }
            try {
                assertThat(RLE.decode(bad, image, 0).pixels()).hasSize(image.frameBytes());
            } catch (CodecException expected) {
                assertThat(expected.frame()).isZero();
            }
        }
    }

    private Dataset dataset(ImageDescription image, Element pixels) {
        return Dataset.builder()
                .setStrings(Tag.SOPClassUID, Vr.UI, "1.2.840.10008.5.1.4.1.1.7")
                .setStrings(Tag.SOPInstanceUID, Vr.UI, "1.2.826.0.1.3680043.99.5." + image.rows())
                .setNumbers(Tag.SamplesPerPixel, Vr.US, image.samplesPerPixel())
                .setStrings(Tag.PhotometricInterpretation, Vr.CS, image.photometricInterpretation())
                .setNumbers(Tag.PlanarConfiguration, Vr.US, 0)
                .setNumbers(Tag.Rows, Vr.US, image.rows()).setNumbers(Tag.Columns, Vr.US, image.columns())
                .setNumbers(Tag.BitsAllocated, Vr.US, image.bitsAllocated())
                .setNumbers(Tag.BitsStored, Vr.US, image.bitsStored())
                .setNumbers(Tag.HighBit, Vr.US, image.highBit()).setNumbers(Tag.PixelRepresentation, Vr.US, 0)
                .add(pixels).build();
    }

    private Path write(Dataset ds, TransferSyntax ts, String name) throws IOException {
        Path p = dir.resolve(name);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DicomWriter.write(DicomWriter.newFile(ds, ts), out);
        Files.write(p, out.toByteArray());
        return p;
    }

    private static void run(String... cmd) {
        ProcessResult r = Tools.run(List.of(cmd), Duration.ofMinutes(1));
        assertThat(r.exitCode()).as(String.join(" ", cmd) + ": " + r.stderr()).isZero();
    }
}
