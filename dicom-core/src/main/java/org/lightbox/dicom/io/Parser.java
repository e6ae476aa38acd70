// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicom.io;

import static org.lightbox.dicom.io.DicomParseException.Reason.BAD_DELIMITER;
import static org.lightbox.dicom.io.DicomParseException.Reason.BAD_LENGTH;
import static org.lightbox.dicom.io.DicomParseException.Reason.LENGTH_EXCEEDS_REMAINING;
import static org.lightbox.dicom.io.DicomParseException.Reason.TOO_DEEP;
import static org.lightbox.dicom.io.DicomParseException.Reason.TRUNCATED;
import static org.lightbox.dicom.io.DicomParseException.Reason.VALUE_TOO_LARGE;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Element;
import org.lightbox.dicom.ElementDictionary;
import org.lightbox.dicom.SpecificCharacterSet;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.Tags;
import org.lightbox.dicom.Value;
import org.lightbox.dicom.Vr;

/** Parses the elements of one data set encoding; one instance per read. */
final class Parser {
    private static final int UNDEFINED = -1;
    private static final int MAX_PROBLEMS = 100;

    private final DicomInput in;
    private final ReadOptions options;
    private final Path file;
    private final List<ReadProblem> problems;
    private String tsUid = "";
    private boolean explicit;
    private boolean bigEndian;
    /** Path stack: tag and item index per level, for messages. */
    private int[] pathTags = new int[8];
    private int[] pathItems = new int[8];
    private int depth;
    /** Set when a sequence delimiter ended an undefined-length item that lacked its own delimiter. */
    private boolean sequenceEnded;

    Parser(DicomInput in, ReadOptions options, Path file, List<ReadProblem> problems) {
        this.in = in;
        this.options = options;
        this.file = file;
        this.problems = problems;
    }

    void encoding(String tsUid, boolean explicit, boolean bigEndian) {
        this.tsUid = tsUid;
        this.explicit = explicit;
        this.bigEndian = bigEndian;
    }

    boolean explicit() {
        return explicit;
    }

    /** The data set up to the end of the input (or to Pixel Data when asked to stop there). */
    Dataset readTopLevel(SpecificCharacterSet inherited) throws IOException {
        return readDataset(Long.MAX_VALUE, false, inherited, 0);
    }

    /** Group 0002, which is always explicit VR little endian, read up to the first element of another group. */
    Dataset readGroup2() throws IOException {
        Dataset.Builder b = Dataset.builder();
        while (in.ensure(2) && in.u16(0, false) == 0x0002) {
            if (!in.ensure(8)) {
                throw error(TRUNCATED, "the File Meta Information ends inside an element header");
            }
            b.add(readElement(b, 0, Long.MAX_VALUE));
        }
        return b.build();
    }

    private Dataset readDataset(long end, boolean undefinedItem, SpecificCharacterSet inherited, int level)
            throws IOException {
        Dataset.Builder b = Dataset.builder().inheritCharset(inherited).undefinedLength(undefinedItem);
        int previous = -1;
        while (true) {
            long at = in.position();
            if (at >= end) {
                break;
            }
            if (!in.ensure(8)) {
                if (undefinedItem || end != Long.MAX_VALUE) {
                    throw error(TRUNCATED, "the input ends inside " + (level == 0 ? "the data set" : "an item"));
                }
                int left = in.available();
                if (left > 0) {
                    if (!allZero(left)) {
                        throw error(TRUNCATED, "the input ends inside an element header (" + left + " bytes of 8)");
                    }
                    problem(at, "ignored " + left + " zero bytes after the last element");
                    in.advance(left);
                }
                break;
            }
            int tag = in.u16(0, bigEndian) << 16 | in.u16(2, bigEndian);
            if (tag == Tags.ITEM_DELIMITATION) {
                in.advance(8);
                if (undefinedItem) {
                    return b.build();
                }
                problem(at, "an Item Delimitation Item where none was open; skipped");
                continue;
            }
            if (tag == Tags.SEQUENCE_DELIMITATION) {
                if (undefinedItem) {
                    // The item's own delimiter is missing; readers accept the sequence's as ending both.
                    in.advance(8);
                    problem(at, "a Sequence Delimitation Item ends an item that lacks its Item Delimitation Item");
                    sequenceEnded = true;
                    return b.build();
                }
                in.advance(8);
                problem(at, "a Sequence Delimitation Item outside any sequence; skipped");
                continue;
            }
            if (tag == Tags.ITEM) {
                throw error(BAD_DELIMITER, "an Item tag (FFFE,E000) where a data element was expected");
            }
            if (level == 0 && options.stopBeforePixelData() && isPixelData(tag)) {
                break;
            }
            Element e = readElement(b, level, end);
            if (Integer.compareUnsigned(e.tag(), previous) <= 0 && previous != -1) {
                // Kept in tag order, the one place the data set differs from the bytes: say so.
                problem(at, e.tag() == previous ? "a second " + Tags.format(e.tag()) + "; the last one is kept"
                        : Tags.format(e.tag()) + " follows " + Tags.format(previous) + ": elements out of order");
            }
            previous = e.tag();
            b.add(e);
        }
        if (undefinedItem) {
            throw error(TRUNCATED, "the input ends before the Item Delimitation Item");
        }
        if (in.position() > end) {
            throw error(BAD_LENGTH, "the last element runs " + (in.position() - end) + " bytes past the item's end");
        }
        return b.build();
    }

