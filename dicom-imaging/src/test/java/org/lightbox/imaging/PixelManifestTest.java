// SPDX-License-Identifier: Apache-2.0
package org.lightbox.imaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.lightbox.dicom.TransferSyntax;
import org.lightbox.dicom.Vr;
import org.lightbox.dicom.io.DicomFile;
import org.lightbox.dicom.io.DicomReader;
import org.lightbox.testkit.ProcessResult;
import org.lightbox.testkit.SharedData;
import org.lightbox.testkit.Tools;

/**
 * Decoded pixels of every shared file with a {@code pixel_md5} that this build can decode (native pixel data and the
 * codecs registered in {@link PixelData}) hash to the manifest's value: pydicom's pixel array, little endian, C
 * order, all frames.
 */
class PixelManifestTest {

    @TestFactory
    Stream<DynamicTest> decodedPixelsMatchTheManifest() {
        assumeTrue(SharedData.dataDir().isPresent(), "../shared/data is absent");
        Path data = SharedData.dataDir().orElseThrow();
        return SharedData.manifest().stream()
                .filter(r -> !r.get("pixel_md5").isEmpty() && !r.get("file").startsWith("malformed/"))
                .filter(r -> decodable(r.get("transfer_syntax_uid")))
                .map(r -> DynamicTest.dynamicTest(r.get("file"), () -> check(data.resolve(r.get("file")), r)));
    }

    /** Lossless syntaxes only: each codec's own corpus test compares lossy ones within its stated error. */
    private static boolean decodable(String ts) {
        return ts.isEmpty() || TransferSyntax.of(ts).isNative()
                || PixelData.decoder(ts).isPresent() && TransferSyntax.of(ts).compression().equals("lossless");
    }

    /** Files whose manifest value Lightbox does not reproduce, each with the reason; their codec tests cover them. */
    private static final Map<String, String> KNOWN = Map.of("GDCMJ2K_TextGBR.dcm",
            "a non-conformant JP2 that OpenJPEG refuses; JJ2000 and GDCM decode one region differently");

    static void check(Path file, Map<String, String> row) throws Exception {
        assumeTrue(!KNOWN.containsKey(file.getFileName().toString()), KNOWN.get(file.getFileName().toString()));
        DicomFile f = DicomReader.read(file);
        Frames frames = Frames.of(f.dataset());
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (int i = 0; i < frames.count(); i++) {
            all.writeBytes(PixelData.decode(frames, f.transferSyntax(), i).pixels());
        }
        String md5 = HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(all.toByteArray()));
        if (f.transferSyntax().bigEndian() && frames.image().bitsAllocated() == 8 && frames.vr() == Vr.OW) {
            // pydicom is wrong here: it takes 8-bit OW data of a big endian file as stored, but OW is a stream of
            // 16-bit words, swapped in big endian (PS3.5 7.3). DCMTK's conversion to little endian is the oracle.
            assumeTrue(Tools.available("dcmconv"), "DCMTK's dcmconv is needed for " + file.getFileName());
            Path le = Files.createTempFile("lightbox-le", ".dcm");
            try {
                ProcessResult r = Tools.run(List.of("dcmconv", "+te", file.toString(), le.toString()),
                        Duration.ofMinutes(1));
                assertThat(r.exitCode()).as(r.stderr()).isZero();
                DicomFile converted = DicomReader.read(le);
                Frames leFrames = Frames.of(converted.dataset());
                ByteArrayOutputStream expected = new ByteArrayOutputStream();
                for (int i = 0; i < leFrames.count(); i++) {
                    expected.writeBytes(PixelData.decode(leFrames, converted.transferSyntax(), i).pixels());
                }
                assertThat(all.toByteArray()).as("%s against DCMTK", file.getFileName()).isEqualTo(expected.toByteArray());
            } finally {
                Files.deleteIfExists(le);
            }
            return;
        }
        assertThat(md5).as("%s (%s, %s)", file.getFileName(), row.get("pixel_shape"), row.get("pixel_dtype"))
                .isEqualTo(row.get("pixel_md5"));
    }
}
