// SPDX-License-Identifier: Apache-2.0
package org.lightbox.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.lightbox.archive.Instances.instance;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.Vr;

/** 300 MB of pixel data through ingest in a 64 MB heap (the module's surefire argLine): memory stays bounded. */
class LargeInstanceTest {
    private static final int ROWS = 10240;
    private static final int FRAMES = 3;
    private static final long PIXELS = (long) ROWS * ROWS * FRAMES;

    @TempDir
    Path dir;

    @Test
    void aThreeHundredMegabyteInstanceStreamsThroughASmallHeap() throws Exception {
        assertThat(Runtime.getRuntime().maxMemory()).isLessThan(PIXELS / 2);
        Dataset ds = instance("6.1", "6.1.1", "6.1.1.1").remove(Tag.PixelData)
                .setStrings(Tag.SOPClassUID, Vr.UI, "1.2.840.10008.5.1.4.1.1.7.2")
                .setNumbers(Tag.Rows, Vr.US, ROWS)
                .setNumbers(Tag.Columns, Vr.US, ROWS).setNumbers(Tag.BitsAllocated, Vr.US, 8)
                .setNumbers(Tag.BitsStored, Vr.US, 8).setNumbers(Tag.HighBit, Vr.US, 7)
                .setNumbers(Tag.SamplesPerPixel, Vr.US, 1).setNumbers(Tag.PixelRepresentation, Vr.US, 0)
                .setStrings(Tag.NumberOfFrames, Vr.IS, String.valueOf(FRAMES))
                .setStrings(Tag.PhotometricInterpretation, Vr.CS, "MONOCHROME2").build();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        head.write(Instances.part10(ds));
        // Pixel Data (7FE0,0010) OB, explicit VR little endian: tag, VR, two reserved bytes, 32-bit length.
        head.write(new byte[] {(byte) 0xE0, 0x7F, 0x10, 0x00, 'O', 'B', 0, 0});
        head.write(new byte[] {(byte) PIXELS, (byte) (PIXELS >> 8), (byte) (PIXELS >> 16), (byte) (PIXELS >> 24)});
        MessageDigest md = FileBlobStore.sha256();
        InputStream in = new DigestInputStream(new SequenceInputStream(new ByteArrayInputStream(head.toByteArray()),
                new Pattern(PIXELS)), md);
        long headLength = head.size();
        try (Archive a = Archive.open(ArchiveConfig.of(dir))) {
            IngestResult r = a.storePart10(in);
            assertThat(r.status()).as(r.message()).isEqualTo(IngestResult.Status.STORED);
            StoredInstance s = r.stored().orElseThrow();
            assertThat(s.size()).isEqualTo(headLength + PIXELS);
            assertThat(s.sha256()).isEqualTo(HexFormat.of().formatHex(md.digest()));
            assertThat(Files.size(a.blobFile(s))).isEqualTo(s.size());
            assertThat(a.metadata("6.1.1.1").orElseThrow()).contains("\"00280008\"").doesNotContain("7FE00010");
        }
    }

    /** A generated stream of pixel bytes, never held whole. */
    private static final class Pattern extends InputStream {
        private long left;

        Pattern(long length) {
            this.left = length;
        }

        @Override
        public int read() {
            return left-- > 0 ? (int) (left & 0xFF) : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) {
                return -1;
            }
            int n = (int) Math.min(len, left);
            for (int i = 0; i < n; i++) {
                b[off + i] = (byte) ((left - i) * 31);
            }
            left -= n;
            return n;
        }
    }
}
