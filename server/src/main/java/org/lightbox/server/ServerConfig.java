// SPDX-License-Identifier: Apache-2.0
package org.lightbox.server;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.lightbox.archive.DuplicatePolicy;
import org.lightbox.dicomweb.DicomWeb;
import org.lightbox.net.AcceptorPolicy.Permission;

/**
 * Everything {@code lightbox serve} is told: read from a YAML file by {@link ServerConfigReader}, each key
 * overridable from the command line. {@code docs/configuration.md} lists every key with its default.
 *
 * @param aeTitle the AE title the DIMSE services answer to
 * @param bindAddress the address both listeners bind to
 * @param dicomPort plain DIMSE port (0: any free port)
 * @param httpPort HTTP port (0: any free port)
 * @param dataDir the data folder (index and blobs)
 * @param indexUrl the index's JDBC URL; only the SQLite file under the data folder is supported now
 * @param duplicatePolicy what ingest does with a second copy of a SOP Instance UID
 * @param remoteAes known remote AEs (C-MOVE destinations), AE title to address
 * @param permissions what each named calling AE may do
 * @param unknownPeers what calling AEs not named in {@code permissions} may do
 * @param limits association and size limits
 * @param tls DICOM TLS, or {@code null} for none
 * @param extraStorageSopClasses SOP classes beyond the standard's storage classes (private ones) that are accepted
 *     and stored like any other; empty by default, so that an unknown SOP class is refused at negotiation
 * @param admin who may use the admin API under {@code /api} (deletion)
 * @param dicomweb DICOMweb under {@code /dicom-web}: the origins allowed cross-origin access (CORS)
 */
public record ServerConfig(String aeTitle, String bindAddress, int dicomPort, int httpPort, Path dataDir,
        String indexUrl, DuplicatePolicy duplicatePolicy, Map<String, RemoteAe> remoteAes,
        Map<String, Set<Permission>> permissions, Set<Permission> unknownPeers, Limits limits, TlsConfig tls,
        Set<String> extraStorageSopClasses, Admin admin, DicomWeb.Options dicomweb) {

    public ServerConfig {
        Objects.requireNonNull(aeTitle);
        Objects.requireNonNull(bindAddress);
        Objects.requireNonNull(dataDir);
        Objects.requireNonNull(indexUrl);
        Objects.requireNonNull(duplicatePolicy);
        remoteAes = Map.copyOf(remoteAes);
        permissions = Map.copyOf(permissions);
        unknownPeers = Set.copyOf(unknownPeers);
        Objects.requireNonNull(limits);
        extraStorageSopClasses = Set.copyOf(extraStorageSopClasses);
        Objects.requireNonNull(admin);
        Objects.requireNonNull(dicomweb);
    }

    /**
     * The admin API under {@code /api}, which can delete: served only when enabled (by default only on a loopback
     * bind address), and then only to requests that carry the token, when one is set.
     *
     * @param token the bearer token requests must send, or empty for none
     */
    public record Admin(boolean enabled, String token) {
        public Admin {
            Objects.requireNonNull(token);
        }

        public boolean hasToken() {
            return !token.isEmpty();
        }

        @Override
        public String toString() { // no token in logs
            return "Admin[enabled=" + enabled + ", token=" + (hasToken() ? "(set)" : "(none)") + "]";
        }
    }

    /** A remote AE's address. */
    public record RemoteAe(String host, int port) {
        @Override
        public String toString() {
            return host + ":" + port;
        }
    }

    /**
     * Limits of the DIMSE side and of shutdown.
     *
     * @param maxAssociations associations served at once; more are rejected (transient)
     * @param maxPduLength the largest P-DATA-TF PDU announced and accepted
     * @param idleTimeout an association idle this long is aborted (zero: never)
     * @param artimTimeout the PS3.8 ARTIM timer
     * @param maxStoreDataSetLength the largest C-STORE data set accepted (0: no limit); larger ones abort
     * @param maxCommandDataSetLength the largest C-FIND/C-MOVE/C-GET identifier held in memory
     * @param shutdownGrace how long running associations may go on after a stop is asked for
     * @param indexPoolSize connections of the index pool
     */
    public record Limits(int maxAssociations, long maxPduLength, Duration idleTimeout, Duration artimTimeout,
            long maxStoreDataSetLength, long maxCommandDataSetLength, Duration shutdownGrace, int indexPoolSize) {}

    /**
     * DICOM TLS on a port of its own, beside the plain one.
     *
     * @param trustStore null for the JDK's default trust
     */
    public record TlsConfig(int port, Path keyStore, String keyStorePassword, Path trustStore,
            String trustStorePassword, boolean requireClientCertificate) {
        @Override
        public String toString() { // no passwords in logs
            return "TlsConfig[port=" + port + ", keyStore=" + keyStore + ", trustStore=" + trustStore
                    + ", requireClientCertificate=" + requireClientCertificate + "]";
        }
    }

    /** The defaults: every key unset, data in {@code ./lightbox-data}. */
    public static ServerConfig defaults() {
        return ServerConfigReader.read(null, Map.of());
    }
}
