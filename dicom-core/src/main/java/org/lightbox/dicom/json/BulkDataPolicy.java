// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicom.json;

import java.util.Optional;
import org.lightbox.dicom.Element;

/**
 * Decides, element by element, whether a writer puts a value inline or refers to it by a Bulk Data URI
 * (PS3.18 F.2.6, PS3.19 A.1.5 BulkData). Asked only for non-empty elements whose VR PS3.18 F.2.2 allows as bulk data
 * (DS, FL, FD, IS, LT, OB, OD, OF, OL, OV, OW, SL, SS, ST, SV, UC, UL, UN, US, UT, UV) and for encapsulated pixel data.
 */
@FunctionalInterface
public interface BulkDataPolicy {

    /**
     * The URI to write instead of the value, or empty to write the value itself.
     *
     * @param path where the element is, as a JSON Pointer into the DICOM JSON model, such as {@code /7FE00010} or
     *     {@code /00540016/Value/0/00181072}
     * @param element the element
     */
    Optional<String> bulkDataUri(String path, Element element);

    /** Every value inline: binary values as InlineBinary, numbers and text as values. */
    static BulkDataPolicy inline() {
        return (path, element) -> Optional.empty();
    }
}
