// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicom.io;

import static org.lightbox.dicom.io.DicomParseException.Reason.NOT_DICOM;

import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.FileInputStream;
import java.io.FileNotFoundException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;
import java.util.zip.ZipException;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.SpecificCharacterSet;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.TransferSyntax;
import org.lightbox.dicom.Vr;

/**
 * Reads Part 10 files and bare data sets in any transfer syntax. Lenient where the major readers are (no preamble,
 * wrong group lengths, an explicit/implicit mismatch, odd lengths, UN holding a sequence), and every leniency is
 * recorded in {@link DicomFile#problems()}; malformed input gives a {@link DicomParseException}.
 */
public final class DicomReader {
    private static final int BUFFER = 4 * 1024;
    private static final byte[] MAGIC = {'D', 'I', 'C', 'M'};

    private DicomReader() {}

    public static DicomFile read(Path file) throws IOException {
        return read(file, ReadOptions.DEFAULT);
    }

    /** Reads a file; bulk values past the options' threshold stay in it as {@code Value.Bulk}. */
    public static DicomFile read(Path file, ReadOptions options) throws IOException {
        // A plain FileInputStream: reads go straight into the buffer and skips are one lseek, where a channel's
        // stream adds position and size calls; at a hundred thousand headers a second each system call shows.
        try (FileInputStream in = new FileInputStream(file.toFile())) {
            return read(new DicomInput(in, in.getChannel().size(), BUFFER), options, file);
        } catch (FileNotFoundException e) {
            throw Files.exists(file) ? e : new NoSuchFileException(file.toString());
        }
    }

    /** Reads a Part 10 stream (or a bare data set, whose encoding is then inferred and recorded as a problem). */
    public static DicomFile read(InputStream in, ReadOptions options) throws IOException {
        return read(new DicomInput(in, -1, BUFFER), options, null);
    }

    /**
     * The head of a Part 10 file: whether it starts with "DICM" (after a 128-byte preamble or without one), its File
     * Meta Information, and the offset of its data set's first byte.
     */
    public record FileHead(boolean hasDicmPrefix, Dataset fileMetaInformation, long datasetOffset) {}

    /**
     * Reads only the head of a file, for callers that pass the data set's bytes on unparsed. The group 0002
     * elements are read one by one (a wrong group length does not matter); without "DICM" the meta, if any, is
     * read from the first byte.
     */
    public static FileHead readHead(Path file) throws IOException {
        try (FileInputStream in = new FileInputStream(file.toFile())) {
            return readHead(new DicomInput(in, in.getChannel().size(), BUFFER), file);
        } catch (FileNotFoundException e) {
            throw Files.exists(file) ? e : new NoSuchFileException(file.toString());
        }
    }

    public static FileHead readHead(InputStream in) throws IOException {
        return readHead(new DicomInput(in, -1, BUFFER), null);
    }

    private static FileHead readHead(DicomInput in, Path file) throws IOException {
        Parser p = new Parser(in, ReadOptions.DEFAULT, file, new ArrayList<>());
        boolean prefixed = true;
        if (in.ensure(132) && Arrays.equals(in.buffer(), in.index() + 128, in.index() + 132, MAGIC, 0, 4)) {
            in.advance(132);
        } else if (in.ensure(4) && Arrays.equals(in.buffer(), in.index(), in.index() + 4, MAGIC, 0, 4)) {
            in.advance(4);
        } else {
            prefixed = false;
        }
        p.encoding(TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN.uid(), true, false);
        Dataset meta = p.readGroup2();
        return new FileHead(prefixed, meta, in.position());
    }

    /** Reads a bare data set in a known transfer syntax, as a DIMSE peer or a STOW-RS part without meta sends it. */
    public static Dataset readDataset(InputStream in, TransferSyntax ts, ReadOptions options) throws IOException {
        List<ReadProblem> problems = new ArrayList<>();
        InputStream source = ts.deflated() ? inflate(in) : in;
        Parser p = new Parser(new DicomInput(source, -1, BUFFER), options, null, problems);
        p.encoding(ts.uid(), ts.explicitVr(), ts.bigEndian());
        return p.readTopLevel(SpecificCharacterSet.ASCII);
    }

