// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicom.io;

import java.util.List;
import java.util.Objects;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.TransferSyntax;

/**
 * What a Part 10 file holds: the preamble (empty when the file had none), the File Meta Information (empty when
 * the file had none), the data set, the transfer syntax it was read in, and the oddities the reader accepted.
 */
public record DicomFile(byte[] preamble, Dataset fileMetaInformation, Dataset dataset,
        TransferSyntax transferSyntax, List<ReadProblem> problems) {

    public DicomFile {
        Objects.requireNonNull(preamble);
        Objects.requireNonNull(fileMetaInformation);
        Objects.requireNonNull(dataset);
        Objects.requireNonNull(transferSyntax);
        problems = List.copyOf(problems);
    }

    public boolean hasPreamble() {
        return preamble.length == 128;
    }
}
