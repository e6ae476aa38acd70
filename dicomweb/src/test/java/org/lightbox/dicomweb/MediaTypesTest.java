// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicomweb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.lightbox.dicomweb.MediaTypes.MediaType;

class MediaTypesTest {
    private static final MediaType JSON = MediaType.of("application", "dicom+json", Map.of());
    private static final MediaType XML = MediaType.of("multipart", "related", Map.of("type", "application/dicom+xml"));
    private static final List<MediaType> OFFERED = List.of(JSON, XML);

    @Test
    void parsesRangesWithParametersAndWeights() {
        List<MediaType> a = MediaTypes.parseAccept("multipart/related; type=\"application/dicom\";"
                + " transfer-syntax=1.2.840.10008.1.2.1;q=0.8, application/dicom+json, */*;q=0.1");
        assertThat(a).hasSize(3);
        assertThat(a.get(0).essence()).isEqualTo("multipart/related");
        assertThat(a.get(0).parameter("type")).hasValue("application/dicom");
        assertThat(a.get(0).parameter("transfer-syntax")).hasValue("1.2.840.10008.1.2.1");
        assertThat(a.get(0).q()).isEqualTo(0.8);
        assertThat(a.get(1).q()).isEqualTo(1.0);
        assertThat(a.get(2).specificity()).isZero();
        assertThat(MediaTypes.parseAccept(null)).isEqualTo(MediaTypes.ANY);
        assertThat(MediaTypes.parseAccept("  ")).isEqualTo(MediaTypes.ANY);
        // A comma inside a quoted value does not split.
        assertThat(MediaTypes.parseAccept("a/b; x=\"1,2\", c/d")).hasSize(2);
        assertThat(XML.toString()).isEqualTo("multipart/related; type=\"application/dicom+xml\"");
    }

    @Test
    void malformedIsRefusedWithAMessage() {
        for (String bad : List.of("application", "application/", "/json", "*/json", "a/b; q=2", "a/b; q=x",
                "a/b; novalue")) {
            assertThatThrownBy(() -> MediaTypes.parseAccept(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void negotiationTakesTheHighestWeightThenTheServersOrder() {
        assertThat(MediaTypes.negotiate(MediaTypes.ANY, OFFERED)).hasValue(JSON);
        assertThat(MediaTypes.negotiate(MediaTypes.parseAccept("application/*"), OFFERED)).hasValue(JSON);
        assertThat(MediaTypes.negotiate(MediaTypes.parseAccept("multipart/related; type=application/dicom+xml"),
                OFFERED)).hasValue(XML);
        assertThat(MediaTypes.negotiate(MediaTypes.parseAccept("multipart/related;type=\"APPLICATION/DICOM+XML\""),
                OFFERED)).hasValue(XML);
        assertThat(MediaTypes.negotiate(MediaTypes.parseAccept("multipart/related"), OFFERED)).hasValue(XML);
        assertThat(MediaTypes.negotiate(MediaTypes.parseAccept("multipart/related; type=application/dicom"),
                OFFERED)).isEmpty();
        assertThat(MediaTypes.negotiate(MediaTypes.parseAccept("*/*; q=0.5, multipart/related; q=0.9"), OFFERED))
                .hasValue(XML);
        // The most specific range decides: JSON is refused although */* would take it.
        assertThat(MediaTypes.negotiate(MediaTypes.parseAccept("*/*, application/dicom+json; q=0"), OFFERED))
                .hasValue(XML);
        assertThat(MediaTypes.negotiate(MediaTypes.parseAccept("image/jpeg"), OFFERED)).isEmpty();
    }
}
