// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicom.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Element;
import org.lightbox.dicom.ElementDictionary;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.Tags;
import org.lightbox.dicom.TransferSyntax;
import org.lightbox.dicom.Value;
import org.lightbox.dicom.Vr;
import org.lightbox.dicom.internal.ByteSwap;

/**
 * Writes Part 10 files and bare data sets. Values are written as they are held, swapped only when the byte order
 * changes, so a file read and written back in its own transfer syntax is identical byte for byte.
 */
public final class DicomWriter {
    /** Lightbox's Implementation Class UID (a UUID-derived 2.25 UID, PS3.5 B.2) and version name. */
    public static final String IMPLEMENTATION_CLASS_UID = "2.25.164837203582209462510960935232614316723";
    public static final String IMPLEMENTATION_VERSION_NAME = "LIGHTBOX_010";

    /** How sequences and items are delimited. */
    public enum Lengths {
        /** As each sequence and item was read (defined length for ones built in memory). */
        AS_READ,
        /** Defined lengths everywhere. */
        DEFINED,
        /** Undefined lengths with delimitation items everywhere. */
        UNDEFINED
    }

    private static final int DEFLATE_LEVEL = 6;

    private DicomWriter() {}

    /** Writes preamble, "DICM", the File Meta Information (group length recomputed) and the data set. */
    public static void write(DicomFile file, OutputStream out) throws IOException {
        write(file, out, Lengths.AS_READ);
    }

    public static void write(DicomFile file, OutputStream out, Lengths lengths) throws IOException {
        byte[] preamble = file.hasPreamble() ? file.preamble() : new byte[128];
        out.write(preamble);
        out.write(new byte[] {'D', 'I', 'C', 'M'});
        Dataset meta = withGroupLength(file.fileMetaInformation());
        new Encoder(out, true, false, Lengths.AS_READ).dataset(meta);
        writeDataset(file.dataset(), file.transferSyntax(), out, lengths);
    }

