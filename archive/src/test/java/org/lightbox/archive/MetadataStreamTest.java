// SPDX-License-Identifier: Apache-2.0
package org.lightbox.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.lightbox.archive.Instances.instance;
import static org.lightbox.archive.Instances.part10;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Element;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.Vr;

/** {@link Archive#metadata(String, String, String, InstanceMetadata.Sink)} and its version, for DICOMweb. */
class MetadataStreamTest {
    @TempDir
    Path dir;

    private static void store(Archive a, Dataset ds) throws IOException {
        assertThat(a.storePart10(new ByteArrayInputStream(part10(ds))).isSuccess()).isTrue();
    }

    private static List<InstanceMetadata> all(Archive a, String study, String series, String sop)
            throws IOException {
        List<InstanceMetadata> out = new ArrayList<>();
        long n = a.metadata(study, series, sop, out::add);
        assertThat(n).isEqualTo(out.size());
        return out;
    }

    @Test
    void streamsTheStoredMetadataOfAStudyASeriesOrAnInstance() throws IOException {
        try (Archive a = Archive.open(ArchiveConfig.of(dir))) {
            store(a, instance("1.2.1", "1.2.1.1", "1.2.1.1.1").build());
            store(a, instance("1.2.1", "1.2.1.1", "1.2.1.1.2").build());
            store(a, instance("1.2.1", "1.2.1.2", "1.2.1.2.1")
                    .add(Element.of(Tag.RedPaletteColorLookupTableData, Vr.OW, new byte[2048])).build());
            store(a, instance("1.2.2", "1.2.2.1", "1.2.2.1.1").build());

            assertThat(all(a, "1.2.1", null, null)).extracting(InstanceMetadata::sopInstanceUid)
                    .containsExactlyInAnyOrder("1.2.1.1.1", "1.2.1.1.2", "1.2.1.2.1");
            assertThat(all(a, "1.2.1", "1.2.1.1", null)).extracting(InstanceMetadata::sopInstanceUid)
                    .containsExactlyInAnyOrder("1.2.1.1.1", "1.2.1.1.2");
            List<InstanceMetadata> one = all(a, "1.2.1", "1.2.1.2", "1.2.1.2.1");
            assertThat(one).hasSize(1);
            InstanceMetadata m = one.getFirst();
            assertThat(m.studyInstanceUid()).isEqualTo("1.2.1");
            assertThat(m.seriesInstanceUid()).isEqualTo("1.2.1.2");
            assertThat(m.transferSyntaxUid()).isEqualTo(Instances.EVRLE);
            assertThat(m.json()).isEqualTo(a.metadata("1.2.1.2.1").orElseThrow())
                    .contains("\"00281201\":{\"vr\":\"OW\",\"BulkDataURI\":\"bulk:/00281201\"}");
            // A level that is not under the one above is not found.
            assertThat(all(a, "1.2.2", "1.2.1.1", null)).isEmpty();
            assertThat(all(a, "1.2.1", "1.2.1.1", "1.2.1.2.1")).isEmpty();
            assertThat(all(a, "9.9", null, null)).isEmpty();
        }
    }

    @Test
    void theVersionChangesWithWhatTheMetadataIsMadeOf() throws IOException {
        try (Archive a = Archive.open(ArchiveConfig.of(dir).withDuplicatePolicy(DuplicatePolicy.REPLACE))) {
            assertThat(a.metadataVersion("1.2.1", null, null)).isEmpty();
            store(a, instance("1.2.1", "1.2.1.1", "1.2.1.1.1").build());
            Optional<String> v1 = a.metadataVersion("1.2.1", "1.2.1.1", null);
            assertThat(v1).hasValueSatisfying(v -> assertThat(v).matches("[0-9a-f]{32}"));
            assertThat(a.metadataVersion("1.2.1", "1.2.1.1", null)).isEqualTo(v1);
            store(a, instance("1.2.1", "1.2.1.1", "1.2.1.1.2").build());
            Optional<String> v2 = a.metadataVersion("1.2.1", "1.2.1.1", null);
            assertThat(v2).isNotEqualTo(v1);
            // The same instance stored again with other content replaces it: another version.
            store(a, instance("1.2.1", "1.2.1.1", "1.2.1.1.2").setStrings(Tag.InstanceNumber, Vr.IS, "8").build());
            Optional<String> v3 = a.metadataVersion("1.2.1", "1.2.1.1", null);
            assertThat(v3).isNotEqualTo(v2).isNotEqualTo(v1);
            a.delete(new DeleteTarget.Instance("1.2.1", "1.2.1.1", "1.2.1.1.2"));
            assertThat(a.metadataVersion("1.2.1", "1.2.1.1", null)).isEqualTo(v1);
            assertThat(a.metadataVersion("1.2.1", null, "1.2.1.1.1")).isPresent();
        }
    }
}
