// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicom;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lightbox.dicom.internal.Resources;

/**
 * A transfer syntax and the facts that decide how a data set is encoded in it (PS3.5 section 10).
 *
 * @param pixelData how pixel data is held: "native", "encapsulated", or "none" (referenced, not in the data set)
 * @param compression "lossless", "lossy", "lossless-or-lossy", or "-" where the standard says nothing
 */
public record TransferSyntax(String uid, String keyword, boolean explicitVr, boolean bigEndian, boolean deflated,
        String pixelData, String compression, boolean known) {

    private static final class Table {
        static final Map<String, TransferSyntax> BY_UID = new LinkedHashMap<>();

        static {
            for (String[] r : Resources.table("transfer-syntaxes.tsv")) {
                BY_UID.put(r[0], new TransferSyntax(r[0], r[1], !r[2].equals("implicit"), r[3].equals("big"),
                        r[4].equals("Y"), r[5], r[6], true));
            }
        }
    }

    public static final TransferSyntax IMPLICIT_VR_LITTLE_ENDIAN = of(Uid.ImplicitVRLittleEndian);
    public static final TransferSyntax EXPLICIT_VR_LITTLE_ENDIAN = of(Uid.ExplicitVRLittleEndian);
    public static final TransferSyntax EXPLICIT_VR_BIG_ENDIAN = of(Uid.ExplicitVRBigEndian);
    public static final TransferSyntax DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN = of(Uid.DeflatedExplicitVRLittleEndian);

    /**
     * The transfer syntax with this UID. One the registry does not know is taken as explicit VR little endian
     * with encapsulated pixel data, as PS3.5 10 requires of every syntax but the few named otherwise.
     */
    public static TransferSyntax of(String uid) {
        TransferSyntax ts = Table.BY_UID.get(uid);
        return ts != null ? ts : new TransferSyntax(uid, "", true, false, false, "encapsulated", "-", false);
    }

    public static List<TransferSyntax> all() {
        return List.copyOf(Table.BY_UID.values());
    }

    public boolean isEncapsulated() {
        return pixelData.equals("encapsulated");
    }

    /** The four syntaxes whose pixel data is native: they differ only in how the data set is encoded. */
    public boolean isNative() {
        return pixelData.equals("native");
    }
}
