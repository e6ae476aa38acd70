// SPDX-License-Identifier: Apache-2.0
package org.lightbox.net;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import javax.net.SocketFactory;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.TransferSyntax;
import org.lightbox.dicom.Uid;
import org.lightbox.dicom.Vr;
import org.lightbox.dicom.io.DicomReader;
import org.lightbox.dicom.io.DicomWriter;
import org.lightbox.dicom.io.ReadOptions;
import org.lightbox.net.StateMachine.Action;
import org.lightbox.net.StateMachine.Event;
import org.lightbox.net.StateMachine.State;
import org.lightbox.net.pdu.PDataOutputStream;
import org.lightbox.net.pdu.Pdu;
import org.lightbox.net.pdu.PduFormatException;
import org.lightbox.net.pdu.PduReader;
import org.lightbox.net.pdu.PduWriter;
import org.lightbox.net.pdu.UserInformation;

/**
 * One DICOM association, from either side: the PS3.8 state machine over a socket, and DIMSE messages over it.
 *
 * <p>One thread reads: the acceptor's connection thread, or a virtual thread a requestor starts once the association
 * is accepted. It reassembles commands, streams C-STORE data sets to the {@link DimseService} registered for their SOP
 * class, hands other requests to virtual threads, and routes responses to the operations waiting for them. Any thread
 * may send: a lock keeps each message's fragments together.
 */
