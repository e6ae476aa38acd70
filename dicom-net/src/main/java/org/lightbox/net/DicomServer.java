// SPDX-License-Identifier: Apache-2.0
package org.lightbox.net;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLServerSocket;
import org.lightbox.net.pdu.Pdu;

/**
 * A DICOM listener: accepts connections on an address and port, serves each association on a virtual thread of its
 * own with the services registered by SOP class, limits how many run at once, and shuts down gracefully.
 */
public final class DicomServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(DicomServer.class.getName());

    /**
     * @param bindAddress e.g. "127.0.0.1"; "0.0.0.0" for every interface
     * @param port 0 picks a free port
     * @param services by abstract syntax (SOP class UID)
     * @param maxAssociations more at once are rejected as transient "local limit exceeded"
     * @param tls {@code null} for plain TCP
     */
    public record Config(String bindAddress, int port, AcceptorPolicy policy, NetOptions options,
            Map<String, DimseService> services, int maxAssociations, Tls tls) {
        public Config {
            services = Map.copyOf(services);
        }
    }

    private final Config config;
    private final ServerSocket listener;
    private final Thread acceptor;
    private final Set<Association> associations = ConcurrentHashMap.newKeySet();
    private final Set<Thread> connections = ConcurrentHashMap.newKeySet();
    private volatile boolean closing;

    private DicomServer(Config config, ServerSocket listener) {
        this.config = config;
        this.listener = listener;
        this.acceptor = Thread.ofPlatform().name("dicom-accept " + listener.getLocalPort()).daemon(true)
                .unstarted(this::acceptLoop);
    }

    /** Binds and starts accepting. */
    public static DicomServer start(Config config) throws IOException {
        ServerSocket s = config.tls() == null ? new ServerSocket() : config.tls().serverSocket();
        s.setReuseAddress(true);
        try {
            s.bind(new InetSocketAddress(InetAddress.getByName(config.bindAddress()), config.port()), 128);
        } catch (IOException e) {
            s.close();
            throw new IOException("cannot listen on " + config.bindAddress() + ":" + config.port() + ": "
                    + e.getMessage(), e);
        }
        DicomServer server = new DicomServer(config, s);
        server.acceptor.start();
        LOG.log(System.Logger.Level.INFO, "DICOM {0} listening on {1}:{2,number,#}{3}", config.policy().aeTitle(),
                config.bindAddress(), s.getLocalPort(), s instanceof SSLServerSocket ? " (TLS)" : "");
        return server;
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** Associations established right now. */
    public int activeAssociations() {
        return associations.size();
    }

    private void acceptLoop() {
        while (!closing) {
            Socket socket;
            try {
                socket = listener.accept();
            } catch (SocketException e) {
                if (closing) {
                    return;
                }
                LOG.log(System.Logger.Level.WARNING, "accept failed: {0}", e.getMessage());
                continue;
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "accept failed: {0}", e.getMessage());
                continue;
            }
            Thread t = Thread.ofVirtual().name("dicom " + socket.getRemoteSocketAddress()).unstarted(() -> {
                Association[] mine = new Association[1];
                try {
                    Association.serve(socket, config.policy(), config.options(), config.services(), this::admit,
                            a -> associations.add(mine[0] = a));
                } finally {
                    if (mine[0] != null) {
                        associations.remove(mine[0]);
                    }
                    connections.remove(Thread.currentThread());
                }
            });
            connections.add(t);
            t.start();
        }
    }

    /** Rejects (transient) beyond the association limit and while shutting down. */
    private Pdu.AssociateRj admit(Pdu.AssociateRq rq) {
        if (closing || associations.size() >= config.maxAssociations()) {
            LOG.log(System.Logger.Level.WARNING, "rejecting {0}: {1}", rq.callingAeTitle(),
                    closing ? "shutting down" : "limit of " + config.maxAssociations() + " associations reached");
            return new Pdu.AssociateRj(Pdu.AssociateRj.RESULT_TRANSIENT,
                    Pdu.AssociateRj.SOURCE_SERVICE_PROVIDER_PRESENTATION,
                    Pdu.AssociateRj.PRESENTATION_LOCAL_LIMIT_EXCEEDED);
        }
        return null;
    }

    /**
     * Stops accepting, lets running associations finish for up to {@code grace}, then aborts those left.
     */
    public void shutdown(Duration grace) {
        closing = true;
        try {
            listener.close();
        } catch (IOException ignored) {
            // already closed
        }
        long deadline = System.nanoTime() + grace.toNanos();
        for (Thread t : connections) {
            long left = deadline - System.nanoTime();
            try {
                if (left <= 0 || !t.join(Duration.ofNanos(left))) {
                    break;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        for (Association a : associations) {
            LOG.log(System.Logger.Level.WARNING, "{0}: still running at shutdown; aborting", a);
            a.abort();
        }
    }

    @Override
    public void close() {
        shutdown(Duration.ofSeconds(10));
    }
}
