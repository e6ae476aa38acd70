// SPDX-License-Identifier: Apache-2.0
package org.lightbox.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;
import java.util.Random;

/**
 * An input stream that cuts what it wraps into short chunks of random length, as a network or a slow disk would.
 *
 * <p>Each {@code read(byte[], int, int)} returns between 1 and {@code maxChunk} bytes (never 0 while data
 * remains, as {@link InputStream} requires), the lengths drawn from a {@link Random} with the given seed, so a
 * failure is reproduced by its seed (Netty's "in multiple steps" tests). {@link #skip} is cut the same way.
 * Marks are not supported. Not thread-safe; closing it closes the wrapped stream.
 */
public final class RandomSplitInputStream extends InputStream {
    /** The largest chunk when none is given: short enough to split every element header somewhere. */
    public static final int DEFAULT_MAX_CHUNK = 32;

    private final InputStream in;
    private final Random random;
    private final long seed;
    private final int maxChunk;

    /** Wraps {@code in} with chunks of 1 to {@value #DEFAULT_MAX_CHUNK} bytes drawn from {@code seed}. */
    public RandomSplitInputStream(InputStream in, long seed) {
        this(in, seed, DEFAULT_MAX_CHUNK);
    }

    /** Wraps {@code in} with chunks of 1 to {@code maxChunk} bytes drawn from {@code seed}. */
    public RandomSplitInputStream(InputStream in, long seed, int maxChunk) {
        if (maxChunk < 1) {
            throw new IllegalArgumentException("maxChunk must be at least 1, not " + maxChunk);
        }
        this.in = Objects.requireNonNull(in, "in");
        this.random = new Random(seed);
        this.seed = seed;
        this.maxChunk = maxChunk;
    }

    /** The seed the chunk lengths come from: print it when a test fails. */
    public long seed() {
        return seed;
    }

    @Override
    public int read() throws IOException {
        return in.read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        return in.read(b, off, nextChunk(len));
    }

    @Override
    public long skip(long n) throws IOException {
        return n <= 0 ? 0 : in.skip(nextChunk((int) Math.min(n, Integer.MAX_VALUE)));
    }

    @Override
    public int available() throws IOException {
        return Math.min(in.available(), maxChunk);
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    private int nextChunk(int wanted) {
        return 1 + random.nextInt(Math.min(wanted, maxChunk));
    }
}
