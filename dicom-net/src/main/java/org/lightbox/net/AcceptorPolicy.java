// SPDX-License-Identifier: Apache-2.0
package org.lightbox.net;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.lightbox.dicom.TransferSyntax;
import org.lightbox.dicom.Uid;
import org.lightbox.dicom.UidRegistry;
import org.lightbox.dicom.io.DicomWriter;
import org.lightbox.net.pdu.Pdu;
import org.lightbox.net.pdu.UserInformation;

/**
 * How an acceptor answers association requests: which called AE titles it answers to, which calling AEs it knows and
 * what each may do, and which abstract syntaxes it accepts with which transfer syntaxes. Immutable; build with
 * {@link #builder(String)}.
 */
public final class AcceptorPolicy {

    /** What a calling AE may do; each abstract syntax falls under one. */
    public enum Permission { ECHO, STORE, FIND, MOVE, GET, OTHER }

    /** The answer to one request: an A-ASSOCIATE-AC or an A-ASSOCIATE-RJ, with the reason in words for the log. */
    public sealed interface Decision {}

    public record Accept(Pdu.AssociateAc ac) implements Decision {}

    public record Reject(Pdu.AssociateRj rj, String why) implements Decision {}

    /** The most operations a requestor may have outstanding on one association. */
    public static final int MAX_ASYNC_INVOKED = 16;

    private final Set<String> aeTitles;
    private final Map<String, List<String>> syntaxes;
    private final Map<String, Set<Permission>> peers;
    private final Set<Permission> unknownPeers;
    private final long maxPduLength;
    private final Map<String, UnaryOperator<byte[]>> extended;

    private AcceptorPolicy(Builder b) {
        this.aeTitles = Set.copyOf(b.aeTitles);
        this.syntaxes = new LinkedHashMap<>(b.syntaxes);
        this.peers = Map.copyOf(b.peers);
        this.unknownPeers = b.unknownPeers.isEmpty() ? Set.of() : EnumSet.copyOf(b.unknownPeers);
        this.maxPduLength = b.maxPduLength;
        this.extended = Map.copyOf(b.extended);
    }

    /** A policy answering to {@code aeTitle}, with nothing accepted yet. */
    public static Builder builder(String aeTitle) {
        return new Builder(aeTitle);
    }

    /** The AE title this acceptor answers to first (for logs). */
    public String aeTitle() {
        return aeTitles.iterator().next();
    }

    /** The abstract syntaxes accepted, for tests and conformance output. */
    public Set<String> abstractSyntaxes() {
        return syntaxes.keySet();
    }

    public long maxPduLength() {
        return maxPduLength;
    }

