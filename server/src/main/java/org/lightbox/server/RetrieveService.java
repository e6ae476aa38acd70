// SPDX-License-Identifier: Apache-2.0
package org.lightbox.server;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.lightbox.archive.Archive;
import org.lightbox.archive.Retrieve;
import org.lightbox.archive.RetrieveException;
import org.lightbox.archive.StoredInstance;
import org.lightbox.archive.query.InformationModel;
import org.lightbox.archive.query.QueryException;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Element;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.Uid;
import org.lightbox.dicom.Vr;
import org.lightbox.net.Association;
import org.lightbox.net.DimseService;
import org.lightbox.net.NetOptions;
import org.lightbox.net.Proposal;
import org.lightbox.net.Response;
import org.lightbox.net.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Query/Retrieve MOVE and GET SCPs (Patient Root and Study Root, PS3.4 C.4.2 and C.4.3) over
 * {@link Retrieve#select}: the identifier selects stored instances, and each becomes one C-STORE sub-operation,
 * on a new association to the move destination (C-MOVE) or back on the requestor's own association (C-GET). An
 * instance goes in its stored transfer syntax when the storage SCP accepted it, else converted by
 * {@link SubOperations} to an uncompressed syntax it accepted. A pending response with the four counts follows
 * every sub-operation; the final status (PS3.4 C.4.2.1.5, C.4.3.1.4):
 *
 * <table>
 * <tr><th>outcome</th><th>status</th></tr>
 * <tr><td>every sub-operation succeeded (or nothing matched)</td><td>0000 success, with the counts</td></tr>
 * <tr><td>some failed or ended with a warning</td><td>B000, with the counts and the Failed SOP Instance UID List
 * (0008,0058) naming the failed ones</td></tr>
 * <tr><td>all failed (including: the destination could not be reached)</td><td>A702, with the counts, the list and
 * an Error Comment</td></tr>
 * <tr><td>C-CANCEL seen between two sub-operations</td><td>FE00, with the counts (remaining: those never started)
 * and the list</td></tr>
 * <tr><td>Move Destination not among the configured remote AEs</td><td>A801</td></tr>
 * <tr><td>identifier does not fit the model</td><td>A900, with Offending Element and Error Comment</td></tr>
 * <tr><td>the index fails</td><td>C000</td></tr>
 * </table>
 *
 * <p>Sub-operations use the priority of the request, and C-MOVE's carry the Move Originator AE Title and Message
 * ID. A C-MOVE proposes, for each SOP class of the matches, one presentation context per stored transfer syntax
 * plus Explicit and Implicit VR Little Endian; when that exceeds 128 contexts the SOP classes are spread over
 * several associations, opened one after the other.
 *
 * <p>Relational retrieve (PS3.4 C.4.2.3.2, C.4.3.3.2: no unique keys needed above the level retrieved) applies only
 * when SOP Class Extended Negotiation agreed on it for the C-MOVE or C-GET SOP class (C.5.2, C.5.3).
 */
public final class RetrieveService implements DimseService {
    private static final Logger LOG = LoggerFactory.getLogger(RetrieveService.class);
    static final int MAX_CONTEXTS = 128;
    /**
     * The C-MOVE and C-GET extended negotiation answered (PS3.4 C.5.2, C.5.3): relational-retrieval supported; byte 2,
     * Enhanced Multi-Frame Image Conversion, is left out, which means not supported.
     */
    static final byte[] EXTENDED_NEGOTIATION = {1};

    private final Archive archive;
    private final String aeTitle;
    private final Map<String, ServerConfig.RemoteAe> remoteAes;
    private final NetOptions options;

    RetrieveService(Archive archive, String aeTitle, Map<String, ServerConfig.RemoteAe> remoteAes,
            NetOptions options) {
        this.archive = archive;
        this.aeTitle = aeTitle;
        this.remoteAes = Map.copyOf(remoteAes);
        this.options = options;
    }

    @Override
    public Response move(Request request, Dataset identifier, Responder out) throws IOException {
        String sopClass = request.command().sopClassUid();
        InformationModel model = modelOf(sopClass, Uid.PatientRootQueryRetrieveInformationModelMove,
                Uid.StudyRootQueryRetrieveInformationModelMove);
        if (model == null) {
            return Response.of(Status.REFUSED_SOP_CLASS_NOT_SUPPORTED, "C-MOVE is not served for " + sopClass);
        }
        String destination = request.command().string(Tag.MoveDestination).orElse("").strip();
        ServerConfig.RemoteAe address = remoteAes.get(destination);
        if (address == null) {
            LOG.info("{}: C-MOVE refused: move destination \"{}\" is not a configured remote AE",
                    request.association(), destination);
            return Response.of(Status.QR_MOVE_DESTINATION_UNKNOWN, "unknown move destination " + destination);
        }
        Selection selection = select(request, model, identifier);
        if (selection.refusal != null) {
            return selection.refusal;
        }
        SubOperations subs = new SubOperations(selection.instances.size(), out, archive);
        int priority = request.command().priority();
        String originator = request.association().peerAeTitle();
        int originatorId = request.command().messageId();
        for (List<StoredInstance> group : groups(selection.instances)) {
            if (subs.cancelled()) {
                break;
            }
            Association sub;
            try {
                sub = Association.connect(address.host(), address.port(), proposal(destination, group), options,
                        null, Map.of());
            } catch (IOException e) {
                LOG.warn("{}: C-MOVE to {} ({}): {}", request.association(), destination, address, e.getMessage());
                subs.failAll(group, "cannot reach " + destination + ": " + e.getMessage());
                continue;
            }
            try {
                for (StoredInstance instance : group) {
                    if (subs.cancelled()) {
                        break;
                    }
                    if (!sub.isEstablished()) {
                        subs.fail(instance, destination + ": association ended: " + sub.endReason());
                        continue;
                    }
                    subs.send(sub, instance, false, priority, originator, originatorId);
                }
            } finally {
                end(sub);
            }
        }
        Response r = subs.finalResponse();
        LOG.info("{}: C-MOVE of {} instances to {}: {}", request.association(), selection.instances.size(),
                destination, subs.summary());
        return r;
    }

    @Override
    public Response get(Request request, Dataset identifier, Responder out) throws IOException {
        String sopClass = request.command().sopClassUid();
        InformationModel model = modelOf(sopClass, Uid.PatientRootQueryRetrieveInformationModelGet,
                Uid.StudyRootQueryRetrieveInformationModelGet);
        if (model == null) {
            return Response.of(Status.REFUSED_SOP_CLASS_NOT_SUPPORTED, "C-GET is not served for " + sopClass);
        }
        Selection selection = select(request, model, identifier);
        if (selection.refusal != null) {
            return selection.refusal;
        }
        SubOperations subs = new SubOperations(selection.instances.size(), out, archive);
        int priority = request.command().priority();
        Association a = request.association();
        for (StoredInstance instance : selection.instances) {
            if (subs.cancelled()) {
                break;
            }
            if (!a.isEstablished()) {
                throw new IOException("the association ended during C-GET: " + a.endReason());
            }
            subs.send(a, instance, true, priority, null, 0);
        }
        Response r = subs.finalResponse();
        LOG.info("{}: C-GET of {} instances: {}", a, selection.instances.size(), subs.summary());
        return r;
    }

    private static InformationModel modelOf(String sopClass, String patientRoot, String studyRoot) {
        if (patientRoot.equals(sopClass)) {
            return InformationModel.PATIENT_ROOT;
        }
        return studyRoot.equals(sopClass) ? InformationModel.STUDY_ROOT : null;
    }

    /** The instances selected, or the refusal to answer instead. */
    private record Selection(List<StoredInstance> instances, Response refusal) {}

    private Selection select(Request request, InformationModel model, Dataset identifier) {
        String verb = request.command().field() == org.lightbox.net.Command.C_MOVE_RQ ? "C-MOVE" : "C-GET";
        if (identifier == null) {
            return new Selection(List.of(), Response.of(Status.QR_IDENTIFIER_DOES_NOT_MATCH_SOP_CLASS,
                    verb + " without an identifier"));
        }
        try {
            boolean relational = request.extendedNegotiation(1) == 1;
            return new Selection(Retrieve.select(archive, model, identifier, relational), null);
        } catch (RetrieveException e) {
            LOG.info("{}: {} refused: {}", request.association(), verb, e.getMessage());
            Dataset.Builder command = Dataset.builder().setStrings(Tag.ErrorComment, Vr.LO, clip(e.getMessage()));
            e.tag().ifPresent(t -> command.add(Element.of(Tag.OffendingElement, Vr.AT, new byte[] {
                    (byte) (t >>> 16), (byte) (t >>> 24), (byte) t, (byte) (t >>> 8)})));
            int status = e.reason() == QueryException.Reason.IDENTIFIER_DOES_NOT_MATCH_SOP_CLASS
                    ? Status.QR_IDENTIFIER_DOES_NOT_MATCH_SOP_CLASS : Status.QR_UNABLE_TO_PROCESS;
            return new Selection(List.of(), Response.of(status, command, null));
        } catch (IOException | RuntimeException e) {
            LOG.warn("{}: {} selection failed: {}", request.association(), verb, e.toString());
            return new Selection(List.of(), Response.of(Status.QR_UNABLE_TO_PROCESS,
                    "selection failed: " + e.getMessage()));
        }
    }

    /** The transfer syntaxes proposed for a SOP class: each stored one, then the two uncompressed fallbacks. */
    private static Set<String> syntaxes(Set<String> stored) {
        Set<String> all = new LinkedHashSet<>(stored);
        all.add(Uid.ExplicitVRLittleEndian);
        all.add(Uid.ImplicitVRLittleEndian);
        return all;
    }

    /**
     * The instances split into groups, each of whose SOP classes and syntaxes fit one association (at most 128
     * presentation contexts, one per SOP class and transfer syntax); the order within a group is kept.
     */
    static List<List<StoredInstance>> groups(List<StoredInstance> instances) {
        Map<String, Set<String>> stored = new LinkedHashMap<>();
        for (StoredInstance i : instances) {
            stored.computeIfAbsent(i.sopClassUid(), k -> new LinkedHashSet<>()).add(i.transferSyntaxUid());
        }
        Map<String, Integer> groupOf = new LinkedHashMap<>();
        int group = 0;
        int used = 0;
        for (var e : stored.entrySet()) {
            int n = Math.min(syntaxes(e.getValue()).size(), MAX_CONTEXTS);
            if (used + n > MAX_CONTEXTS) {
                group++;
                used = 0;
            }
            groupOf.put(e.getKey(), group);
            used += n;
        }
        List<List<StoredInstance>> groups = new ArrayList<>();
        for (int g = 0; g <= group; g++) {
            groups.add(new ArrayList<>());
        }
        for (StoredInstance i : instances) {
            groups.get(groupOf.get(i.sopClassUid())).add(i);
        }
        groups.removeIf(List::isEmpty);
        return groups;
    }

    /** One presentation context per SOP class and transfer syntax of the group's instances (see {@link #groups}). */
    Proposal proposal(String destination, List<StoredInstance> group) {
        Map<String, Set<String>> stored = new LinkedHashMap<>();
        for (StoredInstance i : group) {
            stored.computeIfAbsent(i.sopClassUid(), k -> new LinkedHashSet<>()).add(i.transferSyntaxUid());
        }
        Proposal p = new Proposal(aeTitle, destination);
        for (var e : stored.entrySet()) {
            for (String ts : syntaxes(e.getValue())) {
                if (p.size() < MAX_CONTEXTS && !p.proposes(e.getKey(), ts)) {
                    p.add(e.getKey(), ts);
                }
            }
        }
        return p;
    }

    private static void end(Association sub) {
        try {
            sub.close(); // A-RELEASE, then the socket
        } catch (IOException e) {
            sub.abort();
        }
    }

    static String clip(String s) {
        return s.length() > 64 ? s.substring(0, 64) : s;
    }
}
