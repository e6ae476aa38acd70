// SPDX-License-Identifier: Apache-2.0
package org.lightbox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lightbox.dicom.Uid;
import org.lightbox.net.AcceptorPolicy;
import org.lightbox.net.DicomServer;
import org.lightbox.net.DimseService;
import org.lightbox.net.NetOptions;
import org.lightbox.net.Tls;
import org.lightbox.testkit.ProcessResult;
import org.lightbox.testkit.Tools;

/** {@code lightbox echo --tls} against a Lightbox SCP on loopback with a key made here by keytool. */
class TlsCommandTest {
    @TempDir
    Path dir;

    private void keytool(String... args) {
        List<String> cmd = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
        cmd.addAll(List.of(args));
        ProcessResult r = Tools.run(cmd, Duration.ofSeconds(60));
        assertThat(r.exitCode()).as(r.toString()).isZero();
    }

    @Test
    void echoOverTlsTrustsOnlyTheGivenStore() throws IOException {
        Path keys = dir.resolve("server.p12");
        Path trust = dir.resolve("trust.p12");
        keytool("-genkeypair", "-alias", "scp", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=lightbox-test",
                "-validity", "2", "-storetype", "PKCS12", "-keystore", keys.toString(), "-storepass", "secret");
        keytool("-exportcert", "-alias", "scp", "-keystore", keys.toString(), "-storepass", "secret", "-file",
                dir.resolve("scp.cer").toString());
        keytool("-importcert", "-noprompt", "-alias", "scp", "-file", dir.resolve("scp.cer").toString(),
                "-storetype", "PKCS12", "-keystore", trust.toString(), "-storepass", "secret");
        Tls tls = Tls.of(keys, "secret".toCharArray(), null, null, false);
        DicomServer server = DicomServer.start(new DicomServer.Config("127.0.0.1", 0,
                AcceptorPolicy.builder("TLSSCP").acceptArchiveDefaults().build(), NetOptions.DEFAULT,
                Map.of(Uid.Verification, new DimseService() {}), 4, tls));
        try {
            String peer = "TLSSCP@127.0.0.1:" + server.port();
            DumpCommandTest.Run ok = DumpCommandTest.run("echo", "--tls", "--tls-trust-store", trust.toString(),
                    "--tls-trust-store-password", "secret", peer);
            assertThat(ok.status()).as(ok.err()).isZero();
            assertThat(ok.out()).contains("0x0000 (success)");
            DumpCommandTest.Run untrusted = DumpCommandTest.run("echo", "--tls", peer);
            assertThat(untrusted.status()).isEqualTo(1);
            assertThat(untrusted.err().lines()).singleElement().asString().startsWith("lightbox echo: ");
            DumpCommandTest.Run plain = DumpCommandTest.run("echo", "--connect-timeout", "5", "--artim-timeout", "5",
                    peer);
            assertThat(plain.status()).isEqualTo(1);
        } finally {
            server.shutdown(Duration.ofSeconds(5));
        }
    }
}
