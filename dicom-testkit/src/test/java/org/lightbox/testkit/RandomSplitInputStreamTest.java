// SPDX-License-Identifier: Apache-2.0
package org.lightbox.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RandomSplitInputStreamTest {
    private static final byte[] DATA = new byte[5000];

    static {
        new Random(1).nextBytes(DATA);
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 1, 42, -7, Long.MAX_VALUE})
    void keepsEveryByteInOrder(long seed) throws IOException {
        var in = new RandomSplitInputStream(new ByteArrayInputStream(DATA), seed);
        var out = new ByteArrayOutputStream();
        byte[] buffer = new byte[100];
        int n;
        while ((n = in.read(buffer, 0, buffer.length)) != -1) {
            out.write(buffer, 0, n);
        }
        assertThat(out.toByteArray()).isEqualTo(DATA);
        assertThat(in.seed()).isEqualTo(seed);
    }

    @Test
    void chunksAreShortNonEmptyAndVaried() throws IOException {
        List<Integer> chunks = chunkLengths(11, 8);
        assertThat(chunks).allSatisfy(n -> assertThat(n).isBetween(1, 8));
        assertThat(chunks.stream().distinct().count()).isGreaterThan(4);
        assertThat(chunks.stream().mapToInt(Integer::intValue).sum()).isEqualTo(DATA.length);
    }

    @Test
    void theSameSeedCutsTheSameWay() throws IOException {
        assertThat(chunkLengths(99, RandomSplitInputStream.DEFAULT_MAX_CHUNK))
                .isEqualTo(chunkLengths(99, RandomSplitInputStream.DEFAULT_MAX_CHUNK))
                .isNotEqualTo(chunkLengths(100, RandomSplitInputStream.DEFAULT_MAX_CHUNK));
    }

    @Test
    void neverReturnsMoreThanAskedFor() throws IOException {
        var in = new RandomSplitInputStream(new ByteArrayInputStream(DATA), 5, 1000);
        for (int i = 0; i < 200; i++) {
            assertThat(in.read(new byte[3], 0, 3)).isBetween(1, 3);
        }
    }

    @Test
    void zeroLengthReadsEndOfStreamAndBadArguments() throws IOException {
        var in = new RandomSplitInputStream(new ByteArrayInputStream(new byte[] {1, 2}), 3);
        assertThat(in.read(new byte[1], 0, 0)).isZero();
        assertThat(in.readAllBytes()).containsExactly(1, 2);
        assertThat(in.read(new byte[8], 0, 8)).isEqualTo(-1);
        assertThat(in.read()).isEqualTo(-1);
        assertThatThrownBy(() -> in.read(new byte[2], 1, 2)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> new RandomSplitInputStream(new ByteArrayInputStream(DATA), 1, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void skipMovesAShortRandomDistance() throws IOException {
        var in = new RandomSplitInputStream(new ByteArrayInputStream(DATA), 8, 16);
        long skipped = in.skip(1000);
        assertThat(skipped).isBetween(1L, 16L);
        assertThat(in.read()).isEqualTo(DATA[(int) skipped] & 0xFF);
        assertThat(in.available()).isBetween(1, 16);
    }

    private static List<Integer> chunkLengths(long seed, int maxChunk) throws IOException {
        var in = new RandomSplitInputStream(new ByteArrayInputStream(DATA), seed, maxChunk);
        List<Integer> lengths = new ArrayList<>();
        byte[] buffer = new byte[4096];
        int n;
        while ((n = in.read(buffer)) != -1) {
            lengths.add(n);
        }
        return lengths;
    }
}
