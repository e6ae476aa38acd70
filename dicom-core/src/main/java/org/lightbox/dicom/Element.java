// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicom;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.temporal.Temporal;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One data element: tag, VR and value, plus how it was encoded (byte order of binary values, undefined length), so
 * that an element nobody changed is written back byte for byte.
 *
 * <p>A UN element may hold {@link Value.Items}: a sequence that a node which did not know the tag sent as UN;
 * its items are encoded in implicit VR little endian (PS3.5 6.2.2) and are kept that way.
 *
 * <p>Typed accessors decode on demand; text that depends on the character set is decoded by {@link Dataset}, which
 * knows it.
 */
public record Element(int tag, Vr vr, Value value, boolean bigEndian, boolean undefinedLength) {

    public Element {
        Objects.requireNonNull(vr);
        Objects.requireNonNull(value);
        // UN may hold items: a sequence sent by a node that did not know its tag (PS3.5 6.2.2).
        if (value instanceof Value.Items && vr != Vr.SQ && vr != Vr.UN || vr == Vr.SQ && !(value instanceof Value.Items)) {
            throw new IllegalArgumentException(Tags.format(tag) + ": a " + vr + " element cannot hold "
                    + value.getClass().getSimpleName());
        }
    }

    /** Encoded bytes in little endian, as a freshly built element has them. */
    public static Element of(int tag, Vr vr, byte[] bytes) {
        return new Element(tag, vr, new Value.Bytes(bytes), false, false);
    }

    /** Text values joined by backslash and padded to even length, encoded in {@code charset}. */
    public static Element ofStrings(int tag, Vr vr, SpecificCharacterSet charset, List<String> values) {
        String joined = String.join("\\", values);
        byte[] raw = vr.usesCharacterSet() ? charset.encode(joined, vr == Vr.PN)
                : joined.getBytes(StandardCharsets.US_ASCII);
        return of(tag, vr, ValueCodec.padded(raw, vr.padding()));
    }

    /** Numbers in a binary VR (US, SS, UL, SL, SV, UV, AT, FL, FD, OB, OW, OL, OF, OD, OV) or as IS/DS text. */
    public static Element ofNumbers(int tag, Vr vr, double... values) {
        return of(tag, vr, ValueCodec.encodeNumbers(vr, values));
    }

    public static Element ofItems(int tag, List<Dataset> items) {
        return new Element(tag, Vr.SQ, new Value.Items(items), false, false);
    }

    /** The value bytes in memory, reading a {@link Value.Bulk} from its file; empty for items and fragments. */
    public byte[] bytes() {
        return switch (value) {
            case Value.Bytes b -> b.data();
            case Value.Bulk b -> {
                try {
                    yield b.read();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            case Value.Items i -> new byte[0];
            case Value.Fragments f -> new byte[0];
        };
    }

    public boolean isEmpty() {
        return switch (value) {
            case Value.Items i -> i.items().isEmpty();
            case Value.Fragments f -> false;
            default -> value.length() == 0;
        };
    }

    public List<Dataset> items() {
        return value instanceof Value.Items i ? i.items() : List.of();
    }

    /** Text values split at backslash and trimmed as PS3.5 6.2 allows; for non-text VRs, numbers as text. */
    public List<String> strings(SpecificCharacterSet charset) {
        if (vr == Vr.UN) {
            return interpreted().map(e -> e.strings(charset)).orElse(List.of());
        }
        if (!vr.isText()) {
            return ValueCodec.numbersAsText(this);
        }
        byte[] raw = bytes();
        String text = vr.usesCharacterSet() ? charset.decode(raw, 0, raw.length, vr == Vr.PN)
                : new String(raw, StandardCharsets.ISO_8859_1);
        return ValueCodec.split(vr, text);
    }

    /**
     * A text value as one decoded string, values still separated by backslash and the padding at its end removed;
     * for showing a value whole. Empty for non-text VRs.
     */
    public String text(SpecificCharacterSet charset) {
        if (!vr.isText()) {
            return "";
        }
        byte[] raw = bytes();
        int end = raw.length;
        while (end > 0 && (raw[end - 1] == ' ' || raw[end - 1] == 0)) {
            end--;
        }
        return vr.usesCharacterSet() ? charset.decode(raw, 0, end, vr == Vr.PN)
                : new String(raw, 0, end, StandardCharsets.ISO_8859_1);
    }

    /** Numbers of a binary VR, or parsed from IS/DS text; text that is not a number is skipped. */
    public double[] doubles() {
        return vr == Vr.UN ? interpreted().map(Element::doubles).orElse(new double[0]) : ValueCodec.decodeNumbers(this);
    }

    /** Integers of a binary integer VR or of IS text. Values beyond {@code long} are clipped. */
    public long[] longs() {
        return vr == Vr.UN ? interpreted().map(Element::longs).orElse(new long[0]) : ValueCodec.decodeLongs(this);
    }

    /**
     * A UN value of a standard tag read as the dictionary's VR, as a node that knew the tag would have sent it;
     * empty for private and unknown tags, whose bytes nobody can interpret.
     */
    public Optional<Element> interpreted() {
        if (vr != Vr.UN || value instanceof Value.Items || Tags.isPrivate(tag)) {
            return Optional.empty();
        }
        Vr known = ElementDictionary.vrOf(tag);
        if (known == Vr.UN || known == Vr.SQ) {
            return Optional.empty();
        }
        return Optional.of(new Element(tag, known, value, bigEndian, undefinedLength));
    }

    /** Attribute tags of an AT value. */
    public int[] tags() {
        byte[] b = bytes();
        int[] out = new int[b.length / 4];
        for (int i = 0; i < out.length; i++) {
            out[i] = ValueCodec.u16(b, 4 * i, bigEndian) << 16 | ValueCodec.u16(b, 4 * i + 2, bigEndian);
        }
        return out;
    }

    /** DA values; values that do not parse are skipped. */
    public List<LocalDate> dates() {
        List<LocalDate> out = new ArrayList<>();
        for (String s : strings(SpecificCharacterSet.ASCII)) {
            DateTimes.date(s).ifPresent(out::add);
        }
        return out;
    }

    /** TM values; values that do not parse are skipped. */
    public List<LocalTime> times() {
        List<LocalTime> out = new ArrayList<>();
        for (String s : strings(SpecificCharacterSet.ASCII)) {
            DateTimes.time(s).ifPresent(out::add);
        }
        return out;
    }

    /** DT values, each a {@code LocalDateTime}, or an {@code OffsetDateTime} when the value names its offset. */
    public List<Temporal> dateTimes() {
        List<Temporal> out = new ArrayList<>();
        for (String s : strings(SpecificCharacterSet.ASCII)) {
            DateTimes.dateTime(s).ifPresent(out::add);
        }
        return out;
    }

    /** The same element with its value in another byte order (binary values swapped per VR). */
    public Element withByteOrder(boolean toBigEndian) {
        if (toBigEndian == bigEndian || !(value instanceof Value.Bytes b) || vr.unitSize() < 2) {
            return toBigEndian == bigEndian ? this : new Element(tag, vr, value, toBigEndian, undefinedLength);
        }
        return new Element(tag, vr, new Value.Bytes(ValueCodec.swap(b.data(), vr.unitSize())), toBigEndian,
                undefinedLength);
    }
}
