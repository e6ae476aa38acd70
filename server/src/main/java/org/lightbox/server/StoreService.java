// SPDX-License-Identifier: Apache-2.0
package org.lightbox.server;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.lightbox.archive.Archive;
import org.lightbox.archive.IngestResult;
import org.lightbox.net.DimseService;
import org.lightbox.net.Response;
import org.lightbox.net.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Storage SCP (and Verification): every C-STORE streams into {@link Archive#store}, the one ingest path, and is
 * answered only once that returns, that is once the instance is durable and indexed. The archive's outcome becomes a
 * DIMSE status (PS3.4 B.2.3, PS3.7 C):
 *
 * <table>
 * <tr><th>ingest</th><th>status</th></tr>
 * <tr><td>stored; stored with a patient-data conflict recorded</td><td>0000 success</td></tr>
 * <tr><td>duplicate, first copy kept</td><td>B006 warning (elements discarded), the Error Comment says why</td></tr>
 * <tr><td>duplicate rejected by policy</td><td>0111 duplicate SOP instance</td></tr>
 * <tr><td>mandatory attribute missing or empty</td><td>0120 missing attribute, naming it</td></tr>
 * <tr><td>SOP Class UID differs from the request's</td><td>A900 data set does not match SOP class</td></tr>
 * <tr><td>another attribute unusable (e.g. SOP Instance UID differs)</td><td>0106 invalid attribute value</td></tr>
 * <tr><td>unreadable data set</td><td>C000 cannot understand</td></tr>
 * <tr><td>disk or index failure</td><td>A700 refused: out of resources</td></tr>
 * </table>
 */
public final class StoreService implements DimseService {
    private static final Logger LOG = LoggerFactory.getLogger(StoreService.class);

    /** The C-STORE warning answered for a duplicate whose first copy is kept. */
    public static final int DUPLICATE_KEPT_WARNING = Status.STORE_ELEMENTS_DISCARDED;

    private final Archive archive;
    private final ServerMetrics metrics;

    StoreService(Archive archive, ServerMetrics metrics) {
        this.archive = archive;
        this.metrics = metrics;
    }

    @Override
    public Response echo(Request request) {
        metrics.request(request.association());
        metrics.echo();
        return Response.of(Status.SUCCESS);
    }

    @Override
    public Response store(Request request, InputStream data) throws IOException {
        metrics.request(request.association());
        String sopClass = request.command().sopClassUid();
        String sopInstance = request.command().sopInstanceUid();
        CountingInputStream counted = new CountingInputStream(data);
        IngestResult result;
        try {
            result = archive.store(sopClass, sopInstance, request.context().transferSyntax(), counted);
        } catch (IOException e) {
            metrics.storeReceived(counted.count);
            metrics.storeFailed();
            LOG.warn("{}: C-STORE {} failed, nothing kept: {}", request.association(), sopInstance, e.getMessage());
            return Response.of(Status.STORE_OUT_OF_RESOURCES, "not stored: " + e.getMessage());
        } catch (RuntimeException e) {
            metrics.storeReceived(counted.count);
            metrics.storeFailed();
            LOG.error("{}: C-STORE {} failed", request.association(), sopInstance, e);
            return Response.of(Status.PROCESSING_FAILURE, "not stored: internal error " + e.getClass().getSimpleName());
        }
        metrics.storeReceived(counted.count);
        Response response = response(result);
        if (Status.isFailure(response.status())) {
            metrics.storeFailed();
            LOG.info("{}: C-STORE {} refused with {} ({})", request.association(), sopInstance,
                    Status.describe(response.status()), result.message());
        } else if (result.status() == IngestResult.Status.DUPLICATE) {
            metrics.storeDuplicate();
        }
        return response;
    }

    /** The DIMSE answer to an ingest outcome. */
    static Response response(IngestResult result) {
        return switch (result.status()) {
            case STORED, CONFLICT_RECORDED -> Response.of(Status.SUCCESS);
            case DUPLICATE -> Response.of(DUPLICATE_KEPT_WARNING, "already stored; first copy kept");
            case FAILED -> {
                String attr = result.attribute().orElse("");
                String message = result.message();
                yield switch (result.failure().orElseThrow()) {
                    case MISSING_ATTRIBUTE -> Response.of(Status.MISSING_ATTRIBUTE,
                            attr.isEmpty() ? message : "missing " + attr);
                    case INVALID_ATTRIBUTE -> attr.equals("SOPClassUID")
                            ? Response.of(Status.STORE_DATA_SET_DOES_NOT_MATCH_SOP_CLASS, message)
                            : Response.of(Status.INVALID_ATTRIBUTE_VALUE, message);
                    case MALFORMED -> Response.of(Status.STORE_CANNOT_UNDERSTAND, message);
                    case DUPLICATE_REJECTED -> Response.of(Status.DUPLICATE_SOP_INSTANCE, message);
                };
            }
        };
    }

    private static final class CountingInputStream extends FilterInputStream {
        long count;

        CountingInputStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long k = in.skip(n);
            count += k;
            return k;
        }
    }
}
