// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicom.io;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Element;
import org.lightbox.dicom.ElementDictionary;
import org.lightbox.dicom.Tags;
import org.lightbox.dicom.Value;
import org.lightbox.dicom.Vr;

/**
 * A data set as text, one element per line with items indented, in the spirit of DCMTK's dcmdump:
 * {@code (0010,0010) PN [Doe^Jane]   # 8, 1 PatientName}.
 */
public final class TextDump {
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();
    /** "00" to "FF": appending a Latin-1 string is one copy, appending chars one by one is not. */
    private static final String[] HEX2 = new String[256];

    static {
        for (int i = 0; i < 256; i++) {
            HEX2[i] = new String(new char[] {HEX[i >>> 4], HEX[i & 0xF]});
        }
    }

    private static final String SPACES_STRING = " ".repeat(64);
    /** How many bytes of a value left on disk are read to show its first values. */
    private static final int BULK_PEEK = 64;

    private final Appendable out;
    private final int maxValueChars;
    private final boolean peekBulk;
    private final Map<Value.Bulk, byte[]> heads;
    /** The text not yet handed to {@code out}; lines are built in it directly, padded from {@link #lineStart}. */
    private final StringBuilder line = new StringBuilder(8192);
    private int lineStart;

    /**
     * @param maxValueChars values longer than this are cut and end with "..."
     * @param peekBulk whether to read the first bytes of values left on disk to show them
     */
    public TextDump(Appendable out, int maxValueChars, boolean peekBulk) {
        this(out, maxValueChars, peekBulk, Map.of());
    }

    /**
     * @param heads the first bytes of values left on disk where the caller already has them (a bulk data handler
     *     saw them stream past), so that showing them costs no second read of the file
     */
    public TextDump(Appendable out, int maxValueChars, boolean peekBulk, Map<Value.Bulk, byte[]> heads) {
        this.out = out;
        this.maxValueChars = maxValueChars;
        this.peekBulk = peekBulk;
        this.heads = heads;
    }

    /** How many leading bytes of a value left on disk the dump shows. */
    public static int bulkHeadLength() {
        return BULK_PEEK;
    }

    public void print(DicomFile file) throws IOException {
        if (!file.fileMetaInformation().isEmpty()) {
            line.append("# File Meta Information\n");
            elements(file.fileMetaInformation(), 0);
        }
        line.append("# Data Set (").append(file.transferSyntax().uid()).append(' ')
                .append(file.transferSyntax().keyword()).append(")\n");
        elements(file.dataset(), 0);
        for (ReadProblem p : file.problems()) {
            line.append("# problem: ").append(p.toString()).append('\n');
        }
        flush();
    }

    public void print(Dataset ds) throws IOException {
        elements(ds, 0);
        flush();
    }

    private void elements(Dataset ds, int depth) throws IOException {
        for (Element e : ds) {
            element(ds, e, depth);
        }
    }

    private void element(Dataset ds, Element e, int depth) throws IOException {
        lineStart = line.length();
        indent(depth);
        tag(e.tag());
        line.append(' ').append(e.vr().name()).append(' ');
        switch (e.value()) {
            case Value.Items items -> {
                line.append("(Sequence with ").append(e.undefinedLength() ? "undefined" : "defined")
                        .append(" length, ").append(items.items().size()).append(" items)");
                end(-1, items.items().size(), e.tag(), ds);
                int n = 0;
                for (Dataset item : items.items()) {
                    lineStart = line.length();
                    indent(depth + 1);
                    line.append("(FFFE,E000) na (Item #").append(++n).append(", ")
                            .append(item.undefinedLength() ? "undefined" : "defined").append(" length, ")
                            .append(item.size()).append(" elements)");
                    line.append('\n');
                    elements(item, depth + 2);
                }
            }
            case Value.Fragments f -> {
                line.append("(Pixel sequence, ").append(f.fragments().size()).append(" items)");
                end(-1, f.fragments().size(), e.tag(), ds);
                for (Value fragment : f.fragments()) {
                    lineStart = line.length();
                    indent(depth + 1);
                    line.append("(FFFE,E000) pi ");
                    appendBinary(fragment, Vr.OB, false);
                    end(fragment.length(), 1, Tags.ITEM, ds);
                }
            }
            default -> {
                int vm = value(ds, e);
                end(e.value().length(), vm, e.tag(), ds);
            }
        }
    }

