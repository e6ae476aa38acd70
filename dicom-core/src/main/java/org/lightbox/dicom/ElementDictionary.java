// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicom;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.lightbox.dicom.internal.Resources;

/**
 * The standard's data dictionary (PS3.6 with the PS3.7 command and PS3.10 file meta groups), generated from the
 * standard's tables; see {@code build-tools/dict-gen}. Loaded once, on first use.
 */
public final class ElementDictionary {

    /**
     * One dictionary entry. {@code mask} has a 1 bit for every bit of the tag that is fixed: repeating groups such
     * as (60xx,3000) clear the bits written x. {@code vrs} lists every alternative the standard allows, empty for
     * the item tags; {@code vm} is the standard's text ("1", "1-n", "2-2n").
     */
    public record Entry(int tag, int mask, String keyword, List<Vr> vrs, String vm, boolean retired) {
        /** The VR used when nothing tells which alternative applies, or UN when the entry names none. */
        public Vr defaultVr() {
            return vrs.isEmpty() ? Vr.UN : vrs.getFirst();
        }
    }

    /**
     * The generated table, indexed in one pass over its bytes when first used; an entry is parsed from its line
     * only when looked up. Start-up matters: a dump of one file should not pay for five thousand entries.
     */
    private static final class Table {
        static final Table INSTANCE = new Table(Resources.bytes("elements.tsv"));

        private final byte[] text;
        private final int[] exactTags;
        private final int[] exactLines;
        private final Entry[] exactEntries;
        private final List<Entry> masked = new ArrayList<>();
        private volatile Map<String, Integer> byKeyword;

        private Table(byte[] text) {
            this.text = text;
            int lines = 0;
            for (byte b : text) {
                if (b == '\n') {
                    lines++;
                }
            }
            int[] tags = new int[lines];
            int[] starts = new int[lines];
            int n = 0;
            for (int at = 0; at < text.length; at = next(at)) {
                if (text[at] == '#') {
                    continue;
                }
                int tag = 0;
                int mask = 0;
                for (int i = 0; i < 8; i++) {
                    int c = text[at + i];
                    tag = tag << 4 | (c == 'x' ? 0 : Character.digit(c, 16));
                    mask = mask << 4 | (c == 'x' ? 0 : 0xF);
                }
                if (mask == -1) {
                    tags[n] = tag;
                    starts[n++] = at;
                } else {
                    masked.add(parse(at, mask));
                }
            }
            // The table is sorted by its hex text, which for exact tags is unsigned numeric order.
            exactTags = Arrays.copyOf(tags, n);
            exactLines = Arrays.copyOf(starts, n);
            exactEntries = new Entry[n];
        }

        private int next(int at) {
            while (at < text.length && text[at] != '\n') {
                at++;
            }
            return at + 1;
        }

        Entry exact(int tag) {
            int lo = 0;
            int hi = exactTags.length - 1;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                int c = Integer.compareUnsigned(exactTags[mid], tag);
                if (c < 0) {
                    lo = mid + 1;
                } else if (c > 0) {
                    hi = mid - 1;
                } else {
                    Entry e = exactEntries[mid];
                    if (e == null) {
                        // A race only parses the line twice, to equal entries.
                        exactEntries[mid] = e = parse(exactLines[mid], -1);
                    }
                    return e;
                }
            }
            return null;
        }

        /** "tag TAB keyword TAB VRs TAB VM TAB flag" */
        private Entry parse(int at, int mask) {
            int end = next(at) - 1;
            String[] f = new String(text, at, end - at, StandardCharsets.US_ASCII).split("\t", -1);
            int tag = (int) Long.parseLong(f[0].replace('x', '0'), 16);
            String v = f[2];
            List<Vr> vrs = new ArrayList<>(3);
            for (int i = 0; i + 1 < v.length(); i += 3) {
                vrs.add(Vr.ofCode(v.charAt(i) << 8 | v.charAt(i + 1)));
            }
            return new Entry(tag, mask, f[1], List.copyOf(vrs), f[3], f[4].equals("R"));
        }

        List<Entry> all() {
            List<Entry> all = new ArrayList<>(exactTags.length + masked.size());
            for (int tag : exactTags) {
                all.add(exact(tag));
            }
            all.addAll(masked);
            return all;
        }

        Map<String, Integer> byKeyword() {
            Map<String, Integer> m = byKeyword;
            if (m == null) {
                m = new HashMap<>(8192);
                for (Entry e : all()) {
                    if (!e.keyword().isEmpty()) {
                        m.put(e.keyword(), e.tag());
                    }
                }
                byKeyword = m;
            }
            return m;
        }
    }

    private static final Entry GROUP_LENGTH = new Entry(0, 0xFFFF, "", List.of(Vr.UL), "1", false);
    private static final Entry PRIVATE_CREATOR = new Entry(0, 0xFF00, "", List.of(Vr.LO), "1", false);

    private ElementDictionary() {}

    /** The entry for a tag: an exact entry, else a repeating-group entry, else the generic group length and private creator entries. */
    public static Optional<Entry> lookup(int tag) {
        Table t = Table.INSTANCE;
        Entry e = t.exact(tag);
        if (e != null) {
            return Optional.of(e);
        }
        if (Tags.isPrivate(tag)) {
            return Tags.isPrivateCreator(tag) ? Optional.of(PRIVATE_CREATOR)
                    : Tags.isGroupLength(tag) ? Optional.of(GROUP_LENGTH) : Optional.empty();
        }
        for (Entry m : t.masked) {
            if ((tag & m.mask()) == m.tag()) {
                return Optional.of(m);
            }
        }
        return Tags.isGroupLength(tag) ? Optional.of(GROUP_LENGTH) : Optional.empty();
    }

    /** The VR an implicit VR encoding implies: the first alternative, UN for unknown and private tags. */
    public static Vr vrOf(int tag) {
        Entry e = Table.INSTANCE.exact(tag);
        if (e != null) {
            return e.defaultVr();
        }
        return lookup(tag).map(Entry::defaultVr).orElse(Vr.UN);
    }

    /** The keyword, or "" for private, unknown and unnamed tags. */
    public static String keywordOf(int tag) {
        return lookup(tag).map(Entry::keyword).orElse("");
    }

    /** Every entry, exact and repeating-group, in the order of the generated table. */
    public static List<Entry> entries() {
        return Collections.unmodifiableList(Table.INSTANCE.all());
    }

    public static OptionalInt tagOf(String keyword) {
        Integer tag = Table.INSTANCE.byKeyword().get(keyword);
        return tag == null ? OptionalInt.empty() : OptionalInt.of(tag);
    }
}
