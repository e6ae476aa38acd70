// SPDX-License-Identifier: Apache-2.0
package org.lightbox.archive;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where the archive lives and how it behaves.
 *
 * @param dataDir the data folder: {@code index.db} (SQLite) and {@code blobs/} under it
 * @param duplicatePolicy what to do with a second instance of a SOP Instance UID
 * @param indexPoolSize connections in the index pool (SQLite has one writer; the rest serve readers)
 */
public record ArchiveConfig(Path dataDir, DuplicatePolicy duplicatePolicy, int indexPoolSize) {
    public ArchiveConfig {
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(duplicatePolicy, "duplicatePolicy");
        if (indexPoolSize < 1) {
            throw new IllegalArgumentException("indexPoolSize must be at least 1, not " + indexPoolSize);
        }
    }

    /** The defaults: keep the first of duplicates, four index connections. */
    public static ArchiveConfig of(Path dataDir) {
        return new ArchiveConfig(dataDir, DuplicatePolicy.KEEP_FIRST, 4);
    }

    public ArchiveConfig withDuplicatePolicy(DuplicatePolicy policy) {
        return new ArchiveConfig(dataDir, policy, indexPoolSize);
    }

    public Path blobDir() {
        return dataDir.resolve("blobs");
    }

    public Path indexFile() {
        return dataDir.resolve("index.db");
    }
}
