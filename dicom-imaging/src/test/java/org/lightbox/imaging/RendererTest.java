// SPDX-License-Identifier: Apache-2.0
package org.lightbox.imaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.io.DicomFile;
import org.lightbox.dicom.io.DicomReader;
import org.lightbox.testkit.ProcessResult;
import org.lightbox.testkit.SharedData;
import org.lightbox.testkit.Tools;

/**
 * Rendering checked against a straightforward computation of the PS3.3 LUT chain, pixel by pixel, and against
 * pydicom's colour conversions.
 */
class RendererTest {

    /** Every grayscale file of the shared data this build decodes renders as the reference computation says. */
    @TestFactory
    Stream<DynamicTest> grayscaleMatchesTheReferenceChain() {
        assumeTrue(SharedData.dataDir().isPresent(), "../shared/data is absent");
        Path data = SharedData.dataDir().orElseThrow();
        return SharedData.manifest().stream()
                .filter(r -> r.get("photometric_interpretation").startsWith("MONOCHROME"))
                .filter(r -> !r.get("pixel_md5").isEmpty() && !r.get("file").startsWith("malformed/"))
                .filter(r -> r.get("transfer_syntax_uid").isEmpty() || PixelData.decoder(r.get("transfer_syntax_uid"))
                        .isPresent() || org.lightbox.dicom.TransferSyntax.of(r.get("transfer_syntax_uid")).isNative())
                .filter(r -> !r.get("pixel_dtype").startsWith("float"))
                .map(r -> DynamicTest.dynamicTest(r.get("file"), () -> compare(data.resolve(r.get("file")))));
    }

    private static void compare(Path file) throws Exception {
        DicomFile f = DicomReader.read(file);
        Dataset ds = f.dataset();
        BufferedImage image = Renderer.render(f, Renderer.Options.DEFAULT);
        PixelCodec.Decoded d = PixelData.decode(f, 0);
        int[] stored = Renderer.samples(d);
        double slope = ds.doubleValue(Tag.RescaleSlope).orElse(1.0);
        double intercept = ds.doubleValue(Tag.RescaleIntercept).orElse(0.0);
        boolean lutSequences = !ds.items(Tag.ModalityLUTSequence).isEmpty() || !ds.items(Tag.VOILUTSequence).isEmpty();
        assumeTrue(!lutSequences, "LUT sequences are checked by their own tests");
        double[] c = ds.get(Tag.WindowCenter).map(e -> e.doubles()).orElse(new double[0]);
        double[] w = ds.get(Tag.WindowWidth).map(e -> e.doubles()).orElse(new double[0]);
        double lo = Double.MAX_VALUE;
        double hi = -Double.MAX_VALUE;
        for (int s : stored) {
            lo = Math.min(lo, s * slope + intercept);
            hi = Math.max(hi, s * slope + intercept);
        }
        double center = c.length > 0 && w.length > 0 && w[0] > 0 ? c[0] : (lo + hi) / 2 + 0.5;
        double width = c.length > 0 && w.length > 0 && w[0] > 0 ? w[0] : Math.max(1, hi - lo + 1);
        String function = ds.string(Tag.VOILUTFunction).orElse("LINEAR");
        boolean invert = d.image().photometricInterpretation().equals("MONOCHROME1")
                ^ ds.string(Tag.PresentationLUTShape).orElse("IDENTITY").equals("INVERSE");
        int mismatches = 0;
        for (int i = 0; i < stored.length; i++) {
            double x = stored[i] * slope + intercept;
            double y;
            // PS3.3 C.11.2.1.2 and C.11.2.1.3, written out once more without shortcuts.
            if (function.equals("SIGMOID")) {
                y = 255 / (1 + Math.exp(-4 * (x - center) / width));
            } else if (function.equals("LINEAR_EXACT")) {
                y = x <= center - width / 2 ? 0 : x > center + width / 2 ? 255 : ((x - center) / width + 0.5) * 255;
            } else if (width <= 1) {
                y = x <= center - 0.5 ? 0 : 255;
            } else {
                y = x <= center - 0.5 - (width - 1) / 2 ? 0 : x > center - 0.5 + (width - 1) / 2 ? 255
                        : ((x - (center - 0.5)) / (width - 1) + 0.5) * 255;
            }
            int expected = (int) Math.round(Math.max(0, Math.min(255, y)));
            if (invert) {
                expected = 255 - expected;
            }
            int actual = image.getRaster().getSample(i % image.getWidth(), i / image.getWidth(), 0);
            if (Math.abs(actual - expected) > 1) {
                mismatches++;
            }
        }
        assertThat(mismatches).as("pixels off by more than 1 in %s", file.getFileName()).isZero();
    }