    private static DicomFile read(DicomInput in, ReadOptions options, Path file) throws IOException {
        List<ReadProblem> problems = new ArrayList<>();
        Parser p = new Parser(in, options, file, problems);
        byte[] preamble = new byte[0];
        if (in.ensure(132) && Arrays.equals(in.buffer(), in.index() + 128, in.index() + 132, MAGIC, 0, 4)) {
            preamble = Arrays.copyOfRange(in.buffer(), in.index(), in.index() + 128);
            in.advance(132);
        } else if (in.ensure(4) && Arrays.equals(in.buffer(), in.index(), in.index() + 4, MAGIC, 0, 4)) {
            p.problem(0, "no 128-byte preamble before DICM");
            in.advance(4);
        } else if (!in.ensure(8)) {
            throw p.error(NOT_DICOM, in.available() == 0 ? "the input is empty"
                    : "the input holds only " + in.available() + " bytes, too few for a data element");
        } else {
            p.problem(0, "no preamble and no DICM prefix");
        }
        p.encoding(TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN.uid(), true, false);
        Dataset meta = p.readGroup2();
        checkGroupLength(meta, p, preamble.length == 0 ? 0 : 132);
        TransferSyntax ts = transferSyntax(meta, in, p);
        InputStream inflated = null;
        DicomInput body = in;
        Parser bodyParser = p;
        if (ts.deflated()) {
            // Offsets within a deflated data set are offsets into the inflated bytes.
            inflated = inflate(in.rest());
            body = new DicomInput(inflated, -1, BUFFER);
            bodyParser = new Parser(body, options, null, problems);
        }
        bodyParser.encoding(ts.uid(), ts.explicitVr(), ts.bigEndian());
        checkFirstElement(body, bodyParser, ts);
        Dataset dataset;
        try {
            dataset = bodyParser.readTopLevel(SpecificCharacterSet.ASCII);
        } catch (DicomParseException e) {
            if (preamble.length == 0 && meta.isEmpty() && e.offset() <= 12) {
                throw new DicomParseException(NOT_DICOM, e.offset(), e.tagPath(), "",
                        "not DICOM: no DICM prefix, no File Meta Information, and the first bytes are no data element ("
                                + e.getMessage() + ")");
            }
            throw e;
        }
        checkPixelModule(dataset, bodyParser);
        return new DicomFile(preamble, meta, dataset, ts, problems);
    }

    /** Pixel data that its describing attributes cannot account for is recorded, so nobody decodes garbage. */
    private static void checkPixelModule(Dataset ds, Parser p) {
        var pixels = ds.get(Tag.PixelData);
        if (pixels.isEmpty()) {
            return;
        }
        for (int tag : new int[] {Tag.Rows, Tag.Columns, Tag.BitsAllocated, Tag.SamplesPerPixel}) {
            if (ds.integer(tag).isEmpty()) {
                p.problem(0, "Pixel Data is present but " + org.lightbox.dicom.ElementDictionary.keywordOf(tag)
                        + " " + org.lightbox.dicom.Tags.format(tag) + " is missing");
                return;
            }
        }
        long length = pixels.get().value().length();
        if (length < 0) {
            return;
        }
        long bits = (long) ds.integer(Tag.Rows).getAsInt() * ds.integer(Tag.Columns).getAsInt()
                * ds.integer(Tag.SamplesPerPixel).getAsInt() * ds.integer(Tag.NumberOfFrames).orElse(1)
                * ds.integer(Tag.BitsAllocated).getAsInt();
        long needed = (bits + 7) / 8;
        if (length < needed) {
            p.problem(0, "Pixel Data holds " + length + " bytes but Rows, Columns, Samples per Pixel, Number of"
                    + " Frames and Bits Allocated need " + needed);
        }
    }

