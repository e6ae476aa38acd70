// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicom;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.lightbox.dicom.internal.Resources;

/** The standard's UID registry (PS3.6 Annex A), generated from its table; loaded on first use. */
public final class UidRegistry {

    /** One registered UID; {@code type} is the standard's, such as "SOP Class" or "Transfer Syntax". */
    public record Entry(String uid, String keyword, String type, boolean retired, String name) {}

    private static final class Table {
        static final Map<String, Entry> BY_UID = new HashMap<>(1024);

        static {
            for (String[] r : Resources.table("uids.tsv")) {
                BY_UID.put(r[0], new Entry(r[0], r[1], r[2], r[3].equals("R"), r[4]));
            }
        }
    }

    private UidRegistry() {}

    public static Optional<Entry> lookup(String uid) {
        return Optional.ofNullable(Table.BY_UID.get(uid));
    }

    /** Every registered UID, in no particular order. */
    public static java.util.Collection<Entry> all() {
        return java.util.Collections.unmodifiableCollection(Table.BY_UID.values());
    }

    /** The registered keyword, or "" for a UID the standard does not register. */
    public static String keywordOf(String uid) {
        return lookup(uid).map(Entry::keyword).orElse("");
    }
}
