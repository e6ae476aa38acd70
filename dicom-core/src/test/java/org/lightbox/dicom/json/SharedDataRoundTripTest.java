// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicom.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.abort;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.io.DicomReader;
import org.lightbox.testkit.SharedData;

/**
 * Every file of the shared corpus that Lightbox reads survives data set -> JSON -> data set and data set -> XML ->
 * data set, and writing the result again gives the same text.
 */
class SharedDataRoundTripTest {

    @TestFactory
    Stream<DynamicTest> jsonAndXmlRoundTrips() {
        assumeTrue(SharedData.dataDir().isPresent(), "no shared test data (../shared/data)");
        Path data = SharedData.dataDir().orElseThrow();
        return SharedData.manifest().stream().map(row -> row.get("file")).map(file -> DynamicTest.dynamicTest(file,
                () -> roundTrip(data.resolve(file))));
    }

    private static void roundTrip(Path file) throws IOException {
        Dataset ds = readable(file);
        String name = file.getFileName().toString();
        String json = DicomJson.toJson(ds);
        Dataset fromJson = DicomJson.read(new StringReader(json));
        ModelEquivalence eq = new ModelEquivalence();
        assertThat(eq.difference(ds, fromJson)).as(name + ": JSON round trip").isEmpty();
        // Once read, a data set is written the same way every time (non-conformant values, such as odd lengths, are
        // made conformant by the first reading).
        String again = DicomJson.toJson(fromJson);
        if (eq.inexact().isEmpty()) {
            assertThat(again).as(name + ": JSON written again").isEqualTo(json);
        }
        assertThat(DicomJson.toJson(DicomJson.read(new StringReader(again)))).isEqualTo(again);

        String xml = DicomXml.toXml(ds);
        Dataset fromXml = DicomXml.read(new StringReader(xml));
        int before = eq.inexact().size();
        assertThat(eq.difference(ds, fromXml)).as(name + ": XML round trip").isEmpty();
        String xmlAgain = DicomXml.toXml(fromXml);
        if (eq.inexact().size() == before) {
            assertThat(xmlAgain).as(name + ": XML written again").isEqualTo(xml);
        }
        assertThat(DicomXml.toXml(DicomXml.read(new StringReader(xmlAgain)))).isEqualTo(xmlAgain);
        if (!eq.inexact().isEmpty()) {
            System.out.println(name + ": equal by value, not by bytes: " + eq.inexact());
        }
    }

    /** The file's data set, or the test is skipped when Lightbox's reader refuses the file (malformed ones). */
    static Dataset readable(Path file) {
        try {
            return DicomReader.read(file).dataset();
        } catch (IOException | RuntimeException e) {
            return abort("Lightbox does not read " + file.getFileName() + ": " + e.getMessage());
        }
    }
}
