// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicomweb;

import io.javalin.Javalin;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.lightbox.archive.Archive;
import org.lightbox.archive.ArchiveConfig;
import org.lightbox.archive.IngestResult;
import org.lightbox.archive.StoredInstance;

/**
 * A real archive in a folder and Javalin (Jetty, virtual threads) on 127.0.0.1 serving {@link DicomWeb}'s routes
 * over it, with an HTTP client and a multipart reader for the tests.
 */
final class WadoServer implements AutoCloseable {
    final Archive archive;
    final Javalin http;
    final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    WadoServer(Path dataDir) throws IOException {
        archive = Archive.open(ArchiveConfig.of(dataDir));
        http = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.startup.showOldJavalinVersionWarning = false;
            cfg.concurrency.useVirtualThreads = true;
            cfg.jetty.host = "127.0.0.1";
            cfg.jetty.port = 0;
            DicomWeb.register(cfg.routes, () -> archive);
        }).start();
    }

    StoredInstance store(Path part10) throws IOException {
        try (InputStream in = Files.newInputStream(part10)) {
            IngestResult r = archive.storePart10(in);
            return r.stored().orElseThrow(() -> new IllegalStateException(part10 + ": " + r.message()));
        }
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + http.port() + path);
    }

    HttpResponse<byte[]> get(String path, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(60));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static String text(HttpResponse<byte[]> r) {
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        http.stop();
        archive.close();
    }

    /** One part of a multipart body: its headers (names in lower case) and bytes. */
    record Part(Map<String, String> headers, byte[] body) {
        String contentType() {
            return headers.get("content-type");
        }
    }

    /**
     * Splits a multipart/related body as RFC 2046 says: the boundary from the response's Content-Type, each part
     * between delimiter lines, and a close delimiter at the end (else it fails: the body was cut short).
     */
    static List<Part> parts(HttpResponse<byte[]> r) {
        String type = r.headers().firstValue("Content-Type").orElseThrow();
        if (!type.toLowerCase(Locale.ROOT).startsWith("multipart/related")) {
            throw new AssertionError("not multipart/related: " + type);
        }
        String boundary = null;
        for (String p : type.split(";")) {
            String t = p.strip();
            if (t.toLowerCase(Locale.ROOT).startsWith("boundary=")) {
                boundary = t.substring(9).replace("\"", "");
            }
        }
        byte[] body = r.body();
        byte[] dash = ("--" + boundary).getBytes(StandardCharsets.US_ASCII);
        List<Part> out = new ArrayList<>();
        int at = indexOf(body, dash, 0);
        if (at != 0) {
            throw new AssertionError("the body does not start with its boundary");
        }
        while (true) {
            int after = at + dash.length;
            if (body.length >= after + 2 && body[after] == '-' && body[after + 1] == '-') {
                return out; // close delimiter
            }
            int headersStart = after + 2; // CRLF
            int headersEnd = indexOf(body, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII), headersStart);
            Map<String, String> headers = new LinkedHashMap<>();
            for (String line : new String(body, headersStart, headersEnd - headersStart, StandardCharsets.US_ASCII)
                    .split("\r\n")) {
                int colon = line.indexOf(':');
                headers.put(line.substring(0, colon).strip().toLowerCase(Locale.ROOT), line.substring(colon + 1)
                        .strip());
            }
            int start = headersEnd + 4;
            byte[] delimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.US_ASCII);
            int end = indexOf(body, delimiter, start);
            if (end < 0) {
                throw new AssertionError("a part has no delimiter after it: the body was cut short");
            }
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            b.write(body, start, end - start);
            out.add(new Part(headers, b.toByteArray()));
            at = end + 2;
        }
    }

    static int indexOf(byte[] hay, byte[] needle, int from) {
        outer:
        for (int i = from; i <= hay.length - needle.length; i++) {
            for (int k = 0; k < needle.length; k++) {
                if (hay[i + k] != needle[k]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