    /** Writes a bare data set (no preamble, no meta), as DIMSE and a part without meta carry it. */
    public static void writeDataset(Dataset dataset, TransferSyntax ts, OutputStream out, Lengths lengths)
            throws IOException {
        if (ts.deflated()) {
            long[] written = new long[1];
            OutputStream counting = new java.io.FilterOutputStream(out) {
                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    out.write(b, off, len);
                    written[0] += len;
                }

                @Override
                public void write(int b) throws IOException {
                    out.write(b);
                    written[0]++;
                }

                @Override
                public void close() throws IOException {
                    flush();
                }
            };
            DeflaterOutputStream deflating = new DeflaterOutputStream(counting, new Deflater(DEFLATE_LEVEL, true),
                    8192);
            new Encoder(deflating, ts.explicitVr(), ts.bigEndian(), lengths).dataset(dataset);
            deflating.finish();
            deflating.close();
            // PS3.5 A.5: a deflated stream of odd length is padded with one NUL (a PDV must have even length too).
            if ((written[0] & 1) == 1) {
                out.write(0);
            }
        } else {
            new Encoder(out, ts.explicitVr(), ts.bigEndian(), lengths).dataset(dataset);
        }
    }

    /**
     * A file of {@code dataset} in {@code ts}, with fresh File Meta Information naming Lightbox as its
     * implementation.
     */
    public static DicomFile newFile(Dataset dataset, TransferSyntax ts) {
        Dataset.Builder meta = Dataset.builder()
                .add(Element.of(Tag.FileMetaInformationVersion, Vr.OB, new byte[] {0, 1}))
                .setStrings(Tag.MediaStorageSOPClassUID, Vr.UI, dataset.string(Tag.SOPClassUID).orElse(""))
                .setStrings(Tag.MediaStorageSOPInstanceUID, Vr.UI, dataset.string(Tag.SOPInstanceUID).orElse(""))
                .setStrings(Tag.TransferSyntaxUID, Vr.UI, ts.uid())
                .setStrings(Tag.ImplementationClassUID, Vr.UI, IMPLEMENTATION_CLASS_UID)
                .setStrings(Tag.ImplementationVersionName, Vr.SH, IMPLEMENTATION_VERSION_NAME);
        return new DicomFile(new byte[0], withGroupLength(meta.build()), dataset, ts, java.util.List.of());
    }

    /**
     * Writes the head of a Part 10 file (preamble, "DICM", File Meta Information naming Lightbox as implementation)
     * for a data set whose bytes, in {@code transferSyntax}, the caller writes next: how received instances are
     * stored without being parsed.
     */
    public static void writeFileHead(String sopClassUid, String sopInstanceUid, String transferSyntax,
            OutputStream out) throws IOException {
        DicomFile head = newFile(Dataset.builder().setStrings(Tag.SOPClassUID, Vr.UI, sopClassUid)
                .setStrings(Tag.SOPInstanceUID, Vr.UI, sopInstanceUid).build(), TransferSyntax.of(transferSyntax));
        out.write(new byte[128]);
        out.write(new byte[] {'D', 'I', 'C', 'M'});
        new Encoder(out, true, false, Lengths.AS_READ).dataset(head.fileMetaInformation());
    }

    /**
     * The same file in another uncompressed transfer syntax (byte order and VR encoding change when written).
     * Encapsulated pixel data cannot change this way: that needs a codec.
     */
    public static DicomFile convert(DicomFile file, TransferSyntax ts) {
        if (file.transferSyntax().uid().equals(ts.uid())) {
            return file;
        }
        boolean encapsulated = file.dataset().get(Tag.PixelData).map(e -> e.value() instanceof Value.Fragments)
                .orElse(false);
        if (encapsulated || ts.isEncapsulated() && file.dataset().contains(Tag.PixelData)) {
            throw new IllegalArgumentException("converting pixel data from " + file.transferSyntax().uid() + " to "
                    + ts.uid() + " needs a codec");
        }
        Dataset meta = file.fileMetaInformation().toBuilder()
                .setStrings(Tag.TransferSyntaxUID, Vr.UI, ts.uid())
                .setStrings(Tag.ImplementationClassUID, Vr.UI, IMPLEMENTATION_CLASS_UID)
                .setStrings(Tag.ImplementationVersionName, Vr.SH, IMPLEMENTATION_VERSION_NAME)
                .build();
        return new DicomFile(file.preamble(), meta, file.dataset(), ts, file.problems());
    }

    private static Dataset withGroupLength(Dataset meta) {
        long length = 0;
        for (Element e : meta) {
            if (e.tag() != Tag.FileMetaInformationGroupLength) {
                length += Encoder.encodedLength(e, true, Lengths.AS_READ);
            }
        }
        return meta.toBuilder().setNumbers(Tag.FileMetaInformationGroupLength, Vr.UL, length).build();
    }

    /** Encodes elements in one VR encoding and byte order. */
    private static final class Encoder {
        private final OutputStream out;
        private final boolean explicit;
        private final boolean bigEndian;
        private final Lengths lengths;
        private final byte[] header = new byte[12];

        Encoder(OutputStream out, boolean explicit, boolean bigEndian, Lengths lengths) {
            this.out = out;
            this.explicit = explicit;
            this.bigEndian = bigEndian;
            this.lengths = lengths;
        }

        void dataset(Dataset ds) throws IOException {
            for (Element e : ds) {
                element(e);
            }
        }

        private void element(Element e) throws IOException {
            switch (e.value()) {
                case Value.Items items when e.vr() == Vr.UN && (explicit || bigEndian) -> {
                    // Items of a UN sequence stay implicit VR little endian, whatever surrounds them. Only an
                    // undefined length tells a reader that a UN value holds items (PS3.5 6.2.2), so DEFINED keeps it.
                    boolean undefined = lengths != Lengths.AS_READ || e.undefinedLength();
                    Encoder inner = new Encoder(out, false, false, lengths);
                    header(e.tag(), Vr.UN, undefined ? 0xFFFFFFFFL : itemsLength(items, false, lengths));
                    inner.items(items, undefined);
                }
                case Value.Items items -> {
                    boolean undefined = undefined(e.undefinedLength()) || opaqueWhenDefined(e, explicit);
                    header(e.tag(), Vr.SQ, undefined ? 0xFFFFFFFFL : itemsLength(items, explicit, lengths));
                    items(items, undefined);
                }
                case Value.Fragments fragments -> {
                    header(e.tag(), e.vr(), 0xFFFFFFFFL);
                    for (Value f : fragments.fragments()) {
                        tagAndLength(Tags.ITEM, f.length());
                        raw(f, Vr.OB, false);
                    }
                    tagAndLength(Tags.SEQUENCE_DELIMITATION, 0);
                }
                default -> {
                    header(e.tag(), e.vr(), e.value().length());
                    raw(e.value(), e.vr(), e.bigEndian());
                }
            }
        }

        private void items(Value.Items items, boolean undefined) throws IOException {
            for (Dataset item : items.items()) {
                boolean itemUndefined = undefined(item.undefinedLength());
                tagAndLength(Tags.ITEM, itemUndefined ? 0xFFFFFFFFL : datasetLength(item, explicit, lengths));
                dataset(item);
                if (itemUndefined) {
                    tagAndLength(Tags.ITEM_DELIMITATION, 0);
                }
            }
            if (undefined) {
                tagAndLength(Tags.SEQUENCE_DELIMITATION, 0);
            }
        }

        /**
         * In implicit VR, only an undefined length tells a reader that a tag the dictionary does not know as SQ (a
         * private sequence, say) holds items; with a defined length DCMTK and pydicom keep its bytes.
         */
        static boolean opaqueWhenDefined(Element e, boolean explicit) {
            return !explicit && ElementDictionary.vrOf(e.tag()) != Vr.SQ;
        }

        private boolean undefined(boolean asRead) {
            return lengths == Lengths.UNDEFINED || lengths == Lengths.AS_READ && asRead;
        }

        private void header(int tag, Vr vr, long length) throws IOException {
            put16(0, tag >>> 16);
            put16(2, tag);
            if (!explicit) {
                put32(4, length);
                out.write(header, 0, 8);
                return;
            }
            // A value too long for a 16-bit length field can only be sent as UN (PS3.5 6.2.2).
            Vr written = !vr.hasLongHeader() && length > 0xFFFF ? Vr.UN : vr;
            header[4] = (byte) (written.code() >>> 8);
            header[5] = (byte) written.code();
            if (written.hasLongHeader()) {
                header[6] = 0;
                header[7] = 0;
                put32(8, length);
                out.write(header, 0, 12);
            } else {
                put16(6, (int) length);
                out.write(header, 0, 8);
            }
        }

        private void tagAndLength(int tag, long length) throws IOException {
            put16(0, tag >>> 16);
            put16(2, tag);
            put32(4, length);
            out.write(header, 0, 8);
        }

        private void raw(Value v, Vr vr, boolean valueBigEndian) throws IOException {
            int unit = valueBigEndian != bigEndian ? vr.unitSize() : 1;
            switch (v) {
                case Value.Bytes b -> {
                    if (unit > 1) {
                        out.write(ByteSwap.swapped(b.data(), b.data().length, unit));
                    } else {
                        out.write(b.data());
                    }
                }
                case Value.Bulk b -> {
                    try (InputStream in = b.open()) {
                        byte[] buf = new byte[64 * 1024];
                        long left = b.length();
                        while (left > 0) {
                            int n = in.readNBytes(buf, 0, (int) Math.min(buf.length, left));
                            if (n <= 0) {
                                throw new IOException(b.file() + " ended before the bulk value it should hold");
                            }
                            // Chunks are multiples of every unit size, so swapping per chunk is exact.
                            out.write(unit > 1 ? ByteSwap.swapped(buf, n, unit) : buf, 0, n);
                            left -= n;
                        }
                    }
                }
                default -> throw new IllegalStateException("not a leaf value: " + v);
            }
        }

        private void put16(int at, int v) {
            if (bigEndian) {
                header[at] = (byte) (v >>> 8);
                header[at + 1] = (byte) v;
            } else {
                header[at] = (byte) v;
                header[at + 1] = (byte) (v >>> 8);
            }
        }

        private void put32(int at, long v) {
            if (bigEndian) {
                put16(at, (int) (v >>> 16));
                put16(at + 2, (int) v);
            } else {
                put16(at, (int) v);
                put16(at + 2, (int) (v >>> 16));
            }
        }

        static long datasetLength(Dataset ds, boolean explicit, Lengths lengths) {
            long n = 0;
            for (Element e : ds) {
                n += encodedLength(e, explicit, lengths);
            }
            return n;
        }

        static long itemsLength(Value.Items items, boolean explicit, Lengths lengths) {
            long n = 0;
            for (Dataset item : items.items()) {
                boolean undefined = lengths == Lengths.UNDEFINED || lengths == Lengths.AS_READ && item.undefinedLength();
                n += 8 + datasetLength(item, explicit, lengths) + (undefined ? 8 : 0);
            }
            return n;
        }

        static long encodedLength(Element e, boolean explicit, Lengths lengths) {
            long headerLength = !explicit ? 8 : e.vr().hasLongHeader() || e.value().length() > 0xFFFF ? 12 : 8;
            return headerLength + switch (e.value()) {
                case Value.Items items -> {
                    boolean unItems = e.vr() == Vr.UN && explicit;
                    boolean undefined = lengths == Lengths.UNDEFINED || lengths == Lengths.AS_READ && e.undefinedLength()
                            || unItems && lengths != Lengths.AS_READ || opaqueWhenDefined(e, explicit);
                    boolean itemsExplicit = explicit && e.vr() == Vr.SQ;
                    yield itemsLength(items, itemsExplicit, lengths) + (undefined ? 8 : 0);
                }
                case Value.Fragments f -> {
                    long n = 8;
                    for (Value v : f.fragments()) {
                        n += 8 + v.length();
                    }
                    yield n;
                }
                default -> e.value().length();
            };
        }
    }
}
