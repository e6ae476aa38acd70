// SPDX-License-Identifier: Apache-2.0
package org.lightbox.cli;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

/**
 * What {@code lightbox store} needs of a Part 10 file before sending it, read from its File Meta Information alone:
 * the SOP class and instance, the transfer syntax, and where the data set starts, so that the bytes after the meta
 * can go on the wire unchanged without parsing the data set.
 *
 * @param dataSetOffset the byte offset of the data set's first element in the file
 */
record Part10Header(String sopClassUid, String sopInstanceUid, String transferSyntaxUid, long dataSetOffset) {
    /** File Meta Information longer than this is not a real file's. */
    private static final int MAX_META = 1 << 20;
    private static final byte[] MAGIC = {'D', 'I', 'C', 'M'};

    /**
     * Reads the header; empty when the file is no Part 10 file (no "DICM" after a 128-byte preamble or at its start).
     *
     * SOP class and instance are "" when the meta lacks them.
     *
     * @throws IOException when the File Meta Information is malformed or lacks the transfer syntax
     */
    static Optional<Part10Header> read(Path file) throws IOException {
        try (InputStream raw = Files.newInputStream(file);
                BufferedInputStream in = new BufferedInputStream(raw, 8192)) {
            byte[] start = in.readNBytes(132);
            long pos;
            if (start.length == 132 && Arrays.equals(start, 128, 132, MAGIC, 0, 4)) {
                pos = 132;
            } else if (start.length >= 4 && Arrays.equals(start, 0, 4, MAGIC, 0, 4)) {
                // No preamble: start again after "DICM".
                return readMeta(file, 4);
            } else {
                return Optional.empty();
            }
            return meta(in, pos);
        }
    }

    private static Optional<Part10Header> readMeta(Path file, long skip) throws IOException {
        try (InputStream raw = Files.newInputStream(file);
                BufferedInputStream in = new BufferedInputStream(raw, 8192)) {
            in.skipNBytes(skip);
            return meta(in, skip);
        }
    }

    /** The group 0002 elements in explicit VR little endian, up to the first element of another group. */
    private static Optional<Part10Header> meta(BufferedInputStream in, long pos) throws IOException {
        String sopClass = null;
        String sopInstance = null;
        String ts = null;
        long start = pos;
        byte[] h = new byte[8];
        while (true) {
            in.mark(8);
            int n = in.readNBytes(h, 0, 8);
            if (n == 0) {
                break; // meta only, no data set
            }
            if (n < 8 || u16(h, 0) != 0x0002) {
                if (n >= 2 && u16(h, 0) != 0x0002) {
                    in.reset();
                    break;
                }
                throw new EOFException("the file ends inside its File Meta Information");
            }
            int element = u16(h, 2);
            String vr = new String(h, 4, 2, StandardCharsets.US_ASCII);
            if (!vr.chars().allMatch(c -> c >= 'A' && c <= 'Z')) {
                throw new IOException(String.format("malformed File Meta Information: element (0002,%04X) has no"
                        + " explicit VR", element));
            }
            long length;
            int header;
            if (isLongHeader(vr)) {
                byte[] l = in.readNBytes(4);
                if (l.length < 4) {
                    throw new EOFException("the file ends inside its File Meta Information");
                }
                length = u16(l, 0) | (long) u16(l, 2) << 16;
                header = 12;
            } else {
                length = u16(h, 6);
                header = 8;
            }
            if (length == 0xFFFFFFFFL || pos - start + header + length > MAX_META) {
                throw new IOException(String.format("malformed File Meta Information: element (0002,%04X) has"
                        + " length %d", element, length));
            }
            pos += header + length;
            switch (element) {
                case 0x0002, 0x0003, 0x0010 -> {
                    String v = uid(in.readNBytes((int) length), length);
                    switch (element) {
                        case 0x0002 -> sopClass = v;
                        case 0x0003 -> sopInstance = v;
                        default -> ts = v;
                    }
                }
                default -> in.skipNBytes(length);
            }
        }
        if (ts == null || ts.isEmpty()) {
            throw new IOException("the File Meta Information lacks Transfer Syntax UID (0002,0010)");
        }
        return Optional.of(new Part10Header(sopClass == null ? "" : sopClass, sopInstance == null ? "" : sopInstance,
                ts, pos));
    }

    private static String uid(byte[] value, long length) throws EOFException {
        if (value.length < length) {
            throw new EOFException("the file ends inside its File Meta Information");
        }
        int end = value.length;
        while (end > 0 && (value[end - 1] == 0 || value[end - 1] == ' ')) {
            end--;
        }
        return new String(value, 0, end, StandardCharsets.US_ASCII).strip();
    }

    private static boolean isLongHeader(String vr) {
        return switch (vr) {
            case "OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV" -> true;
            default -> false;
        };
    }

    private static int u16(byte[] b, int at) {
        return (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8;
    }

    /** The same header with SOP class and instance taken from the data set when the meta lacks them. */
    Part10Header withUids(String sopClass, String sopInstance) {
        return new Part10Header(sopClassUid.isEmpty() ? sopClass : sopClassUid,
                sopInstanceUid.isEmpty() ? sopInstance : sopInstanceUid, transferSyntaxUid, dataSetOffset);
    }
}
