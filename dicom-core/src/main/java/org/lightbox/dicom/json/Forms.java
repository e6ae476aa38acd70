// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicom.json;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Element;
import org.lightbox.dicom.ElementDictionary;
import org.lightbox.dicom.Tags;
import org.lightbox.dicom.Value;
import org.lightbox.dicom.Vr;
import org.lightbox.dicom.internal.ByteSwap;

/**
 * How an element appears in both models (PS3.18 F.2, PS3.19 A.1): the writers share this decision and differ only in
 * syntax.
 */
final class Forms {
    /** Integers beyond this lose precision in a JSON number read as an IEEE double (PS3.18 F.2.3 note). */
    private static final long SAFE_INTEGER = 1L << 53;
    private static final Pattern JSON_NUMBER = Pattern.compile("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?");

    private Forms() {}

    sealed interface Form {}

    /** No value: the element is present but empty (PS3.18 F.2.5). */
    record Empty() implements Form {}

    /** Text values; a null entry is an empty value within a multi-valued element. */
    record Texts(List<String> values) implements Form {}

    /** Numbers as text; {@code quoted[i]} when a value is to be written as a JSON string (not a valid number). */
    record Numbers(List<String> values, boolean[] quoted) implements Form {}

    /** PN values, each the three component groups (alphabetic, ideographic, phonetic); null for an empty value. */
    record Names(List<String[]> values) implements Form {}

    record Items(List<Dataset> items) implements Form {}

    /** A binary value written inline (base64), streamed from the element. */
    record Binary(Element element) implements Form {}

    record BulkUri(String uri) implements Form {}

    /** Whether the element appears at all: group lengths do not (PS3.18 F.2.2, PS3.19 A.1.1). */
    static boolean included(Element e) {
        return !Tags.isGroupLength(e.tag());
    }

    /** The VR written: a UN element whose value was read as items is written as the sequence it is. */
    static Vr vrOf(Element e) {
        return e.value() instanceof Value.Items ? Vr.SQ : e.vr();
    }

    static Form of(Dataset ds, Element e, String path, BulkDataPolicy policy) {
        Vr vr = vrOf(e);
        if (e.value() instanceof Value.Items items) {
            return items.items().isEmpty() ? new Empty() : new Items(items.items());
        }
        if (e.isEmpty()) {
            return new Empty();
        }
        if (bulkAllowed(vr) || e.value() instanceof Value.Fragments) {
            Optional<String> uri = policy.bulkDataUri(path, e);
            if (uri.isPresent()) {
                return new BulkUri(uri.get());
            }
        }
        return switch (vr) {
            case OB, OD, OF, OL, OV, OW, UN -> new Binary(e);
            case PN -> names(e.strings(ds.charset()));
            case DS, IS -> decimalTexts(e.strings(ds.charset()));
            case AT -> hexTags(e.tags());
            case FL, FD -> floats(e);
            case SS, US, SL, UL, SV, UV -> integers(e);
            default -> texts(e.strings(ds.charset()));
        };
    }

    private static boolean bulkAllowed(Vr vr) {
        return switch (vr) {
            case DS, FL, FD, IS, LT, OB, OD, OF, OL, OV, OW, SL, SS, ST, SV, UC, UL, UN, US, UT, UV -> true;
            default -> false;
        };
    }

    private static Form texts(List<String> values) {
        if (values.isEmpty() || values.size() == 1 && values.getFirst().isEmpty()) {
            return new Empty(); // a value of padding only is as empty as a zero-length one
        }
        List<String> out = new ArrayList<>(values.size());
        for (String v : values) {
            out.add(v.isEmpty() ? null : v);
        }
        return new Texts(out);
    }

    private static Form names(List<String> values) {
        if (values.isEmpty() || values.size() == 1 && values.getFirst().isEmpty()) {
            return new Empty();
        }
        List<String[]> out = new ArrayList<>(values.size());
        for (String v : values) {
            out.add(v.isEmpty() ? null : groups(v));
        }
        return new Names(out);
    }

    /** Splits a PN value at '=' into at most three groups; a stray fourth '=' stays in the phonetic group. */
    static String[] groups(String value) {
        String[] g = value.split("=", 3);
        return new String[] {g[0], g.length > 1 ? g[1] : "", g.length > 2 ? g[2] : ""};
    }

    /**
     * DS and IS as JSON numbers spelled exactly as in the data set, so that reading back gives the same text; a value
     * that is no valid JSON number (such as "+5", ".5" or "007") is a string, which PS3.18 F.2.3 allows to preserve
     * the original format.
     */
    private static Form decimalTexts(List<String> values) {
        if (values.isEmpty() || values.size() == 1 && values.getFirst().isEmpty()) {
            return new Empty();
        }
        List<String> out = new ArrayList<>(values.size());
        boolean[] quoted = new boolean[values.size()];
        for (int i = 0; i < values.size(); i++) {
            String v = values.get(i);
            out.add(v.isEmpty() ? null : v);
            quoted[i] = !v.isEmpty() && !JSON_NUMBER.matcher(v).matches();
        }
        return new Numbers(out, quoted);
    }

