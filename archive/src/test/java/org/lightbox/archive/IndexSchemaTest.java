// SPDX-License-Identifier: Apache-2.0
package org.lightbox.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IndexSchemaTest {
    @TempDir
    Path dir;

    @Test
    void aNewIndexIsMigratedToTheCurrentSchemaInWalMode() throws Exception {
        try (Archive a = Archive.open(ArchiveConfig.of(dir))) {
            assertThat(a.index().schemaVersion()).isEqualTo("2");
            assertThat(IngestTest.row(a, "PRAGMA journal_mode")).containsExactly("wal");
            assertThat(IngestTest.row(a, "PRAGMA synchronous")).containsExactly("1"); // NORMAL: the blobs are the durable record
            assertThat(IngestTest.row(a, "PRAGMA foreign_keys")).containsExactly("1");
            assertThat(a.startupReport().isClean()).isTrue();
        }
        try (Archive again = Archive.open(ArchiveConfig.of(dir))) {
            assertThat(again.index().schemaVersion()).isEqualTo("2");
        }
    }

    @Test
    void anIndexFromANewerLightboxIsRefusedWithAClearMessage() throws Exception {
        try (Archive a = Archive.open(ArchiveConfig.of(dir))) {
            a.index().write(c -> {
                try (var st = c.createStatement()) {
                    st.executeUpdate("INSERT INTO flyway_schema_history (installed_rank, version, description, type,"
                            + " script, checksum, installed_by, installed_on, execution_time, success) VALUES"
                            + " (99, '99', 'from the future', 'SQL', 'V99__future.sql', 0, 'test',"
                            + " CURRENT_TIMESTAMP, 1, 1)");
                }
                return null;
            });
        }
        assertThatThrownBy(() -> Archive.open(ArchiveConfig.of(dir)))
                .isInstanceOf(IndexSchemaException.class)
                .hasMessageContaining("schema version 99")
                .hasMessageContaining("newer than the 2 this Lightbox knows");
    }
}
