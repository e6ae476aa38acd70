// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicomweb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.lightbox.dicom.Uid;
import org.lightbox.dicomweb.WadoMediaTypes.MediaRange;

class WadoMediaTypesTest {

    @Test
    void rangesAreParsedWithTheirParametersAndSortedByQuality() throws Exception {
        List<MediaRange> r = WadoMediaTypes.accepted("multipart/related; type=\"application/dicom\";"
                + " transfer-syntax=1.2.840.10008.1.2.4.50;q=0.4, Multipart/Related;TYPE=application/dicom;"
                + "transfer-syntax=*, image/*;q=0.4, */*;q=0.1, text/html;q=0", null);
        assertThat(r).hasSize(4);
        assertThat(r.get(0).mediaType()).isEqualTo("multipart/related");
        assertThat(r.get(0).partType()).contains("application/dicom");
        assertThat(r.get(0).parameter("transfer-syntax")).contains("*");
        assertThat(r.get(1).parameter("transfer-syntax")).contains(Uid.JPEGBaseline8Bit);
        assertThat(r.get(1).q()).isEqualTo(0.4);
        assertThat(r.get(2).includes("image/png")).isTrue();
        assertThat(r.get(2).includes("application/dicom")).isFalse();
        assertThat(r.get(3).includes("application/dicom")).isTrue();
    }

    @Test
    void theAcceptParameterWinsAndNothingMeansAnything() throws Exception {
        assertThat(WadoMediaTypes.accepted("text/html", "image/png")).extracting(MediaRange::mediaType)
                .containsExactly("image/png");
        assertThat(WadoMediaTypes.accepted(null, null)).containsExactly(MediaRange.ANY);
        assertThat(WadoMediaTypes.accepted("  ", "")).containsExactly(MediaRange.ANY);
        // Quoted commas and semicolons do not split.
        MediaRange q = WadoMediaTypes.parse("multipart/related; type=\"a/b;c,d\"");
        assertThat(q.parameter("type")).contains("a/b;c,d");
    }

    @Test
    void olderNamesAreTheCurrentOnes() throws Exception {
        assertThat(WadoMediaTypes.parse("multipart/related; type=\"image/x-dicom-rle\"").partType())
                .contains("image/dicom-rle");
        assertThat(WadoMediaTypes.pixelSyntaxes("image/x-jls")).containsExactly(Uid.JPEGLSLossless,
                Uid.JPEGLSNearLossless);
        assertThat(WadoMediaTypes.pixelMediaType(Uid.HTJ2KLossless)).isEqualTo("image/jphc");
        assertThat(WadoMediaTypes.pixelMediaType(Uid.ExplicitVRLittleEndian)).isEqualTo("application/octet-stream");
    }

    @Test
    void malformedRangesAre400() {
        for (String bad : List.of("dicom", "/json", "a/b/c", "*/json", "image/png; q=1.5", "image/png;q=abc",
                "image/png; novalue", "ima ge/png")) {
            assertThatThrownBy(() -> WadoMediaTypes.accepted(bad, null)).as(bad)
                    .isInstanceOfSatisfying(DicomwebException.class, e -> assertThat(e.status()).isEqualTo(400));
        }
    }

    @Test
    void uidsAreDigitsAndDotsUpTo64() {
        assertThatThrownBy(() -> Uids.require("StudyInstanceUID", "1.2.a")).hasMessageContaining("character 'a'");
        assertThatThrownBy(() -> Uids.require("studyUID", null)).hasMessage("studyUID is missing");
        assertThatThrownBy(() -> Uids.require("x", "1".repeat(65))).hasMessageContaining("65 characters");
        assertThatThrownBy(() -> Uids.require("x", "1\n2")).hasMessageContaining("\\u000a");
    }
}