    /** Decides on one request, per PS3.8 7.1.1 and 9.3.3: reject the association, or answer each context. */
    public Decision decide(Pdu.AssociateRq rq) {
        if ((rq.protocolVersion() & 1) == 0) {
            return new Reject(new Pdu.AssociateRj(Pdu.AssociateRj.RESULT_PERMANENT,
                    Pdu.AssociateRj.SOURCE_SERVICE_PROVIDER_ACSE, Pdu.AssociateRj.ACSE_PROTOCOL_VERSION_NOT_SUPPORTED),
                    "protocol version " + rq.protocolVersion() + " not supported");
        }
        if (!rq.applicationContext().equals(Pdu.APPLICATION_CONTEXT)) {
            return new Reject(new Pdu.AssociateRj(Pdu.AssociateRj.RESULT_PERMANENT,
                    Pdu.AssociateRj.SOURCE_SERVICE_USER, Pdu.AssociateRj.USER_APPLICATION_CONTEXT_NOT_SUPPORTED),
                    "application context " + rq.applicationContext() + " not supported");
        }
        if (!aeTitles.contains(rq.calledAeTitle())) {
            return new Reject(new Pdu.AssociateRj(Pdu.AssociateRj.RESULT_PERMANENT,
                    Pdu.AssociateRj.SOURCE_SERVICE_USER, Pdu.AssociateRj.USER_CALLED_AE_NOT_RECOGNIZED),
                    "called AE title " + rq.calledAeTitle() + " is not this server's (" + aeTitles + ")");
        }
        Set<Permission> allowed = peers.getOrDefault(rq.callingAeTitle(), unknownPeers);
        if (allowed.isEmpty()) {
            return new Reject(new Pdu.AssociateRj(Pdu.AssociateRj.RESULT_PERMANENT,
                    Pdu.AssociateRj.SOURCE_SERVICE_USER, Pdu.AssociateRj.USER_CALLING_AE_NOT_RECOGNIZED),
                    "calling AE title " + rq.callingAeTitle() + " is not a known peer");
        }
        List<Pdu.PresentationContextAc> answers = new ArrayList<>();
        Set<String> acceptedSyntaxes = new LinkedHashSet<>();
        for (Pdu.PresentationContextRq pc : rq.presentationContexts()) {
            Pdu.PresentationContextAc answer = answer(pc, allowed);
            answers.add(answer);
            if (answer.accepted()) {
                acceptedSyntaxes.add(pc.abstractSyntax());
            }
        }
        // Roles: the requestor may be SCU as always, and SCP (for C-GET's C-STORE sub-operations) where it asks.
        List<UserInformation.RoleSelection> roles = new ArrayList<>();
        for (UserInformation.RoleSelection r : rq.userInformation().roleSelections()) {
            if (acceptedSyntaxes.contains(r.sopClassUid())) {
                roles.add(new UserInformation.RoleSelection(r.sopClassUid(), r.scu(), r.scp()));
            }
        }
        // PS3.7 D.3.3.3: the requestor may have up to 16 requests outstanding (they are queued and served in
        // order: C-STORE on the reader, the others on threads of their own); it performs ours one at a time.
        UserInformation.AsyncOpsWindow asked = rq.userInformation().asyncOps();
        UserInformation.AsyncOpsWindow async = asked == null ? null : new UserInformation.AsyncOpsWindow(
                asked.invoked() == 0 ? MAX_ASYNC_INVOKED : Math.min(asked.invoked(), MAX_ASYNC_INVOKED), 1);
        UserInformation info = UserInformation.of(maxPduLength, DicomWriter.IMPLEMENTATION_CLASS_UID,
                DicomWriter.IMPLEMENTATION_VERSION_NAME).withRoleSelections(roles).withAsyncOps(async)
                .withExtendedNegotiations(extendedAnswers(rq.userInformation(), acceptedSyntaxes));
        return new Accept(new Pdu.AssociateAc(1, rq.calledAeTitle(), rq.callingAeTitle(), Pdu.APPLICATION_CONTEXT,
                answers, info));
    }

    /**
     * PS3.7 D.3.3.5: one reply per SOP class that proposed a sub-item, was accepted in some context and has an answer
     * here; the first sub-item counts when a requestor sends several for one SOP class (only one is allowed).
     */
    private List<UserInformation.ExtendedNegotiation> extendedAnswers(UserInformation asked, Set<String> accepted) {
        List<UserInformation.ExtendedNegotiation> out = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (UserInformation.ExtendedNegotiation e : asked.extendedNegotiations()) {
            UnaryOperator<byte[]> answer = extended.get(e.sopClassUid());
            if (!seen.add(e.sopClassUid()) || answer == null || !accepted.contains(e.sopClassUid())) {
                continue;
            }
            byte[] reply = answer.apply(e.info().clone());
            if (reply != null && reply.length > 0) {
                out.add(new UserInformation.ExtendedNegotiation(e.sopClassUid(), reply.clone()));
            }
        }
        return out;
    }

    /** The yes/no answer of {@link Builder#extendedNegotiation(String, byte...)}. */
    static byte[] flags(byte[] proposed, byte[] supported) {
        byte[] reply = new byte[Math.min(proposed.length, supported.length)];
        for (int i = 0; i < reply.length; i++) {
            reply[i] = (byte) (proposed[i] != 0 && supported[i] == 1 ? 1 : 0);
        }
        return reply;
    }

