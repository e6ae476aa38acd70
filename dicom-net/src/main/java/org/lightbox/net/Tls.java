// SPDX-License-Identifier: Apache-2.0
package org.lightbox.net;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Arrays;
import java.util.List;
import javax.net.SocketFactory;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS for DICOM associations per the BCP 195 profiles of PS3.15 (B.9 and B.11): TLS 1.3 and 1.2 only, and for 1.2
 * only the ECDHE/DHE suites with AEAD ciphers those profiles recommend. Keys and trusted certificates come from
 * PKCS#12 (or JKS) stores.
 *
 * @param requireClientCertificate an acceptor that asks for and verifies the requestor's certificate (mutual TLS)
 */
public record Tls(SSLContext context, boolean requireClientCertificate) {

    public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    /** TLS 1.2 suites recommended by BCP 195 (RFC 9325 section 4.2); TLS 1.3 suites are all AEAD. */
    public static final List<String> CIPHER_SUITES = List.of(
            "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384");

    /**
     * @param keyStore this side's key and certificate chain; may be null for a requestor without a client certificate
     * @param trustStore the certificates of peers (or their CAs) to trust; null for the JDK's default trust
     */
    public static Tls of(Path keyStore, char[] keyStorePassword, Path trustStore, char[] trustStorePassword,
            boolean requireClientCertificate) throws IOException {
        try {
            KeyManagerFactory kmf = null;
            if (keyStore != null) {
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(load(keyStore, keyStorePassword), keyStorePassword);
            }
            TrustManagerFactory tmf = null;
            if (trustStore != null) {
                tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(load(trustStore, trustStorePassword));
            }
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf == null ? null : tmf.getTrustManagers(), null);
            return new Tls(ctx, requireClientCertificate);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot set up TLS: " + e.getMessage(), e);
        }
    }

    private static KeyStore load(Path path, char[] password) throws IOException, GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance(path.toString().endsWith(".jks") ? "JKS" : "PKCS12");
        try (InputStream in = Files.newInputStream(path)) {
            ks.load(in, password);
        }
        return ks;
    }

    private SSLParameters parameters() {
        SSLParameters p = context.getDefaultSSLParameters();
        p.setProtocols(PROTOCOLS.toArray(String[]::new));
        List<String> supported = Arrays.asList(context.getSupportedSSLParameters().getCipherSuites());
        p.setCipherSuites(CIPHER_SUITES.stream().filter(supported::contains).toArray(String[]::new));
        return p;
    }

    ServerSocket serverSocket() throws IOException {
        SSLServerSocket s = (SSLServerSocket) context.getServerSocketFactory().createServerSocket();
        SSLParameters p = parameters();
        p.setNeedClientAuth(requireClientCertificate);
        s.setSSLParameters(p);
        return s;
    }

    /** Sockets for a requestor; the host name is not checked against the certificate (peers are AEs, not hosts). */
    public SocketFactory socketFactory() {
        SSLSocketFactory f = context.getSocketFactory();
        SSLParameters p = parameters();
        return new SocketFactory() {
            private java.net.Socket configure(java.net.Socket s) {
                ((SSLSocket) s).setSSLParameters(p);
                return s;
            }

            @Override
            public java.net.Socket createSocket() throws IOException {
                return configure(f.createSocket());
            }

            @Override
            public java.net.Socket createSocket(String host, int port) throws IOException {
                return configure(f.createSocket(host, port));
            }

            @Override
            public java.net.Socket createSocket(String host, int port, java.net.InetAddress local, int localPort)
                    throws IOException {
                return configure(f.createSocket(host, port, local, localPort));
            }

            @Override
            public java.net.Socket createSocket(java.net.InetAddress host, int port) throws IOException {
                return configure(f.createSocket(host, port));
            }

            @Override
            public java.net.Socket createSocket(java.net.InetAddress address, int port, java.net.InetAddress local,
                    int localPort) throws IOException {
                return configure(f.createSocket(address, port, local, localPort));
            }
        };
    }
}
