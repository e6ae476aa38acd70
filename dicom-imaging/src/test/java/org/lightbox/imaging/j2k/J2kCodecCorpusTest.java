// SPDX-License-Identifier: Apache-2.0
package org.lightbox.imaging.j2k;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.lightbox.dicom.Uid;
import org.lightbox.dicom.io.DicomReader;
import org.lightbox.imaging.CodecException;
import org.lightbox.imaging.Frames;
import org.lightbox.imaging.ImageDescription;
import org.lightbox.imaging.internal.j2k.J2kCodec;
import org.lightbox.imaging.jpeg.CodecTestSupport;
import org.lightbox.testkit.SharedData;
import org.lightbox.testkit.Tools;

/**
 * Every JPEG 2000 file of the shared corpus with a pixel MD5: lossless ones decode to exactly the manifest's
 * pixels; lossy ones, where JJ2000's 9/7 arithmetic rounds differently from OpenJPEG's, within 2 of GDCM's
 * decoding ({@code gdcmconv --raw}) and at least 45 dB PSNR.
 */
class J2kCodecCorpusTest {
    private static final J2kCodec CODEC = new J2kCodec();
    /** JP2-wrapped, non-conformant codestream that OpenJPEG (Pillow) rejects; GDCM and JJ2000 differ on it. */
    private static final String NONCONFORMANT = "ts/GDCMJ2K_TextGBR.dcm";
    /** Its SIZ marker's Xsiz holds the sequence delimiter bytes: the image width is nonsense. */
    private static final String BROKEN_SIZ = "malformed/JPEG2000-embedded-sequence-delimiter.dcm";
    private static final int MAX_LOSSY_ERROR = 2;
    private static final double MIN_LOSSY_PSNR = 45;

    static Stream<Map<String, String>> files() {
        return CodecTestSupport.rows(Set.of(Uid.JPEG2000Lossless, Uid.JPEG2000)).stream()
                .filter(r -> !r.get("file").equals(NONCONFORMANT) && !r.get("file").equals(BROKEN_SIZ));
    }

    // Without the shared data there are no rows: skip rather than fail.
    @ParameterizedTest(name = "{0}", allowZeroInvocations = true)
    @MethodSource("files")
    void decodesToTheManifestPixels(Map<String, String> row, @TempDir Path tmp) throws Exception {
        assumeTrue(SharedData.dataDir().isPresent(), "no shared test data (../shared/data)");
        Path file = SharedData.dataDir().orElseThrow().resolve(row.get("file"));
        byte[] pixels = CodecTestSupport.decodeAll(CODEC, file);
        String md5 = CodecTestSupport.md5(pixels);
        if (row.get("transfer_syntax_uid").equals(Uid.JPEG2000Lossless) || md5.equals(row.get("pixel_md5"))) {
            assertThat(md5).as(row.get("file")).isEqualTo(row.get("pixel_md5"));
            return;
        }
        assumeTrue(Tools.available("gdcmconv"), "GDCM's gdcmconv is not installed (apt-get install libgdcm-tools)");
        Path ref = tmp.resolve("raw.dcm");
        byte[] theirs = CodecTestSupport.decodeWith(List.of("gdcmconv", "--raw", "-i", "IN", "-o", "OUT"), file, ref);
        ImageDescription image = Frames.of(DicomReader.read(file).dataset()).image();
        CodecTestSupport.Error e = CodecTestSupport.error(pixels, theirs, image);
        assertThat(e.max()).as(row.get("file") + " max error").isLessThanOrEqualTo(MAX_LOSSY_ERROR);
        assertThat(e.psnr()).as(row.get("file") + " PSNR").isGreaterThanOrEqualTo(MIN_LOSSY_PSNR);
    }

    @Test
    void theNonConformantJp2FileStillDecodes() throws Exception {
        assumeTrue(SharedData.dataDir().isPresent(), "no shared test data (../shared/data)");
        Path file = SharedData.dataDir().orElseThrow().resolve(NONCONFORMANT);
        assumeTrue(Files.exists(file));
        Frames frames = Frames.of(DicomReader.read(file).dataset());
        var decoded = CODEC.decode(frames.frame(0), frames.image(), 0);
        assertThat(decoded.pixels()).hasSize(frames.image().frameBytes());
        assertThat(decoded.image().photometricInterpretation()).isEqualTo("RGB");
    }

    @Test
    void aWidthFromTheSequenceDelimiterIsAClearError() throws Exception {
        assumeTrue(SharedData.dataDir().isPresent(), "no shared test data (../shared/data)");
        Path file = SharedData.dataDir().orElseThrow().resolve(BROKEN_SIZ);
        assumeTrue(Files.exists(file));
        Frames frames = Frames.of(DicomReader.read(file).dataset());
        assertThatThrownBy(() -> CODEC.decode(frames.frame(0), frames.image(), 0))
                .isInstanceOf(CodecException.class).hasMessageContaining("frame 1");
    }
}
