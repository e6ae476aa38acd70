// SPDX-License-Identifier: Apache-2.0
package org.lightbox.imaging.internal.jpegls;

/**
 * The context model both directions share (T.87 A.2-A.7): the 365 regular contexts and the 2 run interruption
 * contexts, gradient quantisation, prediction and the context updates. The scan coders extend it, so the hot loops
 * reach these fields without indirection.
 */
abstract class JlsModel {
    /** T.87 table A.2: the run length order for each RUNindex. */
    static final int[] J = {0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 9, 10, 11, 12,
        13, 14, 15};
    static final int RUN_CONTEXT = 365;

    final int maxval;
    final int near;
    final int range;
    final int qbpp;
    final int limit;
    final int reset;
    /** 2 * NEAR + 1, the quantisation step. */
    final int step;

    final int[] a = new int[367];
    final int[] b = new int[367];
    final int[] c = new int[367];
    final int[] n = new int[367];
    final int[] nn = new int[2];
    /** Quantised gradient Q(d) for d in [-MAXVAL, MAXVAL], at index d + MAXVAL. */
    final byte[] quant;

    JlsModel(JlsParameters p) {
        maxval = p.maxval;
        near = p.near;
        range = p.range;
        qbpp = p.qbpp;
        limit = p.limit;
        reset = p.reset;
        step = 2 * near + 1;
        quant = new byte[2 * maxval + 1];
        for (int d = -maxval; d <= maxval; d++) {
            quant[d + maxval] = (byte) quantize(d, p);
        }
        resetModel();
    }

    private static int quantize(int d, JlsParameters p) {
        if (d <= -p.t3) {
            return -4;
        } else if (d <= -p.t2) {
            return -3;
        } else if (d <= -p.t1) {
            return -2;
        } else if (d < -p.near) {
            return -1;
        } else if (d <= p.near) {
            return 0;
        } else if (d < p.t1) {
            return 1;
        } else if (d < p.t2) {
            return 2;
        } else if (d < p.t3) {
            return 3;
        }
        return 4;
    }

    /** T.87 A.2.1: the initial state, also restored at every restart marker. */
    final void resetModel() {
        int a0 = Math.max(2, (range + 32) / 64);
        for (int i = 0; i < 367; i++) {
            a[i] = a0;
            b[i] = 0;
            c[i] = 0;
            n[i] = 1;
        }
        nn[0] = 0;
        nn[1] = 0;
    }

    /** The context number 81 Q1 + 9 Q2 + Q3, signed (T.87 A.3.4). */
    final int context(int ra, int rb, int rc, int rd) {
        byte[] q = quant;
        int m = maxval;
        return 81 * q[rd - rb + m] + 9 * q[rb - rc + m] + q[rc - ra + m];
    }

    /** Median edge detector (T.87 A.4.1). */
    static int predict(int ra, int rb, int rc) {
        int max = Math.max(ra, rb);
        int min = Math.min(ra, rb);
        if (rc >= max) {
            return min;
        }
        if (rc <= min) {
            return max;
        }
        return ra + rb - rc;
    }

    /** The prediction corrected by the context's bias and clamped (T.87 A.4.2). */
    final int correct(int px, int q, int sign) {
        int v = sign > 0 ? px + c[q] : px - c[q];
        return v < 0 ? 0 : v > maxval ? maxval : v;
    }

    /** The Golomb parameter of a regular context (T.87 A.5.1). */
    final int golombK(int q) {
        return smallestShift(n[q], a[q]);
    }

    /** The Golomb parameter of a run interruption context (T.87 A.7.2.3). */
    final int runGolombK(int riType) {
        int q = RUN_CONTEXT + riType;
        return smallestShift(n[q], riType == 0 ? a[q] : a[q] + (n[q] >> 1));
    }

    /**
     * The least k with {@code n << k >= a}, found from the bit lengths instead of a loop; capped at 24, which only
     * a corrupt stream can reach.
     */
    private static int smallestShift(int n, int a) {
        int k = Integer.numberOfLeadingZeros(n) - Integer.numberOfLeadingZeros(a);
        if (k <= 0) {
            return n >= a ? 0 : 1;
        }
        if ((long) n << k < a) {
            k++;
        }
        return Math.min(k, 24);
    }

    /** Updates A, B, C and N after a regular sample (T.87 A.6). */
    final void update(int q, int err) {
        int bq = b[q] + err * step;
        int aq = a[q] + (err < 0 ? -err : err);
        int nq = n[q];
        if (nq == reset) {
            aq >>= 1;
            bq >>= 1;
            nq >>= 1;
        }
        nq++;
        a[q] = aq;
        n[q] = nq;
        if (bq <= -nq) {
            bq += nq;
            if (c[q] > -128) {
                c[q]--;
            }
            if (bq <= -nq) {
                bq = -nq + 1;
            }
        } else if (bq > 0) {
            bq -= nq;
            if (c[q] < 127) {
                c[q]++;
            }
            if (bq > 0) {
                bq = 0;
            }
        }
        b[q] = bq;
    }

    /** Updates a run interruption context (T.87 A.7.2.4). */
    final void updateRun(int riType, int err, int emErr) {
        int q = RUN_CONTEXT + riType;
        if (err < 0) {
            nn[riType]++;
        }
        a[q] += (emErr + 1 - riType) >> 1;
        if (n[q] == reset) {
            a[q] >>= 1;
            n[q] >>= 1;
            nn[riType] >>= 1;
        }
        n[q]++;
    }

    /** The reconstructed sample from prediction and quantised error, with modulo wrap (T.87 A.4.4, A.5.2). */
    final int reconstruct(int px, int signedErr) {
        int rx = px + signedErr * step;
        if (near == 0) {
            if (rx < 0) {
                rx += range;
            } else if (rx > maxval) {
                rx -= range;
            }
            // Only a corrupt codestream lands outside after one wrap; clamping keeps the arrays in bounds.
            return rx < 0 ? 0 : rx > maxval ? maxval : rx;
        }
        if (rx < -near) {
            rx += range * step;
        } else if (rx > maxval + near) {
            rx -= range * step;
        }
        return rx < 0 ? 0 : rx > maxval ? maxval : rx;
    }
}
