// SPDX-License-Identifier: Apache-2.0
package org.lightbox.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.lightbox.archive.DuplicatePolicy;
import org.lightbox.net.AcceptorPolicy.Permission;

class ServerConfigReaderTest {
    @TempDir
    Path dir;

    @Test
    void defaultsNeedNoFile() {
        ServerConfig c = ServerConfigReader.read(null, Map.of());
        assertThat(c.aeTitle()).isEqualTo("LIGHTBOX");
        assertThat(c.bindAddress()).isEqualTo("127.0.0.1");
        assertThat(c.dicomPort()).isEqualTo(11112);
        assertThat(c.httpPort()).isEqualTo(8080);
        assertThat(c.dataDir()).isEqualTo(Path.of("lightbox-data").toAbsolutePath());
        assertThat(c.indexUrl()).isEqualTo("jdbc:sqlite:" + Path.of("lightbox-data", "index.db").toAbsolutePath());
        assertThat(c.duplicatePolicy()).isEqualTo(DuplicatePolicy.KEEP_FIRST);
        assertThat(c.unknownPeers()).isEqualTo(EnumSet.allOf(Permission.class));
        assertThat(c.permissions()).isEmpty();
        assertThat(c.remoteAes()).isEmpty();
        assertThat(c.limits().maxAssociations()).isEqualTo(64);
        assertThat(c.limits().maxPduLength()).isEqualTo(262144);
        assertThat(c.limits().idleTimeout()).isEqualTo(Duration.ofMinutes(5));
        assertThat(c.limits().artimTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.limits().maxStoreDataSetLength()).isZero();
        assertThat(c.limits().shutdownGrace()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.tls()).isNull();
    }

    @Test
    void everyKeyFromAFile() throws IOException {
        Path data = dir.resolve("data");
        Path file = dir.resolve("lightbox.yaml");
        Files.writeString(file, """
                ae-title: ARCHIVE1
                bind: 0.0.0.0
                dicom-port: 104
                http-port: 8042
                data: %s
                index-url: jdbc:sqlite:%s/index.db
                duplicates: replace
                remote-aes:
                  WORKSTATION: 10.0.0.5:11113
                  VIEWER: "[::1]:4242"
                permissions:
                  CT1: echo, store
                  WORKSTATION: [echo, find, move, get]
                  BLOCKED: none
                unknown-peers: echo
                limits:
                  max-associations: 8
                  max-pdu: 64KiB
                  idle-timeout: 90s
                  artim-timeout: 5s
                  max-store-size: 2GiB
                  max-identifier-size: 1MiB
                  shutdown-grace: 1m
                  index-pool-size: 2
                tls:
                  port: 2762
                  key-store: /etc/lightbox/key.p12
                  key-store-password: secret
                  trust-store: /etc/lightbox/trust.p12
                  trust-store-password: secret2
                  require-client-cert: false
                """.formatted(data, data));
        ServerConfig c = ServerConfigReader.read(file, Map.of());
        assertThat(c.aeTitle()).isEqualTo("ARCHIVE1");
        assertThat(c.bindAddress()).isEqualTo("0.0.0.0");
        assertThat(c.dicomPort()).isEqualTo(104);
        assertThat(c.httpPort()).isEqualTo(8042);
        assertThat(c.dataDir()).isEqualTo(data);
        assertThat(c.duplicatePolicy()).isEqualTo(DuplicatePolicy.REPLACE);
        assertThat(c.remoteAes()).containsEntry("WORKSTATION", new ServerConfig.RemoteAe("10.0.0.5", 11113))
                .containsEntry("VIEWER", new ServerConfig.RemoteAe("::1", 4242));
        assertThat(c.permissions()).containsEntry("CT1", Set.of(Permission.ECHO, Permission.STORE))
                .containsEntry("WORKSTATION", Set.of(Permission.ECHO, Permission.FIND, Permission.MOVE, Permission.GET))
                .containsEntry("BLOCKED", Set.of());
        assertThat(c.unknownPeers()).containsExactly(Permission.ECHO);
        assertThat(c.limits()).isEqualTo(new ServerConfig.Limits(8, 65536, Duration.ofSeconds(90),
                Duration.ofSeconds(5), 2L << 30, 1L << 20, Duration.ofMinutes(1), 2));
        assertThat(c.tls()).isEqualTo(new ServerConfig.TlsConfig(2762, Path.of("/etc/lightbox/key.p12"), "secret",
                Path.of("/etc/lightbox/trust.p12"), "secret2", false));
        assertThat(c.tls().toString()).doesNotContain("secret");
    }

