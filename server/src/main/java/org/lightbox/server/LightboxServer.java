// SPDX-License-Identifier: Apache-2.0
package org.lightbox.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import org.lightbox.archive.Archive;
import org.lightbox.dicomweb.DicomWeb;
import org.lightbox.archive.query.QueryOptions;
import org.lightbox.archive.ArchiveConfig;
import org.lightbox.dicom.Uid;
import org.lightbox.net.AcceptorPolicy;
import org.lightbox.net.DicomServer;
import org.lightbox.net.DimseService;
import org.lightbox.net.NetOptions;
import org.lightbox.net.Tls;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: opens the archive (migrating and reconciling the index), starts the DIMSE listener(s) with
 * Verification and every storage SOP class wired to the archive, and the HTTP server with {@code /health},
 * {@code /metrics} and the admin API under {@code /api} ({@link AdminHandler}). {@link #close()} stops gracefully: no new associations, running ones finish within the grace
 * period, then HTTP stops and the index closes.
 */
public final class LightboxServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LightboxServer.class);
    public static final String VERSION = readVersion();

    private final ServerConfig config;
    private volatile Archive archive;
    private final ServerMetrics metrics;
    private final List<DicomServer> dicom = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final long startNanos = System.nanoTime();
    private final ObjectMapper json = new ObjectMapper();
    private Javalin http;
    private volatile boolean ready;
    private volatile boolean stopping;
    private boolean closed;

    private LightboxServer(ServerConfig config) {
        this.config = config;
        this.metrics = new ServerMetrics();
        metrics.activeAssociations(() -> dicom.stream().mapToInt(DicomServer::activeAssociations).sum());
        metrics.uptime(() -> (System.nanoTime() - startNanos) / 1e9);
    }

    /**
     * Starts everything, or nothing: on failure whatever was started is stopped again. The archive opens (index
     * migration, reconciliation) on a thread of its own while HTTP and the DIMSE policy are set up; {@code /health}
     * answers 503 until the DIMSE listener accepts.
     *
     * @throws IOException when the archive cannot be opened or a port cannot be bound
     */
    public static LightboxServer start(ServerConfig config) throws IOException {
        LightboxServer server = new LightboxServer(config);
        FutureTask<Archive> opening = new FutureTask<>(() -> Archive.open(new ArchiveConfig(config.dataDir(),
                config.duplicatePolicy(), config.limits().indexPoolSize())));
        Thread.ofPlatform().name("archive-open").start(opening);
        try {
            AcceptorPolicy policy = server.policy();
            server.startHttp();
            server.archive = await(opening);
            server.startDicom(policy);
        } catch (IOException | RuntimeException e) {
            server.close();
            if (server.archive == null) {
                // Wait for the opening to end (HTTP may have failed first), so that no archive is left open behind
                // the failure, still writing to the data folder.
                try {
                    opening.get().close();
                } catch (ExecutionException | java.util.concurrent.CancellationException ignored) {
                    // it failed to open: nothing to close
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                }
            }
            throw e;
        }
        server.ready = true;
        LOG.info("Lightbox {} ready: DICOM {} on {}:{}{}, HTTP on {}:{}, data in {} ({} ms since the JVM started)",
                VERSION, config.aeTitle(), config.bindAddress(), server.dicomPort(),
                server.tlsPort() > 0 ? " and TLS on " + server.tlsPort() : "", config.bindAddress(),
                server.httpPort(), config.dataDir(), ManagementFactory.getRuntimeMXBean().getUptime());
        return server;
    }

    private static Archive await(FutureTask<Archive> opening) throws IOException {
        try {
            return opening.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while the archive opened", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IOException(e.getCause());
        }
    }

    private AcceptorPolicy policy() {
        AcceptorPolicy.Builder policy = AcceptorPolicy.builder(config.aeTitle()).acceptArchiveDefaults()
                .unknownPeers(config.unknownPeers()).maxPduLength(config.limits().maxPduLength());
        config.permissions().forEach(policy::peer);
        config.extraStorageSopClasses().forEach(uid -> policy.accept(uid, List.of()));
        for (String uid : AcceptorPolicy.QUERY_RETRIEVE) { // PS3.4 C.5: what each service can do when asked
            policy.extendedNegotiation(uid, AcceptorPolicy.permissionOf(uid) == AcceptorPolicy.Permission.FIND
                    ? FindService.EXTENDED_NEGOTIATION : RetrieveService.EXTENDED_NEGOTIATION);
        }
        return policy.build();
    }

    private void startDicom(AcceptorPolicy policy) throws IOException {
        ServerConfig.Limits l = config.limits();
        NetOptions options = new NetOptions(NetOptions.DEFAULT.connectTimeout(), l.artimTimeout(), l.idleTimeout(),
                NetOptions.DEFAULT.responseTimeout(), l.maxPduLength(), l.maxCommandDataSetLength(),
                l.maxStoreDataSetLength());
        Map<String, DimseService> services = new HashMap<>();
        StoreService store = new StoreService(archive, metrics);
        services.put(Uid.Verification, store);
        AcceptorPolicy.STORAGE.forEach(uid -> services.put(uid, store));
        config.extraStorageSopClasses().forEach(uid -> services.put(uid, store));
        FindService find = new FindService(archive, QueryOptions.DEFAULT);
        services.put(Uid.PatientRootQueryRetrieveInformationModelFind, find);
        services.put(Uid.StudyRootQueryRetrieveInformationModelFind, find);
        RetrieveService retrieve = new RetrieveService(archive, config.aeTitle(), config.remoteAes(), options);
        services.put(Uid.PatientRootQueryRetrieveInformationModelMove, retrieve);
        services.put(Uid.StudyRootQueryRetrieveInformationModelMove, retrieve);
        services.put(Uid.PatientRootQueryRetrieveInformationModelGet, retrieve);
        services.put(Uid.StudyRootQueryRetrieveInformationModelGet, retrieve);
        DicomServer plain = DicomServer.start(new DicomServer.Config(config.bindAddress(), config.dicomPort(), policy,
                options, services, l.maxAssociations(), null));
        dicom.add(plain);
        if (config.tls() != null) {
            ServerConfig.TlsConfig t = config.tls();
            Tls tls = Tls.of(t.keyStore(), t.keyStorePassword().toCharArray(), t.trustStore(),
                    t.trustStorePassword().toCharArray(), t.requireClientCertificate());
            dicom.add(DicomServer.start(new DicomServer.Config(config.bindAddress(), t.port(), policy, options,
                    services, l.maxAssociations(), tls)));
        }
    }

    private void startHttp() throws IOException {
        try {
            http = Javalin.create(cfg -> {
                cfg.startup.showJavalinBanner = false;
                cfg.startup.showOldJavalinVersionWarning = false;
                cfg.concurrency.useVirtualThreads = true;
                cfg.jetty.host = config.bindAddress();
                cfg.jetty.port = config.httpPort();
                cfg.routes.get("/health", this::health);
                cfg.routes.get("/metrics", this::metrics);
                new AdminHandler(config.admin(), this::archive, metrics).register(cfg.routes);
                DicomWeb.register(cfg.routes, this::archive, config.dicomweb());
            }).start();
        } catch (RuntimeException e) {
            throw new IOException("cannot start HTTP on " + config.bindAddress() + ":" + config.httpPort() + ": "
                    + rootMessage(e), e);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }

    /** 200 once DIMSE and the index answer; 503 while starting, stopping, or when the index does not answer. */
    private void health(Context ctx) throws IOException {
        Map<String, Object> body = new LinkedHashMap<>();
        String status = stopping ? "STOPPING" : ready ? "UP" : "STARTING";
        if ("UP".equals(status)) {
            try {
                archive.find("0.0"); // a round trip to the index
            } catch (IOException | RuntimeException e) {
                status = "DOWN";
                body.put("error", "index: " + e.getMessage());
            }
        }
        body.put("status", status);
        body.put("version", VERSION);
        body.put("uptimeSeconds", (System.nanoTime() - startNanos) / 1_000_000_000L);
        body.put("aeTitle", config.aeTitle());
        body.put("dicomPort", dicomPort());
        body.put("associationsActive", dicom.stream().mapToInt(DicomServer::activeAssociations).sum());
        body.put("storesReceived", metrics.storesReceived());
        ctx.status("UP".equals(status) ? 200 : 503).contentType("application/json")
                .result(json.writeValueAsString(body));
    }

    private void metrics(Context ctx) throws IOException {
        ctx.contentType(ServerMetrics.CONTENT_TYPE).result(metrics.scrape());
    }

    public int dicomPort() {
        return dicom.isEmpty() ? -1 : dicom.get(0).port();
    }

    /** The TLS port, or -1 without TLS. */
    public int tlsPort() {
        return dicom.size() > 1 ? dicom.get(1).port() : -1;
    }

    public int httpPort() {
        return http == null ? -1 : http.port();
    }

    public Archive archive() {
        return archive;
    }

    public ServerConfig config() {
        return config;
    }

    public ServerMetrics metrics() {
        return metrics;
    }

    /**
     * Stops gracefully: new associations are refused at once, running ones may finish within the configured grace
     * period (then they are aborted), HTTP stops, and the index is closed. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        stopping = true;
        LOG.info("stopping: refusing new associations, waiting up to {} for running ones",
                config.limits().shutdownGrace());
        long deadline = System.nanoTime() + config.limits().shutdownGrace().toNanos();
        List<Thread> stoppers = new ArrayList<>();
        for (DicomServer d : dicom) {
            stoppers.add(Thread.ofPlatform().start(() ->
                    d.shutdown(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))));
        }
        for (Thread t : stoppers) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (http != null) {
            try {
                http.stop();
            } catch (RuntimeException e) {
                LOG.warn("HTTP did not stop cleanly: {}", e.getMessage());
            }
        }
        if (archive != null) {
            archive.close();
        }
        LOG.info("stopped");
    }

    /**
     * Sends java.util.logging, where the {@code System.Logger} of dicom-net and the archive writes, to SLF4J (and so
     * to Logback with everything else). For the process that serves; call once, before {@link #start}.
     */
    public static void routeJavaLoggingToSlf4j() {
        org.slf4j.bridge.SLF4JBridgeHandler.removeHandlersForRootLogger();
        org.slf4j.bridge.SLF4JBridgeHandler.install();
    }

    private static String readVersion() {
        try (InputStream in = LightboxServer.class.getResourceAsStream("version.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