public final class Association implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Association.class.getName());

    private final Socket socket;
    private final InputStream in;
    private final TimedInput timedIn;
    private final OutputStream out;
    private final PduReader reader;
    private final boolean requestor;
    private final NetOptions options;
    private final Map<String, DimseService> services;
    private final ReentrantLock sendLock = new ReentrantLock();
    private final Object stateLock = new Object();
    private State state;
    private Pdu.AssociateRq rq;
    private Pdu.AssociateAc ac;
    private final Map<Integer, PresentationContext> contexts = new HashMap<>();
    private long peerMaxLength;
    private byte[] sendBuffer;
    private final AtomicInteger messageIds = new AtomicInteger();
    private final Map<Integer, BlockingQueue<Object>> waiting = new ConcurrentHashMap<>();
    private final Map<Integer, Operation> running = new ConcurrentHashMap<>();
    private final CountDownLatch ended = new CountDownLatch(1);
    private volatile String endReason = "";
    private volatile boolean aborted;
    private Semaphore invokeWindow = new Semaphore(1);

    // The PDVs of the P-DATA-TF being consumed, and where in them the reader is.
    private List<Pdu.Pdv> pdvs = List.of();
    private int nextPdv;

    private Association(Socket socket, boolean requestor, NetOptions options, Map<String, DimseService> services)
            throws IOException {
        this.socket = socket;
        this.requestor = requestor;
        this.options = options;
        this.services = Map.copyOf(services);
        socket.setTcpNoDelay(true);
        this.timedIn = new TimedInput(socket);
        this.in = new java.io.BufferedInputStream(timedIn, 64 * 1024);
        this.out = socket.getOutputStream();
        this.reader = new PduReader(in, options.maxPduLength());
    }

    // ---- establishment --------------------------------------------------------------------------------------------

    /**
     * Opens an association as requestor (Evt1, AE-1, AE-2 and the answer). Services given here serve requests the
     * peer sends back on it: the C-STORE sub-operations of a C-GET, or N-EVENT-REPORTs.
     *
     * @throws AssociationException when the peer rejects or aborts, naming the reason
     */
    public static Association connect(String host, int port, Proposal proposal, NetOptions options,
            SocketFactory sockets, Map<String, DimseService> services) throws IOException {
        Socket s = (sockets == null ? SocketFactory.getDefault() : sockets).createSocket();
        try {
            s.connect(new InetSocketAddress(host, port), (int) options.connectTimeout().toMillis());
        } catch (IOException e) {
            s.close();
            throw new AssociationException("cannot connect to " + host + ":" + port + ": " + e.getMessage(), e);
        }
        Association a = new Association(s, true, options, services);
        try {
            a.request(proposal.toPdu(options.maxPduLength()));
        } catch (IOException | RuntimeException e) {
            a.closeSocket();
            throw e;
        }
        Thread.ofVirtual().name("dicom-rd " + proposal.calledAeTitle() + "@" + host + ":" + port).start(a::readLoop);
        return a;
    }

    private void request(Pdu.AssociateRq pdu) throws IOException {
        state = State.STA4;
        transition(Event.TRANSPORT_CONFIRM);
        this.rq = pdu;
        sendPdu(pdu);
        Pdu answer;
        try {
            answer = readWithTimeout(options.artimTimeout(), "the A-ASSOCIATE answer");
        } catch (PduFormatException e) {
            transition(Event.INVALID_PDU); // AA-8
            providerAbort(e.abortReason());
            throw new AssociationException(rq.calledAeTitle() + " answered with an invalid PDU: " + e.getMessage(), e);
        }
        switch (answer) {
            case Pdu.AssociateAc accept -> {
                transition(Event.ASSOCIATE_AC_PDU);
                established(accept);
            }
            case Pdu.AssociateRj reject -> {
                transition(Event.ASSOCIATE_RJ_PDU);
                closeSocket();
                throw new AssociationException(rq.calledAeTitle() + " " + reject.describe());
            }
            case Pdu.Abort abort -> {
                transition(Event.ABORT_PDU);
                closeSocket();
                throw new AssociationException(rq.calledAeTitle() + " " + abort.describe());
            }
            case null -> {
                closeSocket();
                throw new AssociationException(rq.calledAeTitle() + " closed the connection instead of answering");
            }
            default -> {
                providerAbort(Pdu.Abort.REASON_UNEXPECTED_PDU);
                throw new AssociationException("unexpected answer to A-ASSOCIATE-RQ: " + answer);
            }
        }
    }

    /**
     * Serves one incoming connection as acceptor on the calling thread until the association ends: reads the request,
     * asks {@code policy}, answers, and then serves DIMSE until release or abort.
     *
     * @param admit called with the request once it is read; returns a rejection to send instead (e.g. too many
     *     associations), or {@code null} to let the policy decide
     */
    public static void serve(Socket socket, AcceptorPolicy policy, NetOptions options,
            Map<String, DimseService> services, java.util.function.Function<Pdu.AssociateRq, Pdu.AssociateRj> admit,
            java.util.function.Consumer<Association> onEstablished) {
        Association a;
        try {
            a = new Association(socket, false, options, services);
        } catch (IOException e) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // nothing more to do for a socket that never worked
            }
            return;
        }
        a.state = State.STA1;
        try {
            a.transition(Event.TRANSPORT_INDICATION); // AE-5: ARTIM runs as the read timeout below
            Pdu first = a.readWithTimeout(options.artimTimeout(), "an A-ASSOCIATE-RQ");
            if (!(first instanceof Pdu.AssociateRq request)) {
                if (first == null) {
                    a.transition(Event.TRANSPORT_CLOSED);
                    a.closeSocket();
                    return;
                }
                a.onUnexpectedInSta2(first);
                return;
            }
            a.rq = request;
            a.transition(Event.ASSOCIATE_RQ_PDU, true);
            Pdu.AssociateRj limit = admit == null ? null : admit.apply(request);
            AcceptorPolicy.Decision decision = limit != null
                    ? new AcceptorPolicy.Reject(limit, "local limit") : policy.decide(request);
            switch (decision) {
                case AcceptorPolicy.Accept accept -> {
                    a.transition(Event.ASSOCIATE_ACCEPT);
                    a.sendPdu(accept.ac());
                    a.established(accept.ac());
                    LOG.log(System.Logger.Level.INFO, "{0}: accepted {1} of {2} presentation contexts", a,
                            a.contexts.size(), request.presentationContexts().size());
                    if (onEstablished != null) {
                        onEstablished.accept(a);
                    }
                    a.readLoop();
                }
                case AcceptorPolicy.Reject reject -> {
                    LOG.log(System.Logger.Level.INFO, "association from {0} ({1}) rejected: {2}",
                            request.callingAeTitle(), socket.getRemoteSocketAddress(), reject.why());
                    a.transition(Event.ASSOCIATE_REJECT);
                    a.sendPdu(reject.rj());
                    a.awaitClose();
                }
            }
        } catch (PduFormatException e) {
            LOG.log(System.Logger.Level.INFO, "connection from {0}: {1}", socket.getRemoteSocketAddress(),
                    e.getMessage());
            a.onInvalidPdu(e);
        } catch (SocketTimeoutException e) {
            LOG.log(System.Logger.Level.INFO, "connection from {0}: no A-ASSOCIATE-RQ within {1}",
                    socket.getRemoteSocketAddress(), options.artimTimeout());
            a.transition(Event.ARTIM_EXPIRED);
            a.closeSocket();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.INFO, "connection from {0} failed: {1}", socket.getRemoteSocketAddress(),
                    e.getMessage());
            a.closeSocket();
        } finally {
            a.finish("");
        }
    }

    private void onUnexpectedInSta2(Pdu first) throws IOException {
        Event e = eventOf(first);
        Action action = StateMachine.action(state, e);
        if (action == Action.AA_2) { // an A-ABORT before any request: just close
            transition(e);
            closeSocket();
            return;
        }
        LOG.log(System.Logger.Level.INFO, "connection from {0} sent {1} before any A-ASSOCIATE-RQ",
                socket.getRemoteSocketAddress(), first.getClass().getSimpleName());
        transition(e); // AA-1
        sendPdu(new Pdu.Abort(Pdu.Abort.SOURCE_SERVICE_USER, Pdu.Abort.REASON_NOT_SPECIFIED));
        awaitClose();
    }

    private void established(Pdu.AssociateAc accept) {
        this.ac = accept;
        Map<Integer, String> proposed = new HashMap<>();
        for (Pdu.PresentationContextRq pc : rq.presentationContexts()) {
            proposed.put(pc.id(), pc.abstractSyntax());
        }
        for (Pdu.PresentationContextAc pc : accept.presentationContexts()) {
            String abstractSyntax = proposed.get(pc.id());
            if (pc.accepted() && abstractSyntax != null) {
                contexts.put(pc.id(), new PresentationContext(pc.id(), abstractSyntax, pc.transferSyntax()));
            }
        }
        UserInformation peer = requestor ? accept.userInformation() : rq.userInformation();
        peerMaxLength = peer.maxLength();
        sendBuffer = new byte[PDataOutputStream.bufferSize(peerMaxLength)];
        UserInformation.AsyncOpsWindow window = accept.userInformation().asyncOps();
        int invoked = window == null ? 1 : (requestor ? window.invoked() : window.performed());
        invokeWindow = new Semaphore(invoked == 0 ? Integer.MAX_VALUE : invoked);
    }

    // ---- the reader -----------------------------------------------------------------------------------------------

    private void readLoop() {
        try {
            while (true) {
                Pdu.Pdv pdv = nextPdv(false);
                if (pdv == null) {
                    return;
                }
                if (!pdv.command()) {
                    throw protocolError("a data set fragment arrived before its command");
                }
                ByteArrayOutputStream command = new ByteArrayOutputStream(256);
                int contextId = pdv.contextId();
                while (true) {
                    if (command.size() + pdv.length() > Command.MAX_ENCODED_LENGTH) {
                        throw protocolError("a command set longer than " + Command.MAX_ENCODED_LENGTH + " bytes");
                    }
                    command.write(pdv.buffer(), pdv.offset(), pdv.length());
                    if (pdv.last()) {
                        break;
                    }
                    pdv = nextPdv(true);
                    if (pdv == null) {
                        return;
                    }
                    if (!pdv.command() || pdv.contextId() != contextId) {
                        throw protocolError("a command's fragments are interleaved with another message");
                    }
                }
                Command cmd;
                try {
                    cmd = Command.decode(command.toByteArray(), command.size());
                } catch (IOException e) {
                    throw protocolError("malformed command set: " + e.getMessage());
                }
                onCommand(contexts.get(contextId), cmd);
            }
        } catch (PduFormatException e) {
            LOG.log(System.Logger.Level.WARNING, "{0}: {1}; aborting", this, e.getMessage());
            onInvalidPdu(e);
        } catch (IOException | RuntimeException e) {
            if (!aborted) {
                LOG.log(System.Logger.Level.WARNING, "{0}: {1}", this, describe(e));
                if (isEstablished() && !(e instanceof EOFException)) { // EOF: Evt17, AA-4
                    abort();
                }
            }
            closeSocket();
        } finally {
            finish(endReason.isEmpty() ? "connection closed" : endReason);
        }
    }

    private static String describe(Throwable e) {
        return e instanceof EOFException ? "the peer closed the connection in the middle of a PDU"
                : e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    /**
     * The next PDV, reading PDUs as needed and acting on release and abort PDUs as the state table says. Returns
     * {@code null} once the association is over.
     *
     * @param midMessage a message is half received: a release request now is a protocol error
     */
    private Pdu.Pdv nextPdv(boolean midMessage) throws IOException {
        while (nextPdv == pdvs.size()) {
            Pdu pdu;
            try {
                pdu = reader.read();
            } catch (SocketTimeoutException idle) {
                if (reader.isInsidePdu() && !midMessage) {
                    throw new SocketTimeoutException("the peer stalled in the middle of a PDU for "
                            + options.idleTimeout());
                }
                if (isIdle() && !midMessage) {
                    LOG.log(System.Logger.Level.INFO, "{0}: idle for {1}; aborting", this, options.idleTimeout());
                    endReason = "idle timeout";
                    abort();
                    return null;
                }
                if (midMessage) {
                    throw new SocketTimeoutException("the peer stalled in the middle of a message for "
                            + options.idleTimeout());
                }
                continue;
            }
            if (pdu == null) {
                Action a = transition(Event.TRANSPORT_CLOSED);
                if (a == Action.AA_4 && !aborted) {
                    endReason = "the peer closed the connection without releasing";
                    LOG.log(System.Logger.Level.WARNING, "{0}: {1}", this, endReason);
                }
                closeSocket();
                return null;
            }
            switch (pdu) {
                case Pdu.PDataTf data -> {
                    Action a = transition(Event.P_DATA_TF_PDU);
                    if (a != Action.DT_2 && a != Action.AR_6) {
                        return afterProviderAbort(a);
                    }
                    for (Pdu.Pdv pdv : data.pdvs()) {
                        if (!contexts.containsKey(pdv.contextId())) {
                            throw new PduFormatException(Pdu.Abort.REASON_INVALID_PDU_PARAMETER_VALUE,
                                    "a PDV for presentation context " + pdv.contextId() + ", which was not accepted");
                        }
                    }
                    pdvs = data.pdvs();
                    nextPdv = 0;
                }
                case Pdu.ReleaseRq ignored -> {
                    if (midMessage) {
                        throw protocolError("A-RELEASE-RQ in the middle of a message");
                    }
                    Action a = transition(Event.RELEASE_RQ_PDU);
                    if (a == Action.AR_2) {
                        onReleaseRequested();
                        return null;
                    } else if (a == Action.AR_8) {
                        onReleaseCollision();
                    } else {
                        return afterProviderAbort(a);
                    }
                }
                case Pdu.ReleaseRp ignored -> {
                    Action a = transition(Event.RELEASE_RP_PDU);
                    if (a == Action.AR_3) {
                        endReason = "released";
                        closeSocket();
                        return null;
                    } else if (a == Action.AR_10) {
                        transition(Event.RELEASE_RESPONSE); // AR-4 in Sta12
                        sendPdu(new Pdu.ReleaseRp());
                        endReason = "released";
                        awaitClose();
                        return null;
                    }
                    return afterProviderAbort(a);
                }
                case Pdu.Abort abort -> {
                    transition(Event.ABORT_PDU);
                    aborted = true;
                    endReason = abort.describe();
                    LOG.log(System.Logger.Level.WARNING, "{0}: {1}", this, abort.describe());
                    closeSocket();
                    return null;
                }
                default -> {
                    return afterProviderAbort(transition(eventOf(pdu)));
                }
            }
        }
        return pdvs.get(nextPdv++);
    }

    private Pdu.Pdv afterProviderAbort(Action a) throws IOException {
        if (a == Action.AA_8 || a == Action.AA_1 || a == Action.AA_7) {
            aborted = true;
            endReason = "unexpected PDU: aborted";
            sendPdu(new Pdu.Abort(a == Action.AA_8 ? Pdu.Abort.SOURCE_SERVICE_PROVIDER : Pdu.Abort.SOURCE_SERVICE_USER,
                    Pdu.Abort.REASON_UNEXPECTED_PDU));
            awaitClose();
        }
        return null;
    }

    private boolean isIdle() {
        return options.idleTimeout().isZero() ? false : running.isEmpty() && waiting.isEmpty();
    }

    private void onReleaseRequested() throws IOException {
        // Finish what runs before answering (graceful release), bounded by the ARTIM timer.
        long deadline = System.nanoTime() + Math.max(options.artimTimeout().toNanos(), 1);
        while (!running.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        transition(Event.RELEASE_RESPONSE); // AR-4
        sendPdu(new Pdu.ReleaseRp());
        endReason = "released";
        awaitClose();
    }

    private void onReleaseCollision() throws IOException {
        if (requestor) {
            transition(Event.RELEASE_RESPONSE); // AR-9 in Sta9: our A-RELEASE-RP, then wait for theirs
            sendPdu(new Pdu.ReleaseRp());
        }
        // The acceptor (Sta10) waits for the requestor's A-RELEASE-RP, then answers it (AR-10, AR-4).
    }

    private static Event eventOf(Pdu pdu) {
        return switch (pdu) {
            case Pdu.AssociateRq ignored -> Event.ASSOCIATE_RQ_PDU;
            case Pdu.AssociateAc ignored -> Event.ASSOCIATE_AC_PDU;
            case Pdu.AssociateRj ignored -> Event.ASSOCIATE_RJ_PDU;
            case Pdu.PDataTf ignored -> Event.P_DATA_TF_PDU;
            case Pdu.ReleaseRq ignored -> Event.RELEASE_RQ_PDU;
            case Pdu.ReleaseRp ignored -> Event.RELEASE_RP_PDU;
            case Pdu.Abort ignored -> Event.ABORT_PDU;
        };
    }

    /** Evt19: AA-1 in Sta2, AA-8 in Sta3 to Sta12 (send A-ABORT with the reason), then wait for the close. */
    private void onInvalidPdu(PduFormatException e) {
        aborted = true;
        endReason = "invalid PDU: " + e.getMessage();
        try {
            Action a = transition(Event.INVALID_PDU);
            if (a != null && a != Action.AA_6) {
                sendPdu(new Pdu.Abort(Pdu.Abort.SOURCE_SERVICE_PROVIDER, e.abortReason()));
            }
            awaitClose();
        } catch (IOException | RuntimeException ignored) {
            closeSocket();
        }
        failWaiting();
    }

    /** Sta13: reads until the peer closes or the ARTIM timer expires, then closes. */
    private void awaitClose() {
        try {
            socket.shutdownOutput();
            timedIn.deadline(options.artimTimeout());
            byte[] sink = new byte[8192];
            while (in.read(sink) >= 0) {
                // PS3.8 AA-6: PDUs arriving now are ignored
            }
        } catch (IOException ignored) {
            // ARTIM expired or the connection broke: close either way
        }
        closeSocket();
    }

    // ---- incoming messages ----------------------------------------------------------------------------------------

    private void onCommand(PresentationContext pc, Command cmd) throws IOException {
        if (cmd.isRequest()) {
            if (cmd.field() == Command.C_CANCEL_RQ) {
                Operation op = running.get(cmd.messageIdBeingRespondedTo());
                if (op != null) {
                    op.cancelled.set(true);
                }
                skipData(pc, cmd);
                return;
            }
            onRequest(pc, cmd);
        } else {
            Dataset data = cmd.hasDataSet() ? readDataset(pc) : null;
            BlockingQueue<Object> q = waiting.get(cmd.messageIdBeingRespondedTo());
            if (q == null) {
                LOG.log(System.Logger.Level.WARNING, "{0}: ignoring {1}, which answers no outstanding request", this,
                        cmd.describe());
                return;
            }
            deliver(cmd.messageIdBeingRespondedTo(), q, new Response(cmd, data));
        }
    }

    /**
     * Hands a response to the operation waiting for it. A full queue (a requestor reading matches slower than the
     * peer sends them) makes the reader wait, which pushes back on the peer through TCP, rather than fail; the wait
     * ends if the operation has gone.
     */
    private void deliver(int messageId, BlockingQueue<Object> q, Response response) throws IOException {
        try {
            while (!q.offer(response, 100, TimeUnit.MILLISECONDS)) {
                if (waiting.get(messageId) != q) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted handing a response to its operation");
        }
    }

    private void onRequest(PresentationContext pc, Command cmd) throws IOException {
        DimseService service = services.get(pc.abstractSyntax());
        DimseService.Request request = new DimseService.Request(this, pc, cmd);
        if (service == null || !cmd.sopClassUid().equals(pc.abstractSyntax())
                && cmd.field() != Command.N_ACTION_RQ && cmd.field() != Command.N_EVENT_REPORT_RQ) {
            skipData(pc, cmd);
            respond(request, Response.of(Status.REFUSED_SOP_CLASS_NOT_SUPPORTED, service == null
                    ? "no service for " + pc.abstractSyntax() : "SOP class " + cmd.sopClassUid()
                    + " sent on a presentation context for " + pc.abstractSyntax()));
            return;
        }
        switch (cmd.field()) {
            case Command.C_ECHO_RQ -> {
                skipData(pc, cmd);
                respond(request, service.echo(request));
            }
            case Command.C_STORE_RQ -> {
                if (!cmd.hasDataSet()) {
                    respond(request, Response.of(Status.MISSING_ATTRIBUTE, "C-STORE-RQ without a data set"));
                    return;
                }
                PdvInput data = new PdvInput(pc.id(), options.maxStoreDataSetLength());
                Response r;
                try {
                    r = service.store(request, data);
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.ERROR, this + ": C-STORE service failed", e);
                    r = Response.of(Status.STORE_CANNOT_UNDERSTAND, "processing failure: " + e.getMessage());
                }
                data.drain();
                respond(request, r);
            }
            case Command.C_FIND_RQ, Command.C_MOVE_RQ, Command.C_GET_RQ, Command.N_EVENT_REPORT_RQ, Command.N_GET_RQ,
                    Command.N_SET_RQ, Command.N_ACTION_RQ, Command.N_CREATE_RQ, Command.N_DELETE_RQ -> {
                Dataset data = cmd.hasDataSet() ? readDataset(pc) : null;
                if (running.containsKey(cmd.messageId())) {
                    respond(request, Response.of(Status.DUPLICATE_INVOCATION, "message ID " + cmd.messageId()
                            + " is already in progress"));
                    return;
                }
                Operation op = new Operation();
                running.put(cmd.messageId(), op);
                Thread.ofVirtual().name("dimse " + cmd.describe()).start(() -> perform(service, request, data, op));
            }
            default -> {
                skipData(pc, cmd);
                respond(request, Response.of(Status.UNRECOGNIZED_OPERATION, "unknown command field "
                        + String.format("0x%04X", cmd.field())));
            }
        }
    }

    private void perform(DimseService service, DimseService.Request request, Dataset data, Operation op) {
        DimseService.Responder responder = new DimseService.Responder() {
            @Override
            public void pending(Response response) throws IOException {
                if (!Status.isPending(response.status())) {
                    throw new IllegalArgumentException("not a pending status: " + response.describe());
                }
                respond(request, response);
            }

            @Override
            public boolean cancelled() {
                return op.cancelled.get() || !isEstablished();
            }
        };
        try {
            Response r;
            try {
                r = switch (request.command().field()) {
                    case Command.C_FIND_RQ -> service.find(request, data, responder);
                    case Command.C_MOVE_RQ -> service.move(request, data, responder);
                    case Command.C_GET_RQ -> service.get(request, data, responder);
                    default -> service.normalized(request, data);
                };
            } catch (RuntimeException | IOException e) {
                // The requestor still waits for a final response: give it one while the association lasts.
                if (!isEstablished()) {
                    throw e instanceof IOException io ? io : new IOException(e);
                }
                LOG.log(System.Logger.Level.ERROR, this + ": " + request.command().describe() + " failed", e);
                r = Response.of(request.command().field() == Command.C_FIND_RQ ? Status.QR_UNABLE_TO_PROCESS
                        : Status.PROCESSING_FAILURE, "processing failure: " + e.getMessage());
            }
            if (op.cancelled.get() && Status.isSuccess(r.status())) {
                r = Response.of(Status.CANCEL);
            }
            respond(request, r);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.INFO, "{0}: could not answer {1}: {2}", this, request.command().describe(),
                    e.getMessage());
        } finally {
            running.remove(request.command().messageId());
        }
    }

    /** Sends a service's response, completed with the fields every response carries. */
    private void respond(DimseService.Request request, Response r) throws IOException {
        Dataset.Builder b = Command.response(request.command(), r.status(), r.dataset() != null);
        for (var e : r.command().dataset()) {
            if (e.tag() != Tag.Status) {
                b.add(e);
            }
        }
        Dataset data = r.dataset();
        PresentationContext pc = request.context();
        send(pc.id(), new Command(b.build()), data == null ? null
                : o -> DicomWriter.writeDataset(data, TransferSyntax.of(pc.transferSyntax()), o,
                        DicomWriter.Lengths.AS_READ));
    }

    private Dataset readDataset(PresentationContext pc) throws IOException {
        PdvInput data = new PdvInput(pc.id());
        CountingLimit limited = new CountingLimit(data, options.maxCommandDataSetLength());
        Dataset ds;
        try {
            ds = DicomReader.readDataset(limited, TransferSyntax.of(pc.transferSyntax()), ReadOptions.DEFAULT);
        } catch (PduFormatException | SocketTimeoutException | EOFException e) {
            throw e;
        } catch (IOException e) {
            if (!isEstablished()) {
                throw e;
            }
            throw protocolError("malformed data set: " + e.getMessage());
        }
        data.drain();
        return ds;
    }

    private void skipData(PresentationContext pc, Command cmd) throws IOException {
        if (cmd.hasDataSet()) {
            new PdvInput(pc.id()).drain();
        }
    }

    /** The data set of one message, straight from the PDVs as they arrive. */
    private final class PdvInput extends InputStream {
        private final int contextId;
        private Pdu.Pdv current;
        private int pos;
        private boolean done;
        private IOException failure;
        private final long limit;
        private long received;

        PdvInput(int contextId) {
            this(contextId, 0);
        }

        /** @param limit the most bytes the data set may have, 0 for no limit */
        PdvInput(int contextId, long limit) {
            this.contextId = contextId;
            this.limit = limit;
        }

        /** Whether bytes are available; once it has failed, it fails again: a broken data set never ends normally. */
        private boolean fill() throws IOException {
            if (failure != null) {
                throw failure;
            }
            try {
                return advance();
            } catch (IOException e) {
                failure = e;
                throw e;
            }
        }

        private boolean advance() throws IOException {
            while (current == null || pos == current.length()) {
                if (done) {
                    return false;
                }
                if (current != null && current.last()) {
                    done = true;
                    return false;
                }
                Pdu.Pdv pdv = nextPdv(true);
                if (pdv == null) {
                    throw new AssociationException("the association ended in the middle of a data set: "
                            + endReason);
                }
                if (pdv.command() || pdv.contextId() != contextId) {
                    throw protocolError("a data set's fragments are interleaved with another message");
                }
                received += pdv.length();
                if (limit > 0 && received > limit) {
                    throw protocolError("a data set larger than the limit of " + limit + " bytes");
                }
                current = pdv;
                pos = 0;
            }
            return true;
        }

        @Override
        public int read() throws IOException {
            if (!fill()) {
                return -1;
            }
            return current.buffer()[current.offset() + pos++] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (!fill()) {
                return -1;
            }
            int n = Math.min(len, current.length() - pos);
            System.arraycopy(current.buffer(), current.offset() + pos, b, off, n);
            pos += n;
            return n;
        }

        @Override
        public int available() {
            return current == null ? 0 : current.length() - pos;
        }

        /** Hands each fragment to {@code out} straight from the receive buffer: no copy on the way to a file. */
        @Override
        public long transferTo(OutputStream out) throws IOException {
            long n = 0;
            while (fill()) {
                int len = current.length() - pos;
                out.write(current.buffer(), current.offset() + pos, len);
                pos += len;
                n += len;
            }
            return n;
        }

        void drain() throws IOException {
            while (fill()) {
                pos = current.length();
            }
        }
    }

    /** Stops reading a data set held in memory at a limit: an identifier is never that large. */
    private final class CountingLimit extends java.io.FilterInputStream {
        private final long limit;
        private long count;

        CountingLimit(InputStream in, long limit) {
            super(in);
            this.limit = limit;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0 && ++count > limit) {
                throw protocolError("a data set larger than the limit of " + limit + " bytes");
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0 && (count += n) > limit) {
                throw protocolError("a data set larger than the limit of " + limit + " bytes");
            }
            return n;
        }
    }

    private static final class Operation {
        final AtomicBoolean cancelled = new AtomicBoolean();
    }

    /** A violation of PS3.7/PS3.8 by the peer inside otherwise well-formed PDUs. */
    private static PduFormatException protocolError(String message) {
        return new PduFormatException(Pdu.Abort.REASON_UNEXPECTED_PDU_PARAMETER, message);
    }

    // ---- sending --------------------------------------------------------------------------------------------------

    /** Writes a data set's bytes in the transfer syntax of its presentation context. */
    @FunctionalInterface
    public interface DataWriter {
        void writeTo(OutputStream out) throws IOException;
    }

    /** Sends one message: its command and, when {@code data} is not null, its data set. */
    public void send(int contextId, Command command, DataWriter data) throws IOException {
        sendLock.lock();
        try {
            synchronized (stateLock) {
                Action a = StateMachine.action(state, Event.P_DATA_REQUEST);
                if (a == null) {
                    throw new AssociationException("cannot send " + command.describe() + ": association is "
                            + (endReason.isEmpty() ? state.toString() : endReason));
                }
                state = StateMachine.next(a, false);
            }
            try (PDataOutputStream c = new PDataOutputStream(out, contextId, true, peerMaxLength, sendBuffer)) {
                c.write(command.encode());
            }
            if (data != null) {
                PDataOutputStream d = new PDataOutputStream(out, contextId, false, peerMaxLength, sendBuffer);
                try {
                    data.writeTo(d);
                } catch (IOException | RuntimeException e) {
                    // Never mark a half-written data set as complete (close() would): the peer could keep it whole.
                    abort();
                    throw e;
                }
                d.close();
            }
        } finally {
            sendLock.unlock();
        }
    }

    private void sendPdu(Pdu pdu) throws IOException {
        sendLock.lock();
        try {
            PduWriter.write(pdu, out);
            out.flush();
        } finally {
            sendLock.unlock();
        }
    }

    // ---- requests as SCU ------------------------------------------------------------------------------------------

    public int nextMessageId() {
        return messageIds.updateAndGet(i -> i >= 0xFFFF ? 1 : i + 1);
    }

    /**
     * Sends a request and waits for its final response, handing each pending response to {@code onPending}; when that
     * returns false, a C-CANCEL-RQ is sent and the wait goes on for the final response.
     */
    public Response invoke(int contextId, Command request, DataWriter data, Predicate<Response> onPending)
            throws IOException {
        int id = request.messageId();
        BlockingQueue<Object> q = new ArrayBlockingQueue<>(1024);
        try {
            invokeWindow.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted waiting for the asynchronous operations window");
        }
        try {
            if (waiting.putIfAbsent(id, q) != null) {
                throw new IllegalStateException("message ID " + id + " is already outstanding");
            }
            try {
                send(contextId, request, data);
                boolean cancelSent = false;
                while (true) {
                    Object next = poll(q);
                    if (next instanceof IOException e) {
                        throw new AssociationException(e.getMessage(), e);
                    }
                    Response r = (Response) next;
                    if (!Status.isPending(r.status())) {
                        return r;
                    }
                    if (onPending != null && !onPending.test(r) && !cancelSent) {
                        cancelSent = true;
                        send(contextId, new Command(Command.request(Command.C_CANCEL_RQ, id, "", false).build()), null);
                    }
                }
            } finally {
                waiting.remove(id);
            }
        } finally {
            invokeWindow.release();
        }
    }

    private Object poll(BlockingQueue<Object> q) throws IOException {
        try {
            Duration timeout = options.responseTimeout();
            while (true) {
                Object next = q.poll(timeout.isZero() ? 1000 : timeout.toMillis(), TimeUnit.MILLISECONDS);
                if (next != null) {
                    return next;
                }
                if (ended.getCount() == 0) {
                    throw new AssociationException("the association ended before the response came: " + endReason);
                }
                if (!timeout.isZero()) {
                    endReason = "no response within " + timeout;
                    abort();
                    throw new AssociationException("no response within " + timeout + "; association aborted");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted waiting for a response");
        }
    }

    private void failWaiting() {
        for (BlockingQueue<Object> q : waiting.values()) {
            q.offer(new AssociationException("association ended: " + endReason));
        }
    }

    /** C-ECHO on the Verification context. */
    public Response echo() throws IOException {
        PresentationContext pc = context(Uid.Verification).orElseThrow(() -> new AssociationException(
                "the peer did not accept the Verification SOP class"));
        return invoke(pc.id(), new Command(Command.request(Command.C_ECHO_RQ, nextMessageId(), Uid.Verification,
                false).build()), null, null);
    }

    /**
     * C-STORE of one instance whose data set {@code data} writes in {@code transferSyntax}.
     *
     * @param moveOriginator for sub-operations of a C-MOVE: the AE title and message ID of the C-MOVE, else null
     */
    public Response store(String sopClassUid, String sopInstanceUid, String transferSyntax, DataWriter data,
            int priority, String moveOriginatorAe, int moveOriginatorMessageId) throws IOException {
        PresentationContext pc = context(sopClassUid, transferSyntax).orElseThrow(() -> new AssociationException(
                "no presentation context accepted for " + name(sopClassUid) + " in " + name(transferSyntax)));
        Dataset.Builder cmd = Command.request(Command.C_STORE_RQ, nextMessageId(), sopClassUid, true)
                .setNumbers(Tag.Priority, Vr.US, priority)
                .setStrings(Tag.AffectedSOPInstanceUID, Vr.UI, sopInstanceUid);
        if (moveOriginatorAe != null) {
            cmd.setStrings(Tag.MoveOriginatorApplicationEntityTitle, Vr.AE, moveOriginatorAe)
                    .setNumbers(Tag.MoveOriginatorMessageID, Vr.US, moveOriginatorMessageId);
        }
        return invoke(pc.id(), new Command(cmd.build()), data, null);
    }

    /** C-FIND, C-MOVE or C-GET with {@code identifier} on the context of {@code model}. */
    public Response query(int field, String model, Dataset identifier, String moveDestination,
            Predicate<Response> onPending) throws IOException {
        PresentationContext pc = context(model).orElseThrow(() -> new AssociationException(
                "the peer did not accept " + name(model)));
        Dataset.Builder cmd = Command.request(field, nextMessageId(), model, true)
                .setNumbers(Tag.Priority, Vr.US, Command.PRIORITY_MEDIUM);
        if (field == Command.C_MOVE_RQ) {
            cmd.setStrings(Tag.MoveDestination, Vr.AE, moveDestination);
        }
        return invoke(pc.id(), new Command(cmd.build()), o -> DicomWriter.writeDataset(identifier,
                TransferSyntax.of(pc.transferSyntax()), o, DicomWriter.Lengths.DEFINED), onPending);
    }

    private static String name(String uid) {
        String k = org.lightbox.dicom.UidRegistry.keywordOf(uid);
        return k.isEmpty() ? uid : k;
    }

    // ---- release and abort ----------------------------------------------------------------------------------------

    /** A-RELEASE: asks the peer to release and waits for its reply (or the ARTIM timer, then aborts). */
    public void release() throws IOException {
        synchronized (stateLock) {
            if (state != State.STA6) {
                return;
            }
        }
        transition(Event.RELEASE_REQUEST);
        sendPdu(new Pdu.ReleaseRq());
        try {
            if (!ended.await(options.artimTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
                endReason = "no A-RELEASE-RP within " + options.artimTimeout();
                abort();
                throw new AssociationException(endReason + "; aborted");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abort();
        }
    }

    /** A-ABORT (service user); never throws. */
    public void abort() {
        aborted = true;
        try {
            Action a;
            synchronized (stateLock) {
                a = StateMachine.action(state, Event.ABORT_REQUEST);
                if (a == null) {
                    return;
                }
                state = StateMachine.next(a, false);
            }
            if (a == Action.AA_1) {
                sendPdu(new Pdu.Abort(Pdu.Abort.SOURCE_SERVICE_USER, Pdu.Abort.REASON_NOT_SPECIFIED));
            }
        } catch (IOException ignored) {
            // the connection is going anyway
        } finally {
            if (endReason.isEmpty()) {
                endReason = "aborted locally";
            }
            closeSocket();
        }
    }

    /** Releases if still established; for try-with-resources. */
    @Override
    public void close() throws IOException {
        try {
            release();
        } finally {
            closeSocket();
        }
    }

    /** Waits until the association has ended (released, aborted or the connection lost). */
    public boolean awaitEnd(Duration timeout) throws InterruptedException {
        return ended.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void finish(String reason) {
        if (endReason.isEmpty()) {
            endReason = reason;
        }
        for (Operation op : running.values()) {
            op.cancelled.set(true);
        }
        failWaiting();
        if (ended.getCount() > 0) {
            if (rq != null && ac != null) {
                LOG.log(System.Logger.Level.INFO, "{0}: ended ({1})", this, endReason);
            }
            ended.countDown();
        }
    }

    private void closeSocket() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing is all that is left to do
        }
        synchronized (stateLock) {
            state = State.STA1;
        }
    }

    private void providerAbort(int reason) {
        try {
            sendPdu(new Pdu.Abort(Pdu.Abort.SOURCE_SERVICE_PROVIDER, reason));
        } catch (IOException ignored) {
            // closing anyway
        }
        closeSocket();
    }

    // ---- state ----------------------------------------------------------------------------------------------------

    private Action transition(Event event) {
        return transition(event, true);
    }

    /** Applies Table 9-10: the action for {@code event}, and the state it leads to. */
    private Action transition(Event event, boolean condition) {
        synchronized (stateLock) {
            Action a = StateMachine.action(state, event);
            if (a == null) {
                throw new IllegalStateException(event + " is not allowed in " + state);
            }
            boolean cond = a == Action.AR_8 ? requestor : condition;
            state = StateMachine.next(a, cond);
            return a;
        }
    }

    private Pdu readWithTimeout(Duration timeout, String what) throws IOException {
        timedIn.deadline(timeout);
        try {
            return reader.read();
        } finally {
            timedIn.deadline(null);
            socket.setSoTimeout((int) options.idleTimeout().toMillis());
        }
    }

    /**
     * The socket's input. A deadline bounds a whole exchange (the ARTIM timer: a peer that trickles one byte now and
     * then must not keep a connection forever); without one, the socket's timeout bounds each read (idle time).
     */
    private static final class TimedInput extends java.io.FilterInputStream {
        private final Socket socket;
        private volatile long deadline; // System.nanoTime() of expiry; 0 for none

        TimedInput(Socket socket) throws IOException {
            super(socket.getInputStream());
            this.socket = socket;
        }

        void deadline(Duration timeout) {
            deadline = timeout == null ? 0 : System.nanoTime() + Math.max(1, timeout.toNanos());
        }

        private void arm() throws IOException {
            long d = deadline;
            if (d != 0) {
                long left = d - System.nanoTime();
                if (left <= 0) {
                    throw new SocketTimeoutException("the ARTIM timer expired");
                }
                socket.setSoTimeout((int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
        }

        @Override
        public int read() throws IOException {
            arm();
            return super.read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            arm();
            return super.read(b, off, len);
        }
    }

    // ---- what it is -----------------------------------------------------------------------------------------------

    public boolean isEstablished() {
        synchronized (stateLock) {
            return state == State.STA6;
        }
    }

    public State state() {
        synchronized (stateLock) {
            return state;
        }
    }

    /** Why the association ended ("released", an abort reason, ...), or "" while it lasts. */
    public String endReason() {
        return ended.getCount() == 0 ? endReason : "";
    }

    public boolean isRequestor() {
        return requestor;
    }

    public Pdu.AssociateRq request() {
        return rq;
    }

    public Pdu.AssociateAc accept() {
        return ac;
    }

    public String callingAeTitle() {
        return rq.callingAeTitle();
    }

    public String calledAeTitle() {
        return rq.calledAeTitle();
    }

    /** The peer's AE title: the called one for a requestor, the calling one for an acceptor. */
    public String peerAeTitle() {
        return requestor ? rq.calledAeTitle() : rq.callingAeTitle();
    }

    public java.net.SocketAddress remoteAddress() {
        return socket.getRemoteSocketAddress();
    }

    public List<PresentationContext> contexts() {
        return new ArrayList<>(contexts.values());
    }

    /** The first accepted context of {@code abstractSyntax}. */
    public Optional<PresentationContext> context(String abstractSyntax) {
        return contexts.values().stream().filter(c -> c.abstractSyntax().equals(abstractSyntax))
                .min(java.util.Comparator.comparingInt(PresentationContext::id));
    }

    /** The accepted context of {@code abstractSyntax} whose transfer syntax is {@code transferSyntax}. */
    public Optional<PresentationContext> context(String abstractSyntax, String transferSyntax) {
        return contexts.values().stream().filter(c -> c.abstractSyntax().equals(abstractSyntax)
                && c.transferSyntax().equals(transferSyntax))
                .min(java.util.Comparator.comparingInt(PresentationContext::id));
    }

    /** The role selection the acceptor granted for {@code sopClass}, if any was negotiated. */
    public Optional<UserInformation.RoleSelection> role(String sopClass) {
        return ac == null ? Optional.empty() : ac.userInformation().roleSelections().stream()
                .filter(r -> r.sopClassUid().equals(sopClass)).findFirst();
    }

    /**
     * The SOP Class Extended Negotiation agreed for {@code sopClassUid} (PS3.7 D.3.3.5): the
     * service-class-application-information of the acceptor's reply, the same on both sides; an empty array when the
     * acceptor sent none, which means the service class's defaults.
     */
    public byte[] extendedNegotiation(String sopClassUid) {
        if (ac == null) {
            return new byte[0];
        }
        return ac.userInformation().extendedNegotiations().stream().filter(e -> e.sopClassUid().equals(sopClassUid))
                .findFirst().map(e -> e.info().clone()).orElse(new byte[0]);
    }

    public NetOptions options() {
        return options;
    }

    @Override
    public String toString() {
        if (rq == null) {
            return "association with " + socket.getRemoteSocketAddress();
        }
        return rq.callingAeTitle() + (requestor ? "->" : "<-") + rq.calledAeTitle() + " ("
                + socket.getRemoteSocketAddress() + ")";
    }
}