    @Test
    void commandLineOverridesTheFile() throws IOException {
        Path file = dir.resolve("c.yaml");
        Files.writeString(file, "ae-title: FROMFILE\ndicom-port: 104\nlimits:\n  max-pdu: 16KiB\n");
        ServerConfig c = ServerConfigReader.read(file, Map.of("ae-title", "FROMFLAG", "dicom-port", "0",
                "data", dir.toString(), "limits.max-pdu", "32768"));
        assertThat(c.aeTitle()).isEqualTo("FROMFLAG");
        assertThat(c.dicomPort()).isZero();
        assertThat(c.dataDir()).isEqualTo(dir);
        assertThat(c.limits().maxPduLength()).isEqualTo(32768);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            colour: blue                             | unknown key 'colour'
            limits: {max-pdus: 1}                    | unknown key 'limits.max-pdus'
            tls: {port: 1, key-store: k, pasword: x} | unknown key 'tls.pasword'
            dicom-port: 70000                        | key 'dicom-port' must be between 0 and 65535
            http-port: eighty                        | key 'http-port' must be a whole number
            ae-title: A_TITLE_FAR_TOO_LONG           | key 'ae-title'
            duplicates: overwrite                    | key 'duplicates' must be one of keep-first, replace, reject
            index-url: 'jdbc:postgresql://db/pacs'   | key 'index-url' "jdbc:postgresql://db/pacs" is not supported
            index-url: 'jdbc:sqlite:/tmp/other.db'   | key 'index-url' the SQLite index must be index.db
            unknown-peers: echo, delete              | key 'unknown-peers' unknown permission "delete"
            permissions: {CT1: stor}                 | key 'permissions.CT1' unknown permission "stor"
            permissions: {'A\\\\B': echo}            | the AE title
            remote-aes: {PACS: pacs.example}         | key 'remote-aes.PACS' must be host:port
            remote-aes: {PACS: 'h:0'}                | key 'remote-aes.PACS' has port 0
            limits: {idle-timeout: 5 minutes}        | key 'limits.idle-timeout' must be a duration
            limits: {max-pdu: 100}                   | key 'limits.max-pdu' must be 0 (no limit) or 1024 to 4294967295
            limits: {max-store-size: 2GB}            | key 'limits.max-store-size' must be a size in bytes
            limits: {max-associations: 0}            | key 'limits.max-associations' must be between 1 and 100000
            limits: 5                                | key 'limits' must be a mapping
            tls: {key-store: k.p12}                  | key 'tls.port' is required
            tls: {port: 2762}                        | key 'tls.key-store' is required
            tls: {port: 2762, key-store: k, require-client-cert: maybe} | key 'tls.require-client-cert' must be true or false
            bind: [a, b]                             | key 'bind' must be a single value
            '[1, 2]'                                 | must be a mapping of keys to values
            ae-title: A\\nae-title: B                | not valid YAML
            """)
    void badConfigurationsNameTheKey(String yaml, String message) {
        assertThatThrownBy(() -> ServerConfigReader.parse(yaml.replace("\\n", "\n"), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining(message);
    }

    @Test
    void aBadFlagIsNamedByItsKey() {
        assertThatThrownBy(() -> ServerConfigReader.read(null, Map.of("http-port", "x")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("key 'http-port'");
    }

    @Test
    void aMissingFileIsSaidSo() {
        assertThatThrownBy(() -> ServerConfigReader.read(dir.resolve("nope.yaml"), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("nope.yaml does not exist");
    }

    @Test
    void anEmptyFileMeansDefaults() throws IOException {
        Path file = dir.resolve("empty.yaml");
        Files.writeString(file, "# nothing yet\n");
        assertThat(ServerConfigReader.read(file, Map.of()).aeTitle()).isEqualTo("LIGHTBOX");
    }

    @Test
    void theAdminApiIsOpenOnLoopbackOnlyAndNeverToTheNetworkWithoutAToken() {
        assertThat(ServerConfigReader.read(null, Map.of()).admin()).isEqualTo(new ServerConfig.Admin(true, ""));
        assertThat(ServerConfigReader.read(null, Map.of("bind", "::1")).admin().enabled()).isTrue();
        assertThat(ServerConfigReader.read(null, Map.of("bind", "0.0.0.0")).admin().enabled()).isFalse();
        assertThatThrownBy(() -> ServerConfigReader.read(null, Map.of("bind", "0.0.0.0", "admin.enabled", "true")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("key 'admin.enabled'")
                .hasMessageContaining("admin.token");
        ServerConfig withToken = ServerConfigReader.parse("""
                bind: 0.0.0.0
                admin:
                  enabled: true
                  token: 0123456789abcdef-token
                """, Map.of());
        assertThat(withToken.admin()).isEqualTo(new ServerConfig.Admin(true, "0123456789abcdef-token"));
        assertThat(withToken.admin().toString()).doesNotContain("0123456789abcdef");
        assertThatThrownBy(() -> ServerConfigReader.read(null, Map.of("admin.token", "short")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("key 'admin.token' must have at least 16");
        assertThatThrownBy(() -> ServerConfigReader.read(null, Map.of("admin.token", "env:LIGHTBOX_NO_SUCH_VAR_4711")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("LIGHTBOX_NO_SUCH_VAR_4711");
        assertThatThrownBy(() -> ServerConfigReader.read(null, Map.of("admin.tokens", "x")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("unknown key 'admin.tokens'");
    }

    @Test
    void dicomwebCorsOriginsAreCheckedAndNormalised() {
        assertThat(ServerConfigReader.read(null, Map.of()).dicomweb().corsOrigins()).isEmpty();
        ServerConfig c = ServerConfigReader.parse("""
                dicomweb:
                  cors-origins: [https://Viewer.Example.org, "http://localhost:3000/"]
                """, Map.of());
        assertThat(c.dicomweb().corsOrigins()).containsExactly("https://viewer.example.org", "http://localhost:3000");
        assertThat(ServerConfigReader.read(null, Map.of("dicomweb.cors-origins", "*")).dicomweb().corsOrigins())
                .containsExactly("*");
        assertThat(ServerConfigReader.read(null, Map.of("dicomweb.cors-origins", "http://a.example, http://b.example"))
                .dicomweb().corsOrigins()).containsExactly("http://a.example", "http://b.example");
        assertThatThrownBy(() -> ServerConfigReader.read(null, Map.of("dicomweb.cors-origins", "viewer.example")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("key 'dicomweb.cors-origins'")
                .hasMessageContaining("not an origin");
        assertThatThrownBy(() -> ServerConfigReader.read(null, Map.of("dicomweb.cors-origin", "*")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("dicomweb.cors-origin");
    }
}
