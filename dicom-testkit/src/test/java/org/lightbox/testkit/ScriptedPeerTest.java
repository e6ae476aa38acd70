// SPDX-License-Identifier: Apache-2.0
package org.lightbox.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.EOFException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Two scripted peers talking to each other on loopback. */
class ScriptedPeerTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final byte[] ABORT = {7, 0, 0, 0, 0, 4, 0, 0, 2, 6};

    @Test
    void aPduSentWholeOrSlowlyIsReadBackRaw() throws IOException {
        try (var listener = ScriptedPeer.listen();
                var client = ScriptedPeer.connect("127.0.0.1", listener.port(), WAIT);
                var server = listener.accept(WAIT)) {
            client.send(ABORT).sendSlowly(ABORT, 3, Duration.ofMillis(5));
            for (int i = 0; i < 2; i++) {
                ScriptedPeer.RawPdu pdu = server.readPdu(WAIT);
                assertThat(pdu.type()).isEqualTo(7);
                assertThat(pdu.u8(2)).isEqualTo(2);
                assertThat(pdu.u8(3)).isEqualTo(6);
                assertThat(pdu.bytes()).isEqualTo(ABORT);
            }
        }
    }

    @Test
    void aTruncatedPduThenCloseIsAnEndOfStream() throws IOException {
        try (var listener = ScriptedPeer.listen();
                var client = ScriptedPeer.connect("127.0.0.1", listener.port(), WAIT);
                var server = listener.accept(WAIT)) {
            client.sendTruncated(ABORT, 8).close();
            assertThatThrownBy(() -> server.readPdu(WAIT)).isInstanceOf(EOFException.class)
                    .hasMessageContaining("2 of 4 bytes");
        }
    }

    @Test
    void silenceIsATimeoutNotAHang() throws IOException {
        try (var listener = ScriptedPeer.listen();
                var client = ScriptedPeer.connect("127.0.0.1", listener.port(), WAIT);
                var server = listener.accept(WAIT)) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> server.readPdu(Duration.ofMillis(200)))
                    .isInstanceOf(SocketTimeoutException.class);
            assertThat(server.awaitClosed(Duration.ofMillis(100))).isFalse();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
            client.send(ABORT).shutdownOutput();
            assertThat(server.readUntilClosed(WAIT)).hasSize(1);
        }
    }

    @Test
    void aResetIsSeenAsClosed() throws IOException {
        try (var listener = ScriptedPeer.listen();
                var client = ScriptedPeer.connect("127.0.0.1", listener.port(), WAIT);
                var server = listener.accept(WAIT)) {
            client.reset();
            assertThat(server.awaitClosed(WAIT)).isTrue();
        }
    }
}
