// SPDX-License-Identifier: Apache-2.0
package org.lightbox.server;

import java.io.IOException;
import org.lightbox.archive.Archive;
import org.lightbox.archive.query.InformationModel;
import org.lightbox.archive.query.Query;
import org.lightbox.archive.query.QueryException;
import org.lightbox.archive.query.QueryOptions;
import org.lightbox.archive.query.QueryOutcome;
import org.lightbox.archive.query.QuerySink;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Element;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.Uid;
import org.lightbox.dicom.Vr;
import org.lightbox.net.DimseService;
import org.lightbox.net.Response;
import org.lightbox.net.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Query/Retrieve FIND SCP (Patient Root and Study Root, PS3.4 C.4.1) over {@link Archive#query}: one pending
 * response per match, streamed as the index is read, then the final status (PS3.4 C.4.1.1.4):
 *
 * <table>
 * <tr><th>outcome</th><th>status</th></tr>
 * <tr><td>a match</td><td>FF00 pending, or FF01 when keys of the identifier were not supported</td></tr>
 * <tr><td>all matches sent</td><td>0000 success</td></tr>
 * <tr><td>C-CANCEL seen between two matches</td><td>FE00 cancel</td></tr>
 * <tr><td>identifier does not fit the model (level, upper unique keys, malformed key)</td><td>A900, with Offending
 * Element and Error Comment</td></tr>
 * <tr><td>the index fails, or anything unexpected</td><td>C000 unable to process, with Error Comment</td></tr>
 * </table>
 *
 * <p>What SOP Class Extended Negotiation (PS3.4 C.5.1.1) agreed on the association decides the matching: relational
 * queries, combined date-time matching and fuzzy semantic matching of person names (here: case-insensitive) each
 * apply only when negotiated; without negotiation, as with DCMTK's findscu, queries are hierarchical, case-sensitive
 * and match date and time separately. Timezone query adjustment is not offered.
 */
public final class FindService implements DimseService {
    private static final Logger LOG = LoggerFactory.getLogger(FindService.class);

    /**
     * The C-FIND extended negotiation answered (PS3.4 C.5.1.1.2, byte by byte): relational-queries, combined date-time
     * matching and fuzzy semantic matching of person names supported; timezone query adjustment not.
     */
    static final byte[] EXTENDED_NEGOTIATION = {1, 1, 1, 0};

    private final Archive archive;
    private final QueryOptions options;

    FindService(Archive archive, QueryOptions options) {
        this.archive = archive;
        this.options = options;
    }

    @Override
    public Response find(Request request, Dataset identifier, Responder out) throws IOException {
        String sopClass = request.command().sopClassUid();
        InformationModel model;
        if (Uid.PatientRootQueryRetrieveInformationModelFind.equals(sopClass)) {
            model = InformationModel.PATIENT_ROOT;
        } else if (Uid.StudyRootQueryRetrieveInformationModelFind.equals(sopClass)) {
            model = InformationModel.STUDY_ROOT;
        } else {
            return Response.of(Status.REFUSED_SOP_CLASS_NOT_SUPPORTED, "C-FIND is not served for " + sopClass);
        }
        Query query;
        try {
            query = Query.parse(model, identifier, negotiated(request));
        } catch (QueryException e) {
            LOG.info("{}: C-FIND refused: {}", request.association(), e.getMessage());
            Dataset.Builder command = Dataset.builder().setStrings(Tag.ErrorComment, Vr.LO, clip(e.getMessage()));
            e.tag().ifPresent(t -> command.add(Element.of(Tag.OffendingElement, Vr.AT, new byte[] {
                    (byte) (t >>> 16), (byte) (t >>> 24), (byte) t, (byte) (t >>> 8)})));
            int status = e.reason() == QueryException.Reason.IDENTIFIER_DOES_NOT_MATCH_SOP_CLASS
                    ? Status.QR_IDENTIFIER_DOES_NOT_MATCH_SOP_CLASS : Status.QR_UNABLE_TO_PROCESS;
            return Response.of(status, command, null);
        }
        int pending = query.unsupportedKeys().isEmpty() ? Status.PENDING : Status.PENDING_WARNING;
        QueryOutcome outcome;
        try {
            outcome = archive.query(query, new QuerySink() {
                @Override
                public void match(Dataset result) throws IOException {
                    out.pending(Response.of(pending, Dataset.builder(), result));
                }

                @Override
                public boolean cancelled() {
                    return out.cancelled();
                }
            });
        } catch (IOException | RuntimeException e) {
            LOG.warn("{}: C-FIND at {} level failed: {}", request.association(), query.level(), e.toString());
            return Response.of(Status.QR_UNABLE_TO_PROCESS, "query failed: " + e.getMessage());
        }
        LOG.debug("{}: C-FIND at {} level: {} matches{}", request.association(), query.level(), outcome.matches(),
                outcome.cancelled() ? ", cancelled" : "");
        return Response.of(outcome.cancelled() ? Status.CANCEL : Status.SUCCESS);
    }

    /** The options, with the matching the association negotiated (a byte of 1 is agreed; a missing one is 0). */
    private QueryOptions negotiated(Request request) {
        return options.withRelational(request.extendedNegotiation(1) == 1)
                .withCombinedDateTime(request.extendedNegotiation(2) == 1)
                .withFuzzyPersonNames(request.extendedNegotiation(3) == 1);
    }

    private static String clip(String s) {
        return s.length() > 64 ? s.substring(0, 64) : s;
    }
}
