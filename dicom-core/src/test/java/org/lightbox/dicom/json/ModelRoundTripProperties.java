// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicom.json;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringReader;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.lightbox.dicom.Dataset;

/** Random data sets survive data set -> JSON -> data set and data set -> XML -> data set unchanged, byte for byte. */
class ModelRoundTripProperties {

    @Property(tries = 300)
    void jsonRoundTripIsExact(@ForAll long seed) throws IOException {
        Dataset ds = RandomModels.dataset(seed);
        String json = DicomJson.toJson(ds);
        Dataset back = DicomJson.read(new StringReader(json));
        assertThat(new ModelEquivalence().difference(ds, back)).as(json).isEmpty();
        assertThat(back).as(json).isEqualTo(ds);
        assertThat(DicomJson.toJson(back)).isEqualTo(json);
    }

    @Property(tries = 300)
    void xmlRoundTripIsExact(@ForAll long seed) throws IOException {
        Dataset ds = RandomModels.dataset(seed);
        String xml = DicomXml.toXml(ds);
        Dataset back = DicomXml.read(new StringReader(xml));
        assertThat(new ModelEquivalence().difference(ds, back)).as(xml).isEmpty();
        assertThat(back).as(xml).isEqualTo(ds);
        assertThat(DicomXml.toXml(back)).isEqualTo(xml);
    }

    @Property(tries = 100)
    void jsonAndXmlAgree(@ForAll long seed) throws IOException {
        Dataset ds = RandomModels.dataset(seed);
        Dataset viaXml = DicomXml.read(new StringReader(DicomXml.toXml(ds)));
        assertThat(DicomJson.toJson(viaXml)).isEqualTo(DicomJson.toJson(ds));
    }
}