    private int value(Dataset ds, Element e) throws IOException {
        if (e.isEmpty()) {
            line.append("(no value)");
            return 0;
        }
        if (e.vr().isText()) {
            // The value as written, padding removed; values are counted at their backslashes.
            String text = e.text(ds.charset());
            int vm = 1;
            if (e.vr().isMultiValuedText()) {
                for (int i = text.indexOf('\\'); i >= 0; i = text.indexOf('\\', i + 1)) {
                    vm++;
                }
            }
            line.append('[');
            int start = line.length();
            line.append(text, 0, Math.min(text.length(), maxValueChars + 1));
            cut(start, "]");
            return text.isEmpty() ? 0 : vm;
        }
        return appendBinary(e.value(), e.vr(), e.bigEndian());
    }

    private int appendBinary(Value value, Vr vr, boolean bigEndian) throws IOException {
        byte[] bytes;
        boolean partial = false;
        if (value instanceof Value.Bulk bulk) {
            if (!peekBulk) {
                line.append("(").append(bulk.length()).append(" bytes at offset ").append(bulk.offset()).append(')');
                return 1;
            }
            byte[] known = heads.get(bulk);
            if (known != null) {
                bytes = known;
            } else {
                try (InputStream in = bulk.open()) {
                    bytes = in.readNBytes((int) Math.min(BULK_PEEK, bulk.length()));
                }
            }
            partial = bytes.length < bulk.length();
        } else {
            bytes = ((Value.Bytes) value).data();
            // Only what fits the width is shown: decode no more than that of a large value.
            int shown = (maxValueChars + 2) * Math.max(1, vr.unitSize());
            if (bytes.length > shown) {
                bytes = java.util.Arrays.copyOf(bytes, shown);
                partial = true;
            }
        }
        int start = line.length();
        Element view = new Element(0, vr, new Value.Bytes(bytes), bigEndian, false);
        int count;
        switch (vr) {
            case OB, UN -> {
                for (int i = 0; i < bytes.length && line.length() - start <= maxValueChars; i++) {
                    hex(i == 0 ? -1 : '\\', bytes[i] & 0xFF, 2);
                }
                count = 1;
            }
            case OW -> {
                long[] words = view.longs();
                for (int i = 0; i < words.length && line.length() - start <= maxValueChars; i++) {
                    hex(i == 0 ? -1 : '\\', (int) words[i], 4);
                }
                count = 1;
            }
            default -> {
                List<String> values = view.strings(org.lightbox.dicom.SpecificCharacterSet.ASCII);
                for (int i = 0; i < values.size() && line.length() - start <= maxValueChars; i++) {
                    line.append(i == 0 ? "" : "\\").append(values.get(i));
                }
                count = vr == Vr.OD || vr == Vr.OF || vr == Vr.OL || vr == Vr.OV ? 1 : values.size();
            }
        }
        if (partial && line.length() - start <= maxValueChars) {
            line.append("...");
        }
        cut(start, "");
        return count;
    }

    private void hex(int separator, int v, int digits) {
        if (separator >= 0) {
            line.append((char) separator);
        }
        if (digits == 4) {
            line.append(HEX2[v >>> 8 & 0xFF]);
        }
        line.append(HEX2[v & 0xFF]);
    }

    /** "(gggg,eeee)" straight into the line: one call per element instead of a String each. */
    private void tag(int tag) {
        line.append('(').append(HEX2[tag >>> 24]).append(HEX2[tag >>> 16 & 0xFF]).append(',')
                .append(HEX2[tag >>> 8 & 0xFF]).append(HEX2[tag & 0xFF]).append(')');
    }

    private void cut(int start, String close) {
        if (line.length() - start > maxValueChars) {
            line.setLength(start + maxValueChars);
            line.append("...");
        }
        line.append(close);
    }

    private void end(long length, int vm, int tag, Dataset ds) throws IOException {
        int pad = 60 - (line.length() - lineStart);
        if (pad > 0) {
            line.append(SPACES_STRING, 0, pad);
        }
        line.append(" # ");
        if (length >= 0) {
            line.append(length).append(", ");
        }
        line.append(vm).append(' ');
        String keyword = ElementDictionary.keywordOf(tag);
        if (!keyword.isEmpty()) {
            line.append(keyword);
        } else if (Tags.isPrivateCreator(tag)) {
            line.append("PrivateCreator");
        } else if (Tags.isPrivate(tag)) {
            line.append("Private ").append(ds.privateCreator(tag).map(c -> "[" + c + "]").orElse("(no creator)"));
        } else {
            line.append("Unknown");
        }
        line.append('\n');
        if (line.length() > 6000) {
            flush();
        }
    }

    private void flush() throws IOException {
        out.append(line);
        line.setLength(0);
        lineStart = 0;
    }

    private void indent(int depth) {
        line.append(SPACES_STRING, 0, Math.min(2 * depth, SPACES_STRING.length()));
    }
}