    private Pdu.PresentationContextAc answer(Pdu.PresentationContextRq pc, Set<Permission> allowed) {
        List<String> ours = syntaxes.get(pc.abstractSyntax());
        if (ours == null) {
            return new Pdu.PresentationContextAc(pc.id(), Pdu.PresentationContextAc.ABSTRACT_SYNTAX_NOT_SUPPORTED, "");
        }
        if (!allowed.contains(permissionOf(pc.abstractSyntax()))) {
            return new Pdu.PresentationContextAc(pc.id(), Pdu.PresentationContextAc.USER_REJECTION, "");
        }
        // An empty list means "whatever the requestor prefers, among the syntaxes we can read".
        if (ours.isEmpty()) {
            for (String ts : pc.transferSyntaxes()) {
                if (TransferSyntax.all().stream().anyMatch(t -> t.uid().equals(ts))) {
                    return new Pdu.PresentationContextAc(pc.id(), Pdu.PresentationContextAc.ACCEPTANCE, ts);
                }
            }
        } else {
            for (String ts : ours) {
                if (pc.transferSyntaxes().contains(ts)) {
                    return new Pdu.PresentationContextAc(pc.id(), Pdu.PresentationContextAc.ACCEPTANCE, ts);
                }
            }
        }
        return new Pdu.PresentationContextAc(pc.id(), Pdu.PresentationContextAc.TRANSFER_SYNTAXES_NOT_SUPPORTED, "");
    }

    /** The permission an abstract syntax needs. */
    public static Permission permissionOf(String abstractSyntax) {
        if (abstractSyntax.equals(Uid.Verification)) {
            return Permission.ECHO;
        }
        if (STORAGE.contains(abstractSyntax)) {
            return Permission.STORE;
        }
        String keyword = UidRegistry.keywordOf(abstractSyntax);
        if (keyword.contains("QueryRetrieve") || keyword.contains("InformationModel")) {
            if (keyword.endsWith("Find")) {
                return Permission.FIND;
            }
            if (keyword.endsWith("Move")) {
                return Permission.MOVE;
            }
            if (keyword.endsWith("Get")) {
                return Permission.GET;
            }
        }
        return Permission.OTHER;
    }

    /** Every storage SOP class of the UID registry, retired ones included (old modalities still send them). */
    public static final Set<String> STORAGE = storageClasses();

    private static Set<String> storageClasses() {
        Set<String> all = new java.util.TreeSet<>();
        for (UidRegistry.Entry e : UidRegistry.all()) {
            if (e.type().equals("SOP Class") && e.keyword().contains("Storage") && !e.keyword().startsWith("Storage")) {
                all.add(e.uid());
            }
        }
        return Set.copyOf(all);
    }

    /** The query/retrieve information models Lightbox serves. */
    public static final List<String> QUERY_RETRIEVE = List.of(
            Uid.PatientRootQueryRetrieveInformationModelFind, Uid.StudyRootQueryRetrieveInformationModelFind,
            Uid.PatientRootQueryRetrieveInformationModelMove, Uid.StudyRootQueryRetrieveInformationModelMove,
            Uid.PatientRootQueryRetrieveInformationModelGet, Uid.StudyRootQueryRetrieveInformationModelGet);

    public static final class Builder {
        private final Set<String> aeTitles = new LinkedHashSet<>();
        private final Map<String, List<String>> syntaxes = new LinkedHashMap<>();
        private final Map<String, Set<Permission>> peers = new HashMap<>();
        private Set<Permission> unknownPeers = EnumSet.allOf(Permission.class);
        private long maxPduLength = NetOptions.DEFAULT.maxPduLength();
        private final Map<String, UnaryOperator<byte[]>> extended = new HashMap<>();

        private Builder(String aeTitle) {
            aeTitles.add(AeTitles.check(aeTitle, "AE title"));
        }

