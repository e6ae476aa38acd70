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
        String json = DicomJson.toJson(ds);
        Dataset fromJson = DicomJson.read(new StringReader(json));
        ModelEquivalence eq = new ModelEquivalence();
        assertThat(eq.difference(ds, fromJson)).as("JSON round trip").isEmpty();
        assertThat(DicomJson.toJson(fromJson)).as("JSON written again").isEqualTo(json);

        String xml = DicomXml.toXml(ds);
        Dataset fromXml = DicomXml.read(new StringReader(xml));
        assertThat(eq.difference(ds, fromXml)).as("XML round trip").isEmpty();
        assertThat(DicomXml.toXml(fromXml)).as("XML written again").isEqualTo(xml);
        if (!eq.inexact().isEmpty()) {
            System.out.println(file.getFileName() + ": equal by value, not by bytes: " + eq.inexact());
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
