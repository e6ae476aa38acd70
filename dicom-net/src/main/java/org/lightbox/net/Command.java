// SPDX-License-Identifier: Apache-2.0
package org.lightbox.net;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Optional;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Element;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.TransferSyntax;
import org.lightbox.dicom.Vr;
import org.lightbox.dicom.io.DicomReader;
import org.lightbox.dicom.io.DicomWriter;
import org.lightbox.dicom.io.ReadOptions;

/**
 * A DIMSE command set (PS3.7 section 9.3 and 10.3): group 0000 elements, always in implicit VR little endian. The
 * factories build the requests and responses Lightbox sends; the accessors read any command received.
 */
public record Command(Dataset dataset) {
    public static final int C_STORE_RQ = 0x0001;
    public static final int C_STORE_RSP = 0x8001;
    public static final int C_GET_RQ = 0x0010;
    public static final int C_GET_RSP = 0x8010;
    public static final int C_FIND_RQ = 0x0020;
    public static final int C_FIND_RSP = 0x8020;
    public static final int C_MOVE_RQ = 0x0021;
    public static final int C_MOVE_RSP = 0x8021;
    public static final int C_ECHO_RQ = 0x0030;
    public static final int C_ECHO_RSP = 0x8030;
    public static final int N_EVENT_REPORT_RQ = 0x0100;
    public static final int N_EVENT_REPORT_RSP = 0x8100;
    public static final int N_GET_RQ = 0x0110;
    public static final int N_GET_RSP = 0x8110;
    public static final int N_SET_RQ = 0x0120;
    public static final int N_SET_RSP = 0x8120;
    public static final int N_ACTION_RQ = 0x0130;
    public static final int N_ACTION_RSP = 0x8130;
    public static final int N_CREATE_RQ = 0x0140;
    public static final int N_CREATE_RSP = 0x8140;
    public static final int N_DELETE_RQ = 0x0150;
    public static final int N_DELETE_RSP = 0x8150;
    public static final int C_CANCEL_RQ = 0x0FFF;

    public static final int PRIORITY_MEDIUM = 0;
    public static final int PRIORITY_HIGH = 1;
    public static final int PRIORITY_LOW = 2;

    /** Command Data Set Type value meaning "no data set follows"; any other value means one does. */
    public static final int NO_DATA_SET = 0x0101;

    /** Commands are small; a larger one is a broken or hostile peer. */
    static final int MAX_ENCODED_LENGTH = 1 << 20;

    public int field() {
        return dataset.integer(Tag.CommandField).orElse(-1);
    }

    public boolean isRequest() {
        return (field() & 0x8000) == 0;
    }

    public int messageId() {
        return dataset.integer(Tag.MessageID).orElse(-1);
    }

    public int messageIdBeingRespondedTo() {
        return dataset.integer(Tag.MessageIDBeingRespondedTo).orElse(-1);
    }

    public boolean hasDataSet() {
        return dataset.integer(Tag.CommandDataSetType).orElse(NO_DATA_SET) != NO_DATA_SET;
    }

    public int status() {
        return dataset.integer(Tag.Status).orElse(-1);
    }

    public int priority() {
        return dataset.integer(Tag.Priority).orElse(PRIORITY_MEDIUM);
    }

    /** Affected SOP Class UID, or Requested SOP Class UID for the N- requests that carry that instead. */
    public String sopClassUid() {
        return dataset.string(Tag.AffectedSOPClassUID).or(() -> dataset.string(Tag.RequestedSOPClassUID)).orElse("");
    }

    /** Affected SOP Instance UID, or Requested SOP Instance UID. */
    public String sopInstanceUid() {
        return dataset.string(Tag.AffectedSOPInstanceUID).or(() -> dataset.string(Tag.RequestedSOPInstanceUID))
                .orElse("");
    }

    public Optional<String> string(int tag) {
        return dataset.string(tag);
    }

    public int integer(int tag, int otherwise) {
        return dataset.integer(tag).orElse(otherwise);
    }

    /** A short description for logs: "C-STORE-RQ #7 1.2.3". */
    public String describe() {
        StringBuilder b = new StringBuilder(name(field()));
        if (isRequest()) {
            b.append(" #").append(messageId());
        } else {
            b.append(" for #").append(messageIdBeingRespondedTo())
                    .append(String.format(" status 0x%04X", status()));
        }
        return b.toString();
    }

