// SPDX-License-Identifier: Apache-2.0
package org.lightbox.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.io.DicomReader;

/**
 * The SHA-256 of a Part 10 file's data set, the bytes after its File Meta Information, read in 1 MiB steps (files of
 * several GB included), and the transfer syntax its meta names. Peers write their own File Meta Information (their
 * implementation UID, Source AE Title), so two copies of one instance are compared by their data sets.
 */
record DataSetDigest(String transferSyntaxUid, long dataSetLength, String sha256) {

    static DataSetDigest of(Path part10) throws IOException {
        DicomReader.FileHead head = DicomReader.readHead(part10);
        String ts = head.fileMetaInformation().string(Tag.TransferSyntaxUID).orElse("");
        try (FileChannel ch = FileChannel.open(part10, StandardOpenOption.READ)) {
            long length = ch.size() - head.datasetOffset();
            ch.position(head.datasetOffset());
            return new DataSetDigest(ts, length, sha256(Channels.newInputStream(ch)));
        }
    }

    /** The SHA-256 of what is left in {@code in}, in lower-case hex. */
    static String sha256(InputStream in) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
        byte[] buffer = new byte[1 << 20];
        for (int n; (n = in.read(buffer)) > 0; ) {
            md.update(buffer, 0, n);
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
