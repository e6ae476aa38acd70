// SPDX-License-Identifier: Apache-2.0
package org.lightbox.server;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Collections;
import java.util.Locale;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.function.IntSupplier;
import org.lightbox.imaging.CodecMetrics;
import org.lightbox.imaging.PixelData;
import org.lightbox.net.Association;

/**
 * The server's Prometheus metrics: DIMSE associations and C-STORE counts, bytes received, deletions, the codecs'
 * counters and the JVM's. One registry per server (no global state), written in the Prometheus text format by {@link #scrape()}.
 */
public final class ServerMetrics {
    /** The content type of {@link #scrape()}. */
    public static final String CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private final Set<Association> seen = Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));
    private final Counter associations;
    private final Counter echoes;
    private final Counter storesReceived;
    private final Counter storesFailed;
    private final Counter storesDuplicate;
    private final Counter bytesReceived;
    private final Counter deletions;
    private final Counter deletedInstances;
    private final Counter deletedBytes;

    ServerMetrics() {
        associations = Counter.builder().name("lightbox_dimse_associations_total")
                .help("DIMSE associations that carried at least one request, since start").register(registry);
        echoes = Counter.builder().name("lightbox_dimse_c_echo_received_total").help("C-ECHO requests received")
                .register(registry);
        storesReceived = Counter.builder().name("lightbox_dimse_c_store_received_total")
                .help("C-STORE requests received, whatever their outcome").register(registry);
        storesFailed = Counter.builder().name("lightbox_dimse_c_store_failed_total")
                .help("C-STORE requests answered with a failure status").register(registry);
        storesDuplicate = Counter.builder().name("lightbox_dimse_c_store_duplicate_total")
                .help("C-STORE requests of an instance already stored (answered with a warning)").register(registry);
        bytesReceived = Counter.builder().name("lightbox_dimse_received_bytes_total")
                .help("Bytes of C-STORE data sets received").register(registry);
        deletions = Counter.builder().name("lightbox_admin_deletions_total")
                .help("Studies, series and instances deleted through the admin API").register(registry);
        deletedInstances = Counter.builder().name("lightbox_deleted_instances_total")
                .help("Instances deleted").register(registry);
        deletedBytes = Counter.builder().name("lightbox_deleted_bytes_total")
                .help("Bytes of the blobs of deleted instances").register(registry);
        codecMetrics();
        JvmMetrics.builder().register(registry);
    }

    /** The active-associations gauge, once the listener exists. */
    void activeAssociations(IntSupplier active) {
        GaugeWithCallback.builder().name("lightbox_dimse_associations_active")
                .help("DIMSE associations established right now")
                .callback(cb -> cb.call(active.getAsInt())).register(registry);
    }

    void uptime(java.util.function.DoubleSupplier seconds) {
        GaugeWithCallback.builder().name("lightbox_uptime_seconds").help("Seconds since the server started")
                .callback(cb -> cb.call(seconds.getAsDouble())).register(registry);
    }

    private void codecMetrics() {
        CodecMetrics codecs = PixelData.metrics();
        String[] labels = {"codec", "operation"};
        CounterWithCallback.builder().name("lightbox_codec_frames_total").help("Frames a codec decoded or encoded")
                .labelNames(labels).callback(cb -> codecs.snapshot().forEach(c -> cb.call(c.frames(), c.codec(),
                        op(c)))).register(registry);
        CounterWithCallback.builder().name("lightbox_codec_failures_total").help("Frames a codec failed on")
                .labelNames(labels).callback(cb -> codecs.snapshot().forEach(c -> cb.call(c.failures(), c.codec(),
                        op(c)))).register(registry);
        CounterWithCallback.builder().name("lightbox_codec_input_bytes_total").help("Bytes given to a codec")
                .labelNames(labels).callback(cb -> codecs.snapshot().forEach(c -> cb.call(c.inputBytes(), c.codec(),
                        op(c)))).register(registry);
        CounterWithCallback.builder().name("lightbox_codec_output_bytes_total").help("Bytes a codec returned")
                .labelNames(labels).callback(cb -> codecs.snapshot().forEach(c -> cb.call(c.outputBytes(), c.codec(),
                        op(c)))).register(registry);
        CounterWithCallback.builder().name("lightbox_codec_seconds_total").help("Time spent in a codec")
                .labelNames(labels).callback(cb -> codecs.snapshot().forEach(c -> cb.call(c.nanos() / 1e9, c.codec(),
                        op(c)))).register(registry);
    }

    private static String op(CodecMetrics.Counts c) {
        return c.operation().name().toLowerCase(Locale.ROOT);
    }

    void request(Association a) {
        if (seen.add(a)) {
            associations.inc();
        }
    }

    void echo() {
        echoes.inc();
    }

    void storeReceived(long bytes) {
        storesReceived.inc();
        bytesReceived.inc(bytes);
    }

    void storeFailed() {
        storesFailed.inc();
    }

    void storeDuplicate() {
        storesDuplicate.inc();
    }

    void deleted(int instances, long bytes) {
        deletions.inc();
        deletedInstances.inc(instances);
        deletedBytes.inc(bytes);
    }

    long storesReceived() {
        return (long) storesReceived.get();
    }

    /** Every metric in the Prometheus text format (version 0.0.4). */
    public byte[] scrape() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
        writer.write(out, registry.scrape(), EscapingScheme.UNDERSCORE_ESCAPING);
        return out.toByteArray();
    }
}
