// SPDX-License-Identifier: Apache-2.0
package org.lightbox.imaging;

import java.io.IOException;
import java.util.Optional;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Element;
import org.lightbox.dicom.Tag;

/**
 * A lookup table of PS3.3 C.11.1.1 (modality and VOI LUTs) or C.7.6.3.1.5 (palette colour): a descriptor of
 * entries, first mapped input value and bits per entry, and the data; inputs outside the table take its first or
 * last entry.
 */
final class Lut {
    private final int first;
    private final int[] data;
    private final int bits;

    private Lut(int first, int[] data, int bits) {
        this.first = first;
        this.data = data;
        this.bits = bits;
    }

    /** A modality or VOI LUT item: LUT Descriptor (0028,3002) and LUT Data (0028,3006). */
    static Optional<Lut> of(Dataset item) {
        long[] d = item.get(Tag.LUTDescriptor).map(Element::longs).orElse(new long[0]);
        Optional<Element> data = item.get(Tag.LUTData);
        if (d.length != 3 || data.isEmpty()) {
            return Optional.empty();
        }
        int entries = d[0] == 0 ? 65536 : (int) d[0];
        return Optional.of(new Lut((int) (short) d[1] == d[1] ? (int) d[1] : (int) (short) d[1],
                values(data.get().bytes(), entries, (int) d[2]), (int) d[2]));
    }

    /** A palette colour LUT, plain or segmented (C.7.9.2). */
    static Lut palette(Dataset ds, int descriptorTag, int dataTag, int segmentedTag) throws IOException {
        long[] d = ds.get(descriptorTag).map(Element::longs).orElse(new long[0]);
        if (d.length != 3) {
            throw new IOException("PALETTE COLOR without a valid " + org.lightbox.dicom.Tags.format(descriptorTag));
        }
        int entries = d[0] == 0 ? 65536 : (int) d[0];
        int bits = (int) d[2];
        Optional<Element> plain = ds.get(dataTag);
        int[] values;
        if (plain.isPresent()) {
            values = values(plain.get().bytes(), entries, bits);
        } else {
            Element seg = ds.get(segmentedTag).orElseThrow(() -> new IOException("PALETTE COLOR without "
                    + org.lightbox.dicom.Tags.format(dataTag) + " or its segmented form"));
            values = segmented(words(seg.bytes()), entries);
        }
        return new Lut((int) d[1], values, bits);
    }

    /** Entries of 8 bits may come packed two to a word or one per word; 16-bit ones come one per word. */
    private static int[] values(byte[] raw, int entries, int bits) {
        int[] out = new int[entries];
        boolean packed = bits <= 8 && raw.length < 2 * entries;
        for (int i = 0; i < entries; i++) {
            if (packed) {
                out[i] = i < raw.length ? raw[i] & 0xFF : 0;
            } else {
                out[i] = 2 * i + 1 < raw.length ? raw[2 * i] & 0xFF | (raw[2 * i + 1] & 0xFF) << 8 : 0;
            }
        }
        return out;
    }

    private static int[] words(byte[] raw) {
        int[] w = new int[raw.length / 2];
        for (int i = 0; i < w.length; i++) {
            w[i] = raw[2 * i] & 0xFF | (raw[2 * i + 1] & 0xFF) << 8;
        }
        return w;
    }

    /** Expands segmented LUT data: discrete (0), linear (1) and indirect (2) segments. */
    private static int[] segmented(int[] words, int entries) throws IOException {
        int[] out = new int[entries];
        int n = expand(words, 0, words.length, out, 0, 0);
        if (n < entries) {
            java.util.Arrays.fill(out, n, entries, n > 0 ? out[n - 1] : 0);
        }
        return out;
    }

    private static int expand(int[] w, int from, int to, int[] out, int at, int depth) throws IOException {
        int i = from;
        while (i + 1 < to && at < out.length) {
            int op = w[i];
            int length = w[i + 1];
            switch (op) {
                case 0 -> {
                    for (int k = 0; k < length && i + 2 + k < to && at < out.length; k++) {
                        out[at++] = w[i + 2 + k];
                    }
                    i += 2 + length;
                }
                case 1 -> {
                    if (i + 2 >= to) {
                        throw new IOException("a linear segment lacks its end value");
                    }
                    int y0 = at > 0 ? out[at - 1] : 0;
                    int y1 = w[i + 2];
                    for (int k = 1; k <= length && at < out.length; k++) {
                        out[at++] = (int) Math.round(y0 + (double) (y1 - y0) * k / length);
                    }
                    i += 3;
                }
                case 2 -> {
                    if (depth > 0 || i + 3 >= to) {
                        throw new IOException("a nested or short indirect segment");
                    }
                    int offset = w[i + 2] | w[i + 3] << 16;
                    int pos = offset / 2;
                    for (int k = 0; k < length && pos + 1 < w.length; k++) {
                        int before = at;
                        int span = w[pos] == 0 ? 2 + w[pos + 1] : w[pos] == 1 ? 3 : 4;
                        at = expand(w, pos, Math.min(w.length, pos + span), out, at, depth + 1);
                        pos += span;
                        if (at == before) {
                            break;
                        }
                    }
                    i += 4;
                }
                default -> throw new IOException("unknown segment type " + op + " in a segmented LUT");
            }
        }
        return at;
    }

    int lookup(int x) {
        int i = x - first;
        return data[i < 0 ? 0 : i >= data.length ? data.length - 1 : i];
    }

    double maxOutput() {
        return (1 << bits) - 1;
    }

    /** An entry scaled to 8 bits: 16-bit tables by their high byte, 8-bit ones as they are (or high byte). */
    int to8(int x) {
        int v = lookup(x);
        return bits > 8 || v > 255 ? v >>> 8 & 0xFF : v;
    }
}
