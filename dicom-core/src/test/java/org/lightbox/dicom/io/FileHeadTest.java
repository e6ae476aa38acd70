// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicom.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.TransferSyntax;
import org.lightbox.dicom.Uid;
import org.lightbox.dicom.Vr;

/** DicomReader.readHead: the File Meta Information and where the data set starts, with and without preamble. */
class FileHeadTest {
    private static final Dataset DATA = Dataset.builder()
            .setStrings(Tag.SOPClassUID, Vr.UI, Uid.SecondaryCaptureImageStorage)
            .setStrings(Tag.SOPInstanceUID, Vr.UI, "2.25.42")
            .setStrings(Tag.PatientName, Vr.PN, "HEAD^TEST")
            .build();

    private static byte[] bytes(boolean part10) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (part10) {
            DicomWriter.write(DicomWriter.newFile(DATA, TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN), out);
        } else {
            DicomWriter.writeDataset(DATA, TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN, out, DicomWriter.Lengths.DEFINED);
        }
        return out.toByteArray();
    }

    @Test
    void withPreambleWithoutPreambleAndBare() throws IOException {
        byte[] file = bytes(true);
        int bare = bytes(false).length;
        DicomReader.FileHead head = DicomReader.readHead(new ByteArrayInputStream(file));
        assertThat(head.hasDicmPrefix()).isTrue();
        assertThat(head.datasetOffset()).isEqualTo(file.length - bare);
        assertThat(head.fileMetaInformation().string(Tag.MediaStorageSOPInstanceUID)).contains("2.25.42");

        byte[] noPreamble = Arrays.copyOfRange(file, 128, file.length);
        DicomReader.FileHead headOnly = DicomReader.readHead(new ByteArrayInputStream(noPreamble));
        assertThat(headOnly.hasDicmPrefix()).isTrue();
        assertThat(headOnly.datasetOffset()).isEqualTo(noPreamble.length - bare);

        DicomReader.FileHead none = DicomReader.readHead(new ByteArrayInputStream(bytes(false)));
        assertThat(none.hasDicmPrefix()).isFalse();
        assertThat(none.datasetOffset()).isZero();
        assertThat(none.fileMetaInformation().isEmpty()).isTrue();
    }
}
