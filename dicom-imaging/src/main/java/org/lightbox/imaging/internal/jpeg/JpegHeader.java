// SPDX-License-Identifier: Apache-2.0
package org.lightbox.imaging.internal.jpeg;

/**
 * The parts of a JPEG codestream's header the codec decides by: the frame type and precision, the component IDs
 * and sampling, and the JFIF and Adobe markers that say whether three components are YCbCr or RGB.
 *
 * @param sof the SOF marker's second byte (0xC0 baseline, 0xC1 extended, 0xC3 lossless, ...)
 * @param adobeTransform the APP14 Adobe transform flag (0 none, 1 YCbCr, 2 YCCK), or -1 without that marker
 */
record JpegHeader(int sof, int precision, int rows, int columns, int[] componentIds, int[] sampling, boolean jfif,
        int adobeTransform) {

    static JpegHeader parse(byte[] b) throws DctDecoder.Malformed {
        if (b.length < 4 || (b[0] & 0xFF) != 0xFF || (b[1] & 0xFF) != 0xD8) {
            throw new DctDecoder.Malformed("the frame does not start with a JPEG SOI marker (FF D8)");
        }
        int pos = 2;
        boolean jfif = false;
        int adobe = -1;
        while (pos + 4 <= b.length) {
            if ((b[pos] & 0xFF) != 0xFF) {
                pos++;
                continue;
            }
            int marker = b[pos + 1] & 0xFF;
            if (marker == 0xFF) {
                pos++;
                continue;
            }
            if (marker == 0xD8 || marker >= 0xD0 && marker <= 0xD7 || marker == 0x01) {
                pos += 2;
                continue;
            }
            int length = (b[pos + 2] & 0xFF) << 8 | b[pos + 3] & 0xFF;
            int body = pos + 4;
            if (length < 2 || pos + 2 + length > b.length) {
                throw new DctDecoder.Malformed("a marker segment runs past the end of the codestream");
            }
            if (marker == 0xE0 && length >= 7 && b[body] == 'J' && b[body + 1] == 'F' && b[body + 2] == 'I'
                    && b[body + 3] == 'F') {
                jfif = true;
            } else if (marker == 0xEE && length >= 14 && b[body] == 'A' && b[body + 1] == 'd' && b[body + 2] == 'o'
                    && b[body + 3] == 'b' && b[body + 4] == 'e') {
                adobe = b[body + 11] & 0xFF;
            } else if (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC) {
                if (length < 8) {
                    throw new DctDecoder.Malformed("the frame header is too short");
                }
                int n = b[body + 5] & 0xFF;
                if (n == 0 || length < 8 + 3 * n) {
                    throw new DctDecoder.Malformed("the frame header declares " + n + " components in " + length
                            + " bytes");
                }
                int[] ids = new int[n];
                int[] sampling = new int[n];
                for (int i = 0; i < n; i++) {
                    ids[i] = b[body + 6 + 3 * i] & 0xFF;
                    sampling[i] = b[body + 7 + 3 * i] & 0xFF;
                }
                return new JpegHeader(marker, b[body] & 0xFF, (b[body + 1] & 0xFF) << 8 | b[body + 2] & 0xFF,
                        (b[body + 3] & 0xFF) << 8 | b[body + 4] & 0xFF, ids, sampling, jfif, adobe);
            } else if (marker == 0xDA || marker == 0xD9) {
                break;
            }
            pos += 2 + length;
        }
        throw new DctDecoder.Malformed("no JPEG frame header (SOF) before the scan data");
    }

    boolean lossless() {
        return sof == 0xC3 || sof == 0xC7 || sof == 0xCB || sof == 0xCF;
    }

    /** Three components the codestream itself marks as RGB: Adobe transform 0 or component IDs 'R', 'G', 'B'. */
    boolean markedRgb() {
        return componentIds.length == 3 && (adobeTransform == 0
                || componentIds[0] == 'R' && componentIds[1] == 'G' && componentIds[2] == 'B');
    }

    /** Three components the codestream marks as YCbCr: JFIF (which is always YCbCr) or Adobe transform 1. */
    boolean markedYcc() {
        return componentIds.length == 3 && !markedRgb() && (adobeTransform == 1 || jfif);
    }

    boolean subsampled() {
        for (int s : sampling) {
            if (s != sampling[0]) {
                return true;
            }
        }
        return false;
    }
}