        /** Another called AE title to answer to. */
        public Builder alsoAnswerTo(String aeTitle) {
            aeTitles.add(AeTitles.check(aeTitle, "AE title"));
            return this;
        }

        /**
         * Accepts an abstract syntax with these transfer syntaxes, the first that the requestor also proposed winning;
         * an empty list accepts the requestor's first choice among every syntax Lightbox can read.
         */
        public Builder accept(String abstractSyntax, List<String> transferSyntaxes) {
            syntaxes.put(abstractSyntax, List.copyOf(transferSyntaxes));
            return this;
        }

        /**
         * The defaults of an archive: Verification and the query/retrieve models in explicit or implicit VR little
         * endian, every storage SOP class in whatever transfer syntax the modality prefers.
         */
        public Builder acceptArchiveDefaults() {
            List<String> plain = List.of(Uid.ExplicitVRLittleEndian, Uid.ImplicitVRLittleEndian);
            accept(Uid.Verification, plain);
            QUERY_RETRIEVE.forEach(uid -> accept(uid, plain));
            STORAGE.forEach(uid -> accept(uid, List.of()));
            return this;
        }

        /** A known calling AE and what it may do; nothing at all rejects its associations. */
        public Builder peer(String callingAeTitle, Set<Permission> permissions) {
            peers.put(AeTitles.check(callingAeTitle, "calling AE title"), permissions.isEmpty() ? Set.of()
                    : EnumSet.copyOf(permissions));
            return this;
        }

        /** What calling AEs not named by {@link #peer} may do; an empty set rejects them (the default: anything). */
        public Builder unknownPeers(Set<Permission> permissions) {
            unknownPeers = permissions.isEmpty() ? Set.of() : EnumSet.copyOf(permissions);
            return this;
        }

        /**
         * Answers SOP Class Extended Negotiation (PS3.7 D.3.3.5) for a SOP class whose application information is
         * a row of yes/no bytes, as the Query/Retrieve service class has (PS3.4 C.5): byte i of the reply is 1 when
         * the requestor asked for it and {@code supported[i]} is 1, else 0. The reply has as many bytes as were
         * proposed, but no more than {@code supported}: a byte left out means 0.
         */
        public Builder extendedNegotiation(String sopClassUid, byte... supported) {
            byte[] ours = supported.clone();
            return extendedNegotiation(sopClassUid, proposed -> flags(proposed, ours));
        }

        /**
         * Answers SOP Class Extended Negotiation (PS3.7 D.3.3.5) for a SOP class with a function of its own: it gets
         * the service-class-application-information the requestor proposed and returns the reply, or an empty array
         * for none. It is called only when the SOP class was accepted in some presentation context; it must be
         * thread-safe (associations are negotiated in parallel) and must not throw (the request would go unanswered). What was agreed is then
         * {@link Association#extendedNegotiation(String)}.
         */
        public Builder extendedNegotiation(String sopClassUid, UnaryOperator<byte[]> answer) {
            extended.put(sopClassUid, java.util.Objects.requireNonNull(answer));
            return this;
        }

        public Builder maxPduLength(long max) {
            maxPduLength = max;
            return this;
        }

        public AcceptorPolicy build() {
            return new AcceptorPolicy(this);
        }
    }

    /** Parses a permission list such as "echo,store,find" (configuration files and flags use it). */
    public static Set<Permission> parsePermissions(String list) {
        Set<Permission> set = EnumSet.noneOf(Permission.class);
        for (String p : list.split("[,\\s]+")) {
            if (p.isBlank()) {
                continue;
            }
            if (p.equalsIgnoreCase("all") || p.equals("*")) {
                return EnumSet.allOf(Permission.class);
            }
            if (p.equalsIgnoreCase("none")) {
                continue;
            }
            try {
                set.add(Permission.valueOf(p.strip().toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown permission \"" + p + "\" (echo, store, find, move, get, "
                        + "other, all or none)");
            }
        }
        return set;
    }
}
