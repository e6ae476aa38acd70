// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicomweb;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.lightbox.dicomweb.MultipartReader.MultipartException;
import org.lightbox.testkit.OneByteInputStream;
import org.lightbox.testkit.RandomSplitInputStream;

class MultipartReaderTest {
    private static final String B = "b0und4ry";

    /** A part as read: headers and content. */
    record Read(Map<String, String> headers, byte[] content) {}

    static List<Read> readAll(InputStream body, String boundary) throws IOException {
        MultipartReader r = new MultipartReader(body, boundary, 16 * 1024, 1024 * 1024);
        List<Read> out = new ArrayList<>();
        for (MultipartReader.Part p = r.next(); p != null; p = r.next()) {
            out.add(new Read(p.headers(), p.content().readAllBytes()));
        }
        return out;
    }

    static byte[] bytes(String s) {
        return s.getBytes(ISO_8859_1);
    }

    @Test
    void partsWithHeadersContentPreambleEpilogueAndTransportPadding() throws Exception {
        String body = "this is the preamble\r\n--" + B + "  \t\r\n"
                + "Content-Type: application/dicom\r\nContent-Location:  /x/1 \r\n\r\n"
                + "first\r\n--" + B + "\r\n"
                + "content-type: text/plain\r\n\r\n"
                + "\r\n\r\n--" + B + "\r\n\r\n"
                + "--" + B + "-- and an epilogue\r\nthat is ignored --" + B + "\r\n";
        List<Read> parts = readAll(new ByteArrayInputStream(bytes(body)), B);
        assertThat(parts).hasSize(3);
        assertThat(parts.get(0).headers()).containsEntry("content-type", "application/dicom")
                .containsEntry("content-location", "/x/1");
        assertThat(parts.get(0).content()).isEqualTo(bytes("first"));
        assertThat(parts.get(1).headers()).containsEntry("content-type", "text/plain");
        assertThat(parts.get(1).content()).isEqualTo(bytes("\r\n"));
        assertThat(parts.get(2).headers()).isEmpty();
        assertThat(parts.get(2).content()).isEmpty();
    }

    @Test
    void contentThatLooksLikeDelimitersIsContent() throws Exception {
        byte[] tricky = bytes("\r\n--" + B.substring(0, 5) + "\r\n--\r\r\n-" + B + "\n\r\n--" + B.substring(0, 7)
                + "X--\r");
        byte[] body = body(List.of(tricky, new byte[] {'\r'}, new byte[] {'-', '-'}));
        List<Read> parts = readAll(new ByteArrayInputStream(body), B);
        assertThat(parts).extracting(Read::content).containsExactly(tricky, new byte[] {'\r'}, new byte[] {'-', '-'});
    }

    @Test
    void chunkingDoesNotMatter() throws Exception {
        Random random = new Random(42);
        for (int round = 0; round < 50; round++) {
            List<byte[]> contents = new ArrayList<>();
            int n = 1 + random.nextInt(5);
            for (int i = 0; i < n; i++) {
                contents.add(randomContent(random, random.nextInt(round < 10 ? 50 : 200_000)));
            }
            byte[] body = body(contents);
            List<Function<InputStream, InputStream>> splits = List.of(in -> in, OneByteInputStream::new,
                    in -> new RandomSplitInputStream(in, random.nextLong(), 1 + random.nextInt(70_000)));
            for (Function<InputStream, InputStream> split : splits) {
                List<Read> parts = readAll(split.apply(new ByteArrayInputStream(body)), B);
                assertThat(parts).hasSize(n);
                for (int i = 0; i < n; i++) {
                    assertThat(parts.get(i).content()).as("round %d part %d", round, i).isEqualTo(contents.get(i));
                }
                if (body.length > 100_000) {
                    break; // one byte at a time is slow for big bodies; the small ones cover it
                }
            }
        }
    }

    @Test
    void contentStartingLikeADelimiterSurvivesAnyReadBoundary() throws Exception {
        // Regression: Jetty 12.1's parser gave such content back with an LF in front when a read ended in it.
        for (String content : List.of("-", "--", "-x", "--" + B.substring(0, 4) + "z", "--" + B.substring(0, 7))) {
            byte[] body = body(List.of(bytes(content), bytes("next")));
            for (int chunk = 1; chunk <= 8; chunk++) {
                List<Read> parts = readAll(new RandomSplitInputStream(new ByteArrayInputStream(body), chunk, chunk),
                        B);
                assertThat(parts).extracting(p -> new String(p.content(), ISO_8859_1)).as("chunks of %d", chunk)
                        .containsExactly(content, "next");
            }
        }
    }

    @Test
    void unreadContentIsSkippedWhenTheNextPartIsAskedFor() throws Exception {
        byte[] body = body(List.of(new byte[300_000], bytes("second")));
        MultipartReader r = new MultipartReader(new ByteArrayInputStream(body), B, 1024, 1024);
        MultipartReader.Part first = r.next();
        assertThat(first.content().read(new byte[10])).isEqualTo(10);
        MultipartReader.Part second = r.next();
        assertThat(second.number()).isEqualTo(2);
        assertThat(second.content().readAllBytes()).isEqualTo(bytes("second"));
        assertThat(r.next()).isNull();
    }

