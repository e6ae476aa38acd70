// SPDX-License-Identifier: Apache-2.0
package org.lightbox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.TransferSyntax;
import org.lightbox.dicom.io.DicomFile;
import org.lightbox.dicom.io.DicomReader;
import org.lightbox.net.AcceptorPolicy;
import org.lightbox.net.DicomServer;
import org.lightbox.net.DimseService;
import org.lightbox.net.NetOptions;
import org.lightbox.net.Response;
import org.lightbox.net.Status;
import org.lightbox.server.LightboxServer;
import org.lightbox.server.ServerConfigReader;

/**
 * {@code lightbox store}, {@code move} and {@code get} against Lightbox's own server, in-process on free loopback
 * ports; the move destination is an in-process storage SCP that keeps what it receives.
 */
class LightboxRetrieveCommandsTest {
    @TempDir
    Path dir;

    private LightboxServer server;
    private DicomServer dest;
    private final Map<String, byte[]> received = new ConcurrentHashMap<>();
    private final List<Path> sent = new ArrayList<>();

    @BeforeEach
    void start() throws IOException {
        DimseService sink = new DimseService() {
            @Override
            public Response store(Request request, InputStream data) throws IOException {
                received.put(request.command().sopInstanceUid(), data.readAllBytes());
                return Response.of(Status.SUCCESS);
            }
        };
        dest = DicomServer.start(new DicomServer.Config("127.0.0.1", 0, AcceptorPolicy.builder("DEST")
                .accept(NetFixtures.SC, List.of()).unknownPeers(Set.of(AcceptorPolicy.Permission.values())).build(),
                NetOptions.DEFAULT, Map.of(NetFixtures.SC, sink), 4, null));
        server = LightboxServer.start(ServerConfigReader.read(null, Map.of("data", dir.resolve("data").toString(),
                "dicom-port", "0", "http-port", "0", "limits.shutdown-grace", "2s",
                "remote-aes.DEST", "127.0.0.1:" + dest.port())));
        Path in = Files.createDirectories(dir.resolve("in"));
        for (int n = 1; n <= 3; n++) {
            sent.add(NetFixtures.write(NetFixtures.instance(1, n, NetFixtures.SC),
                    TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN, in.resolve("s1-" + n + ".dcm")));
        }
        Result r = lightbox("store", peer(), in.toString());
        assertThat(r.code).as(r.toString()).isZero();
    }

    @AfterEach
    void stop() {
        server.close();
        dest.close();
    }

    private String peer() {
        return "LIGHTBOX@127.0.0.1:" + server.dicomPort();
    }

    private record Result(int code, String out, String err) {}

    private static Result lightbox(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), args);
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private String study() throws IOException {
        return DicomReader.read(sent.getFirst()).dataset().string(Tag.StudyInstanceUID).orElseThrow();
    }

    @Test
    void moveSendsTheStudyToAConfiguredDestination() throws IOException {
        Result r = lightbox("move", peer(), "--dest", "DEST", "-k", "StudyInstanceUID=" + study());
        assertThat(r.code).as(r.toString()).isZero();
        assertThat(r.out).contains("C-MOVE 0x0000 (success): completed 3, failed 0, warning 0");
        assertThat(received).hasSize(3);
        for (Path p : sent) {
            DicomFile f = DicomReader.read(p);
            byte[] all = Files.readAllBytes(p);
            byte[] data = java.util.Arrays.copyOfRange(all, (int) org.lightbox.archive.Retrieve.datasetOffset(p),
                    all.length);
            assertThat(received.get(f.dataset().string(Tag.SOPInstanceUID).orElseThrow())).isEqualTo(data);
        }
    }

    @Test
    void moveToAnUnknownDestinationFails() throws IOException {
        Result r = lightbox("move", peer(), "--dest", "NOWHERE", "-k", "StudyInstanceUID=" + study());
        assertThat(r.code).as(r.toString()).isEqualTo(1);
        assertThat(r.out + r.err).containsIgnoringCase("A801");
    }

    @Test
    void getWritesTheStudyIntoAFolder() throws IOException {
        Path out = dir.resolve("got");
        Result r = lightbox("get", peer(), "--out", out.toString(), "-k", "StudyInstanceUID=" + study());
        assertThat(r.code).as(r.toString()).isZero();
        Map<String, DicomFile> got = NetFixtures.readAll(out);
        assertThat(got).hasSize(3);
        for (Path p : sent) {
            DicomFile f = DicomReader.read(p);
            assertThat(got.get(f.dataset().string(Tag.SOPInstanceUID).orElseThrow()).dataset())
                    .isEqualTo(f.dataset());
        }
    }
}
