// SPDX-License-Identifier: Apache-2.0
package org.lightbox.imaging.jpegls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Element;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.TransferSyntax;
import org.lightbox.dicom.Value;
import org.lightbox.dicom.Vr;
import org.lightbox.dicom.io.DicomReader;
import org.lightbox.dicom.io.DicomWriter;
import org.lightbox.imaging.CodecException;
import org.lightbox.imaging.Frames;
import org.lightbox.imaging.ImageDescription;
import org.lightbox.imaging.PixelCodec.EncodeOptions;
import org.lightbox.imaging.internal.jpegls.JpegLsCodec;
import org.lightbox.testkit.ProcessResult;
import org.lightbox.testkit.Tools;

/** Interoperability with DCMTK's CharLS-based dcmcjpls and dcmdjpls, in both directions. */
class JpegLsDcmtkTest {
    private static final String LOSSLESS = "1.2.840.10008.1.2.4.80";
    private static final String NEAR = "1.2.840.10008.1.2.4.81";
    private final JpegLsCodec codec = new JpegLsCodec();

    @TempDir
    Path dir;

    private static List<ImageDescription> images() {
        return List.of(JlsImages.image(33, 47, 1, 8), JlsImages.image(64, 61, 1, 12), JlsImages.image(40, 40, 1, 16),
                JlsImages.image(29, 35, 3, 8), JlsImages.image(20, 17, 3, 16));
    }

    @Test
    void whatDcmtkEncodesLightboxDecodes() throws Exception {
        assumeTrue(Tools.available("dcmcjpls"), "DCMTK's dcmcjpls is not installed");
        List<List<String>> variants = List.of(List.of(), List.of("+is"), List.of("+in"),
                List.of("+en", "+md", "2"), List.of("+en", "+md", "1", "+is"), List.of("+en", "+md", "3", "+in"),
                List.of("+t1", "5", "+t2", "11", "+t3", "40", "+rs", "32"));
        int checked = 0;
        int dcmtkBroken = 0;
        for (ImageDescription image : images()) {
            for (JlsImages.Kind kind : JlsImages.Kind.values()) {
                byte[] p = JlsImages.pixels(image, kind, image.rows() * 7L + kind.ordinal());
                Path plain = write(dataset(image, new Element(Tag.PixelData, vr(image), new Value.Bytes(p), false,
                        false)), TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN, "plain.dcm");
                for (List<String> options : variants) {
                    Path theirs = dir.resolve("theirs.dcm");
                    List<String> command = new ArrayList<>(List.of("dcmcjpls"));
                    command.addAll(options);
                    command.addAll(List.of(plain.toString(), theirs.toString()));
                    run(command);
                    Frames frames = Frames.of(DicomReader.read(theirs).dataset());
                    String what = image + " " + kind + " " + options;
                    boolean lossy = options.contains("+en");
                    if (lossy && !dcmtkDecodes(theirs)) {
                        // DCMTK 3.6.7 sometimes writes near-lossless streams it cannot read back itself (seen with
                        // NEAR 1 on noise: one wrong byte). Such a stream need only fail cleanly here.
                        try {
                            codec.decode(frames.frame(0), frames.image(), 0);
                        } catch (CodecException expected) {
                            assertThat(expected.frame()).isZero();
                        }
                        dcmtkBroken++;
                        checked++;
                        continue;
                    }
                    byte[] decoded;
                    try {
                        decoded = codec.decode(frames.frame(0), frames.image(), 0).pixels();
                    } catch (CodecException e) {
                        throw new AssertionError(what, e);
                    }
                    if (lossy) {
                        int near = Integer.parseInt(options.get(options.indexOf("+md") + 1));
                        assertThat(JlsImages.maxError(p, decoded, image.bitsAllocated() / 8)).as(what)
                                .isLessThanOrEqualTo(near);
                        assertThat(decoded).as(what).isEqualTo(dcmtkDecode(theirs));
                    } else {
                        assertThat(decoded).as(what).isEqualTo(p);
                    }
                    checked++;
                }
            }
        }
        assertThat(checked).isEqualTo(images().size() * 3 * variants.size());
        assertThat(dcmtkBroken).as("streams DCMTK cannot read back").isLessThan(checked / 10);
    }

    @Test
    void whatLightboxEncodesDcmtkDecodes() throws Exception {
        assumeTrue(Tools.available("dcmdjpls"), "DCMTK's dcmdjpls is not installed");
        for (ImageDescription image : images()) {
            for (JlsImages.Kind kind : JlsImages.Kind.values()) {
                byte[] p = JlsImages.pixels(image, kind, image.columns() * 3L + kind.ordinal());
                for (int near : new int[] {0, 1, 2}) {
                    String ts = near == 0 ? LOSSLESS : NEAR;
                    byte[] frame = codec.encode(p, image, ts, new EncodeOptions(90, near), 0);
                    assertThat(frame.length % 2).isZero();
                    Element pixels = new Element(Tag.PixelData, Vr.OB, new Value.Fragments(List.of(Value.Bytes.EMPTY,
                            new Value.Bytes(frame))), false, true);
                    Path ours = write(dataset(image, pixels), TransferSyntax.of(ts), "ours.dcm");
                    byte[] theirs = dcmtkDecode(ours);
                    String what = image + " " + kind + " NEAR " + near;
                    if (near == 0) {
                        assertThat(theirs).as(what).isEqualTo(p);
                    } else {
                        // Both decoders must reconstruct exactly the same samples.
                        assertThat(theirs).as(what).isEqualTo(codec.decode(frame, image, 0).pixels());
                        assertThat(JlsImages.maxError(p, theirs, image.bitsAllocated() / 8)).as(what)
                                .isLessThanOrEqualTo(near);
                    }
                }
            }
        }
    }

    private boolean dcmtkDecodes(Path encoded) {
        return Tools.run(List.of("dcmdjpls", encoded.toString(), dir.resolve("check.dcm").toString()),
                Duration.ofMinutes(1)).isSuccess();
    }

    private byte[] dcmtkDecode(Path encoded) throws IOException {
        Path back = dir.resolve("back.dcm");
        run(List.of("dcmdjpls", encoded.toString(), back.toString()));
        Frames frames = Frames.of(DicomReader.read(back).dataset());
        return frames.frame(0);
    }

    private static Vr vr(ImageDescription image) {
        return image.bitsAllocated() > 8 ? Vr.OW : Vr.OB;
    }

    private static Dataset dataset(ImageDescription image, Element pixels) {
        return Dataset.builder()
                .setStrings(Tag.SOPClassUID, Vr.UI, "1.2.840.10008.5.1.4.1.1.7")
                .setStrings(Tag.SOPInstanceUID, Vr.UI, "1.2.826.0.1.3680043.99.80." + image.rows())
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

    private static void run(List<String> command) {
        ProcessResult r = Tools.run(command, Duration.ofMinutes(1));
        assertThat(r.exitCode()).as(String.join(" ", command) + ": " + r.stderr()).isZero();
    }
}
