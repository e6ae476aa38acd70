// SPDX-License-Identifier: Apache-2.0
package org.lightbox.testkit;

import java.util.Objects;

/**
 * What a finished external command gave back (see {@link Tools#run}).
 *
 * @param exitCode the process's exit status
 * @param stdout everything it wrote to standard output, decoded as UTF-8
 * @param stderr everything it wrote to standard error, decoded as UTF-8
 */
public record ProcessResult(int exitCode, String stdout, String stderr) {
    public ProcessResult {
        Objects.requireNonNull(stdout, "stdout");
        Objects.requireNonNull(stderr, "stderr");
    }

    /** Whether the exit status is 0. */
    public boolean isSuccess() {
        return exitCode == 0;
    }
}
