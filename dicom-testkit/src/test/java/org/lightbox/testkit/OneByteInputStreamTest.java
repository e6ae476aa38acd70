// SPDX-License-Identifier: Apache-2.0
package org.lightbox.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class OneByteInputStreamTest {
    private static final byte[] DATA = "DICM\u0000\u0001 preamble and more".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);

    @Test
    void everyBulkReadReturnsOneByteUntilTheEnd() throws IOException {
        try (var in = new OneByteInputStream(new ByteArrayInputStream(DATA))) {
            byte[] buffer = new byte[64];
            var seen = new ByteArrayOutputStream();
            int n;
            while ((n = in.read(buffer, 3, 20)) != -1) {
                assertThat(n).isEqualTo(1);
                seen.write(buffer, 3, n);
            }
            assertThat(seen.toByteArray()).isEqualTo(DATA);
        }
    }

    @Test
    void convenienceMethodsStillSeeEveryByte() throws IOException {
        assertThat(new OneByteInputStream(new ByteArrayInputStream(DATA)).readAllBytes()).isEqualTo(DATA);
        assertThat(new OneByteInputStream(new ByteArrayInputStream(DATA)).readNBytes(7))
                .isEqualTo(java.util.Arrays.copyOf(DATA, 7));
        var out = new ByteArrayOutputStream();
        assertThat(new OneByteInputStream(new ByteArrayInputStream(DATA)).transferTo(out)).isEqualTo(DATA.length);
        assertThat(out.toByteArray()).isEqualTo(DATA);
    }

    @Test
    void singleByteReadsPassThrough() throws IOException {
        var in = new OneByteInputStream(new ByteArrayInputStream(new byte[] {(byte) 0xFF, 7}));
        assertThat(in.read()).isEqualTo(0xFF);
        assertThat(in.read()).isEqualTo(7);
        assertThat(in.read()).isEqualTo(-1);
        assertThat(in.read(new byte[4], 0, 4)).isEqualTo(-1);
    }

    @Test
    void zeroLengthReadReturnsZeroAndBadBoundsAreRejected() throws IOException {
        var in = new OneByteInputStream(new ByteArrayInputStream(DATA));
        assertThat(in.read(new byte[4], 4, 0)).isZero();
        assertThatThrownBy(() -> in.read(new byte[4], 2, 3)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> in.read(new byte[4], -1, 1)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void skipAndAvailableMoveAtMostOneByte() throws IOException {
        var in = new OneByteInputStream(new ByteArrayInputStream(DATA));
        assertThat(in.available()).isEqualTo(1);
        assertThat(in.skip(10)).isEqualTo(1);
        assertThat(in.skip(0)).isZero();
        assertThat(in.read()).isEqualTo(DATA[1] & 0xFF);
        assertThat(in.markSupported()).isFalse();
    }

    @Test
    void closeClosesTheWrappedStream() throws IOException {
        var closed = new AtomicBoolean();
        InputStream inner = new ByteArrayInputStream(DATA) {
            @Override
            public void close() {
                closed.set(true);
            }
        };
        new OneByteInputStream(inner).close();
        assertThat(closed).isTrue();
    }
}
