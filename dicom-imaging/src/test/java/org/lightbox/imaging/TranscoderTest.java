// SPDX-License-Identifier: Apache-2.0
package org.lightbox.imaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.TransferSyntax;
import org.lightbox.dicom.Uid;
import org.lightbox.dicom.io.DicomFile;
import org.lightbox.dicom.io.DicomReader;
import org.lightbox.dicom.io.ReadOptions;
import org.lightbox.testkit.SharedData;

/** Every decodable shared image survives a lossless trip through RLE and back to native, pixel for pixel. */
class TranscoderTest {

    @TestFactory
    Stream<DynamicTest> losslessTripsKeepEveryPixel() {
        assumeTrue(SharedData.dataDir().isPresent(), "../shared/data is absent");
        Path data = SharedData.dataDir().orElseThrow();
        return SharedData.manifest().stream()
                .filter(r -> !r.get("pixel_md5").isEmpty() && !r.get("file").startsWith("malformed/"))
                .filter(r -> !r.get("transfer_syntax_uid").isEmpty())
                .filter(r -> TransferSyntax.of(r.get("transfer_syntax_uid")).isNative()
                        || r.get("transfer_syntax_uid").equals(Uid.RLELossless))
                .filter(r -> !r.get("bits_allocated").equals("1") && !r.get("photometric_interpretation")
                        .equals("YBR_FULL_422"))
                .flatMap(r -> LOSSLESS.stream().map(ts -> DynamicTest.dynamicTest(r.get("file") + " via "
                        + TransferSyntax.of(ts).keyword(), () -> trip(data.resolve(r.get("file")), ts))));
    }

    /** Every lossless encoder; one that refuses an image (bit depth, colour) must say so with a CodecException. */
    private static final List<String> LOSSLESS = List.of(Uid.RLELossless, Uid.JPEGLosslessSV1, Uid.JPEGLSLossless,
            Uid.JPEG2000Lossless);

    private static void trip(Path file, String target) throws Exception {
        DicomFile original = DicomReader.read(file);
        Frames frames = Frames.of(original.dataset());
        assumeTrue(!target.equals(Uid.JPEG2000Lossless) || java.nio.file.Files.size(file) < 1_000_000,
                "JPEG 2000 encoding of large files is left to its own tests (slow)");
        DicomFile rle;
        try {
            rle = transcode(original, TransferSyntax.of(target));
        } catch (CodecException refused) {
            assertThat(refused.getMessage()).isNotBlank();
            assumeTrue(false, "the encoder refuses this image: " + refused.getMessage());
            return;
        }
        assertThat(rle.transferSyntax().uid()).isEqualTo(target);
        assertThat(rle.dataset().contains(Tag.LossyImageCompression)
                && rle.dataset().string(Tag.LossyImageCompression).orElse("").equals("01"))
                .as("a lossless trip never marks the image lossy")
                .isEqualTo(original.dataset().string(Tag.LossyImageCompression).orElse("").equals("01"));
        DicomFile back = transcode(rle, TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN);
        for (int i = 0; i < frames.count(); i++) {
            byte[] expected = PixelData.decode(frames, original.transferSyntax(), i).pixels();
            assertThat(storedBits(PixelData.decode(rle, i), frames.image())).as("frame %d encoded", i)
                    .isEqualTo(storedBits(new PixelCodec.Decoded(expected, frames.image()), frames.image()));
            assertThat(storedBits(PixelData.decode(back, i), frames.image())).as("frame %d back to native", i)
                    .isEqualTo(storedBits(new PixelCodec.Decoded(expected, frames.image()), frames.image()));
        }
        assertThat(back.dataset().string(Tag.SOPInstanceUID)).isEqualTo(original.dataset().string(Tag.SOPInstanceUID));
    }

    /**
     * The pixel values as Bits Stored defines them: JPEG-LS and lossless JPEG keep only those bits (bits above High
     * Bit are no part of the value, PS3.5 8.1.1), and colour may come back as YBR where the source was RGB.
     */
    private static int[] storedBits(PixelCodec.Decoded d, ImageDescription original) {
        ImageDescription image = new ImageDescription(original.rows(), original.columns(), original.samplesPerPixel(),
                original.bitsAllocated(), original.bitsStored(), original.highBit(), original.signed(), 0,
                original.photometricInterpretation(), 1, 0);
        return Renderer.samples(new PixelCodec.Decoded(d.pixels(), image));
    }

    @org.junit.jupiter.api.Test
    void nativePixelDataOfOddLengthIsPaddedToEven() throws Exception {
        // 3 x 5 pixels of 8-bit RGB: 45 bytes, which native Pixel Data must carry as 46 (PS3.5 8.1.1).
        byte[] pixels = new byte[45];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (i * 7);
        }
        org.lightbox.dicom.Dataset ds = org.lightbox.dicom.Dataset.builder()
                .setStrings(org.lightbox.dicom.Tag.SOPClassUID, org.lightbox.dicom.Vr.UI, Uid.SecondaryCaptureImageStorage)
                .setStrings(org.lightbox.dicom.Tag.SOPInstanceUID, org.lightbox.dicom.Vr.UI, "2.25.77")
                .setNumbers(org.lightbox.dicom.Tag.Rows, org.lightbox.dicom.Vr.US, 3)
                .setNumbers(org.lightbox.dicom.Tag.Columns, org.lightbox.dicom.Vr.US, 5)
                .setNumbers(org.lightbox.dicom.Tag.SamplesPerPixel, org.lightbox.dicom.Vr.US, 3)
                .setNumbers(org.lightbox.dicom.Tag.PlanarConfiguration, org.lightbox.dicom.Vr.US, 0)
                .setStrings(org.lightbox.dicom.Tag.PhotometricInterpretation, org.lightbox.dicom.Vr.CS, "RGB")
                .setNumbers(org.lightbox.dicom.Tag.BitsAllocated, org.lightbox.dicom.Vr.US, 8)
                .setNumbers(org.lightbox.dicom.Tag.BitsStored, org.lightbox.dicom.Vr.US, 8)
                .setNumbers(org.lightbox.dicom.Tag.HighBit, org.lightbox.dicom.Vr.US, 7)
                .setNumbers(org.lightbox.dicom.Tag.PixelRepresentation, org.lightbox.dicom.Vr.US, 0)
                .add(org.lightbox.dicom.Element.of(org.lightbox.dicom.Tag.PixelData, org.lightbox.dicom.Vr.OB,
                        java.util.Arrays.copyOf(pixels, 46)))
                .build();
        DicomFile rle = transcode(org.lightbox.dicom.io.DicomWriter.newFile(ds, TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN),
                TransferSyntax.of(Uid.RLELossless));
        DicomFile back = transcode(rle, TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN);
        byte[] data = back.dataset().get(org.lightbox.dicom.Tag.PixelData).orElseThrow().bytes();
        assertThat(data).hasSize(46);
        assertThat(java.util.Arrays.copyOf(data, 45)).isEqualTo(pixels);
        assertThat(data[45]).isZero();
    }

    private static DicomFile transcode(DicomFile in, TransferSyntax ts) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Transcoder.transcode(in, ts, PixelCodec.EncodeOptions.DEFAULT, out);
        return DicomReader.read(new ByteArrayInputStream(out.toByteArray()), ReadOptions.DEFAULT);
    }
}
