// SPDX-License-Identifier: Apache-2.0
package org.lightbox.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileBlobStoreTest {
    @TempDir
    Path dir;

    @Test
    void receiveComputesSizeAndSha256AndPlaceMakesTheBlobVisible() throws IOException {
        FileBlobStore store = new FileBlobStore(dir.resolve("blobs"));
        byte[] data = "hello blob".repeat(10_000).getBytes(StandardCharsets.US_ASCII);
        FileBlobStore.Temp temp = store.receive(out -> {
            out.write(data, 0, 5);
            out.write(data[5]);
            out.write(data, 6, data.length - 6);
        });
        assertThat(temp.size()).isEqualTo(data.length);
        assertThat(temp.sha256()).isEqualTo(HexFormat.of().formatHex(FileBlobStore.sha256().digest(data)));
        assertThat(temp.path()).startsWith(store.root().resolve("tmp"));

        String path = FileBlobStore.pathFor("1.2.3", "1.2.3.4", temp.sha256());
        assertThat(path).matches("[0-9a-f]{2}/[0-9a-f]{2}/[0-9a-f]{20}/[0-9a-f]{24}/[0-9a-f]{64}\\.dcm");
        assertThat(store.place(temp, path)).isTrue();
        assertThat(Files.readAllBytes(store.resolve(path))).isEqualTo(data);
        assertThat(temp.path()).doesNotExist();
        assertThat(FileBlobStore.sha256Of(store.resolve(path))).isEqualTo(temp.sha256());
    }

    @Test
    void placeNeverReplacesAnExistingBlob() throws IOException {
        FileBlobStore store = new FileBlobStore(dir.resolve("blobs"));
        FileBlobStore.Temp first = store.receive(out -> out.write(new byte[] {1, 2, 3}));
        String path = "aa/bb/cc/dd/x.dcm";
        assertThat(store.place(first, path)).isTrue();
        FileBlobStore.Temp second = store.receive(out -> out.write(new byte[] {9, 9}));
        assertThat(store.place(second, path)).isFalse();
        assertThat(Files.readAllBytes(store.resolve(path))).containsExactly(1, 2, 3);
        assertThat(second.path()).doesNotExist();
    }

    @Test
    void aFailedWriteLeavesNoTemporaryFile() throws IOException {
        FileBlobStore store = new FileBlobStore(dir.resolve("blobs"));
        assertThatThrownBy(() -> store.receive(out -> {
            out.write(new byte[100_000]);
            throw new IOException("peer went away");
        })).hasMessage("peer went away");
        try (var files = Files.list(store.root().resolve("tmp"))) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void leftoverTemporaryFilesAreRemovedAndNeverListedAsBlobs() throws IOException {
        FileBlobStore store = new FileBlobStore(dir.resolve("blobs"));
        Files.write(store.root().resolve("tmp/crashed.part"), new byte[10]);
        Files.write(store.root().resolve("tmp/also.dcm"), new byte[10]);
        List<String> seen = new ArrayList<>();
        store.forEachBlob(seen::add);
        assertThat(seen).isEmpty();
        assertThat(store.removeTempFiles()).isEqualTo(2);
        assertThat(store.removeTempFiles()).isZero();
    }

    @Test
    void pathsCannotLeaveTheStore() throws IOException {
        FileBlobStore store = new FileBlobStore(dir.resolve("blobs"));
        assertThatThrownBy(() -> store.resolve("../index.db")).isInstanceOf(IllegalArgumentException.class);
    }
}
