// SPDX-License-Identifier: Apache-2.0
package org.lightbox.imaging.jpeg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.lightbox.dicom.Uid;
import org.lightbox.imaging.internal.jpeg.JpegCodec;
import org.lightbox.testkit.SharedData;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every JPEG file of the shared corpus with a pixel MD5 decodes to exactly the manifest's pixels (pydicom with
 * GDCM, no colour conversion). The 8-bit ones match exactly, the lossy ones too, since the JDK's reader and GDCM
 * both run libjpeg; 12-bit DCT frames, which our own decoder reads, are compared with DCMTK within one level.
 */
class JpegCodecCorpusTest {
    private static final JpegCodec CODEC = new JpegCodec();

    static Stream<Map<String, String>> files() {
        return CodecTestSupport.rows(Set.of(Uid.JPEGBaseline8Bit, Uid.JPEGExtended12Bit, Uid.JPEGLossless,
                Uid.JPEGLosslessSV1)).stream();
    }

    // Without the shared data there are no rows: skip rather than fail.
    @ParameterizedTest(name = "{0}", allowZeroInvocations = true)
    @MethodSource("files")
    void decodesToTheManifestPixels(Map<String, String> row) throws Exception {
        assumeTrue(SharedData.dataDir().isPresent(), "no shared test data (../shared/data)");
        Path file = SharedData.dataDir().orElseThrow().resolve(row.get("file"));
        byte[] pixels = CodecTestSupport.decodeAll(CODEC, file);
        if (row.get("transfer_syntax_uid").equals(Uid.JPEGExtended12Bit) && Integer.parseInt(row.get("bits_stored")) > 8) {
            // 12-bit DCT frames go through our floating-point inverse DCT (the standard's formula), which may differ
            // by one level from the integer transform of GDCM and DCMTK: compared with dcmdjpeg within 1.
            assumeTrue(org.lightbox.testkit.Tools.available("dcmdjpeg"), "DCMTK's dcmdjpeg is not installed");
            java.nio.file.Path out = java.nio.file.Files.createTempFile("lightbox-dcmdjpeg", ".dcm");
            try {
                byte[] theirs = CodecTestSupport.decodeWith(java.util.List.of("dcmdjpeg", "IN", "OUT"), file, out);
                var frames = org.lightbox.imaging.Frames.of(org.lightbox.dicom.io.DicomReader.read(file).dataset());
                var image = frames.image();
                // decodeWith gives DCMTK's first frame: compare ours with it.
                byte[] first = java.util.Arrays.copyOf(pixels, theirs.length);
                var one = new org.lightbox.imaging.ImageDescription(image.rows(), image.columns(),
                        image.samplesPerPixel(), image.bitsAllocated(), image.bitsStored(), image.highBit(),
                        image.signed(), 0, image.photometricInterpretation(), 1, 0);
                assertThat(CodecTestSupport.error(theirs, first, one).max()).as(row.get("file")).isLessThanOrEqualTo(1);
            } finally {
                java.nio.file.Files.deleteIfExists(out);
            }
            return;
        }
        assertThat(CodecTestSupport.md5(pixels)).as(row.get("file")).isEqualTo(row.get("pixel_md5"));
    }
}
