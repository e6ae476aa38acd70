// SPDX-License-Identifier: Apache-2.0
package org.lightbox.archive.query;

import java.io.IOException;
import java.util.List;
import org.lightbox.dicom.Dataset;

/** Where matching reads an entity's values: an index row, or a sequence item. */
interface Values {
    List<String> strings(int tag) throws IOException;

    List<Dataset> items(int tag) throws IOException;

    static Values of(Dataset item) {
        return new Values() {
            @Override
            public List<String> strings(int tag) {
                try {
                    return item.strings(tag);
                } catch (RuntimeException e) {
                    return List.of();
                }
            }

            @Override
            public List<Dataset> items(int tag) {
                return item.items(tag);
            }
        };
    }
}
