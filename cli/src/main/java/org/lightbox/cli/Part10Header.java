// SPDX-License-Identifier: Apache-2.0
package org.lightbox.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.io.DicomReader;

/**
 * What {@code lightbox store} needs of a Part 10 file before sending it, read from its File Meta Information alone:
 * the SOP class and instance, the transfer syntax, and where the data set starts, so that the bytes after the meta
 * can go on the wire unchanged without parsing the data set.
 *
 * @param dataSetOffset the byte offset of the data set's first element in the file
 */
record Part10Header(String sopClassUid, String sopInstanceUid, String transferSyntaxUid, long dataSetOffset) {

    /**
     * Reads the header; empty when the file is no Part 10 file (no "DICM" after a 128-byte preamble or at its start).
     * SOP class and instance are "" when the meta lacks them.
     *
     * @throws IOException when the File Meta Information is malformed or lacks the transfer syntax
     */
    static Optional<Part10Header> read(Path file) throws IOException {
        DicomReader.FileHead head = DicomReader.readHead(file);
        if (!head.hasDicmPrefix()) {
            return Optional.empty();
        }
        Dataset meta = head.fileMetaInformation();
        String ts = meta.string(Tag.TransferSyntaxUID).orElse("");
        if (ts.isEmpty()) {
            throw new IOException("the File Meta Information lacks Transfer Syntax UID (0002,0010)");
        }
        return Optional.of(new Part10Header(meta.string(Tag.MediaStorageSOPClassUID).orElse(""),
                meta.string(Tag.MediaStorageSOPInstanceUID).orElse(""), ts, head.datasetOffset()));
    }

    /** The same header with SOP class and instance taken from the data set when the meta lacks them. */
    Part10Header withUids(String sopClass, String sopInstance) {
        return new Part10Header(sopClassUid.isEmpty() ? sopClass : sopClassUid,
                sopInstanceUid.isEmpty() ? sopInstance : sopInstanceUid, transferSyntaxUid, dataSetOffset);
    }
}
