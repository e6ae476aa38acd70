// SPDX-License-Identifier: Apache-2.0
package org.lightbox.net;

import java.time.Duration;

/**
 * Timeouts and limits of one association, either side.
 *
 * @param connectTimeout for the TCP connection of a requestor
 * @param artimTimeout the ARTIM timer of PS3.8: waiting for an A-ASSOCIATE-RQ after the connection opens, for the
 *     accept or reject of a request, for the release reply, and for the peer to close after a reject or abort
 * @param idleTimeout an established association with no PDU and no operation in progress for this long is aborted
 *     ({@code Duration.ZERO}: never)
 * @param responseTimeout a requestor waiting this long for a DIMSE response aborts ({@code Duration.ZERO}: never)
 * @param maxPduLength the maximum P-DATA-TF length this side announces and accepts (0: no limit)
 * @param maxCommandDataSetLength the largest identifier or N- data set held in memory; larger ones abort
 * @param maxStoreDataSetLength the largest C-STORE data set received (0: no limit); a larger one aborts the
 *     association and the service sees an {@link java.io.IOException}
 */
public record NetOptions(Duration connectTimeout, Duration artimTimeout, Duration idleTimeout,
        Duration responseTimeout, long maxPduLength, long maxCommandDataSetLength, long maxStoreDataSetLength) {

    public static final NetOptions DEFAULT = new NetOptions(Duration.ofSeconds(10), Duration.ofSeconds(30),
            Duration.ofMinutes(5), Duration.ZERO, 256 * 1024, 16L << 20, 0);

    public NetOptions {
        if (maxPduLength != 0 && (maxPduLength < 1024 || maxPduLength > 0xFFFFFFFFL)) {
            throw new IllegalArgumentException("maximum PDU length " + maxPduLength
                    + " out of range (0 for none, or 1024 to 4294967295)");
        }
    }

    public NetOptions withConnectTimeout(Duration d) {
        return new NetOptions(d, artimTimeout, idleTimeout, responseTimeout, maxPduLength, maxCommandDataSetLength,
                maxStoreDataSetLength);
    }

    public NetOptions withArtimTimeout(Duration d) {
        return new NetOptions(connectTimeout, d, idleTimeout, responseTimeout, maxPduLength, maxCommandDataSetLength,
                maxStoreDataSetLength);
    }

    public NetOptions withIdleTimeout(Duration d) {
        return new NetOptions(connectTimeout, artimTimeout, d, responseTimeout, maxPduLength, maxCommandDataSetLength,
                maxStoreDataSetLength);
    }

    public NetOptions withResponseTimeout(Duration d) {
        return new NetOptions(connectTimeout, artimTimeout, idleTimeout, d, maxPduLength, maxCommandDataSetLength,
                maxStoreDataSetLength);
    }

    public NetOptions withMaxPduLength(long max) {
        return new NetOptions(connectTimeout, artimTimeout, idleTimeout, responseTimeout, max, maxCommandDataSetLength,
                maxStoreDataSetLength);
    }

    public NetOptions withMaxStoreDataSetLength(long max) {
        return new NetOptions(connectTimeout, artimTimeout, idleTimeout, responseTimeout, maxPduLength,
                maxCommandDataSetLength, max);
    }
}
