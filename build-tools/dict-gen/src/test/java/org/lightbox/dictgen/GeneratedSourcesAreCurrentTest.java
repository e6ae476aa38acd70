// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dictgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Proves the committed dictionary is what the generator makes. Run with {@code -Ddictgen.write=true} to
 * regenerate instead (docs/updating-the-dictionary.md).
 */
class GeneratedSourcesAreCurrentTest {
    private static final Path ROOT = Path.of(System.getProperty("lightbox.root", "../.."));
    private static final Path RESOURCES = ROOT.resolve("dicom-core/src/main/resources/org/lightbox/dicom/internal");
    private static final Path SOURCES = ROOT.resolve("dicom-core/src/main/java/org/lightbox/dicom");
    private static final boolean WRITE = Boolean.getBoolean("dictgen.write");

    @Test
    void compactResourcesMatchTheStandardTables() throws IOException {
        Path standard = Path.of(System.getProperty("lightbox.shared", "../../../shared")).resolve("standard");
        assumeTrue(Files.isRegularFile(standard.resolve("data_dictionary.tsv")),
                "the standard's tables are not at " + standard + "; skipping the resource check");
        check(DictGen.resources(standard), RESOURCES);
    }

    @Test
    void javaSourcesMatchTheCompactResources() throws IOException {
        if (WRITE) {
            compactResourcesMatchTheStandardTables();
        }
        check(DictGen.sources(RESOURCES), SOURCES);
    }

    @Test
    void keepsEveryAlternativeVr() {
        assertThat(DictGen.vrs("US or SS or OW")).isEqualTo("US/SS/OW");
        assertThat(DictGen.vrs("NONE")).isEmpty();
        assertThat(DictGen.vrs(" OB or OW ")).isEqualTo("OB/OW");
    }

    private static void check(Map<String, String> generated, Path dir) throws IOException {
        for (var e : generated.entrySet()) {
            Path file = dir.resolve(e.getKey());
            if (WRITE) {
                Files.createDirectories(dir);
                Files.writeString(file, e.getValue());
            }
            assertThat(file).as("%s is missing or stale: regenerate with -Ddictgen.write=true", file)
                    .exists().hasContent(e.getValue());
        }
    }
}
