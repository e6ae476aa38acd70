// SPDX-License-Identifier: Apache-2.0
package org.lightbox.imaging;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts what each codec did, per codec name and operation: frames, bytes in and out, failures and time. Every codec
 * {@link PixelData#decoder(String, ImageDescription)} and {@link PixelData#encoder(String, ImageDescription)} hand
 * out is counted here, so which codec ran (native or pure Java) shows in metrics as well as in the log. Counters only
 * grow, from process start; thread safe.
 */
public final class CodecMetrics {
    /** What a codec was asked to do. */
    public enum Operation {
        DECODE, ENCODE
    }

    /**
     * The counters of one codec and operation at one moment.
     *
     * @param frames frames done successfully
     * @param inputBytes bytes of those frames as given to the codec (encoded for a decode, native for an encode)
     * @param outputBytes bytes the codec returned for them
     * @param failures frames that ended in an exception
     * @param nanos time spent in the codec, failed frames included, in nanoseconds
     */
    public record Counts(String codec, Operation operation, long frames, long inputBytes, long outputBytes,
            long failures, long nanos) {}

    private record Key(String codec, Operation operation) {}

    private static final class Cell {
        final LongAdder frames = new LongAdder();
        final LongAdder in = new LongAdder();
        final LongAdder out = new LongAdder();
        final LongAdder failures = new LongAdder();
        final LongAdder nanos = new LongAdder();
    }

    private final Map<Key, Cell> cells = new ConcurrentHashMap<>();

    CodecMetrics() {}

    /** Every codec and operation counted so far, ordered by codec name, then operation. */
    public List<Counts> snapshot() {
        return cells.entrySet().stream().map(e -> new Counts(e.getKey().codec(), e.getKey().operation(),
                e.getValue().frames.sum(), e.getValue().in.sum(), e.getValue().out.sum(), e.getValue().failures.sum(),
                e.getValue().nanos.sum()))
                .sorted(Comparator.comparing(Counts::codec).thenComparing(Counts::operation)).toList();
    }

    private void record(String codec, Operation op, long in, long out, long nanos, boolean failed) {
        Cell c = cells.computeIfAbsent(new Key(codec, op), k -> new Cell());
        if (failed) {
            c.failures.increment();
        } else {
            c.frames.increment();
            c.in.add(in);
            c.out.add(out);
        }
        c.nanos.add(nanos);
    }

    /** {@code codec}, with every decode and encode counted here. */
    PixelCodec counted(PixelCodec codec) {
        return codec instanceof Counted ? codec : new Counted(codec, this);
    }

    private record Counted(PixelCodec codec, CodecMetrics metrics) implements PixelCodec {
        @Override
        public String name() {
            return codec.name();
        }

        @Override
        public java.util.Set<String> decodes() {
            return codec.decodes();
        }

        @Override
        public java.util.Set<String> encodes() {
            return codec.encodes();
        }

        @Override
        public boolean canDecode(String transferSyntax, ImageDescription image) {
            return codec.canDecode(transferSyntax, image);
        }

        @Override
        public boolean canEncode(String transferSyntax, ImageDescription image) {
            return codec.canEncode(transferSyntax, image);
        }

        @Override
        public Decoded decode(byte[] frame, ImageDescription image, int frameIndex) throws CodecException {
            long start = System.nanoTime();
            Decoded d = null;
            try {
                d = codec.decode(frame, image, frameIndex);
                return d;
            } finally {
                metrics.record(codec.name(), Operation.DECODE, frame.length, d == null ? 0 : d.pixels().length,
                        System.nanoTime() - start, d == null);
            }
        }

        @Override
        public byte[] encode(byte[] pixels, ImageDescription image, String transferSyntax, EncodeOptions options,
                int frameIndex) throws CodecException {
            long start = System.nanoTime();
            byte[] out = null;
            try {
                out = codec.encode(pixels, image, transferSyntax, options, frameIndex);
                return out;
            } finally {
                metrics.record(codec.name(), Operation.ENCODE, pixels.length, out == null ? 0 : out.length,
                        System.nanoTime() - start, out == null);
            }
        }
    }
}
