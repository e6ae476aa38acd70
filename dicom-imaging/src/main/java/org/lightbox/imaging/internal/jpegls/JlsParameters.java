// SPDX-License-Identifier: Apache-2.0
package org.lightbox.imaging.internal.jpegls;

/**
 * The coding parameters of one scan (T.87 A.2 and C.2.4.1.1): MAXVAL, NEAR, the gradient thresholds T1-T3, RESET,
 * and what follows from them. Zero in a preset parameter means "the default" (T.87 C.2.4.1.1.1).
 */
final class JlsParameters {
    final int maxval;
    final int near;
    final int t1;
    final int t2;
    final int t3;
    final int reset;
    final int range;
    final int qbpp;
    final int limit;

    private JlsParameters(int maxval, int near, int t1, int t2, int t3, int reset) {
        this.maxval = maxval;
        this.near = near;
        this.t1 = t1;
        this.t2 = t2;
        this.t3 = t3;
        this.reset = reset;
        this.range = (maxval + 2 * near) / (2 * near + 1) + 1;
        this.qbpp = ceilLog2(range);
        int bpp = Math.max(2, ceilLog2(maxval + 1));
        this.limit = 2 * (bpp + Math.max(8, bpp));
    }

    /**
     * Resolves the parameters of a scan.
     *
     * @param bits the sample precision P of the frame
     * @param preset MAXVAL, T1, T2, T3, RESET from an LSE marker of type 1 (zeros for defaults), or null
     * @throws IllegalArgumentException when the values break T.87's constraints
     */
    static JlsParameters of(int bits, int near, int[] preset) {
        int maxval = preset != null && preset[0] != 0 ? preset[0] : (1 << bits) - 1;
        if (maxval < 1 || maxval >= 1 << bits) {
            throw new IllegalArgumentException("MAXVAL " + maxval + " does not fit a precision of " + bits + " bits");
        }
        if (near < 0 || near > Math.min(255, maxval / 2)) {
            throw new IllegalArgumentException("NEAR " + near + " is out of range for MAXVAL " + maxval);
        }
        int dt1;
        int dt2;
        int dt3;
        if (maxval >= 128) {
            int factor = (Math.min(maxval, 4095) + 128) / 256;
            dt1 = clamp(factor * (3 - 2) + 2 + 3 * near, near + 1, maxval);
            dt2 = clamp(factor * (7 - 3) + 3 + 5 * near, dt1, maxval);
            dt3 = clamp(factor * (21 - 4) + 4 + 7 * near, dt2, maxval);
        } else {
            int factor = 256 / (maxval + 1);
            dt1 = clamp(Math.max(2, 3 / factor + 3 * near), near + 1, maxval);
            dt2 = clamp(Math.max(3, 7 / factor + 5 * near), dt1, maxval);
            dt3 = clamp(Math.max(4, 21 / factor + 7 * near), dt2, maxval);
        }
        int t1 = preset != null && preset[1] != 0 ? preset[1] : dt1;
        int t2 = preset != null && preset[2] != 0 ? preset[2] : dt2;
        int t3 = preset != null && preset[3] != 0 ? preset[3] : dt3;
        int reset = preset != null && preset[4] != 0 ? preset[4] : 64;
        if (t1 < near + 1 || t1 > t2 || t2 > t3 || t3 > maxval || reset < 3 || reset > Math.max(255, maxval)) {
            throw new IllegalArgumentException("preset parameters T1=" + t1 + " T2=" + t2 + " T3=" + t3 + " RESET="
                    + reset + " are invalid for MAXVAL " + maxval + " and NEAR " + near);
        }
        return new JlsParameters(maxval, near, t1, t2, t3, reset);
    }

    private static int clamp(int i, int j, int maxval) {
        return i > maxval || i < j ? j : i;
    }

    static int ceilLog2(int v) {
        return v <= 1 ? 0 : 32 - Integer.numberOfLeadingZeros(v - 1);
    }
}