    @Test
    void aBareLfIsAcceptedWhereCrLfBelongs() throws Exception {
        String body = "--" + B + "\nContent-Type: application/dicom\n\nabc\n--" + B + "--\n";
        assertThat(readAll(new ByteArrayInputStream(bytes(body)), B)).singleElement()
                .satisfies(p -> assertThat(p.content()).isEqualTo(bytes("abc")));
    }

    @Test
    void aWrongBoundaryFindsNoPart() {
        byte[] body = body(List.of(bytes("x")));
        assertThatThrownBy(() -> readAll(new ByteArrayInputStream(body), "other"))
                .isInstanceOf(MultipartException.class).hasMessageContaining("no part found")
                .hasMessageContaining("\"--other\"");
    }

    @Test
    void aLongBodyWithoutBoundaryStopsAtThePreambleLimit() {
        byte[] body = new byte[5_000_000];
        CountingInput in = new CountingInput(new ByteArrayInputStream(body));
        assertThatThrownBy(() -> readAll(in, B)).isInstanceOf(MultipartException.class)
                .hasMessageContaining("first 1048576 bytes");
        assertThat(in.count).isLessThan(2_000_000);
    }

    @Test
    void truncationsSayWhereTheBodyEnded() {
        String good = "--" + B + "\r\nContent-Type: application/dicom\r\n\r\nabc\r\n--" + B + "--\r\n";
        assertThatThrownBy(() -> readAll(stream(good.substring(0, 20)), B)).isInstanceOf(MultipartException.class)
                .hasMessageContaining("inside the header fields of part 1");
        assertThatThrownBy(() -> readAll(stream(good.substring(0, good.indexOf("abc") + 2)), B))
                .isInstanceOf(MultipartException.class).hasMessageContaining("inside part 1");
        assertThatThrownBy(() -> readAll(stream(good.substring(0, good.lastIndexOf("--"))), B))
                .isInstanceOf(MultipartException.class)
                .hasMessageContaining("ended after part 1 without the close delimiter");
        assertThatThrownBy(() -> readAll(stream(""), B)).isInstanceOf(MultipartException.class)
                .hasMessageContaining("no part found");
    }

    @Test
    void theContentOfATruncatedPartEndsInAnError() throws Exception {
        String body = "--" + B + "\r\n\r\n" + "x".repeat(200_000);
        MultipartReader r = new MultipartReader(stream(body), B, 1024, 1024);
        InputStream content = r.next().content();
        assertThatThrownBy(content::readAllBytes).isInstanceOf(MultipartException.class)
                .hasMessageContaining("inside part 1");
        assertThatThrownBy(r::next).isInstanceOf(MultipartException.class).hasMessageContaining("inside part 1");
    }

    @Test
    void hugeOrMalformedHeadersAreRefused() {
        String huge = "--" + B + "\r\nX-Big: " + "y".repeat(20_000) + "\r\n\r\nabc\r\n--" + B + "--";
        assertThatThrownBy(() -> readAll(stream(huge), B)).isInstanceOf(MultipartException.class)
                .hasMessageContaining("header fields in part 1").hasMessageContaining("max length");
        String many = "--" + B + "\r\n" + "X-A: b\r\n".repeat(5_000) + "\r\nabc\r\n--" + B + "--";
        assertThatThrownBy(() -> readAll(stream(many), B)).isInstanceOf(MultipartException.class)
                .hasMessageContaining("header fields in part 1");
        String noColon = "--" + B + "\r\nNot a header\r\n\r\nabc\r\n--" + B + "--";
        assertThatThrownBy(() -> readAll(stream(noColon), B)).isInstanceOf(MultipartException.class)
                .hasMessageContaining("part 1");
        String garbageAfterDelimiter = "--" + B + "\r\n\r\nabc\r\n--" + B + "xyz\r\n";
        assertThatThrownBy(() -> readAll(stream(garbageAfterDelimiter), B)).isInstanceOf(MultipartException.class)
                .hasMessageContaining("after part 1");
    }

    private static InputStream stream(String s) {
        return new ByteArrayInputStream(bytes(s));
    }

    static byte[] body(List<byte[]> contents) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] c : contents) {
            out.writeBytes(bytes("--" + B + "\r\nContent-Type: application/octet-stream\r\n\r\n"));
            out.writeBytes(c);
            out.writeBytes(bytes("\r\n"));
        }
        out.writeBytes(bytes("--" + B + "--\r\n"));
        return out.toByteArray();
    }

    /** Random bytes rich in CR, LF, dashes and pieces of the boundary. */
    private static byte[] randomContent(Random random, int length) {
        byte[] pieces = bytes("\r\n--" + B);
        byte[] out = new byte[length];
        for (int i = 0; i < length; i++) {
            out[i] = random.nextInt(3) == 0 ? (byte) random.nextInt(256) : pieces[random.nextInt(pieces.length)];
        }
        // no full delimiter inside the content, as a client guarantees by its choice of boundary
        String s = new String(out, ISO_8859_1).replace("\n--" + B, "\n-X" + B);
        return bytes(s);
    }

    private static final class CountingInput extends java.io.FilterInputStream {
        long count;

        CountingInput(InputStream in) {
            super(in);
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }
    }
}
