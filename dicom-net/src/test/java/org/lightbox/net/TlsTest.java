// SPDX-License-Identifier: Apache-2.0
package org.lightbox.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lightbox.dicom.Uid;
import org.lightbox.testkit.ProcessResult;
import org.lightbox.testkit.Tools;

/**
 * TLS per the BCP 195 profiles: DCMTK's echoscu (whose default is the non-downgrading BCP 195 profile) and Lightbox's
 * own SCU against a Lightbox SCP that requires client certificates. Keys are made by openssl for each run.
 */
class TlsTest {
    @TempDir
    static Path dir;

    private DicomServer server;
    private static final char[] PASSWORD = "secret".toCharArray();

    private static void openssl(String... args) {
        List<String> cmd = new java.util.ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        ProcessResult r = Tools.run(cmd, Duration.ofSeconds(60));
        assertThat(r.exitCode()).as(r.toString()).isZero();
    }

    /** A self-signed certificate and key for {@code name}, as PEM files and a PKCS#12 store. */
    private static void makeIdentity(String name) {
        Path key = dir.resolve(name + ".key");
        Path cert = dir.resolve(name + ".pem");
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
                "-subj", "/CN=" + name, "-keyout", key.toString(), "-out", cert.toString());
        openssl("pkcs12", "-export", "-inkey", key.toString(), "-in", cert.toString(), "-name", name,
                "-passout", "pass:secret", "-out", dir.resolve(name + ".p12").toString());
    }

    /** A trust store holding the given certificates. */
    private static Path trustStore(String name, String... certs) throws IOException {
        Path store = dir.resolve(name + ".p12");
        try {
            java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
            ks.load(null, PASSWORD);
            java.security.cert.CertificateFactory cf = java.security.cert.CertificateFactory.getInstance("X.509");
            for (String c : certs) {
                try (var in = java.nio.file.Files.newInputStream(dir.resolve(c + ".pem"))) {
                    ks.setCertificateEntry(c, cf.generateCertificate(in));
                }
            }
            try (var out = java.nio.file.Files.newOutputStream(store)) {
                ks.store(out, PASSWORD);
            }
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException(e);
        }
        return store;
    }

    @BeforeEach
    void start() throws IOException {
        assumeTrue(Tools.available("openssl"), "openssl is not installed (apt-get install openssl)");
        makeIdentity("server");
        makeIdentity("client");
        makeIdentity("stranger");
        Tls tls = Tls.of(dir.resolve("server.p12"), PASSWORD, trustStore("server-trust", "client"), PASSWORD, true);
        server = DicomServer.start(new DicomServer.Config("127.0.0.1", 0,
                AcceptorPolicy.builder("LIGHTBOX").acceptArchiveDefaults().build(), NetOptions.DEFAULT,
                Map.of(Uid.Verification, new DimseService() {}), 4, tls));
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.shutdown(Duration.ofSeconds(5));
        }
    }

    @Test
    void lightboxScuEchoesOverTls() throws IOException {
        Tls client = Tls.of(dir.resolve("client.p12"), PASSWORD, trustStore("client-trust", "server"), PASSWORD,
                false);
        try (Association a = Association.connect("127.0.0.1", server.port(),
                new Proposal("ME", "LIGHTBOX").add(Uid.Verification, Uid.ImplicitVRLittleEndian), NetOptions.DEFAULT,
                client.socketFactory(), Map.of())) {
            assertThat(a.echo().status()).isEqualTo(Status.SUCCESS);
            javax.net.ssl.SSLSession session = ((javax.net.ssl.SSLSocket) socketOf(a)).getSession();
            assertThat(session.getProtocol()).isIn("TLSv1.3", "TLSv1.2");
        }
    }

    @Test
    void aClientWithoutATrustedCertificateIsRefused() throws IOException {
        Tls stranger = Tls.of(dir.resolve("stranger.p12"), PASSWORD, trustStore("stranger-trust", "server"),
                PASSWORD, false);
        assertThatThrownBy(() -> {
            try (Association a = Association.connect("127.0.0.1", server.port(),
                    new Proposal("ME", "LIGHTBOX").add(Uid.Verification, Uid.ImplicitVRLittleEndian),
                    NetOptions.DEFAULT.withArtimTimeout(Duration.ofSeconds(5)), stranger.socketFactory(), Map.of())) {
                a.echo();
            }
        }).isInstanceOf(IOException.class);
        // The server keeps serving trusted clients.
        lightboxScuEchoesOverTls();
    }

    @Test
    void echoscuWithTheBcp195ProfileEchoes() {
        assumeTrue(Tools.available("echoscu"), "DCMTK's echoscu is not installed (apt-get install dcmtk)");
        ProcessResult r = Tools.run(List.of("env", "TCP_NODELAY=1", "echoscu", "-aec", "LIGHTBOX",
                "+tls", dir.resolve("client.key").toString(), dir.resolve("client.pem").toString(),
                "+cf", dir.resolve("server.pem").toString(), "127.0.0.1", String.valueOf(server.port())),
                Duration.ofSeconds(60));
        assertThat(r.exitCode()).as(r.toString()).isZero();
    }

    @Test
    void plainTcpToATlsPortFails() {
        assertThatThrownBy(() -> Association.connect("127.0.0.1", server.port(),
                new Proposal("ME", "LIGHTBOX").add(Uid.Verification, Uid.ImplicitVRLittleEndian),
                NetOptions.DEFAULT.withArtimTimeout(Duration.ofSeconds(5)), null, Map.of()))
                .isInstanceOf(IOException.class);
    }

    private static java.net.Socket socketOf(Association a) {
        try {
            var f = Association.class.getDeclaredField("socket");
            f.setAccessible(true);
            return (java.net.Socket) f.get(a);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }
}
