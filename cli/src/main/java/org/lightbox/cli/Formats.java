// SPDX-License-Identifier: Apache-2.0
package org.lightbox.cli;

import java.io.IOException;
import java.io.Writer;
import java.nio.file.Path;
import org.lightbox.dicom.io.DicomFile;

/** JSON and XML output of {@code dump}. */
final class Formats {
    private Formats() {}

    static void json(DicomFile f, Path file, boolean noBulk, Writer w) throws IOException {
        throw new UnsupportedOperationException("--json is not available yet");
    }

    static void xml(DicomFile f, Path file, boolean noBulk, Writer w) throws IOException {
        throw new UnsupportedOperationException("--xml is not available yet");
    }
}
