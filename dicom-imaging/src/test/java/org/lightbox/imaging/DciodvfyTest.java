// SPDX-License-Identifier: Apache-2.0
package org.lightbox.imaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.lightbox.dicom.TransferSyntax;
import org.lightbox.dicom.Uid;
import org.lightbox.dicom.io.DicomReader;
import org.lightbox.testkit.SharedData;
import org.lightbox.testkit.Tools;

/** What Lightbox writes passes dicom3tools' dciodvfy with no error the original did not already have. */
class DciodvfyTest {
    @TempDir
    static Path dir;

    @TestFactory
    Stream<DynamicTest> transcodedFilesAddNoIodErrors() {
        assumeTrue(Tools.available("dciodvfy"), "dicom3tools' dciodvfy is not installed");
        assumeTrue(SharedData.dataDir().isPresent(), "../shared/data is absent");
        Path data = SharedData.dataDir().orElseThrow();
        List<String> files = List.of("ts/CT_small.dcm", "ts/MR_small.dcm", "color/SC_rgb.dcm", "multiframe/emri_small.dcm");
        List<String> targets = List.of(Uid.ExplicitVRBigEndian, Uid.RLELossless, Uid.JPEGBaseline8Bit,
                Uid.JPEGLosslessSV1, Uid.JPEGLSLossless, Uid.JPEG2000Lossless, Uid.JPEG2000);
        return files.stream().flatMap(f -> targets.stream().map(ts -> DynamicTest.dynamicTest(f + " as "
                + TransferSyntax.of(ts).keyword(), () -> check(data.resolve(f), ts))));
    }

    private static void check(Path file, String ts) throws Exception {
        Path out = dir.resolve(file.getFileName() + "." + ts + ".dcm");
        try (OutputStream o = Files.newOutputStream(out)) {
            Transcoder.transcode(DicomReader.read(file), TransferSyntax.of(ts), PixelCodec.EncodeOptions.DEFAULT, o);
        } catch (CodecException refused) {
            assumeTrue(false, "the encoder refuses this image: " + refused.getMessage());
        }
        Set<String> before = errors(file);
        Set<String> after = errors(out);
        after.removeAll(before);
        assertThat(after).as("dciodvfy errors that %s as %s adds", file.getFileName(), ts).isEmpty();
    }

    private static Set<String> errors(Path file) {
        var r = Tools.run(List.of("dciodvfy", file.toString()), Duration.ofMinutes(1));
        Set<String> errors = new TreeSet<>();
        (r.stdout() + "\n" + r.stderr()).lines().filter(l -> l.startsWith("Error")).forEach(errors::add);
        return errors;
    }
}
