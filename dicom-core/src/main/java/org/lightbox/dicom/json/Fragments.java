// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicom.json;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.lightbox.dicom.Value;

/**
 * Recognises encapsulated pixel data given inline: the Value Field of undefined length as pydicom and Lightbox
 * write it, a chain of (FFFE,E000) items in little endian that ends exactly at the end of the bytes.
 */
final class Fragments {
    private Fragments() {}

    /** The fragments (the Basic Offset Table first), or null when the bytes are not such a chain. */
    static Value.Fragments parse(byte[] b) {
        if (b.length < 8 || !isItemTag(b, 0)) {
            return null;
        }
        List<Value> out = new ArrayList<>();
        int p = 0;
        while (p < b.length) {
            if (b.length - p < 8 || !isItemTag(b, p)) {
                return null;
            }
            long len = (b[p + 4] & 0xFFL) | (b[p + 5] & 0xFFL) << 8 | (b[p + 6] & 0xFFL) << 16
                    | (b[p + 7] & 0xFFL) << 24;
            if (len > b.length - p - 8) {
                return null;
            }
            out.add(new Value.Bytes(Arrays.copyOfRange(b, p + 8, p + 8 + (int) len)));
            p += 8 + (int) len;
        }
        return new Value.Fragments(out);
    }

    private static boolean isItemTag(byte[] b, int p) {
        return (b[p] & 0xFF) == 0xFE && (b[p + 1] & 0xFF) == 0xFF && b[p + 2] == 0x00 && (b[p + 3] & 0xFF) == 0xE0;
    }
}
