// SPDX-License-Identifier: Apache-2.0
package org.lightbox.archive;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What ingest did with one instance. Anything but {@link Status#FAILED} means the instance (or the copy kept
 * before it) is durable and indexed: the front door may answer success (with a warning for
 * {@link Status#DUPLICATE} and {@link Status#CONFLICT_RECORDED}).
 *
 * @param status the outcome
 * @param sopInstanceUid the SOP Instance UID, empty when the data set had none
 * @param failure why it failed (present exactly when the status is FAILED)
 * @param attribute the keyword of the attribute at fault, when one is, such as {@code StudyInstanceUID}
 * @param message one line for the log and the error comment
 * @param stored the instance as stored (present unless FAILED)
 * @param conflicts the disagreements recorded with it
 */
public record IngestResult(Status status, String sopInstanceUid, Optional<Failure> failure, Optional<String> attribute,
        String message, Optional<StoredInstance> stored, List<Conflict> conflicts) {

    public enum Status {
        /** Stored and indexed. */
        STORED,
        /** The SOP Instance UID was already stored and the policy kept the first: nothing new stored (a warning). */
        DUPLICATE,
        /** Stored and indexed as received, but its patient data disagree with the index; recorded (a warning). */
        CONFLICT_RECORDED,
        /** Not stored; nothing of it is left behind. */
        FAILED
    }

    /** Kinds of failure, for the front doors to map to a DIMSE status or an HTTP failure reason. */
    public enum Failure {
        /** A mandatory attribute is absent or empty. */
        MISSING_ATTRIBUTE,
        /** An attribute has a value that cannot be accepted (a malformed UID, or one that contradicts the request). */
        INVALID_ATTRIBUTE,
        /** The bytes are no DICOM data set that can be read. */
        MALFORMED,
        /** The SOP Instance UID is already stored and the policy is REJECT. */
        DUPLICATE_REJECTED
    }

    /** A disagreement between the received instance and what the index holds. */
    public record Conflict(String kind, String attribute, String indexedValue, String receivedValue) {}

    public IngestResult {
        Objects.requireNonNull(status);
        Objects.requireNonNull(sopInstanceUid);
        Objects.requireNonNull(failure);
        Objects.requireNonNull(attribute);
        Objects.requireNonNull(message);
        Objects.requireNonNull(stored);
        conflicts = List.copyOf(conflicts);
        if (failure.isPresent() != (status == Status.FAILED)) {
            throw new IllegalArgumentException("a failure kind goes with FAILED and only with it");
        }
    }

    static IngestResult failed(String sopInstanceUid, Failure failure, String attribute, String message) {
        return new IngestResult(Status.FAILED, sopInstanceUid, Optional.of(failure), Optional.ofNullable(attribute),
                message, Optional.empty(), List.of());
    }

    static IngestResult ok(Status status, StoredInstance stored, String message, List<Conflict> conflicts) {
        return new IngestResult(status, stored.sopInstanceUid(), Optional.empty(), Optional.empty(), message,
                Optional.of(stored), conflicts);
    }

    public boolean isSuccess() {
        return status != Status.FAILED;
    }
}
