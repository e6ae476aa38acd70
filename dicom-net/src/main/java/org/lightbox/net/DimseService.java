// SPDX-License-Identifier: Apache-2.0
package org.lightbox.net;

import java.io.IOException;
import java.io.InputStream;
import org.lightbox.dicom.Dataset;

/**
 * What an application does with the DIMSE requests of the SOP classes it is registered for. Every operation has a
 * default answer of "unrecognized operation", so a service implements only what its SOP classes use.
 *
 * <p>C-ECHO and C-STORE run on the association's reader thread: a C-STORE's data set streams from the socket through
 * {@code data} and is never held whole. The other operations run on a virtual thread of their own, so that the reader
 * can see a C-CANCEL or an abort while they work.
 */
public interface DimseService {

    /** The request being served: its association, presentation context and command. */
    record Request(Association association, PresentationContext context, Command command) {

        /**
         * Byte {@code n} (1-based, as PS3.4 numbers them) of the SOP Class Extended Negotiation agreed for this
         * context's SOP class; 0 when it was not negotiated or the reply was shorter.
         */
        public int extendedNegotiation(int n) {
            byte[] agreed = association.extendedNegotiation(context.abstractSyntax());
            return n >= 1 && n <= agreed.length ? agreed[n - 1] & 0xFF : 0;
        }
    }

    /** Sends pending responses of a C-FIND, C-MOVE or C-GET, and tells whether the requestor cancelled. */
    interface Responder {
        void pending(Response response) throws IOException;

        boolean cancelled();
    }

    default Response echo(Request request) {
        return Response.of(Status.SUCCESS);
    }

    /**
     * Stores one instance. {@code data} is its data set in the context's transfer syntax (no File Meta Information);
     * the service must acknowledge success only once the instance is durable. Reading past the end returns -1; an
     * {@link IOException} from {@code data} means the association broke, and nothing may be kept.
     */
    default Response store(Request request, InputStream data) throws IOException {
        return Response.of(Status.UNRECOGNIZED_OPERATION, "C-STORE is not served for this SOP class");
    }

    /** Answers a C-FIND: each match through {@code out.pending}, then the final status is returned. */
    default Response find(Request request, Dataset identifier, Responder out) throws IOException {
        return Response.of(Status.UNRECOGNIZED_OPERATION, "C-FIND is not served for this SOP class");
    }

    default Response move(Request request, Dataset identifier, Responder out) throws IOException {
        return Response.of(Status.UNRECOGNIZED_OPERATION, "C-MOVE is not served for this SOP class");
    }

    /** Answers a C-GET; the sub-operations go back through {@code request.association().store(...)}. */
    default Response get(Request request, Dataset identifier, Responder out) throws IOException {
        return Response.of(Status.UNRECOGNIZED_OPERATION, "C-GET is not served for this SOP class");
    }

    /** N-EVENT-REPORT, N-GET, N-SET, N-ACTION, N-CREATE and N-DELETE: the command tells which. */
    default Response normalized(Request request, Dataset data) throws IOException {
        return Response.of(Status.UNRECOGNIZED_OPERATION,
                Command.name(request.command().field()) + " is not served for this SOP class");
    }
}