    @Test
    void windowOverrideAndViewport() throws Exception {
        assumeTrue(SharedData.dataDir().isPresent(), "../shared/data is absent");
        DicomFile ct = DicomReader.read(SharedData.dataDir().orElseThrow().resolve("ts/CT_small.dcm"));
        BufferedImage narrow = Renderer.render(ct, new Renderer.Options(0, Optional.of(new double[] {40, 1}), 0, 0,
                false));
        for (int y = 0; y < narrow.getHeight(); y++) {
            for (int x = 0; x < narrow.getWidth(); x++) {
                assertThat(narrow.getRaster().getSample(x, y, 0)).isIn(0, 255);
            }
        }
        BufferedImage small = Renderer.render(ct, new Renderer.Options(0, Optional.empty(), 64, 32, false));
        assertThat(small.getWidth()).isEqualTo(32);
        assertThat(small.getHeight()).isEqualTo(32);
        BufferedImage deep = Renderer.render(ct, new Renderer.Options(0, Optional.empty(), 0, 0, true));
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        Renderer.writePng(deep, png);
        BufferedImage back = ImageIO.read(new ByteArrayInputStream(png.toByteArray()));
        assertThat(back.getColorModel().getPixelSize()).isEqualTo(16);
    }

    /** Modality and VOI LUT Sequences: pydicom's apply_modality_lut and apply_voi_lut are the oracle. */
    @TestFactory
    Stream<DynamicTest> lutSequencesMatchPydicom() {
        assumeTrue(SharedData.dataDir().isPresent(), "../shared/data is absent");
        Optional<Path> python = Tools.python3WithPydicom();
        assumeTrue(python.isPresent(), "pydicom is not installed");
        Path data = SharedData.dataDir().orElseThrow();
        return Stream.of("misc/mlut_18.dcm", "misc/vlut_04.dcm")
                .map(name -> DynamicTest.dynamicTest(name, () -> lut(python.get(), data.resolve(name))));
    }

    private static void lut(Path python, Path file) throws Exception {
        String script = String.join("\n",
                "import sys, numpy as np, pydicom",
                "from pydicom.pixel_data_handlers.util import apply_modality_lut, apply_voi_lut",
                "ds = pydicom.dcmread(sys.argv[1])",
                // pydicom 2.3 keeps the bits above High Bit; PS3.5 8.1.1 says they are no part of the value, so
                // the oracle masks and sign-extends Bits Stored first, then applies pydicom's LUT functions.
                "p = ds.pixel_array.astype(np.int64); b = int(ds.BitsStored)",
                "p = p & ((1 << b) - 1)",
                "p = np.where(p >= (1 << (b - 1)), p - (1 << b), p) if ds.PixelRepresentation == 1 else p",
                "a = apply_modality_lut(p, ds).astype(np.float64)",
                "if 'VOILUTSequence' in ds and 'WindowCenter' not in ds:",
                "    item = ds.VOILUTSequence[0]",
                "    v = apply_voi_lut(a.astype(np.int64), ds).astype(np.float64)",
                "    y = v / (2 ** int(item.LUTDescriptor[2]) - 1) * 255",
                "elif 'WindowCenter' in ds:",
                "    c = float(np.atleast_1d(ds.WindowCenter)[0]); w = float(np.atleast_1d(ds.WindowWidth)[0])",
                "    y = np.clip(((a - (c - 0.5)) / (w - 1) + 0.5), 0, 1) * 255",
                "    y[a <= c - 0.5 - (w - 1) / 2] = 0; y[a > c - 0.5 + (w - 1) / 2] = 255",
                "else:",
                "    lo, hi = a.min(), a.max(); y = (a - lo) / max(1, hi - lo) * 255",
                "if ds.PhotometricInterpretation == 'MONOCHROME1': y = 255 - y",
                "sys.stdout.write(np.clip(np.rint(y), 0, 255).astype(np.uint8).tobytes().hex())");
        ProcessResult r = Tools.run(List.of(python.toString(), "-c", script, file.toString()), Duration.ofMinutes(1));
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        byte[] expected = java.util.HexFormat.of().parseHex(r.stdout().strip());
        BufferedImage image = Renderer.render(DicomReader.read(file), Renderer.Options.DEFAULT);
        int worst = 0;
        for (int i = 0; i < image.getWidth() * image.getHeight(); i++) {
            int ours = image.getRaster().getSample(i % image.getWidth(), i / image.getWidth(), 0);
            worst = Math.max(worst, Math.abs(ours - (expected[i] & 0xFF)));
        }
        assertThat(worst).as("largest difference from pydicom in %s", file.getFileName()).isLessThanOrEqualTo(2);
    }

