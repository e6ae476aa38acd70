// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicomweb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lightbox.archive.Archive;
import org.lightbox.archive.ArchiveConfig;
import org.lightbox.archive.query.InformationModel;
import org.lightbox.archive.query.Query;
import org.lightbox.archive.query.QueryLevel;
import org.lightbox.archive.query.QueryOptions;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.Vr;

/** The translation of search parameters into the archive's query model, without HTTP. */
class QidoRequestTest {
    @TempDir
    Path dir;

    private static Map<String, List<String>> params(String... nameValue) {
        Map<String, List<String>> m = new LinkedHashMap<>();
        for (int i = 0; i < nameValue.length; i += 2) {
            m.computeIfAbsent(nameValue[i], k -> new ArrayList<>()).add(nameValue[i + 1]);
        }
        return m;
    }

    @Test
    void parametersBecomeAStudyRootRelationalQuery() {
        QidoRequest r = QidoRequest.parse(QidoRequest.Resource.SERIES, params("PatientName", "Doe*", "limit", "5",
                "offset", "10", "fuzzymatching", "true", "Modality", "CT,MR"), null, null);
        assertThat(r.query().model()).isEqualTo(InformationModel.STUDY_ROOT);
        assertThat(r.query().level()).isEqualTo(QueryLevel.SERIES);
        assertThat(r.query().options().relational()).isTrue();
        assertThat(r.query().options().fuzzyPersonNames()).isTrue();
        assertThat(r.limit()).isEqualTo(5);
        assertThat(r.offset()).isEqualTo(10);
        assertThat(r.warnings()).isEmpty();
        QidoRequest none = QidoRequest.parse(QidoRequest.Resource.STUDIES, params(), null, null);
        assertThat(none.limit()).isEqualTo(-1);
        assertThat(none.fuzzy()).isFalse();
    }

    /** The same query through QIDO's translation and through a C-FIND identifier finds the same entities. */
    @Test
    void theTranslationMatchesLikeTheCFindIdentifier() throws IOException {
        try (WebFixture web = WebFixture.start(dir)) {
            web.storeStudies();
            Archive a = web.archive;
            QidoRequest r = QidoRequest.parse(QidoRequest.Resource.STUDY_SERIES, params("Modality", "CT,SR",
                    "SeriesDescription", "A*"), WebFixture.A, null);
            Dataset cfind = Dataset.builder().setStrings(Tag.QueryRetrieveLevel, Vr.CS, "SERIES")
                    .setStrings(Tag.StudyInstanceUID, Vr.UI, WebFixture.A)
                    .setStrings(Tag.Modality, Vr.CS, "CT", "SR")
                    .setStrings(Tag.SeriesDescription, Vr.LO, "A*")
                    .setStrings(Tag.SeriesInstanceUID, Vr.UI).build();
            assertThat(uids(a, r.query(), Tag.SeriesInstanceUID)).containsExactly(WebFixture.A1)
                    .isEqualTo(uids(a, parseQuery(cfind), Tag.SeriesInstanceUID));
        }
    }

    private static Query parseQuery(Dataset identifier) {
        try {
            return Query.parse(InformationModel.STUDY_ROOT, identifier, QueryOptions.DEFAULT);
        } catch (org.lightbox.archive.query.QueryException e) {
            throw new AssertionError(e);
        }
    }

    private static List<String> uids(Archive a, Query q, int tag) throws IOException {
        List<String> out = new ArrayList<>();
        a.query(q, ds -> out.add(ds.string(tag).orElseThrow()));
        return out;
    }

    @Test
    void badParametersNameThemselves() {
        assertThatThrownBy(() -> QidoRequest.parse(QidoRequest.Resource.STUDIES, params("Foo", "1"), null, null))
                .isInstanceOf(DicomwebException.class).hasMessageContaining("\"Foo\"")
                .satisfies(e -> assertThat(((DicomwebException) e).status()).isEqualTo(400));
        assertThatThrownBy(() -> QidoRequest.parse(QidoRequest.Resource.STUDIES, params("Rows", "many"), null,
                null)).hasMessageContaining("Rows").hasMessageContaining("numbers");
        assertThatThrownBy(() -> QidoRequest.parse(QidoRequest.Resource.STUDY_SERIES, params(), "1.2.x", null))
                .hasMessageContaining("StudyInstanceUID is no UID");
        assertThat(QidoRequest.attributePath("ReferencedSeriesSequence.0020000E"))
                .containsExactly(Tag.ReferencedSeriesSequence, Tag.SeriesInstanceUID);
    }
}
