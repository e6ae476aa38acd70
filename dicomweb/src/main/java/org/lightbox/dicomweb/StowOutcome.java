// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicomweb;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Optional;
import org.lightbox.archive.IngestResult;
import org.lightbox.archive.StoredInstance;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.io.DicomFile;
import org.lightbox.dicom.io.DicomReader;
import org.lightbox.dicom.io.ReadOptions;

/**
 * What STOW-RS did with one instance of a request, as its response reports it (PS3.18 Annex I): stored, stored with
 * a Warning Reason, or failed with a Failure Reason.
 *
 * @param part the request part it came from, from 1 (for an instance built from metadata: its metadata part)
 * @param sopClassUid empty when it could not be read
 * @param sopInstanceUid empty when it could not be read
 * @param studyInstanceUid of a stored instance (else what could be read, or empty)
 * @param seriesInstanceUid of a stored instance (else what could be read, or empty)
 * @param reason the Warning Reason (0008,1196) or Failure Reason (0008,1197); 0 for plain success
 * @param message one line for the log and the response's Warning header field
 */
record StowOutcome(int part, Kind kind, String sopClassUid, String sopInstanceUid, String studyInstanceUid,
        String seriesInstanceUid, int reason, String message) {

    enum Kind { STORED, WARNING, FAILED }

    /** Warning: the SOP Instance UID was already stored and the first copy kept (as C-STORE's B006). */
    static final int ELEMENTS_DISCARDED = 0xB006;
    /** Failure Reasons: PS3.18 Table I.2-2 and, where it has no closer code, the C-STORE statuses of PS3.7 C. */
    static final int OUT_OF_RESOURCES = 0xA700;
    static final int DATA_SET_DOES_NOT_MATCH = 0xA900;
    static final int CANNOT_UNDERSTAND = 0xC000;
    static final int TRANSFER_SYNTAX_NOT_SUPPORTED = 0xC122;
    static final int PROCESSING_FAILURE = 0x0110;
    static final int DUPLICATE_SOP_INSTANCE = 0x0111;
    static final int INVALID_ATTRIBUTE_VALUE = 0x0106;
    static final int MISSING_ATTRIBUTE = 0x0120;

    boolean stored() {
        return kind != Kind.FAILED;
    }

    static StowOutcome failed(int part, Identity id, int reason, String message) {
        return new StowOutcome(part, Kind.FAILED, id.sopClassUid(), id.sopInstanceUid(), id.studyInstanceUid(),
                id.seriesInstanceUid(), reason, message);
    }

    /**
     * The outcome of an ingest, with the same mapping as the C-STORE SCP's (docs/conformance.md, STOW-RS).
     *
     * @param head what is known of the instance from its first bytes, for a failure (whose instance is not stored)
     * @param study the study the request named, or null
     */
    static StowOutcome of(int part, IngestResult r, Identity head, String study) {
        return switch (r.status()) {
            case STORED, CONFLICT_RECORDED -> stored(part, r.stored().orElseThrow(), Kind.STORED, 0, r.message());
            case DUPLICATE -> stored(part, r.stored().orElseThrow(), Kind.WARNING, ELEMENTS_DISCARDED,
                    r.message());
            case FAILED -> {
                String attr = r.attribute().orElse("");
                int reason = switch (r.failure().orElseThrow()) {
                    case MISSING_ATTRIBUTE -> MISSING_ATTRIBUTE;
                    case INVALID_ATTRIBUTE -> attr.equals("SOPClassUID") || attr.equals("StudyInstanceUID")
                            && study != null && !head.studyInstanceUid().isEmpty()
                            && !head.studyInstanceUid().equals(study) ? DATA_SET_DOES_NOT_MATCH
                            : INVALID_ATTRIBUTE_VALUE;
                    case MALFORMED -> CANNOT_UNDERSTAND;
                    case DUPLICATE_REJECTED -> DUPLICATE_SOP_INSTANCE;
                };
                Identity id = head.sopInstanceUid().isEmpty() && !r.sopInstanceUid().isEmpty()
                        ? new Identity(head.sopClassUid(), r.sopInstanceUid(), head.studyInstanceUid(),
                                head.seriesInstanceUid()) : head;
                yield failed(part, id, reason, r.message());
            }
        };
    }

    private static StowOutcome stored(int part, StoredInstance s, Kind kind, int reason, String message) {
        return new StowOutcome(part, kind, s.sopClassUid(), s.sopInstanceUid(), s.studyInstanceUid(),
                s.seriesInstanceUid(), reason, message);
    }

    /** The UIDs that name an instance, each empty when unknown. */
    record Identity(String sopClassUid, String sopInstanceUid, String studyInstanceUid, String seriesInstanceUid) {
        static final Identity UNKNOWN = new Identity("", "", "", "");

        static Identity of(Dataset ds) {
            return new Identity(text(ds, Tag.SOPClassUID), text(ds, Tag.SOPInstanceUID),
                    text(ds, Tag.StudyInstanceUID), text(ds, Tag.SeriesInstanceUID));
        }

        /**
         * What the first bytes of a Part 10 stream say: the data set's UIDs when its head can be read, else those of
         * its File Meta Information, else nothing. Only for reporting a failure, never to decide one.
         */
        static Identity ofHead(byte[] head, int length) {
            try {
                DicomFile f = DicomReader.read(new ByteArrayInputStream(head, 0, length),
                        ReadOptions.DEFAULT.withStopBeforePixelData(true).withMaxValueLength(length));
                Identity id = of(f.dataset());
                if (id.sopInstanceUid().isEmpty() || id.sopClassUid().isEmpty()) {
                    Identity meta = ofMeta(f.fileMetaInformation());
                    return new Identity(id.sopClassUid().isEmpty() ? meta.sopClassUid() : id.sopClassUid(),
                            id.sopInstanceUid().isEmpty() ? meta.sopInstanceUid() : id.sopInstanceUid(),
                            id.studyInstanceUid(), id.seriesInstanceUid());
                }
                return id;
            } catch (IOException | RuntimeException e) {
                try {
                    return ofMeta(DicomReader.readHead(new ByteArrayInputStream(head, 0, length))
                            .fileMetaInformation());
                } catch (IOException | RuntimeException e2) {
                    return UNKNOWN;
                }
            }
        }

        private static Identity ofMeta(Dataset meta) {
            return new Identity(text(meta, Tag.MediaStorageSOPClassUID), text(meta, Tag.MediaStorageSOPInstanceUID),
                    "", "");
        }

        private static String text(Dataset ds, int tag) {
            try {
                Optional<String> v = ds.string(tag);
                return v.map(s -> s.replace("\0", "").strip()).orElse("");
            } catch (RuntimeException e) {
                return "";
            }
        }
    }
}
