// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicom;

import java.util.ArrayList;
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

    private static final class Table {
        static final Table INSTANCE = new Table();

        final Map<Integer, Entry> exact = new HashMap<>(8192);
        final List<Entry> masked = new ArrayList<>();
        final Map<String, Integer> byKeyword = new HashMap<>(8192);
        final List<Entry> all = new ArrayList<>(6000);

        private Table() {
            for (String[] row : Resources.table("elements.tsv")) {
                String hex = row[0];
                int tag = (int) Long.parseLong(hex.replace('x', '0'), 16);
                int mask = (int) Long.parseLong(hex.replaceAll("[0-9A-F]", "F").replace('x', '0'), 16);
                List<Vr> vrs = new ArrayList<>(2);
                for (String vr : row[2].isEmpty() ? new String[0] : row[2].split("/")) {
                    vrs.add(Vr.valueOf(vr));
                }
                Entry e = new Entry(tag, mask, row[1], List.copyOf(vrs), row[3], row[4].equals("R"));
                all.add(e);
                if (mask == -1) {
                    exact.put(tag, e);
                } else {
                    masked.add(e);
                }
                if (!row[1].isEmpty()) {
                    byKeyword.put(row[1], tag);
                }
            }
        }
    }

    private static final Entry GROUP_LENGTH = new Entry(0, 0xFFFF, "", List.of(Vr.UL), "1", false);
    private static final Entry PRIVATE_CREATOR = new Entry(0, 0xFF00, "", List.of(Vr.LO), "1", false);

    private ElementDictionary() {}

    /** The entry for a tag: an exact entry, else a repeating-group entry, else the generic group length and private creator entries. */
    public static Optional<Entry> lookup(int tag) {
        Table t = Table.INSTANCE;
        Entry e = t.exact.get(tag);
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
        Entry e = Table.INSTANCE.exact.get(tag);
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
        return Collections.unmodifiableList(Table.INSTANCE.all);
    }

    public static OptionalInt tagOf(String keyword) {
        Integer tag = Table.INSTANCE.byKeyword.get(keyword);
        return tag == null ? OptionalInt.empty() : OptionalInt.of(tag);
    }
}