    public static String name(int field) {
        return switch (field) {
            case C_STORE_RQ -> "C-STORE-RQ";
            case C_STORE_RSP -> "C-STORE-RSP";
            case C_GET_RQ -> "C-GET-RQ";
            case C_GET_RSP -> "C-GET-RSP";
            case C_FIND_RQ -> "C-FIND-RQ";
            case C_FIND_RSP -> "C-FIND-RSP";
            case C_MOVE_RQ -> "C-MOVE-RQ";
            case C_MOVE_RSP -> "C-MOVE-RSP";
            case C_ECHO_RQ -> "C-ECHO-RQ";
            case C_ECHO_RSP -> "C-ECHO-RSP";
            case N_EVENT_REPORT_RQ -> "N-EVENT-REPORT-RQ";
            case N_EVENT_REPORT_RSP -> "N-EVENT-REPORT-RSP";
            case N_GET_RQ -> "N-GET-RQ";
            case N_GET_RSP -> "N-GET-RSP";
            case N_SET_RQ -> "N-SET-RQ";
            case N_SET_RSP -> "N-SET-RSP";
            case N_ACTION_RQ -> "N-ACTION-RQ";
            case N_ACTION_RSP -> "N-ACTION-RSP";
            case N_CREATE_RQ -> "N-CREATE-RQ";
            case N_CREATE_RSP -> "N-CREATE-RSP";
            case N_DELETE_RQ -> "N-DELETE-RQ";
            case N_DELETE_RSP -> "N-DELETE-RSP";
            case C_CANCEL_RQ -> "C-CANCEL-RQ";
            default -> String.format("command 0x%04X", field);
        };
    }

    /** The response field for a request field. */
    public static int responseTo(int requestField) {
        return requestField | 0x8000;
    }

    // ---- building -------------------------------------------------------------------------------------------------

    /** Starts a request: command field, message ID, affected SOP class and whether a data set follows. */
    public static Dataset.Builder request(int field, int messageId, String sopClassUid, boolean withData) {
        Dataset.Builder b = Dataset.builder();
        boolean requested = field == N_GET_RQ || field == N_SET_RQ || field == N_ACTION_RQ || field == N_DELETE_RQ;
        if (field != C_CANCEL_RQ) {
            b.setStrings(requested ? Tag.RequestedSOPClassUID : Tag.AffectedSOPClassUID, Vr.UI, sopClassUid);
        }
        b.setNumbers(Tag.CommandField, Vr.US, field);
        if (field == C_CANCEL_RQ) {
            b.setNumbers(Tag.MessageIDBeingRespondedTo, Vr.US, messageId);
        } else {
            b.setNumbers(Tag.MessageID, Vr.US, messageId);
        }
        b.setNumbers(Tag.CommandDataSetType, Vr.US, withData ? 0x0000 : NO_DATA_SET);
        return b;
    }

    /** Starts the response to {@code request} with {@code status}; SOP class and instance are echoed. */
    public static Dataset.Builder response(Command request, int status, boolean withData) {
        Dataset.Builder b = Dataset.builder();
        int field = responseTo(request.field());
        String sopClass = request.sopClassUid();
        if (!sopClass.isEmpty()) {
            b.setStrings(Tag.AffectedSOPClassUID, Vr.UI, sopClass);
        }
        b.setNumbers(Tag.CommandField, Vr.US, field);
        b.setNumbers(Tag.MessageIDBeingRespondedTo, Vr.US, request.messageId());
        b.setNumbers(Tag.CommandDataSetType, Vr.US, withData ? 0x0000 : NO_DATA_SET);
        b.setNumbers(Tag.Status, Vr.US, status);
        String instance = request.sopInstanceUid();
        if (!instance.isEmpty() && request.field() != C_FIND_RQ && request.field() != C_MOVE_RQ
                && request.field() != C_GET_RQ) {
            b.setStrings(Tag.AffectedSOPInstanceUID, Vr.UI, instance);
        }
        return b;
    }

    /** Encodes in implicit VR little endian with the Command Group Length first. */
    public byte[] encode() {
        try {
            Dataset withoutLength = dataset.toBuilder().remove(Tag.CommandGroupLength).build();
            ByteArrayOutputStream body = new ByteArrayOutputStream(256);
            DicomWriter.writeDataset(withoutLength, TransferSyntax.IMPLICIT_VR_LITTLE_ENDIAN, body,
                    DicomWriter.Lengths.DEFINED);
            int length = body.size();
            ByteArrayOutputStream out = new ByteArrayOutputStream(length + 12);
            out.write(new byte[] {0, 0, 0, 0, 4, 0, 0, 0,
                (byte) length, (byte) (length >>> 8), (byte) (length >>> 16), (byte) (length >>> 24)});
            body.writeTo(out);
            return out.toByteArray();
        } catch (IOException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    /** Decodes a command set; anything outside group 0000 or a malformed encoding is an error. */
    public static Command decode(byte[] bytes, int length) throws IOException {
        Dataset ds = DicomReader.readDataset(new ByteArrayInputStream(bytes, 0, length),
                TransferSyntax.IMPLICIT_VR_LITTLE_ENDIAN, ReadOptions.DEFAULT.withMaxValueLength(MAX_ENCODED_LENGTH));
        for (Element e : ds) {
            if ((e.tag() >>> 16) != 0) {
                throw new IOException(String.format("command set holds element (%04X,%04X) outside group 0000",
                        e.tag() >>> 16, e.tag() & 0xFFFF));
            }
        }
        Command c = new Command(ds);
        if (!ds.contains(Tag.CommandField)) {
            throw new IOException("command set without Command Field (0000,0100)");
        }
        return c;
    }
}