    /** Palette colour and YBR: pydicom's apply_color_lut and convert_color_space are the oracle. */
    @TestFactory
    Stream<DynamicTest> colourMatchesPydicom() {
        assumeTrue(SharedData.dataDir().isPresent(), "../shared/data is absent");
        Optional<Path> python = Tools.python3WithPydicom();
        assumeTrue(python.isPresent(), "pydicom is not installed");
        Path data = SharedData.dataDir().orElseThrow();
        return Stream.of("color/OT-PAL-8-face.dcm", "color/SC_ybr_full_uncompressed.dcm", "color/SC_rgb.dcm",
                        "color/SC_rgb_16bit.dcm")
                .map(name -> DynamicTest.dynamicTest(name, () -> colour(python.get(), data.resolve(name))));
    }

    private static void colour(Path python, Path file) throws Exception {
        String script = String.join("\n",
                "import sys, numpy as np, pydicom",
                "from pydicom.pixel_data_handlers.util import apply_color_lut, convert_color_space",
                "ds = pydicom.dcmread(sys.argv[1], force=True)",
                "if 'TransferSyntaxUID' not in getattr(ds, 'file_meta', {}):",
                "    ds.file_meta = pydicom.dataset.FileMetaDataset()",
                "    ds.file_meta.TransferSyntaxUID = pydicom.uid.ImplicitVRLittleEndian",
                "a = ds.pixel_array",
                "pi = ds.PhotometricInterpretation",
                "if pi == 'PALETTE COLOR':",
                "    a = apply_color_lut(a, ds)",
                "    a = (a >> 8) if a.max() > 255 else a",
                "elif pi.startswith('YBR_FULL'):",
                "    a = convert_color_space(a, pi, 'RGB')",
                "elif ds.BitsStored > 8:",
                "    a = a >> (ds.BitsStored - 8)",
                "a = a.reshape(-1, 3) if a.ndim >= 3 and a.shape[-1] == 3 else a",
                "if a.ndim == 3: a = a[0]",
                "sys.stdout.write(a.astype(np.uint8).tobytes().hex())");
        ProcessResult r = Tools.run(List.of(python.toString(), "-c", script, file.toString()), Duration.ofMinutes(1));
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        byte[] expected = java.util.HexFormat.of().parseHex(r.stdout().strip());
        BufferedImage image = Renderer.render(DicomReader.read(file), Renderer.Options.DEFAULT);
        int n = image.getWidth() * image.getHeight();
        assertThat(expected.length).isGreaterThanOrEqualTo(3 * n);
        int worst = 0;
        for (int i = 0; i < n; i++) {
            int rgb = image.getRGB(i % image.getWidth(), i / image.getWidth());
            int[] ours = {rgb >> 16 & 0xFF, rgb >> 8 & 0xFF, rgb & 0xFF};
            for (int k = 0; k < 3; k++) {
                worst = Math.max(worst, Math.abs(ours[k] - (expected[3 * i + k] & 0xFF)));
            }
        }
        // pydicom rounds the YBR conversion differently (truncation); 2 levels of 255 is the allowance.
        assertThat(worst).as("largest difference from pydicom in %s", file.getFileName()).isLessThanOrEqualTo(2);
    }
}