    private boolean allZero(int n) {
        for (int i = 0; i < n; i++) {
            if (in.u8(i) != 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean isPixelData(int tag) {
        return tag == Tag.PixelData || tag == Tag.FloatPixelData || tag == Tag.DoubleFloatPixelData;
    }

    /** Reads one element whose header is buffered (at least 8 bytes). */
    private Element readElement(Dataset.Builder context, int level, long end) throws IOException {
        long at = in.position();
        boolean be = bigEndian;
        int tag = in.u16(0, be) << 16 | in.u16(2, be);
        push(tag);
        try {
            Vr vr;
            long length;
            int vrCode = in.u8(4) << 8 | in.u8(5);
            boolean elementExplicit = explicit;
            if (elementExplicit && !Vr.isCode(vrCode)) {
                elementExplicit = false;
                problem(at, "no valid VR (bytes " + hex2(vrCode) + "); read as implicit VR");
            } else if (!elementExplicit && Vr.isCode(vrCode) && looksExplicit(tag, vrCode)) {
                elementExplicit = true;
                problem(at, "explicit VR " + Vr.ofCode(vrCode) + " in an implicit VR data set; read as explicit");
            }
            if (elementExplicit) {
                vr = Vr.ofCode(vrCode);
                if (vr.hasLongHeader()) {
                    if (!in.ensure(12)) {
                        throw error(TRUNCATED, "the input ends inside the element header");
                    }
                    length = in.i32(8, be) & 0xFFFFFFFFL;
                    in.advance(12);
                } else {
                    length = in.u16(6, be);
                    in.advance(8);
                }
            } else {
                vr = implicitVr(tag, context);
                length = in.i32(4, be) & 0xFFFFFFFFL;
                in.advance(8);
            }
            if (length == 0xFFFFFFFFL) {
                return readUndefined(tag, vr, context, level, at);
            }
            if (length > in.remaining() || in.position() + length > end) {
                throw error(LENGTH_EXCEEDS_REMAINING, "a value length of " + length + " bytes exceeds the "
                        + Math.min(in.remaining(), end - in.position()) + " bytes that remain");
            }
            if (vr == Vr.SQ) {
                return new Element(tag, vr, readItems(length, context, level, explicit, bigEndian), be, false);
            }
            if ((length & 1) == 1) {
                problem(at, "odd value length " + length);
            }
            if (vr == Vr.UN && length >= 8 && implicitVr(tag, context) == Vr.SQ && startsWithItem()) {
                // A sequence sent as UN by a node that did not know the tag: PS3.5 6.2.2 says it is implicit LE.
                problem(at, "UN element holds a sequence; read its items as implicit VR little endian");
                return new Element(tag, Vr.UN, readItems(length, context, level, false, false), false, false);
            }
            Value value = readValue(tag, vr, length, level);
            if (value instanceof Value.Bytes b && length > 0 && length <= 1024) {
                String bad = ValueChecks.check(vr, b.data());
                if (bad != null) {
                    problem(at, bad);
                }
            }
            return new Element(tag, vr, value, be, false);
        } finally {
            pop();
        }
    }

    /** Whether the two bytes after the tag in an implicit data set are really a VR the dictionary agrees with. */
    private boolean looksExplicit(int tag, int vrCode) {
        Vr vr = Vr.ofCode(vrCode);
        return ElementDictionary.lookup(tag).map(e -> e.vrs().contains(vr)).orElse(false);
    }

    private boolean startsWithItem() throws IOException {
        return in.ensure(4) && (in.u16(0, false) << 16 | in.u16(2, false)) == Tags.ITEM;
    }

    private Element readUndefined(int tag, Vr vr, Dataset.Builder context, int level, long at) throws IOException {
        if (vr == Vr.SQ) {
            return new Element(tag, vr, readItems(UNDEFINED, context, level, explicit, bigEndian), bigEndian, true);
        }
        if (vr == Vr.UN) {
            // PS3.5 6.2.2: an undefined-length UN is a sequence encoded in implicit VR little endian.
            return new Element(tag, Vr.UN, readItems(UNDEFINED, context, level, false, false), false, true);
        }
        if (vr == Vr.OB || vr == Vr.OW || isPixelData(tag)) {
            return new Element(tag, vr, readFragments(tag, vr), bigEndian, true);
        }
        problem(at, "undefined length on a " + vr + " element; read as a sequence");
        return new Element(tag, Vr.SQ, readItems(UNDEFINED, context, level, explicit, bigEndian), bigEndian, true);
    }

    private Value.Items readItems(long length, Dataset.Builder context, int level, boolean itemsExplicit,
            boolean itemsBigEndian) throws IOException {
        if (level + 1 > options.maxDepth()) {
            throw error(TOO_DEEP, "sequences nest deeper than " + options.maxDepth() + " levels");
        }
        boolean savedExplicit = explicit;
        boolean savedBigEndian = bigEndian;
        explicit = itemsExplicit;
        bigEndian = itemsBigEndian;
        try {
            long end = length == UNDEFINED ? Long.MAX_VALUE : in.position() + length;
            SpecificCharacterSet charset = context.charset();
            List<Dataset> items = new ArrayList<>();
            while (in.position() < end) {
                if (!in.ensure(8)) {
                    throw error(TRUNCATED, "the input ends inside a sequence");
                }
                int tag = in.u16(0, bigEndian) << 16 | in.u16(2, bigEndian);
                long itemLength = in.i32(4, bigEndian) & 0xFFFFFFFFL;
                if (tag == Tags.SEQUENCE_DELIMITATION) {
                    in.advance(8);
                    if (length != UNDEFINED) {
                        problem(in.position() - 8, "a Sequence Delimitation Item in a defined-length sequence");
                    }
                    break;
                }
                if (tag != Tags.ITEM) {
                    throw error(BAD_DELIMITER, "expected an Item tag (FFFE,E000) but found " + Tags.format(tag));
                }
                in.advance(8);
                pathItems[depth - 1] = items.size();
                if (itemLength == 0xFFFFFFFFL) {
                    items.add(readDataset(Long.MAX_VALUE, true, charset, level + 1));
                } else {
                    if (itemLength > in.remaining()) {
                        if (level > 0) {
                            throw error(LENGTH_EXCEEDS_REMAINING, "an item length of " + itemLength
                                    + " bytes exceeds the " + in.remaining() + " bytes that remain");
                        }
                        // The last item of a top-level sequence cut short: dcmdump and pydicom read what is there.
                        problem(in.position(), "an item length of " + itemLength + " bytes exceeds the "
                                + in.remaining() + " bytes that remain; read to the end of the input");
                        itemLength = in.remaining();
                    }
                    if (in.position() + itemLength > end) {
                        // dcmdump and pydicom read such an item whole and end the sequence after it.
                        problem(in.position(), "an item runs " + (in.position() + itemLength - end)
                                + " bytes past the end of its sequence; the sequence ends after it");
                        end = in.position() + itemLength;
                    }
                    items.add(readDataset(in.position() + itemLength, false, charset, level + 1));
                }
                pathItems[depth - 1] = -1;
                if (sequenceEnded) {
                    sequenceEnded = false;
                    break;
                }
            }
            if (length != UNDEFINED && in.position() != end) {
                throw error(BAD_LENGTH, "the items overrun the sequence length by " + (in.position() - end) + " bytes");
            }
            return new Value.Items(items);
        } finally {
            explicit = savedExplicit;
            bigEndian = savedBigEndian;
        }
    }

    private Value.Fragments readFragments(int tag, Vr vr) throws IOException {
        List<Value> fragments = new ArrayList<>();
        while (true) {
            if (!in.ensure(8)) {
                throw error(TRUNCATED, "the input ends inside encapsulated pixel data");
            }
            int itemTag = in.u16(0, bigEndian) << 16 | in.u16(2, bigEndian);
            long length = in.i32(4, bigEndian) & 0xFFFFFFFFL;
            in.advance(8);
            if (itemTag == Tags.SEQUENCE_DELIMITATION) {
                break;
            }
            if (itemTag != Tags.ITEM) {
                throw error(BAD_DELIMITER, "expected a fragment Item tag (FFFE,E000) but found " + Tags.format(itemTag));
            }
            if (length == 0xFFFFFFFFL) {
                throw error(BAD_LENGTH, "a fragment has undefined length");
            }
            if (length > in.remaining()) {
                throw error(LENGTH_EXCEEDS_REMAINING, "a fragment length of " + length + " bytes exceeds the "
                        + in.remaining() + " bytes that remain");
            }
            pathItems[depth - 1] = fragments.size();
            // The offset table stays in memory: readers need it to find frames.
            fragments.add(fragments.isEmpty() ? new Value.Bytes(load(length)) : bulkOrBytes(tag, vr, length, true));
            pathItems[depth - 1] = -1;
        }
        if (fragments.isEmpty()) {
            fragments.add(Value.Bytes.EMPTY);
        }
        return new Value.Fragments(fragments);
    }

    private Value readValue(int tag, Vr vr, long length, int level) throws IOException {
        boolean binaryBulk = switch (vr) {
            case OB, OW, OD, OF, OL, OV, UN -> true;
            default -> isPixelData(tag);
        };
        return bulkOrBytes(tag, vr, length, binaryBulk);
    }

    private Value bulkOrBytes(int tag, Vr vr, long length, boolean mayBeBulk) throws IOException {
        if (length == 0) {
            return Value.Bytes.EMPTY;
        }
        boolean bulk = mayBeBulk && length >= options.bulkDataThreshold() || length > options.maxValueLength();
        if (!bulk) {
            return new Value.Bytes(load(length));
        }
        long start = in.position();
        if (options.bulkDataHandler().isPresent()) {
            InputStream slice = in.slice(length);
            Value kept = options.bulkDataHandler().get().handle(path(), tag, vr, start, length, slice);
            long left = length - (in.position() - start);
            if (left > 0 && !in.skip(left)) {
                throw error(TRUNCATED, "the input ends inside a value of " + length + " bytes");
            }
            return kept;
        }
        if (file != null) {
            if (!in.skip(length)) {
                throw error(TRUNCATED, "the input ends inside a value of " + length + " bytes");
            }
            return new Value.Bulk(file, start, length);
        }
        if (length > options.maxValueLength()) {
            throw error(VALUE_TOO_LARGE, "a value of " + length + " bytes exceeds the limit of "
                    + options.maxValueLength() + " bytes");
        }
        return new Value.Bytes(load(length));
    }

    private byte[] load(long length) throws IOException {
        if (length > Integer.MAX_VALUE - 8) {
            throw error(VALUE_TOO_LARGE, "a value of " + length + " bytes cannot be held in memory");
        }
        byte[] bytes = in.read((int) length);
        if (bytes == null) {
            throw error(TRUNCATED, "the input ends inside a value of " + length + " bytes");
        }
        return bytes;
    }

    private Vr implicitVr(int tag, Dataset.Builder context) {
        var entry = ElementDictionary.lookup(tag);
        if (entry.isEmpty()) {
            return Vr.UN;
        }
        List<Vr> vrs = entry.get().vrs();
        if (vrs.size() < 2) {
            return entry.get().defaultVr();
        }
        if (vrs.contains(Vr.OW)) {
            // Pixel data and LUT data in implicit VR are OW (PS3.5 A.1, 8.1.2).
            return Vr.OW;
        }
        if (vrs.contains(Vr.SS)) {
            boolean signed = context.get(Tag.PixelRepresentation)
                    .map(e -> e.longs().length > 0 && e.longs()[0] == 1).orElse(false);
            return signed ? Vr.SS : Vr.US;
        }
        return vrs.getFirst();
    }

    private void push(int tag) {
        if (depth == pathTags.length) {
            pathTags = java.util.Arrays.copyOf(pathTags, depth * 2);
            pathItems = java.util.Arrays.copyOf(pathItems, depth * 2);
        }
        pathTags[depth] = tag;
        pathItems[depth] = -1;
        depth++;
    }

    private void pop() {
        depth--;
    }

    String path() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < depth; i++) {
            if (i > 0) {
                sb.append(" > ");
            }
            sb.append(Tags.format(pathTags[i]));
            if (pathItems[i] >= 0) {
                sb.append('[').append(pathItems[i]).append(']');
            }
        }
        return sb.toString();
    }

    void problem(long offset, String message) {
        if (problems.size() < MAX_PROBLEMS) {
            problems.add(new ReadProblem(offset, path(), message));
        }
    }

    DicomParseException error(DicomParseException.Reason reason, String detail) {
        return new DicomParseException(reason, in.position(), path(), tsUid, detail);
    }

    private static String hex2(int code) {
        return String.format("%02X %02X", code >>> 8, code & 0xFF);
    }
}
