// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicomweb;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import org.lightbox.archive.InstanceMetadata;
import org.lightbox.dicom.Vr;

class MetadataJsonTest {
    private static final String EVRLE = "1.2.840.10008.1.2.1";
    private static final String JPEG = "1.2.840.10008.1.2.4.50";

    private static String write(String json, String ts) throws IOException {
        StringWriter w = new StringWriter();
        MetadataJson.write(new InstanceMetadata("1.2", "1.2.3", "1.2.3.4", ts, json), w);
        return w.toString();
    }

    @Test
    void bulkReferencesBecomeBulkDataResourcePaths() throws IOException {
        String stored = "{\"00081030\":{\"vr\":\"LO\",\"Value\":[\"say \\\"BulkDataURI\\\":\\\"bulk:/x\\\"\"]},"
                + "\"00281201\":{\"vr\":\"OW\",\"BulkDataURI\":\"bulk:/00281201\"},"
                + "\"00540016\":{\"vr\":\"SQ\",\"Value\":[{\"00181072\":{\"vr\":\"OB\",\"BulkDataURI\":"
                + "\"bulk:/00540016/Value/0/00181072\"}}]}}";
        assertThat(write(stored, EVRLE)).isEqualTo("{\"00081030\":{\"vr\":\"LO\",\"Value\":[\"say \\\"BulkDataURI"
                + "\\\":\\\"bulk:/x\\\"\"]},"
                + "\"00281201\":{\"vr\":\"OW\",\"BulkDataURI\":\"/dicom-web/studies/1.2/series/1.2.3/instances/1.2.3.4"
                + "/bulkdata/00281201\"},\"00540016\":{\"vr\":\"SQ\",\"Value\":[{\"00181072\":{\"vr\":\"OB\","
                + "\"BulkDataURI\":\"/dicom-web/studies/1.2/series/1.2.3/instances/1.2.3.4/bulkdata/00540016/0/"
                + "00181072\"}}]}}");
        assertThat(MetadataJson.tagPath("/00540016/Value/0/00181072")).isEqualTo("00540016/0/00181072");
        assertThat(MetadataJson.tagPath("/7FE00010")).isEqualTo("7FE00010");
    }

    @Test
    void pixelDataIsAnnouncedForTopLevelImagePixelModulesOnly() throws IOException {
        String image = "{\"00280010\":{\"vr\":\"US\",\"Value\":[4]},\"00280011\":{\"vr\":\"US\",\"Value\":[4]},"
                + "\"00280100\":{\"vr\":\"US\",\"Value\":[16]}}";
        assertThat(write(image, EVRLE)).endsWith(",\"7FE00010\":{\"vr\":\"OW\",\"BulkDataURI\":"
                + "\"/dicom-web/studies/1.2/series/1.2.3/instances/1.2.3.4/bulkdata/7FE00010\"}}");
        assertThat(MetadataJson.pixelDataVr(image, JPEG)).hasValue(Vr.OB);
        assertThat(MetadataJson.pixelDataVr(image.replace("[16]", "[8]"), EVRLE)).hasValue(Vr.OB);
        assertThat(MetadataJson.pixelDataVr(image, "1.2.999")).hasValue(Vr.OB);
        String nested = "{\"00880200\":{\"vr\":\"SQ\",\"Value\":[" + image + "]}}";
        assertThat(MetadataJson.pixelDataVr(nested, EVRLE)).isEmpty();
        assertThat(write(nested, EVRLE)).isEqualTo(nested);
        assertThat(write("{}", EVRLE)).isEqualTo("{}");
    }
}