    private static InputStream inflate(InputStream raw) throws IOException {
        // PS3.5 A.5 asks for raw deflate without the zlib wrapper; accept the wrapper too, as other readers do.
        InputStream in = raw.markSupported() ? raw : new java.io.BufferedInputStream(raw, 2);
        in.mark(2);
        int b0 = in.read();
        int b1 = in.read();
        in.reset();
        boolean zlib = b0 == 0x78 && ((b0 << 8 | b1) % 31 == 0);
        return new FilterInputStream(new InflaterInputStream(in, new Inflater(!zlib), 8192)) {
            private long produced;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                try {
                    int n = super.read(b, off, len);
                    produced += Math.max(n, 0);
                    return n;
                } catch (ZipException e) {
                    throw new DicomParseException(DicomParseException.Reason.BAD_DEFLATE, produced, "",
                            TransferSyntax.DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN.uid(),
                            "the deflated data set is corrupt (" + e.getMessage() + ")");
                } catch (EOFException e) {
                    throw new DicomParseException(DicomParseException.Reason.TRUNCATED, produced, "",
                            TransferSyntax.DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN.uid(), "the deflated data set ends early");
                }
            }
        };
    }

    private static void checkGroupLength(Dataset meta, Parser p, long start) {
        meta.get(Tag.FileMetaInformationGroupLength).ifPresent(e -> {
            long[] v = e.longs();
            long actual = 0;
            for (var el : meta) {
                if (el.tag() != Tag.FileMetaInformationGroupLength) {
                    actual += (el.vr().hasLongHeader() ? 12 : 8) + el.value().length();
                }
            }
            if (v.length == 1 && v[0] != actual) {
                p.problem(start, "File Meta Information Group Length says " + v[0] + " but the group holds " + actual
                        + " bytes");
            }
        });
        if (!meta.isEmpty() && !meta.contains(Tag.FileMetaInformationGroupLength)) {
            p.problem(start, "File Meta Information lacks its Group Length (0002,0000)");
        }
    }

    private static TransferSyntax transferSyntax(Dataset meta, DicomInput in, Parser p) throws IOException {
        var uid = meta.string(Tag.TransferSyntaxUID);
        if (uid.isPresent() && !uid.get().isEmpty()) {
            TransferSyntax ts = TransferSyntax.of(uid.get());
            if (!ts.known()) {
                p.problem(0, "unknown transfer syntax " + uid.get() + "; read as explicit VR little endian");
            }
            return ts;
        }
        TransferSyntax guessed = guess(in);
        p.problem(0, (meta.isEmpty() ? "no File Meta Information" : "no Transfer Syntax UID (0002,0010)")
                + "; the data set looks like " + guessed.keyword());
        return guessed;
    }

    /** Infers the encoding of a data set from its first element header. */
    private static TransferSyntax guess(DicomInput in) throws IOException {
        if (!in.ensure(8)) {
            return TransferSyntax.IMPLICIT_VR_LITTLE_ENDIAN;
        }
        boolean vrLike = Vr.isCode(in.u8(4) << 8 | in.u8(5));
        int groupLe = in.u16(0, false);
        int groupBe = in.u16(0, true);
        if (vrLike && groupLe > 0xFF && groupBe <= 0xFF) {
            return TransferSyntax.EXPLICIT_VR_BIG_ENDIAN;
        }
        return vrLike ? TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN : TransferSyntax.IMPLICIT_VR_LITTLE_ENDIAN;
    }

    /** A data set whose first element contradicts the declared VR encoding is read as it really is. */
    private static void checkFirstElement(DicomInput in, Parser p, TransferSyntax ts) throws IOException {
        if (!in.ensure(8)) {
            return;
        }
        boolean vrLike = Vr.isCode(in.u8(4) << 8 | in.u8(5));
        if (ts.explicitVr() && !vrLike) {
            p.problem(in.position(), "transfer syntax " + ts.uid() + " is explicit VR but the data set is implicit VR");
            p.encoding(ts.uid(), false, ts.bigEndian());
        } else if (!ts.explicitVr() && vrLike) {
            int tag = in.u16(0, false) << 16 | in.u16(2, false);
            var entry = org.lightbox.dicom.ElementDictionary.lookup(tag);
            if (entry.isPresent() && entry.get().vrs().contains(Vr.ofCode(in.u8(4) << 8 | in.u8(5)))) {
                p.problem(in.position(), "transfer syntax is implicit VR but the data set is explicit VR");
                p.encoding(ts.uid(), true, ts.bigEndian());
            }
        }
    }
}
