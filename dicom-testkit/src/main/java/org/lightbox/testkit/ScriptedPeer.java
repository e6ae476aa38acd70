// SPDX-License-Identifier: Apache-2.0
package org.lightbox.testkit;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * A misbehaving DICOM peer for tests: one TCP connection on loopback that sends exactly the bytes a test scripts
 * (whole, slowly, cut short) and reads back raw PDUs (a 6-byte header, then the body its length announces).
 *
 * <p>It knows nothing of DICOM beyond that header, so that it can send what no well-behaved encoder would: tests build
 * their PDUs with the module's own writer and then bend them. Every read takes a timeout, so a test never hangs on a
 * peer that says nothing. Not thread-safe; one test drives one peer.
 */
public final class ScriptedPeer implements AutoCloseable {
    /** No PDU a test reads back is larger; a bigger length means the bytes are not what the test expected. */
    public static final int MAX_READ_LENGTH = 64 << 20;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private ScriptedPeer(Socket socket) throws IOException {
        this.socket = socket;
        socket.setTcpNoDelay(true);
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    /** Connects to {@code host:port} as a requestor would. */
    public static ScriptedPeer connect(String host, int port, Duration timeout) throws IOException {
        Socket s = new Socket();
        try {
            s.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
            return new ScriptedPeer(s);
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    /** Listens on an ephemeral loopback port, for scripting an acceptor that a requestor under test connects to. */
    public static Listener listen() throws IOException {
        ServerSocket s = new ServerSocket();
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        return new Listener(s);
    }

    /** A listening socket that hands out one scripted peer per accepted connection. */
    public static final class Listener implements AutoCloseable {
        private final ServerSocket server;

        private Listener(ServerSocket server) {
            this.server = server;
        }

        public int port() {
            return server.getLocalPort();
        }

        /** The next connection, or {@link SocketTimeoutException} when none comes within {@code timeout}. */
        public ScriptedPeer accept(Duration timeout) throws IOException {
            server.setSoTimeout((int) Math.max(1, timeout.toMillis()));
            return new ScriptedPeer(server.accept());
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    /** A PDU as read off the wire: its type byte and its body, uninterpreted. */
    public record RawPdu(int type, byte[] body) {
        public RawPdu {
            body = body.clone();
        }

        /** The whole PDU again: header and body. */
        public byte[] bytes() {
            byte[] b = new byte[6 + body.length];
            b[0] = (byte) type;
            putInt(b, 2, body.length);
            System.arraycopy(body, 0, b, 6, body.length);
            return b;
        }

        /** The unsigned byte at {@code index} of the body. */
        public int u8(int index) {
            return body[index] & 0xFF;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof RawPdu p && p.type == type && Arrays.equals(p.body, body);
        }

        @Override
        public int hashCode() {
            return type * 31 + Arrays.hashCode(body);
        }

        @Override
        public String toString() {
            String hex = HexFormat.of().formatHex(body, 0, Math.min(body.length, 32));
            return String.format("PDU type 0x%02X, %d bytes: %s%s", type, body.length, hex,
                    body.length > 32 ? "..." : "");
        }
    }

    // ---- sending --------------------------------------------------------------------------------------------------

    public ScriptedPeer send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    /** Sends the first {@code count} bytes only: a PDU cut short. */
    public ScriptedPeer sendTruncated(byte[] bytes, int count) throws IOException {
        Objects.checkFromIndexSize(0, count, bytes.length);
        out.write(bytes, 0, count);
        out.flush();
        return this;
    }

    /** Sends {@code bytes} in pieces of {@code chunk} bytes with {@code pause} between them. */
    public ScriptedPeer sendSlowly(byte[] bytes, int chunk, Duration pause) throws IOException {
        if (chunk < 1) {
            throw new IllegalArgumentException("chunk must be at least one byte: " + chunk);
        }
        for (int at = 0; at < bytes.length; at += chunk) {
            if (at > 0) {
                sleep(pause);
            }
            out.write(bytes, at, Math.min(chunk, bytes.length - at));
            out.flush();
        }
        return this;
    }

    /** Half-closes: the other side reads the end of the stream, and this side can still read. */
    public ScriptedPeer shutdownOutput() throws IOException {
        socket.shutdownOutput();
        return this;
    }

    /** Resets the connection (RST rather than FIN), as a peer that crashes or loses its network does. */
    public void reset() {
        try {
            socket.setSoLinger(true, 0);
        } catch (SocketException ignored) {
            // closing is what matters
        }
        close();
    }

    // ---- reading --------------------------------------------------------------------------------------------------

    /**
     * Reads one PDU.
     *
     * @throws EOFException when the connection ends before or inside the PDU
     * @throws SocketTimeoutException when it does not arrive whole within {@code timeout}
     */
    public RawPdu readPdu(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        byte[] header = new byte[6];
        int n = readFully(header, deadline);
        if (n == 0) {
            throw new EOFException("the connection closed before a PDU");
        }
        if (n < 6) {
            throw new EOFException("the connection closed inside a PDU header (" + n + " bytes)");
        }
        long length = ((header[2] & 0xFFL) << 24) | ((header[3] & 0xFF) << 16) | ((header[4] & 0xFF) << 8)
                | (header[5] & 0xFF);
        if (length > MAX_READ_LENGTH) {
            throw new IOException(String.format("PDU type 0x%02X announces %d bytes, more than a test reads",
                    header[0] & 0xFF, length));
        }
        byte[] body = new byte[(int) length];
        int got = readFully(body, deadline);
        if (got < body.length) {
            throw new EOFException("the connection closed after " + got + " of " + length + " bytes of a PDU");
        }
        return new RawPdu(header[0] & 0xFF, body);
    }

    /**
     * Reads PDUs until the other side closes the connection and returns them; fails with
     * {@link SocketTimeoutException} when it is still open after {@code timeout}. A reset counts as closed.
     */
    public List<RawPdu> readUntilClosed(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<RawPdu> pdus = new ArrayList<>();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new SocketTimeoutException("still open after " + timeout + "; received " + pdus);
            }
            try {
                pdus.add(readPdu(Duration.ofNanos(left)));
            } catch (EOFException | SocketException closed) {
                return pdus;
            } catch (SocketTimeoutException e) {
                throw new SocketTimeoutException("still open after " + timeout + "; received " + pdus);
            }
        }
    }

    /** Whether the other side closed within {@code timeout}, discarding whatever it sends meanwhile. */
    public boolean awaitClosed(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        byte[] sink = new byte[8192];
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                socket.setSoTimeout((int) Math.max(1, left / 1_000_000));
                if (in.read(sink) < 0) {
                    return true;
                }
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException reset) {
            return true;
        }
    }

    /** Bytes read into {@code b} before its end, the end of stream or the deadline (then a timeout). */
    private int readFully(byte[] b, long deadline) throws IOException {
        int off = 0;
        while (off < b.length) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new SocketTimeoutException("only " + off + " of " + b.length + " bytes arrived in time");
            }
            socket.setSoTimeout((int) Math.max(1, left / 1_000_000));
            int n = in.read(b, off, b.length - off);
            if (n < 0) {
                return off;
            }
            off += n;
        }
        return off;
    }

    public int localPort() {
        return socket.getLocalPort();
    }

    public boolean isClosed() {
        return socket.isClosed();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing left to do
        }
    }

    private static void putInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }

    private static void sleep(Duration d) throws IOException {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while sending slowly");
        }
    }
}
