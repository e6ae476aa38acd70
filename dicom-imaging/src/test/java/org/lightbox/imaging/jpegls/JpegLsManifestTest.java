// SPDX-License-Identifier: Apache-2.0
package org.lightbox.imaging.jpegls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.lightbox.dicom.io.DicomFile;
import org.lightbox.dicom.io.DicomReader;
import org.lightbox.imaging.Frames;
import org.lightbox.imaging.internal.jpegls.JpegLsCodec;
import org.lightbox.testkit.SharedData;

/**
 * Every JPEG-LS file of the shared data with a {@code pixel_md5} decodes to pydicom's (GDCM's) pixels: little
 * endian, C order, all frames. The deliberately damaged file in {@code malformed/} must fail cleanly instead.
 */
class JpegLsManifestTest {
    private final JpegLsCodec codec = new JpegLsCodec();

    @TestFactory
    Stream<DynamicTest> decodedPixelsMatchTheManifest() {
        assumeTrue(SharedData.dataDir().isPresent(), "no shared test data (../shared/data)");
        Path data = SharedData.dataDir().orElseThrow();
        return SharedData.manifest().stream()
                .filter(r -> r.get("transfer_syntax_uid").matches("1\\.2\\.840\\.10008\\.1\\.2\\.4\\.8[01]"))
                .filter(r -> !r.get("pixel_md5").isEmpty() && !r.get("file").startsWith("malformed/"))
                .map(r -> DynamicTest.dynamicTest(r.get("file"), () -> check(data.resolve(r.get("file")), r)));
    }

    private void check(Path file, Map<String, String> row) throws Exception {
        DicomFile f = DicomReader.read(file);
        Frames frames = Frames.of(f.dataset());
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (int i = 0; i < frames.count(); i++) {
            all.writeBytes(codec.decode(frames.frame(i), frames.image(), i).pixels());
        }
        String md5 = HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(all.toByteArray()));
        assertThat(md5).as("%s (%s, %s)", file.getFileName(), row.get("pixel_shape"), row.get("pixel_dtype"))
                .isEqualTo(row.get("pixel_md5"));
    }
}
