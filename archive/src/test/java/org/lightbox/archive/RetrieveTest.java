// SPDX-License-Identifier: Apache-2.0
package org.lightbox.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lightbox.archive.query.InformationModel;
import org.lightbox.archive.query.QueryException;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.Vr;

/** Selection of a retrieve identifier over the query model, and the stored data set's bytes. */
class RetrieveTest {
    @TempDir
    Path dir;

    private Archive archive;

    @BeforeEach
    void open() throws IOException {
        archive = Archive.open(ArchiveConfig.of(dir));
        store(Instances.instance("1.1", "1.1.1", "1.1.1.1"));
        store(Instances.instance("1.1", "1.1.1", "1.1.1.2"));
        store(Instances.instance("1.1", "1.1.2", "1.1.2.1"));
        store(Instances.instance("1.2", "1.2.1", "1.2.1.1").setStrings(Tag.PatientID, Vr.LO, "P2"));
    }

    @AfterEach
    void close() {
        archive.close();
    }

    private void store(Dataset.Builder ds) throws IOException {
        Dataset d = ds.build();
        IngestResult r = archive.store(Instances.CT, d.string(Tag.SOPInstanceUID).orElseThrow(), Instances.EVRLE,
                new ByteArrayInputStream(Instances.bare(d)));
        assertThat(r.status()).isEqualTo(IngestResult.Status.STORED);
    }

    private List<String> select(InformationModel model, String... keys) throws Exception {
        Dataset.Builder b = Dataset.builder();
        for (int i = 0; i < keys.length; i += 2) {
            int tag = switch (keys[i]) {
                case "level" -> Tag.QueryRetrieveLevel;
                case "patient" -> Tag.PatientID;
                case "study" -> Tag.StudyInstanceUID;
                case "series" -> Tag.SeriesInstanceUID;
                case "sop" -> Tag.SOPInstanceUID;
                case "name" -> Tag.PatientName;
                default -> throw new IllegalArgumentException(keys[i]);
            };
            Vr vr = tag == Tag.QueryRetrieveLevel ? Vr.CS : tag == Tag.PatientID ? Vr.LO
                    : tag == Tag.PatientName ? Vr.PN : Vr.UI;
            b.setStrings(tag, vr, keys[i + 1].split("\\\\"));
        }
        return Retrieve.select(archive, model, b.build(), false).stream().map(StoredInstance::sopInstanceUid)
                .toList();
    }

    @Test
    void selectsEveryInstanceBelowTheEntity() throws Exception {
        assertThat(select(InformationModel.PATIENT_ROOT, "level", "PATIENT", "patient", "P1"))
                .containsExactly("1.1.1.1", "1.1.1.2", "1.1.2.1");
        assertThat(select(InformationModel.STUDY_ROOT, "level", "STUDY", "study", "1.1"))
                .containsExactly("1.1.1.1", "1.1.1.2", "1.1.2.1");
        assertThat(select(InformationModel.STUDY_ROOT, "level", "STUDY", "study", "1.1\\1.2"))
                .containsExactly("1.1.1.1", "1.1.1.2", "1.1.2.1", "1.2.1.1");
        assertThat(select(InformationModel.STUDY_ROOT, "level", "SERIES", "study", "1.1", "series", "1.1.1"))
                .containsExactly("1.1.1.1", "1.1.1.2");
        assertThat(select(InformationModel.PATIENT_ROOT, "level", "IMAGE", "patient", "P1", "study", "1.1",
                "series", "1.1.1", "sop", "1.1.1.2\\1.1.1.1")).containsExactly("1.1.1.1", "1.1.1.2");
        assertThat(select(InformationModel.STUDY_ROOT, "level", "STUDY", "study", "9.9")).isEmpty();
    }

    @Test
    void keysOtherThanUniqueKeysAreIgnored() throws Exception {
        assertThat(select(InformationModel.STUDY_ROOT, "level", "STUDY", "study", "1.1", "name", "Nobody"))
                .hasSize(3);
    }

    @Test
    void identifiersThatBreakTheModelAreRefusedNamingTheAttribute() {
        assertRefused(Tag.StudyInstanceUID, InformationModel.STUDY_ROOT, "level", "STUDY");
        assertRefused(Tag.StudyInstanceUID, InformationModel.STUDY_ROOT, "level", "STUDY", "study", "1.*");
        assertRefused(Tag.StudyInstanceUID, InformationModel.STUDY_ROOT, "level", "SERIES", "series", "1.1.1");
        assertRefused(Tag.PatientID, InformationModel.PATIENT_ROOT, "level", "PATIENT", "patient", "P1\\P2");
        assertRefused(Tag.QueryRetrieveLevel, InformationModel.STUDY_ROOT, "level", "PATIENT", "patient", "P1");
        assertRefused(Tag.QueryRetrieveLevel, InformationModel.STUDY_ROOT, "study", "1.1");
    }

    private void assertRefused(int tag, InformationModel model, String... keys) {
        assertThatThrownBy(() -> select(model, keys)).isInstanceOfSatisfying(RetrieveException.class, e -> {
            assertThat(e.reason()).isEqualTo(QueryException.Reason.IDENTIFIER_DOES_NOT_MATCH_SOP_CLASS);
            assertThat(e.tag()).hasValue(tag);
        });
    }

    @Test
    void openDatasetStreamsTheBlobPastItsMeta() throws Exception {
        Dataset d = Instances.instance("1.3", "1.3.1", "1.3.1.1").build();
        archive.storePart10(new ByteArrayInputStream(Instances.part10(d)));
        StoredInstance stored = archive.find("1.3.1.1").orElseThrow();
        try (InputStream in = Retrieve.openDataset(archive, stored)) {
            assertThat(in.readAllBytes()).isEqualTo(Instances.bare(d));
        }
    }

    @Test
    void datasetOffsetWithoutPreambleOrMeta() throws IOException {
        byte[] bare = Instances.bare(Instances.instance("1", "1", "1").build());
        assertThat(Retrieve.datasetOffset(new ByteArrayInputStream(bare))).isZero();
        byte[] part10 = Instances.part10(Instances.instance("1", "1", "1").build());
        byte[] noPreamble = java.util.Arrays.copyOfRange(part10, 128, part10.length);
        assertThat(Retrieve.datasetOffset(new ByteArrayInputStream(noPreamble)))
                .isEqualTo(noPreamble.length - bare.length);
        byte[] truncated = java.util.Arrays.copyOf(part10, 150);
        assertThatThrownBy(() -> Retrieve.datasetOffset(new ByteArrayInputStream(truncated)))
                .isInstanceOf(java.io.EOFException.class);
    }
}
