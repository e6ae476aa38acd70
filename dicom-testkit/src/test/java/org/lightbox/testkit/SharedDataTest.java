// SPDX-License-Identifier: Apache-2.0
package org.lightbox.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SharedDataTest {
    @TempDir
    Path tmp;

    @Test
    void theNamedFolderWinsWhenItHoldsAManifest() throws IOException {
        Path named = sharedFolder(tmp.resolve("elsewhere"));
        Path work = Files.createDirectories(tmp.resolve("repo/module"));
        sharedFolder(tmp.resolve("repo/shared"));

        assertThat(SharedData.find(named.toString(), null, work)).contains(named);
        assertThat(SharedData.find(null, named.toString(), work)).contains(named);
    }

    @Test
    void aNamedFolderWithoutManifestIsPassedOverForTheSearch() throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        Path work = Files.createDirectories(tmp.resolve("main/dicom-core"));
        Path shared = sharedFolder(tmp.resolve("shared"));

        assertThat(SharedData.find(empty.toString(), "", work)).contains(shared);
    }

    @Test
    void searchesTheWorkingDirectoryAndItsParents() throws IOException {
        Path work = Files.createDirectories(tmp.resolve("a/b/c"));
        Path shared = sharedFolder(tmp.resolve("a/shared"));

        assertThat(SharedData.find(null, null, work)).contains(shared);
        assertThat(SharedData.find(null, null, tmp.resolve("a"))).contains(shared);
    }

    @Test
    void aSharedFolderWithoutManifestDoesNotCount() throws IOException {
        Path work = Files.createDirectories(tmp.resolve("x/y"));
        Files.createDirectories(tmp.resolve("x/shared/data"));

        // Found nothing here (a folder above the temporary one could still hold real shared data).
        assertThat(SharedData.find(null, null, work).filter(found -> found.startsWith(tmp))).isEmpty();
    }

    @Test
    void parsesAManifestIntoOrderedRows() throws IOException {
        Path tsv = tmp.resolve("manifest.tsv");
        Files.writeString(tsv, "file\tsize\tnotes\r\n"
                + "ts/a.dcm\t10\tfirst, with \u00e9\r\n"
                + "\n"
                + "ts/b.dcm\t20\n"
                + "ts/c.dcm\t\t\n");

        List<Map<String, String>> rows = SharedData.manifest(tsv);

        assertThat(rows).hasSize(3);
        assertThat(rows.getFirst()).containsExactly(
                Map.entry("file", "ts/a.dcm"), Map.entry("size", "10"), Map.entry("notes", "first, with \u00e9"));
        assertThat(rows.get(1)).containsEntry("notes", "");
        assertThat(rows.get(2)).containsEntry("size", "").containsEntry("notes", "");
        assertThatThrownBy(() -> rows.getFirst().put("file", "x")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void rejectsALineWithMoreFieldsThanTheHeader() throws IOException {
        Path tsv = tmp.resolve("bad.tsv");
        Files.writeString(tsv, "file\tsize\na\t1\textra\n");

        assertThatThrownBy(() -> SharedData.manifest(tsv))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("line 2");
        assertThatThrownBy(() -> SharedData.manifest(tmp.resolve("missing.tsv")))
                .isInstanceOf(UncheckedIOException.class);
    }

    @Test
    void theRealManifestListsFilesThatExist() {
        assumeTrue(SharedData.dataDir().isPresent(), "no shared test data (../shared/data): skipped");
        Path data = SharedData.dataDir().orElseThrow();

        List<Map<String, String>> rows = SharedData.manifest();

        assertThat(rows).isNotEmpty();
        assertThat(rows).allSatisfy(row -> {
            assertThat(row).containsKeys("file", "size", "transfer_syntax_uid", "sop_instance_uid");
            assertThat(data.resolve(row.get("file"))).isRegularFile();
            assertThat(Files.size(data.resolve(row.get("file")))).hasToString(row.get("size"));
        });
    }

    private static Path sharedFolder(Path root) throws IOException {
        Files.createDirectories(root.resolve("data"));
        Files.writeString(root.resolve("data/manifest.tsv"), "file\n");
        return root;
    }
}
