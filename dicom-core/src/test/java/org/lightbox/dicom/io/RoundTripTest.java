// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicom.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.lightbox.dicom.TransferSyntax;
import org.lightbox.testkit.SharedData;

/** Files of the shared data read, written and read again, in their own and in every uncompressed transfer syntax. */
class RoundTripTest {
    static final List<TransferSyntax> UNCOMPRESSED = List.of(TransferSyntax.IMPLICIT_VR_LITTLE_ENDIAN,
            TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN, TransferSyntax.EXPLICIT_VR_BIG_ENDIAN,
            TransferSyntax.DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN);

    /** The shared test files (where ../shared/data is present) and the project's own fixtures. */
    static List<Path> sharedFiles() throws IOException {
        List<Path> files = new java.util.ArrayList<>(Fixtures.files());
        if (SharedData.dataDir().isEmpty()) {
            return files;
        }
        Path data = SharedData.dataDir().orElseThrow();
        try (Stream<Path> s = Files.walk(data)) {
            s.filter(Files::isRegularFile)
                    .filter(p -> !p.toString().matches(".*\\.(tsv|md|txt)$") && !p.endsWith("README"))
                    .filter(p -> !p.startsWith(data.resolve("malformed"))).sorted().forEach(files::add);
        }
        return files;
    }

    @TestFactory
    Stream<DynamicTest> conformantFilesAreRewrittenByteForByte() throws IOException {
        return sharedFiles().stream().map(file -> DynamicTest.dynamicTest(file.getFileName().toString(), () -> {
            DicomFile f;
            try {
                f = DicomReader.read(file);
            } catch (DicomParseException e) {
                return; // Not readable: MalformedFilesTest and ManifestTest cover it.
            }
            if (!f.problems().isEmpty()) {
                return; // Non-conformant files are rewritten conformant, so not identical.
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            DicomWriter.write(f, out);
            byte[] original = Files.readAllBytes(file);
            if (f.transferSyntax().deflated()) {
                // Deflate encoders differ; what must be identical is the data set they carry.
                assertThat(inflatedBody(out.toByteArray())).isEqualTo(inflatedBody(original));
            } else {
                assertThat(out.toByteArray()).as("rewrite of %s", file).isEqualTo(original);
            }
        }));
    }

    @TestFactory
    Stream<DynamicTest> everyFileSurvivesEveryUncompressedTransferSyntax() throws IOException {
        return sharedFiles().stream().map(file -> DynamicTest.dynamicTest(file.getFileName().toString(), () -> {
            DicomFile f;
            try {
                f = DicomReader.read(file);
            } catch (DicomParseException e) {
                return;
            }
            if (!f.transferSyntax().isNative() && f.dataset().contains(org.lightbox.dicom.Tag.PixelData)) {
                return; // Encapsulated pixel data changes syntax only through a codec (issue 3).
            }
            for (TransferSyntax ts : UNCOMPRESSED) {
                for (DicomWriter.Lengths lengths : DicomWriter.Lengths.values()) {
                    ByteArrayOutputStream out = new ByteArrayOutputStream();
                    DicomWriter.write(DicomWriter.convert(f, ts), out, lengths);
                    DicomFile back = DicomReader.read(new ByteArrayInputStream(out.toByteArray()), ReadOptions.DEFAULT);
                    assertThat(back.transferSyntax().uid()).isEqualTo(ts.uid());
                    assertThat(Equivalence.difference(f.dataset(), back.dataset()))
                            .as("%s as %s with %s lengths", file, ts.keyword(), lengths).isEmpty();
                }
            }
        }));
    }

    /** The inflated data set of a deflated Part 10 file. */
    static byte[] inflatedBody(byte[] file) throws IOException {
        int metaLength = (file[132 + 8] & 0xFF) | (file[132 + 9] & 0xFF) << 8 | (file[132 + 10] & 0xFF) << 16;
        int start = 132 + 12 + metaLength;
        try (InputStream in = new InflaterInputStream(
                new ByteArrayInputStream(Arrays.copyOfRange(file, start, file.length)), new Inflater(true))) {
            return in.readAllBytes();
        }
    }
}
