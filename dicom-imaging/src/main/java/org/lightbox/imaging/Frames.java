// SPDX-License-Identifier: Apache-2.0
package org.lightbox.imaging;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Element;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.Value;
import org.lightbox.dicom.internal.ByteSwap;

/**
 * The encoded bytes of frame N of a data set's pixel data, read without reading the rest: for native pixel data a
 * slice of the value, for encapsulated pixel data the fragments of that frame, found through the Extended Offset
 * Table, the Basic Offset Table, one fragment per frame, or by scanning for the start of each codestream (PS3.5
 * A.4).
 */
public final class Frames {
    private final Element pixels;
    private final ImageDescription image;
    private final List<List<Value>> encapsulated;

    private Frames(Element pixels, ImageDescription image, List<List<Value>> encapsulated) {
        this.pixels = pixels;
        this.image = image;
        this.encapsulated = encapsulated;
    }

    /** The frames of a data set's Pixel Data (or Float / Double Float Pixel Data). */
    public static Frames of(Dataset ds) throws IOException {
        Element pixels = ds.get(Tag.PixelData).or(() -> ds.get(Tag.FloatPixelData))
                .or(() -> ds.get(Tag.DoubleFloatPixelData))
                .orElseThrow(() -> new IllegalArgumentException("the data set has no pixel data"));
        ImageDescription image = ImageDescription.of(ds);
        if (pixels.value() instanceof Value.Fragments f) {
            return new Frames(pixels, image, split(ds, f, image.frames()));
        }
        return new Frames(pixels, image, null);
    }

    public ImageDescription image() {
        return image;
    }

    public int count() {
        return encapsulated != null ? encapsulated.size() : image.frames();
    }

    public boolean isEncapsulated() {
        return encapsulated != null;
    }

