// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicom.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Element;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.Tags;
import org.lightbox.dicom.Value;
import org.lightbox.dicom.Vr;
import org.lightbox.testkit.SharedData;

/** Every file of the shared test data reads with the attributes its manifest lists (taken with pydicom). */
class ManifestTest {

    @TestFactory
    Stream<DynamicTest> manifestAttributesAreReadCorrectly() {
        assumeTrue(SharedData.dataDir().isPresent(), "../shared/data is absent; the manifest test needs it");
        Path data = SharedData.dataDir().orElseThrow();
        return SharedData.manifest().stream()
                .map(row -> DynamicTest.dynamicTest(row.get("file"), () -> check(data.resolve(row.get("file")), row)));
    }

    private static void check(Path file, Map<String, String> row) throws IOException {
        if (row.get("file").startsWith("malformed/") || row.get("file").equals("structure/no_meta.dcm")) {
            if (!MalformedFilesTest.STRUCTURALLY_SOUND.containsKey(file.getFileName().toString())) {
                MalformedFilesTest.checkRejectedOrProblemRecorded(file);
                return;
            }
        }
        DicomFile f = DicomReader.read(file);
        Dataset ds = f.dataset();
        SoftAssertions soft = new SoftAssertions();
        String ts = row.get("transfer_syntax_uid");
        if (!ts.isEmpty()) {
            soft.assertThat(f.transferSyntax().uid()).as("transfer syntax").isEqualTo(ts);
        }
        expectString(soft, ds, Tag.SOPClassUID, row.get("sop_class_uid"));
        expectString(soft, ds, Tag.SOPInstanceUID, row.get("sop_instance_uid"));
        expectString(soft, ds, Tag.Modality, row.get("modality"));
        expectString(soft, ds, Tag.PhotometricInterpretation, row.get("photometric_interpretation"));
        expectString(soft, ds, Tag.SpecificCharacterSet, row.get("specific_character_set"));
        expectInt(soft, ds, Tag.Rows, row.get("rows"));
        expectInt(soft, ds, Tag.Columns, row.get("columns"));
        expectInt(soft, ds, Tag.BitsAllocated, row.get("bits_allocated"));
        expectInt(soft, ds, Tag.BitsStored, row.get("bits_stored"));
        expectInt(soft, ds, Tag.PixelRepresentation, row.get("pixel_representation"));
        expectInt(soft, ds, Tag.SamplesPerPixel, row.get("samples_per_pixel"));
        expectInt(soft, ds, Tag.PlanarConfiguration, row.get("planar_configuration"));
        expectInt(soft, ds, Tag.NumberOfFrames, row.get("number_of_frames"));
        soft.assertThat(f.hasPreamble() ? "yes" : "no").as("preamble and DICM").isEqualTo(row.get("has_preamble_dicm"));
        Counts c = new Counts();
        c.visit(ds, 0);
        soft.assertThat(c.privateElements).as("private elements").isEqualTo(Integer.parseInt(row.get("private_elements")));
        soft.assertThat(c.maxDepth).as("sequence depth").isEqualTo(Integer.parseInt(row.get("max_sq_depth")));
        soft.assertThat(c.undefinedSequences).as("undefined-length sequences")
                .isEqualTo(Integer.parseInt(row.get("undefined_length_sq")));
        soft.assertThat(c.undefinedItems).as("undefined-length items")
                .isEqualTo(Integer.parseInt(row.get("undefined_length_items")));
        soft.assertAll();
    }

    private static void expectString(SoftAssertions soft, Dataset ds, int tag, String expected) {
        if (expected == null || expected.isEmpty()) {
            return;
        }
        // The manifest joins multiple values with a backslash, as they are encoded.
        soft.assertThat(String.join("\\", ds.strings(tag))).as(Tags.format(tag)).isEqualTo(expected);
    }

    private static void expectInt(SoftAssertions soft, Dataset ds, int tag, String expected) {
        if (expected == null || expected.isEmpty()) {
            return;
        }
        soft.assertThat(ds.integer(tag).orElse(-1)).as(Tags.format(tag)).isEqualTo(Integer.parseInt(expected));
    }

    /** The structural counts of the manifest, defined as its generator defined them. */
    static final class Counts {
        int privateElements;
        int maxDepth;
        int undefinedSequences;
        int undefinedItems;
        final List<String> notes = new ArrayList<>();

        void visit(Dataset ds, int depth) {
            for (Element e : ds) {
                // The manifest counts every odd group, the illegal 0001-0007 included.
                if ((Tags.group(e.tag()) & 1) == 1) {
                    privateElements++;
                }
                if (e.value() instanceof Value.Items items) {
                    maxDepth = Math.max(maxDepth, depth + 1);
                    if (e.undefinedLength()) {
                        undefinedSequences++;
                    }
                    for (Dataset item : items.items()) {
                        if (item.undefinedLength()) {
                            undefinedItems++;
                        }
                        visit(item, depth + 1);
                    }
                }
                if (e.vr() == Vr.UN) {
                    notes.add("UN " + Tags.format(e.tag()));
                }
            }
        }
    }
}
