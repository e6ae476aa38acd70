// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicom.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.lightbox.testkit.SharedData;

/** Broken files give an error that says where and why, or are read leniently with the oddity recorded. */
class MalformedFilesTest {

    /** Files whose structure is sound; what is wrong with them is for a later stage to find. */
    static final Map<String, String> STRUCTURALLY_SOUND = Map.of(
            "MR_small_jpeg_ls.corrupt-codestream.dcm", "the JPEG-LS codestream is corrupt: the codec reports it",
            "JPEG2000-embedded-sequence-delimiter.dcm",
            "a fragment's bytes contain (FFFE,E0DD); fragments are read by length, so it is only data");

    @TestFactory
    Stream<DynamicTest> everyMalformedFileIsRejectedOrRecorded() throws IOException {
        assumeTrue(SharedData.dataDir().isPresent(), "../shared/data is absent");
        Path dir = SharedData.dataDir().orElseThrow().resolve("malformed");
        try (Stream<Path> files = Files.list(dir)) {
            return files.sorted().toList().stream().map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> {
                if (STRUCTURALLY_SOUND.containsKey(f.getFileName().toString())) {
                    assertThat(DicomReader.read(f).dataset().isEmpty()).isFalse();
                } else {
                    checkRejectedOrProblemRecorded(f);
                }
            }));
        }
    }

    static void checkRejectedOrProblemRecorded(Path file) {
        try {
            DicomFile f = DicomReader.read(file);
            assertThat(f.problems()).as("problems recorded for %s", file).isNotEmpty();
            for (ReadProblem p : f.problems()) {
                assertThat(p.offset()).isNotNegative();
                assertThat(p.message()).isNotBlank();
            }
        } catch (DicomParseException e) {
            assertThat(e.offset()).isNotNegative();
            assertThat(e.getMessage()).contains("at byte " + e.offset());
            assertThat(e.reason()).isNotNull();
        } catch (IOException | RuntimeException e) {
            throw new AssertionError(file + ": only DicomParseException may report bad input, not " + e, e);
        }
    }

    @Test
    void truncatedValueNamesOffsetPathAndReason() {
        assumeTrue(SharedData.dataDir().isPresent(), "../shared/data is absent");
        Path file = SharedData.dataDir().orElseThrow().resolve("malformed/rtplan_truncated.dcm");
        assertThatThrownBy(() -> DicomReader.read(file))
                .isInstanceOfSatisfying(DicomParseException.class, e -> {
                    assertThat(e.reason()).isEqualTo(DicomParseException.Reason.LENGTH_EXCEEDS_REMAINING);
                    assertThat(e.tagPath()).startsWith("(300A,00B0)");
                    assertThat(e.offset()).isEqualTo(1418);
                    assertThat(e.getMessage()).contains("976 bytes");
                });
    }

    @Test
    void emptyFileIsNotDicom() {
        assumeTrue(SharedData.dataDir().isPresent(), "../shared/data is absent");
        assertThatThrownBy(() -> DicomReader.read(SharedData.dataDir().orElseThrow().resolve("malformed/zero-length.dcm")))
                .isInstanceOfSatisfying(DicomParseException.class,
                        e -> assertThat(e.reason()).isEqualTo(DicomParseException.Reason.NOT_DICOM));
    }
}
