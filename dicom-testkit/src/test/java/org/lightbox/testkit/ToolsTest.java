// SPDX-License-Identifier: Apache-2.0
package org.lightbox.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ToolsTest {
    @BeforeAll
    static void needsAPosixShell() {
        assumeTrue(Tools.available("sh"), "no sh on PATH: these tests drive sh");
    }

    @Test
    void findsCommandsOnThePath() {
        assertThat(Tools.available("sh")).isTrue();
        assertThat(Tools.available("no-such-command-lightbox-4711")).isFalse();
        assertThat(Tools.available("")).isFalse();
        assertThat(Tools.available("/bin/sh")).isTrue();
        assertThat(Tools.available("/no/such/dir/sh")).isFalse();
    }

    @Test
    void capturesExitCodeAndBothStreamsAsUtf8() {
        ProcessResult result = Tools.run(
                List.of("sh", "-c", "printf 'out \\303\\251\\n'; printf 'err\\n' >&2; exit 3"), Duration.ofSeconds(30));

        assertThat(result.exitCode()).isEqualTo(3);
        assertThat(result.isSuccess()).isFalse();
        assertThat(result.stdout()).isEqualTo("out \u00e9\n");
        assertThat(result.stderr()).isEqualTo("err\n");
    }

    @Test
    void standardInputIsEmptyAndLargeOutputDoesNotBlock() {
        ProcessResult result = Tools.run(
                List.of("sh", "-c", "cat; i=0; while [ $i -lt 20000 ]; do echo line $i; echo e $i >&2; i=$((i+1)); done"),
                Duration.ofSeconds(60));

        assertThat(result.isSuccess()).isTrue();
        assertThat(result.stdout().lines()).hasSize(20000).startsWith("line 0").endsWith("line 19999");
        assertThat(result.stderr().lines()).hasSize(20000);
    }

    @Test
    void killsACommandThatOverrunsItsDeadline() {
        long start = System.nanoTime();

        assertThatThrownBy(() -> Tools.run(List.of("sh", "-c", "echo started >&2; sleep 30"), Duration.ofMillis(300)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("timed out")
                .hasMessageContaining("started");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
    }

    @Test
    void aMissingProgramCannotBeStarted() {
        assertThatThrownBy(() -> Tools.run(List.of("no-such-command-lightbox-4711"), Duration.ofSeconds(5)))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("no-such-command-lightbox-4711");
    }

    @Test
    void thePythonFoundCanImportPydicom() {
        Optional<java.nio.file.Path> python = Tools.python3WithPydicom();
        assumeTrue(python.isPresent(), "no python3 with pydicom (apt-get install python3-pydicom): skipped");

        ProcessResult result = Tools.run(
                List.of(python.get().toString(), "-c", "import pydicom; print(pydicom.__version__)"),
                Duration.ofSeconds(60));

        assertThat(result.isSuccess()).as(result.stderr()).isTrue();
        assertThat(result.stdout()).matches("\\d+\\.\\d+.*\\s*");
    }
}