    private static Form hexTags(int[] tags) {
        List<String> out = new ArrayList<>(tags.length);
        for (int t : tags) {
            out.add(Tags.hex(t));
        }
        return tags.length == 0 ? new Empty() : new Texts(out);
    }

    /**
     * FL and FD in the shortest text that reads back to the same bits (FL as a float, so 0.1f is "0.1"). JSON has no
     * NaN or infinities; they are written as the strings "NaN", "Infinity" and "-Infinity", which the readers accept.
     */
    private static Form floats(Element e) {
        double[] d = e.doubles();
        List<String> out = new ArrayList<>(d.length);
        boolean[] quoted = new boolean[d.length];
        for (int i = 0; i < d.length; i++) {
            String s = e.vr() == Vr.FL ? Float.toString((float) d[i]) : Double.toString(d[i]);
            out.add(s);
            quoted[i] = Double.isNaN(d[i]) || Double.isInfinite(d[i]);
        }
        return d.length == 0 ? new Empty() : new Numbers(out, quoted);
    }

    /** Integers as numbers; SV and UV beyond 2^53 as strings, as PS3.18 F.2.3 allows, so no digit is lost. */
    private static Form integers(Element e) {
        long[] v = e.longs();
        List<String> out = new ArrayList<>(v.length);
        boolean[] quoted = new boolean[v.length];
        for (int i = 0; i < v.length; i++) {
            if (e.vr() == Vr.UV) {
                out.add(Long.toUnsignedString(v[i]));
                quoted[i] = Long.compareUnsigned(v[i], SAFE_INTEGER) > 0;
            } else {
                out.add(Long.toString(v[i]));
                quoted[i] = e.vr() == Vr.SV && (v[i] > SAFE_INTEGER || v[i] < -SAFE_INTEGER);
            }
        }
        return v.length == 0 ? new Empty() : new Numbers(out, quoted);
    }

    /** The PS3.19 keyword of a tag, or "" for private and unknown tags. */
    static String keyword(int tag) {
        return Tags.isPrivate(tag) ? "" : ElementDictionary.keywordOf(tag);
    }

    /**
     * Streams the base64 of a binary value in little endian byte order (PS3.18 F.2.7: the Value Field, PS3.5 rules;
     * DICOMweb bulk data is little endian). Encapsulated pixel data is its whole Value Field: the Basic Offset Table
     * item and one item per fragment, each with its (FFFE,E000) tag and length, without the Sequence Delimitation
     * Item, as pydicom and dcm4che write it.
     */
    static void writeBase64(Element e, Appendable out) throws IOException {
        try (OutputStream b64 = Base64.getEncoder().wrap(new AsciiSink(out))) {
            writeLittleEndian(e, b64);
        }
    }

    static void writeLittleEndian(Element e, OutputStream out) throws IOException {
        int unit = e.bigEndian() ? e.vr().unitSize() : 1;
        switch (e.value()) {
            case Value.Bytes b -> copy(b.data(), unit, out);
            case Value.Bulk b -> {
                try (InputStream in = b.open()) {
                    byte[] buf = new byte[48 * 1024]; // a multiple of every unit size
                    int n;
                    while ((n = in.readNBytes(buf, 0, buf.length)) > 0) {
                        copy(n == buf.length ? buf : Arrays.copyOf(buf, n), unit, out);
                    }
                }
            }
            case Value.Fragments f -> {
                for (Value v : f.fragments()) {
                    long length = v.length();
                    out.write(new byte[] {(byte) 0xFE, (byte) 0xFF, 0x00, (byte) 0xE0, (byte) length,
                        (byte) (length >>> 8), (byte) (length >>> 16), (byte) (length >>> 24)});
                    writeLittleEndian(new Element(e.tag(), Vr.OB, v, false, false), out);
                }
            }
            case Value.Items i -> throw new IllegalArgumentException("items are not binary");
        }
    }

    private static void copy(byte[] data, int unit, OutputStream out) throws IOException {
        if (unit <= 1) {
            out.write(data);
            return;
        }
        out.write(ByteSwap.swapped(data, data.length, unit));
    }

    /** Bytes that are ASCII characters (base64 output), appended as text. */
    private static final class AsciiSink extends OutputStream {
        private final Appendable out;
        private final StringBuilder buf = new StringBuilder(8192);

        AsciiSink(Appendable out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            buf.append((char) (b & 0x7F));
            if (buf.length() >= 8192) {
                flush();
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            for (int i = off; i < off + len; i++) {
                buf.append((char) (b[i] & 0x7F));
            }
            if (buf.length() >= 8192) {
                flush();
            }
        }

        @Override
        public void flush() throws IOException {
            out.append(buf);
            buf.setLength(0);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
