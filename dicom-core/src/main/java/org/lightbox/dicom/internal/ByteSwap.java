// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicom.internal;

/** Reversal of byte order in units of a VR's number size, shared by the writer, the JSON model and the model. */
public final class ByteSwap {
    private ByteSwap() {}

    /**
     * The first {@code length} bytes of {@code in} with each {@code unit}-byte number reversed; a tail shorter than
     * a unit (an odd-length value) is copied as it is.
     */
    public static byte[] swapped(byte[] in, int length, int unit) {
        byte[] out = new byte[length];
        int whole = length - length % unit;
        for (int i = 0; i < whole; i += unit) {
            for (int j = 0; j < unit; j++) {
                out[i + j] = in[i + unit - 1 - j];
            }
        }
        System.arraycopy(in, whole, out, whole, length - whole);
        return out;
    }
}
