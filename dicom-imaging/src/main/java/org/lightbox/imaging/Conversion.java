// SPDX-License-Identifier: Apache-2.0
package org.lightbox.imaging;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.TransferSyntax;
import org.lightbox.dicom.io.DicomFile;
import org.lightbox.dicom.io.DicomReader;
import org.lightbox.dicom.io.DicomWriter;
import org.lightbox.dicom.io.ReadOptions;

/**
 * A stored Part 10 file made ready to send in another transfer syntax, the one way C-MOVE, C-GET and WADO-RS
 * convert an instance on its way out. Everything that can fail does so in {@link #prepare}, before the first byte is
 * sent: a native file is re-encoded as it is written (its large values stay in the file and stream from it), one
 * whose pixel data must be decoded or encoded goes through the {@link Transcoder} into a temporary file, frame by
 * frame. Memory stays bounded either way. Close it to delete the temporary file.
 */
public final class Conversion implements AutoCloseable {
    /**
     * Values at least this large stay in the file while converting (memory holds the rest of the data set): each
     * fragment of encapsulated pixel data too, so that thousands of small frames are never all in memory.
     */
    private static final long BULK_THRESHOLD = 1024;

    private final DicomFile converted;
    private final Path temp;
    private final long datasetOffset;

    private Conversion(DicomFile converted, Path temp, long datasetOffset) {
        this.converted = converted;
        this.temp = temp;
        this.datasetOffset = datasetOffset;
    }

    /**
     * Prepares {@code part10} for sending in {@code target}.
     *
     * @throws CodecException when no codec here reads its pixel data or writes them in {@code target}
     * @throws IOException when the file cannot be read
     */
    public static Conversion prepare(Path part10, TransferSyntax target, PixelCodec.EncodeOptions options)
            throws IOException {
        DicomFile file = DicomReader.read(part10, ReadOptions.DEFAULT.withBulkDataThreshold(BULK_THRESHOLD));
        boolean pixels = file.dataset().contains(Tag.PixelData);
        if (!pixels || !file.transferSyntax().isEncapsulated() && target.isNative()) {
            return new Conversion(DicomWriter.convert(file, target), null, -1);
        }
        Path temp = Files.createTempFile("lightbox-convert-", ".dcm");
        try {
            try (OutputStream o = new BufferedOutputStream(Files.newOutputStream(temp), 1 << 16)) {
                Transcoder.transcode(file, target, options, o);
            }
            return new Conversion(null, temp, DicomReader.readHead(temp).datasetOffset());
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
    }

    /** Writes the bare data set, as DIMSE carries it. */
    public void writeDataset(OutputStream out) throws IOException {
        if (converted != null) {
            DicomWriter.writeDataset(converted.dataset(), converted.transferSyntax(), out,
                    DicomWriter.Lengths.AS_READ);
            return;
        }
        try (InputStream in = Files.newInputStream(temp)) {
            in.skipNBytes(datasetOffset);
            in.transferTo(out);
        }
    }

    /** Writes the whole Part 10 file (preamble, File Meta Information naming the new syntax, data set). */
    public void writePart10(OutputStream out) throws IOException {
        if (converted != null) {
            DicomWriter.write(converted, out);
            return;
        }
        try (InputStream in = Files.newInputStream(temp)) {
            in.transferTo(out);
        }
    }

    @Override
    public void close() throws IOException {
        if (temp != null) {
            Files.deleteIfExists(temp);
        }
    }
}
