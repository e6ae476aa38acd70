// SPDX-License-Identifier: Apache-2.0
package org.lightbox.net.pdu;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Writes one command or data set of one presentation context as P-DATA-TF PDUs of one PDV each, none longer than the
 * peer's maximum length; {@link #close()} sends the PDV marked last. The caller holds the association's send lock
 * from the first byte to {@code close()}, so fragments of two messages never interleave.
 */
public final class PDataOutputStream extends OutputStream {
    /** Fragment size when the peer announced no limit (maximum length 0). */
    static final int UNLIMITED_FRAGMENT = 1 << 20;
    private static final int HEADER = 12; // PDU type, reserved, length (4); PDV length (4), context ID, control

    private final OutputStream out;
    private final int contextId;
    private final boolean command;
    private final byte[] buffer;
    private final int capacity;
    private int count = HEADER;
    private boolean closed;

    /**
     * @param peerMaxLength the maximum length the peer announced for P-DATA-TF PDUs it receives (0: none)
     * @param buffer a scratch buffer of at least {@link #bufferSize(long)} bytes, or {@code null} to allocate one
     */
    public PDataOutputStream(OutputStream out, int contextId, boolean command, long peerMaxLength, byte[] buffer) {
        this.out = out;
        this.contextId = contextId;
        this.command = command;
        int size = bufferSize(peerMaxLength);
        this.buffer = buffer != null && buffer.length >= size ? buffer : new byte[size];
        this.capacity = size;
    }

    /** Bytes of buffer needed for PDUs of at most {@code peerMaxLength}: the PDU header plus the variable field. */
    public static int bufferSize(long peerMaxLength) {
        // The smallest legal maximum is tiny; keep at least one data byte per PDV.
        long variable = peerMaxLength == 0 ? UNLIMITED_FRAGMENT + 6L : Math.max(7, peerMaxLength);
        return (int) Math.min(variable + 6, UNLIMITED_FRAGMENT + 12L);
    }

    @Override
    public void write(int b) throws IOException {
        if (count == capacity) {
            send(false);
        }
        buffer[count++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            if (count == capacity) {
                send(false);
            }
            int n = Math.min(len, capacity - count);
            System.arraycopy(b, off, buffer, count, n);
            count += n;
            off += n;
            len -= n;
        }
    }

    /** Sends what is buffered as the last fragment; the underlying stream stays open. */
    @Override
    public void close() throws IOException {
        if (!closed) {
            closed = true;
            send(true);
            out.flush();
        }
    }

    private void send(boolean last) throws IOException {
        int dataLength = count - HEADER;
        long pduLength = dataLength + 6L;
        put32(2, pduLength);
        buffer[0] = Pdu.TYPE_P_DATA_TF;
        buffer[1] = 0;
        put32(6, dataLength + 2L);
        buffer[10] = (byte) contextId;
        buffer[11] = (byte) ((command ? 1 : 0) | (last ? 2 : 0));
        out.write(buffer, 0, count);
        count = HEADER;
    }

    private void put32(int at, long v) {
        buffer[at] = (byte) (v >>> 24);
        buffer[at + 1] = (byte) (v >>> 16);
        buffer[at + 2] = (byte) (v >>> 8);
        buffer[at + 3] = (byte) v;
    }
}
