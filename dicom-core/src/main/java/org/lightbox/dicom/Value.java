// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicom;

import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/** What an element holds: encoded bytes, items, encapsulated fragments, or a range of a file left on disk. */
public sealed interface Value {
    /** The number of bytes the value occupies when encoded, or -1 for items (which depend on the encoding). */
    long length();

    /** Encoded bytes in memory, exactly as read (or as encoded when built). */
    record Bytes(byte[] data) implements Value {
        public static final Bytes EMPTY = new Bytes(new byte[0]);

        public Bytes {
            Objects.requireNonNull(data);
        }

        @Override
        public long length() {
            return data.length;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Bytes b && Arrays.equals(data, b.data);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            return data.length <= 16 ? "Bytes[" + HexFormat.of().formatHex(data) + "]" : "Bytes[" + data.length + "]";
        }
    }

    /** A value left in its file: {@code length} bytes from {@code offset}, read only when asked for. */
    record Bulk(Path file, long offset, long length) implements Value {
        public Bulk {
            Objects.requireNonNull(file);
            if (offset < 0 || length < 0) {
                throw new IllegalArgumentException("negative offset or length: " + offset + ", " + length);
            }
        }

        /** Reads the range into memory; for values small enough to hold. */
        public byte[] read() throws IOException {
            if (length > Integer.MAX_VALUE - 8) {
                throw new IOException(file + ": a value of " + length + " bytes is too large to hold in memory");
            }
            byte[] b = new byte[(int) length];
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                ByteBuffer buf = ByteBuffer.wrap(b);
                while (buf.hasRemaining()) {
                    if (ch.read(buf, offset + buf.position()) < 0) {
                        throw new EOFException(file + " ends before offset " + (offset + length));
                    }
                }
            }
            return b;
        }

        /** A stream over the range, for values too large to hold. */
        public InputStream open() throws IOException {
            FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
            ch.position(offset);
            InputStream in = Channels.newInputStream(ch);
            return new FilterInputStream(in) {
                private long left = length;

                @Override
                public int read() throws IOException {
                    if (left <= 0) {
                        return -1;
                    }
                    int b = super.read();
                    if (b >= 0) {
                        left--;
                    }
                    return b;
                }

                @Override
                public int read(byte[] dst, int off, int len) throws IOException {
                    if (left <= 0) {
                        return -1;
                    }
                    int n = super.read(dst, off, (int) Math.min(len, left));
                    if (n > 0) {
                        left -= n;
                    }
                    return n;
                }
            };
        }
    }

    /** The items of a sequence. */
    record Items(List<Dataset> items) implements Value {
        public Items {
            items = List.copyOf(items);
        }

        @Override
        public long length() {
            return -1;
        }
    }

    /**
     * Encapsulated pixel data (PS3.5 A.4): the Basic Offset Table item first (possibly empty), then one
     * {@link Bytes} or {@link Bulk} per fragment.
     */
    record Fragments(List<Value> fragments) implements Value {
        public Fragments {
            fragments = List.copyOf(fragments);
            if (fragments.isEmpty()) {
                throw new IllegalArgumentException("encapsulated pixel data starts with a Basic Offset Table item");
            }
            for (Value v : fragments) {
                if (!(v instanceof Bytes || v instanceof Bulk)) {
                    throw new IllegalArgumentException("a fragment is bytes, not " + v.getClass().getSimpleName());
                }
            }
        }

        /** The Basic Offset Table item, empty when the encoder left it out. */
        public Value basicOffsetTable() {
            return fragments.getFirst();
        }

        /** The fragments after the Basic Offset Table item. */
        public List<Value> dataFragments() {
            return fragments.subList(1, fragments.size());
        }

        @Override
        public long length() {
            return -1;
        }
    }
}
