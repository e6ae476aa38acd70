// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicomweb;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.eclipse.jetty.http.MultiPart;
import org.eclipse.jetty.io.Content;

/**
 * Reads a multipart body (RFC 2046 5.1, as multipart/related uses it: RFC 2387, PS3.18 8.6.1.2) part by part from a
 * stream, each part's content as a stream of its own: nothing is held but one read buffer, whatever the size of a
 * part. Boundary recognition, the preamble, transport padding after a delimiter, the close delimiter and the
 * epilogue are Jetty's {@link MultiPart.Parser} (a push parser, used by Jetty's own multipart/form-data); this class
 * turns its events into a pull API and its failures into {@link MultipartException}s that say where the body broke.
 *
 * <p>Lenient where Jetty is: a bare LF is accepted where CRLF is required. Not thread-safe; one thread at a time
 * (a part's stream may be handed to another thread, and the reader back, with a happens-before edge).
 */
final class MultipartReader {
    /** The read buffer; content is handed out in slices of it. */
    static final int BUFFER = 64 * 1024;

    /** Thrown for a body that breaks the multipart syntax; the message says where. */
    static final class MultipartException extends IOException {
        MultipartException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * One part.
     *
     * @param number its position, from 1
     * @param headers its header fields, names in lower case (a repeated field's values joined with ", ")
     * @param content its content; ends where the next delimiter starts
     */
    record Part(int number, Map<String, String> headers, InputStream content) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private sealed interface Event {}

    private record Begin() implements Event {}

    private record Header(String name, String value) implements Event {}

    private record HeadersEnd() implements Event {}

    private record Bytes(ByteBuffer buffer) implements Event {}

    private record End() implements Event {}

    private record Complete() implements Event {}

    private record Failed(Throwable cause) implements Event {}

    private enum Where { PREAMBLE, HEADERS, CONTENT, BETWEEN, EPILOGUE }

    private final InputStream body;
    private final String boundary;
    private final long maxPreamble;
    private final MultiPart.Parser parser;
    private final ArrayDeque<Event> events = new ArrayDeque<>();
    private final byte[] buffer = new byte[BUFFER];
    private long read;
    private boolean bodyEnded;
    /** Parts the parser has begun (it may run ahead of the consumer within one buffer). */
    private int parts;
    /** Parts handed out by {@link #next}. */
    private int handedOut;
    /** The buffer being parsed, while it is. */
    private ByteBuffer feeding;
    /** Whether the parser is at the start of a part's content (see {@link Listener#onPartContent}). */
    private boolean contentStart;
    /** The first byte of the current part's content, -1 before it is read (see {@link Listener#onPartContent}). */
    private int firstContentByte = -1;
    private Where where = Where.PREAMBLE;
    private PartStream current;
    private MultipartException failure;

    /**
     * @param boundary the boundary parameter of the Content-Type (without the leading "--")
     * @param maxHeaderBytes the most bytes one part's header section may have
     * @param maxPreamble the most bytes read before the first delimiter is found
     */
    MultipartReader(InputStream body, String boundary, int maxHeaderBytes, long maxPreamble) {
        this.body = body;
        this.boundary = boundary;
        this.maxPreamble = maxPreamble;
        this.parser = new MultiPart.Parser(boundary, new Listener());
        parser.setPartHeadersMaxLength(maxHeaderBytes);
    }

    /** How many parts have been handed out. */
    int parts() {
        return handedOut;
    }

    /** Bytes read from the body so far. */
    long bytesRead() {
        return read;
    }

    /**
     * The next part, after skipping whatever the previous part's reader left unread; null once the close delimiter
     * has been read.
     *
     * @throws MultipartException for a body that breaks the syntax
     * @throws IOException when reading the body fails
     */
    Part next() throws IOException {
        if (current != null) {
            current.skipRest();
            current = null;
        }
        Map<String, String> headers = new LinkedHashMap<>();
        while (true) {
            Event e = take();
            switch (e) {
                case Begin b -> headers.clear();
                case Header h -> headers.merge(h.name().toLowerCase(Locale.ROOT), h.value(), (a, v) -> a + ", " + v);
                case HeadersEnd h -> {
                    current = new PartStream();
                    return new Part(++handedOut, Collections.unmodifiableMap(headers), current);
                }
                case Complete c -> {
                    return null;
                }
                case Failed f -> throw fail(f.cause());
                case Bytes b -> throw new IllegalStateException("content outside a part");
                case End x -> throw new IllegalStateException("a part's end outside a part");
            }
        }
    }

    private Event peek() throws IOException {
        while (events.isEmpty()) {
            if (failure != null) {
                throw failure;
            }
            if (bodyEnded) {
                throw new IllegalStateException("read past the end of the multipart body");
            }
            feed();
        }
        return events.peekFirst();
    }

    private Event take() throws IOException {
        Event e = peek();
        events.pollFirst();
        return e;
    }

    /** Reads the next bytes of the body into the parser; only when every slice handed out before is consumed. */
    private void feed() throws IOException {
        int n = body.read(buffer, 0, buffer.length);
        if (n < 0) {
            bodyEnded = true;
            parser.parse(Content.Chunk.EOF);
            return;
        }
        read += n;
        if (contentStart && firstContentByte < 0 && n > 0) {
            firstContentByte = buffer[0] & 0xFF;
        }
        feeding = ByteBuffer.wrap(buffer, 0, n);
        parser.parse(Content.Chunk.from(feeding, false));
        feeding = null;
        if (where == Where.PREAMBLE && read > maxPreamble && events.isEmpty()) {
            throw fail(new IllegalStateException("preamble too long"));
        }
    }

    /** The failure as this reader reports it, once and for good. */
    private MultipartException fail(Throwable cause) {
        if (failure == null) {
            String reason = cause.getMessage() == null ? cause.toString() : cause.getMessage();
            boolean eof = cause instanceof java.io.EOFException;
            String delimiter = "\"--" + boundary + "\"";
            String message = switch (where) {
                case PREAMBLE -> eof || reason.equals("preamble too long")
                        ? "no part found: the boundary delimiter " + delimiter + " (from the Content-Type) does not"
                                + " begin a line in the " + (eof ? "body" : "first " + maxPreamble + " bytes")
                        : "malformed multipart body before the first part: " + reason;
                case HEADERS -> eof ? "the body ended inside the header fields of part " + parts
                        : "malformed header fields in part " + parts + ": " + reason;
                case CONTENT -> eof ? "the body ended inside part " + parts + ", before its closing delimiter "
                        + delimiter : "malformed multipart body in part " + parts + ": " + reason;
                case BETWEEN -> eof ? "the body ended after part " + parts + " without the close delimiter "
                        + "\"--" + boundary + "--\"" : "malformed delimiter after part " + parts + ": " + reason;
                case EPILOGUE -> "malformed multipart body after its close delimiter: " + reason;
            };
            failure = new MultipartException(message, cause);
        }
        return failure;
    }

    /** Collects the parser's events; called from inside {@link MultiPart.Parser#parse}. */
    private final class Listener implements MultiPart.Parser.Listener {
        @Override
        public void onPartBegin() {
            parts++;
            where = Where.HEADERS;
            events.add(new Begin());
        }

        @Override
        public void onPartHeader(String name, String value) {
            events.add(new Header(name, value));
        }

        @Override
        public void onPartHeaders() {
            where = Where.CONTENT;
            contentStart = true;
            firstContentByte = feeding != null && feeding.hasRemaining() ? feeding.get(feeding.position()) & 0xFF : -1;
            events.add(new HeadersEnd());
        }

        @Override
        public void onPartContent(Content.Chunk chunk) {
            ByteBuffer b = chunk.getByteBuffer();
            if (contentStart && firstContentByte == '-' && b.hasRemaining() && (!b.hasArray() || b.array() != buffer)
                    && b.get(b.position()) == '\n') {
                // Jetty 12.1 begins a part's content as if an LF had been read before it (so that an empty part's
                // delimiter matches). When the content starts with '-' and a read ends within the first bytes,
                // it takes them for the start of a delimiter and, once they prove not to be, gives them back from
                // its pattern "\n--boundary" with that LF in front, which was never in the body. (Content that
                // really starts with an LF gives an LF first, never a '-'.)
                b = b.slice(b.position() + 1, b.remaining() - 1);
            }
            if (b.hasRemaining()) {
                contentStart = false;
                events.add(new Bytes(b));
            }
        }

        @Override
        public void onPartEnd() {
            where = Where.BETWEEN;
            events.add(new End());
        }

        @Override
        public void onComplete() {
            where = Where.EPILOGUE;
            events.add(new Complete());
        }

        @Override
        public void onFailure(Throwable cause) {
            events.add(new Failed(cause));
        }
    }

    /** The content of the current part. */
    private final class PartStream extends InputStream {
        private boolean ended;

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            if (ended) {
                return -1;
            }
            if (len == 0) {
                return 0;
            }
            while (true) {
                Event e = peek();
                switch (e) {
                    case Bytes bytes -> {
                        ByteBuffer buf = bytes.buffer();
                        int n = Math.min(len, buf.remaining());
                        buf.get(b, off, n);
                        if (!buf.hasRemaining()) {
                            events.pollFirst();
                        }
                        return n;
                    }
                    case End x -> {
                        events.pollFirst();
                        ended = true;
                        return -1;
                    }
                    case Failed f -> {
                        ended = true;
                        throw fail(f.cause());
                    }
                    default -> throw new IllegalStateException("unexpected " + e + " inside a part");
                }
            }
        }

        @Override
        public int available() {
            Event e = events.peekFirst();
            return !ended && e instanceof Bytes bytes ? bytes.buffer().remaining() : 0;
        }

        /** Reads to the end of the part (what its reader did not want). */
        void skipRest() throws IOException {
            while (!ended) {
                Event e = peek();
                switch (e) {
                    case Bytes bytes -> events.pollFirst();
                    case End x -> {
                        events.pollFirst();
                        ended = true;
                    }
                    case Failed f -> {
                        ended = true;
                        throw fail(f.cause());
                    }
                    default -> throw new IllegalStateException("unexpected " + e + " inside a part");
                }
            }
        }
    }
}
