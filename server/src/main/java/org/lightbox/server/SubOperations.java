// SPDX-License-Identifier: Apache-2.0
package org.lightbox.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.lightbox.archive.Archive;
import org.lightbox.archive.Retrieve;
import org.lightbox.archive.StoredInstance;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.TransferSyntax;
import org.lightbox.dicom.Uid;
import org.lightbox.dicom.Vr;
import org.lightbox.imaging.Conversion;
import org.lightbox.imaging.PixelCodec;
import org.lightbox.net.Association;
import org.lightbox.net.DimseService;
import org.lightbox.net.PresentationContext;
import org.lightbox.net.Response;
import org.lightbox.net.Status;
import org.lightbox.net.pdu.UserInformation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The C-STORE sub-operations of one C-MOVE or C-GET: sends each instance, counts the outcomes, sends a pending
 * response after each, and builds the final response. Used by one thread.
 *
 * <p>An instance goes as stored (the blob's bytes after its File Meta Information, streamed, never parsed) when the
 * peer accepted its SOP class in its stored transfer syntax. Otherwise it is converted to an uncompressed syntax the
 * peer accepted for the class (Explicit VR Little Endian first) by imaging's {@link Conversion}, the path WADO-RS uses
 * too: re-encoded when the stored syntax is native, its pixel data decoded into a temporary file when it is
 * compressed. Everything that can fail before the first byte (a missing blob, a codec that is lacking) fails the one
 * sub-operation before it starts, so the association carrying it is never aborted for it.
 */
final class SubOperations {
    private static final Logger LOG = LoggerFactory.getLogger(SubOperations.class);
    private static final List<String> FALLBACKS = List.of(Uid.ExplicitVRLittleEndian, Uid.ImplicitVRLittleEndian);

    private final int total;
    private final DimseService.Responder out;
    private final Archive archive;
    private int completed;
    private int failed;
    private int warning;
    private boolean cancelled;
    private final List<String> failedUids = new ArrayList<>();
    private String lastError = "";

    SubOperations(int total, DimseService.Responder out, Archive archive) {
        this.total = total;
        this.out = out;
        this.archive = archive;
    }

    /** Whether the requestor sent C-CANCEL (or went away); remembered once seen. */
    boolean cancelled() {
        if (!cancelled && out.cancelled()) {
            cancelled = true;
        }
        return cancelled;
    }

    /**
     * Sends one instance on {@code a} and reports progress.
     *
     * @param asGet whether this is a C-GET, whose requestor must have taken the SCP role for the SOP class
     * @param originatorAe the Move Originator AE Title for C-MOVE, else null
     * @throws IOException when the pending response cannot be sent to the requestor
     */
    void send(Association a, StoredInstance instance, boolean asGet, int priority, String originatorAe,
            int originatorId) throws IOException {
        String sopClass = instance.sopClassUid();
        if (asGet && !a.role(sopClass).map(UserInformation.RoleSelection::scp).orElse(false)) {
            fail(instance, "the requestor did not take the SCP role for " + sopClass);
            return;
        }
        Optional<PresentationContext> asStored = a.context(sopClass, instance.transferSyntaxUid());
        String target = asStored.map(PresentationContext::transferSyntax).orElseGet(() -> fallback(a, sopClass));
        if (target == null) {
            fail(instance, "no presentation context accepted for " + sopClass + " in "
                    + instance.transferSyntaxUid() + " or an uncompressed syntax");
            return;
        }
        Source source;
        try {
            source = asStored.isPresent() ? Source.stored(archive, instance) : Source.converted(archive, instance,
                    TransferSyntax.of(target));
        } catch (IOException | RuntimeException e) {
            LOG.warn("{}: {} cannot be sent in {}: {}", a, instance.sopInstanceUid(), target, e.toString());
            fail(instance, "cannot prepare " + instance.sopInstanceUid() + ": " + e.getMessage());
            return;
        }
        Response r;
        try {
            r = a.store(sopClass, instance.sopInstanceUid(), target, source::writeTo, priority, originatorAe,
                    originatorId);
        } catch (IOException e) {
            fail(instance, "C-STORE to " + a.peerAeTitle() + ": " + e.getMessage());
            return;
        } finally {
            source.close();
        }
        int status = r.status();
        if (Status.isSuccess(status)) {
            completed++;
        } else if (Status.isWarning(status)) {
            warning++;
        } else {
            failed++;
            failedUids.add(instance.sopInstanceUid());
            lastError = a.peerAeTitle() + " answered " + r.describe();
            LOG.info("{}: C-STORE of {} answered {}", a, instance.sopInstanceUid(), r.describe());
        }
        pending();
    }

    /** The first uncompressed syntax the peer accepted for the SOP class, Explicit VR Little Endian first. */
    private static String fallback(Association a, String sopClass) {
        for (String ts : FALLBACKS) {
            if (a.context(sopClass, ts).isPresent()) {
                return ts;
            }
        }
        return a.contexts().stream().filter(c -> c.abstractSyntax().equals(sopClass)
                && !TransferSyntax.of(c.transferSyntax()).isEncapsulated()).map(PresentationContext::transferSyntax)
                .findFirst().orElse(null);
    }

    /** Counts one sub-operation as failed and reports progress. */
    void fail(StoredInstance instance, String why) throws IOException {
        failed++;
        failedUids.add(instance.sopInstanceUid());
        lastError = why;
        pending();
    }

    /** Counts every instance of a group as failed (its association could not be opened). */
    void failAll(List<StoredInstance> group, String why) throws IOException {
        for (StoredInstance i : group) {
            failed++;
            failedUids.add(i.sopInstanceUid());
        }
        lastError = why;
        pending();
    }

    private int remaining() {
        return total - completed - failed - warning;
    }

    private Dataset.Builder counts(boolean withRemaining) {
        Dataset.Builder b = Dataset.builder();
        if (withRemaining) {
            b.setNumbers(Tag.NumberOfRemainingSuboperations, Vr.US, remaining());
        }
        return b.setNumbers(Tag.NumberOfCompletedSuboperations, Vr.US, completed)
                .setNumbers(Tag.NumberOfFailedSuboperations, Vr.US, failed)
                .setNumbers(Tag.NumberOfWarningSuboperations, Vr.US, warning);
    }

    private void pending() throws IOException {
        if (remaining() > 0) {
            out.pending(Response.of(Status.PENDING, counts(true), null));
        }
    }

    /** The final response: success, B000, A702 or FE00 with the counts and the Failed SOP Instance UID List. */
    Response finalResponse() {
        Dataset failedList = failedUids.isEmpty() ? null : Dataset.builder()
                .setStrings(Tag.FailedSOPInstanceUIDList, Vr.UI, failedUids.toArray(String[]::new)).build();
        if (cancelled && remaining() > 0) {
            return Response.of(Status.CANCEL, counts(true), failedList);
        }
        if (failed == 0 && warning == 0) {
            return Response.of(Status.SUCCESS, counts(false), null);
        }
        if (failed == total) {
            return Response.of(Status.QR_OUT_OF_RESOURCES_SUB_OPERATIONS, counts(false)
                    .setStrings(Tag.ErrorComment, Vr.LO, RetrieveService.clip(lastError)), failedList);
        }
        return Response.of(Status.QR_SUB_OPERATIONS_COMPLETE_WITH_FAILURES, counts(false), failedList);
    }

    String summary() {
        return completed + " completed, " + warning + " with warnings, " + failed + " failed"
                + (cancelled && remaining() > 0 ? ", " + remaining() + " not started (cancelled)" : "")
                + (failed > 0 ? " (last failure: " + lastError + ")" : "");
    }

    /** The bytes of one sub-operation's data set, opened before the C-STORE starts. */
    private interface Source extends AutoCloseable {
        void writeTo(OutputStream out) throws IOException;

        @Override
        void close();

        /** The blob past its File Meta Information. */
        static Source stored(Archive archive, StoredInstance instance) throws IOException {
            InputStream in = Retrieve.openDataset(archive, instance);
            return new Source() {
                @Override
                public void writeTo(OutputStream out) throws IOException {
                    in.transferTo(out);
                }

                @Override
                public void close() {
                    try {
                        in.close();
                    } catch (IOException ignored) {
                        // read-only
                    }
                }
            };
        }

        /** The instance in another transfer syntax: re-encoded, or its pixel data decoded to a temporary file. */
        static Source converted(Archive archive, StoredInstance instance, TransferSyntax target) throws IOException {
            Conversion conversion = Conversion.prepare(archive.blobFile(instance), target,
                    PixelCodec.EncodeOptions.DEFAULT);
            return new Source() {
                @Override
                public void writeTo(OutputStream out) throws IOException {
                    conversion.writeDataset(out);
                }

                @Override
                public void close() {
                    try {
                        conversion.close();
                    } catch (IOException e) {
                        LOG.warn("cannot delete a temporary file of {}: {}", instance.sopInstanceUid(),
                                e.getMessage());
                    }
                }
            };
        }
    }
}