    /**
     * Frame {@code n} (from 0): the concatenated fragments of an encapsulated frame, or the native bytes of the
     * frame in little endian, planar configuration and 1-bit packing as in the file (a 1-bit frame that does not
     * start on a byte boundary is shifted to start on one).
     */
    public byte[] frame(int n) throws IOException {
        if (n < 0 || n >= count()) {
            throw new IllegalArgumentException("frame " + (n + 1) + " of " + count());
        }
        if (encapsulated != null) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (Value v : encapsulated.get(n)) {
                out.write(bytes(v, 0, (int) v.length()));
            }
            return out.toByteArray();
        }
        long bits = image.frameBits();
        long firstBit = bits * n;
        long from = firstBit / 8;
        int length = (int) ((firstBit + bits + 7) / 8 - from);
        if (from + length > pixels.value().length()) {
            throw new IOException("Pixel Data holds " + pixels.value().length() + " bytes, too few for frame "
                    + (n + 1) + " of " + count());
        }
        byte[] b;
        int unit = pixels.bigEndian() ? swapUnit() : 1;
        if (unit > 1) {
            // Swap whole units of the value, so a frame that starts or ends inside a 16-bit word (8-bit data as OW)
            // gets the right bytes; the padding byte of an odd value completes the last word.
            long alignedFrom = from - from % unit;
            long alignedTo = Math.min(pixels.value().length(), (from + length + unit - 1) / unit * unit);
            byte[] words = ByteSwap.swapped(bytes(pixels.value(), alignedFrom, (int) (alignedTo - alignedFrom)),
                    (int) (alignedTo - alignedFrom), unit);
            b = java.util.Arrays.copyOfRange(words, (int) (from - alignedFrom), (int) (from - alignedFrom) + length);
        } else {
            b = bytes(pixels.value(), from, length);
        }
        int shift = (int) (firstBit % 8);
        if (shift != 0) {
            byte[] aligned = new byte[(int) ((bits + 7) / 8)];
            for (int i = 0; i < aligned.length; i++) {
                int hi = i + 1 < b.length ? b[i + 1] & 0xFF : 0;
                aligned[i] = (byte) ((b[i] & 0xFF) >>> shift | hi << (8 - shift));
            }
            return aligned;
        }
        return b;
    }

    /** OW is a stream of 16-bit words whatever the sample size; wider samples swap as a whole (as pydicom does). */
    private int swapUnit() {
        int bytes = image.bitsAllocated() / 8;
        return bytes >= 2 ? bytes : pixels.vr() == org.lightbox.dicom.Vr.OW ? 2 : 1;
    }

    /** The VR of the pixel data element (OB or OW matters for big endian byte order). */
    public org.lightbox.dicom.Vr vr() {
        return pixels.vr();
    }

    private static byte[] bytes(Value v, long from, int length) throws IOException {
        return switch (v) {
            case Value.Bytes b -> from == 0 && length == b.data().length ? b.data()
                    : java.util.Arrays.copyOfRange(b.data(), (int) from, (int) from + length);
            // One positional read into the array (a stream's readNBytes reads in small pieces and copies them again).
            case Value.Bulk b -> new Value.Bulk(b.file(), b.offset() + from, Math.min(length, b.length() - from))
                    .read();
            default -> throw new IllegalStateException("not a byte value: " + v);
        };
    }

    private static List<List<Value>> split(Dataset ds, Value.Fragments f, int frames) throws IOException {
        List<Value> fragments = f.dataFragments();
        List<List<Value>> out = new ArrayList<>();
        long[] offsets = extendedOffsets(ds);
        if (offsets == null) {
            offsets = basicOffsets(f.basicOffsetTable());
        }
        if (offsets != null && offsets.length > 0) {
            // Offsets count from the first byte of the first fragment's item tag, headers included.
            long[] starts = new long[fragments.size()];
            long at = 0;
            for (int i = 0; i < fragments.size(); i++) {
                starts[i] = at;
                at += 8 + fragments.get(i).length();
            }
            for (int k = 0; k < offsets.length; k++) {
                long lo = offsets[k];
                long hi = k + 1 < offsets.length ? offsets[k + 1] : Long.MAX_VALUE;
                List<Value> frame = new ArrayList<>();
                for (int i = 0; i < fragments.size(); i++) {
                    if (starts[i] >= lo && starts[i] < hi) {
                        frame.add(fragments.get(i));
                    }
                }
                if (frame.isEmpty()) {
                    throw new IOException("the offset table points frame " + (k + 1) + " at no fragment");
                }
                out.add(frame);
            }
            return out;
        }
        if (fragments.size() == frames) {
            fragments.forEach(v -> out.add(List.of(v)));
            return out;
        }
        if (frames == 1) {
            out.add(fragments);
            return out;
        }
        // No table and more fragments than frames: a frame starts where a codestream starts.
        for (Value v : fragments) {
            byte[] head = bytes(v, 0, (int) Math.min(2, v.length()));
            boolean start = head.length == 2 && (head[0] & 0xFF) == 0xFF
                    && ((head[1] & 0xFF) == 0xD8 || (head[1] & 0xFF) == 0x4F);
            if (start || out.isEmpty()) {
                out.add(new ArrayList<>());
            }
            out.getLast().add(v);
        }
        if (out.size() != frames) {
            throw new IOException(fragments.size() + " fragments hold " + out.size() + " codestreams, but Number of"
                    + " Frames is " + frames + " and there is no offset table");
        }
        return out;
    }

    private static long[] extendedOffsets(Dataset ds) {
        return ds.get(Tag.ExtendedOffsetTable).map(Element::longs).filter(a -> a.length > 0).orElse(null);
    }

    private static long[] basicOffsets(Value bot) throws IOException {
        byte[] b = bytes(bot, 0, (int) bot.length());
        if (b.length == 0) {
            return null;
        }
        long[] offsets = new long[b.length / 4];
        for (int i = 0; i < offsets.length; i++) {
            offsets[i] = (b[4 * i] & 0xFFL) | (b[4 * i + 1] & 0xFFL) << 8 | (b[4 * i + 2] & 0xFFL) << 16
                    | (b[4 * i + 3] & 0xFFL) << 24;
        }
        return offsets;
    }
}
