// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicom;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * A data set (or a sequence item): elements in ascending tag order. Immutable; make changed copies with
 * {@link #toBuilder()}.
 *
 * <p>It knows the character set its text is decoded with: its own Specific Character Set (0008,0005), or the one
 * of the data set it is an item of (PS3.5 6.1.2.5.3).
 */
public final class Dataset implements Iterable<Element> {
    private static final Dataset EMPTY = new Dataset(new int[0], new Element[0], 0, SpecificCharacterSet.ASCII,
            SpecificCharacterSet.ASCII, false);

    private final int[] tags;
    private final Element[] elements;
    private final int size;
    private final SpecificCharacterSet charset;
    private final SpecificCharacterSet inherited;
    private final boolean undefinedLength;

    private Dataset(int[] tags, Element[] elements, int size, SpecificCharacterSet charset,
            SpecificCharacterSet inherited, boolean undefinedLength) {
        this.tags = tags;
        this.elements = elements;
        this.size = size;
        this.charset = charset;
        this.inherited = inherited;
        this.undefinedLength = undefinedLength;
    }

    public static Dataset empty() {
        return EMPTY;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.tags = Arrays.copyOf(tags, Math.max(size, 8));
        b.elements = Arrays.copyOf(elements, Math.max(size, 8));
        b.size = size;
        b.inherited = inherited;
        b.undefinedLength = undefinedLength;
        return b;
    }

    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    public boolean contains(int tag) {
        return index(tag) >= 0;
    }

    public Optional<Element> get(int tag) {
        int i = index(tag);
        return i >= 0 ? Optional.of(elements[i]) : Optional.empty();
    }

    /** The elements in tag order. */
    public List<Element> elements() {
        return new AbstractList<>() {
            @Override
            public Element get(int index) {
                Objects.checkIndex(index, size);
                return elements[index];
            }

            @Override
            public int size() {
                return size;
            }
        };
    }

    @Override
    public Iterator<Element> iterator() {
        return elements().iterator();
    }

    /** The character set text values of this data set are decoded with. */
    public SpecificCharacterSet charset() {
        return charset;
    }

    /** Whether this item was (or is to be) encoded with undefined length. */
    public boolean undefinedLength() {
        return undefinedLength;
    }

    /** The first value of a text element (or a number as text), trimmed. */
    public Optional<String> string(int tag) {
        List<String> all = strings(tag);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.getFirst());
    }

    /** All values of a text element, decoded with this data set's character set and trimmed. */
    public List<String> strings(int tag) {
        int i = index(tag);
        return i >= 0 ? elements[i].strings(charset) : List.of();
    }

    public OptionalInt integer(int tag) {
        OptionalLong v = longValue(tag);
        return v.isPresent() ? OptionalInt.of((int) v.getAsLong()) : OptionalInt.empty();
    }

    public OptionalLong longValue(int tag) {
        int i = index(tag);
        long[] v = i >= 0 ? elements[i].longs() : new long[0];
        return v.length > 0 ? OptionalLong.of(v[0]) : OptionalLong.empty();
    }

    public Optional<Double> doubleValue(int tag) {
        int i = index(tag);
        double[] v = i >= 0 ? elements[i].doubles() : new double[0];
        return v.length > 0 ? Optional.of(v[0]) : Optional.empty();
    }

    public List<PersonName> personNames(int tag) {
        List<PersonName> out = new ArrayList<>();
        for (String s : strings(tag)) {
            out.add(PersonName.parse(s));
        }
        return out;
    }

    public List<Dataset> items(int tag) {
        int i = index(tag);
        return i >= 0 ? elements[i].items() : List.of();
    }

    /**
     * The private creator that reserves the block holding a private element, such as "SIEMENS CSA HEADER" for
     * (0029,1010) when (0029,0010) holds it.
     */
    public Optional<String> privateCreator(int tag) {
        if (!Tags.isPrivate(tag) || Tags.element(tag) < 0x1000) {
            return Optional.empty();
        }
        return string(Tags.privateCreatorOf(tag));
    }

    private int index(int tag) {
        // Unsigned order: private groups above 7FFF and the FFFE items sort after the rest.
        int lo = 0;
        int hi = size - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = Integer.compareUnsigned(tags[mid], tag);
            if (c < 0) {
                lo = mid + 1;
            } else if (c > 0) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        return -(lo + 1);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Dataset d) || d.size != size) {
            return false;
        }
        for (int i = 0; i < size; i++) {
            if (!elements[i].equals(d.elements[i])) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = 1;
        for (int i = 0; i < size; i++) {
            h = 31 * h + elements[i].hashCode();
        }
        return h;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Dataset[");
        for (int i = 0; i < size; i++) {
            sb.append(i == 0 ? "" : ", ").append(Tags.format(tags[i]));
        }
        return sb.append(']').toString();
    }

    /** Collects elements; adding a tag that is present replaces it. Fastest when elements come in tag order. */
    public static final class Builder {
        private int[] tags = new int[16];
        private Element[] elements = new Element[16];
        private int size;
        private SpecificCharacterSet inherited = SpecificCharacterSet.ASCII;
        private boolean undefinedLength;

        private Builder() {}

        public Builder add(Element e) {
            int tag = e.tag();
            if (size > 0 && Integer.compareUnsigned(tags[size - 1], tag) >= 0) {
                insert(e);
                return this;
            }
            if (size == tags.length) {
                grow();
            }
            tags[size] = tag;
            elements[size++] = e;
            return this;
        }

        public Builder addAll(Iterable<Element> all) {
            all.forEach(this::add);
            return this;
        }

        public Builder remove(int tag) {
            int at = find(tag);
            if (at >= 0) {
                System.arraycopy(tags, at + 1, tags, at, size - at - 1);
                System.arraycopy(elements, at + 1, elements, at, size - at - 1);
                elements[--size] = null;
            }
            return this;
        }

        /** Text values, encoded with this data set's character set where the VR uses one. */
        public Builder setStrings(int tag, Vr vr, String... values) {
            return add(Element.ofStrings(tag, vr, charset(), List.of(values)));
        }

        /** Numbers of a binary VR, or IS/DS text. */
        public Builder setNumbers(int tag, Vr vr, double... values) {
            return add(Element.ofNumbers(tag, vr, values));
        }

        public Builder setItems(int tag, List<Dataset> items) {
            return add(Element.ofItems(tag, items));
        }

        /** The character set of the enclosing data set, used when this one has no (0008,0005) of its own. */
        public Builder inheritCharset(SpecificCharacterSet charset) {
            this.inherited = Objects.requireNonNull(charset);
            return this;
        }

        public Builder undefinedLength(boolean undefined) {
            this.undefinedLength = undefined;
            return this;
        }

        public boolean contains(int tag) {
            return find(tag) >= 0;
        }

        public Optional<Element> get(int tag) {
            int i = find(tag);
            return i >= 0 ? Optional.of(elements[i]) : Optional.empty();
        }

        /** The character set in force: this data set's (0008,0005), else the inherited one. */
        public SpecificCharacterSet charset() {
            int i = find(Tag.SpecificCharacterSet);
            if (i < 0) {
                return inherited;
            }
            return SpecificCharacterSet.of(elements[i].strings(SpecificCharacterSet.ASCII));
        }

        public Dataset build() {
            if (size == 0 && inherited == SpecificCharacterSet.ASCII && !undefinedLength) {
                return EMPTY;
            }
            return new Dataset(Arrays.copyOf(tags, size), Arrays.copyOf(elements, size), size, charset(), inherited,
                    undefinedLength);
        }

        private int find(int tag) {
            int lo = 0;
            int hi = size - 1;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                int c = Integer.compareUnsigned(tags[mid], tag);
                if (c < 0) {
                    lo = mid + 1;
                } else if (c > 0) {
                    hi = mid - 1;
                } else {
                    return mid;
                }
            }
            return -(lo + 1);
        }

        private void insert(Element e) {
            int at = find(e.tag());
            if (at >= 0) {
                elements[at] = e;
                return;
            }
            at = -at - 1;
            if (size == tags.length) {
                grow();
            }
            System.arraycopy(tags, at, tags, at + 1, size - at);
            System.arraycopy(elements, at, elements, at + 1, size - at);
            tags[at] = e.tag();
            elements[at] = e;
            size++;
        }

        private void grow() {
            tags = Arrays.copyOf(tags, tags.length * 2);
            elements = Arrays.copyOf(elements, elements.length * 2);
        }
    }
}
