// SPDX-License-Identifier: Apache-2.0
package org.lightbox.net.pdu;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The seven protocol data units of the DICOM upper layer (PS3.8 section 9.3), as values. {@link PduReader} and
 * {@link PduWriter} turn them into bytes and back; nothing here touches a socket.
 */
public sealed interface Pdu {
    int TYPE_ASSOCIATE_RQ = 0x01;
    int TYPE_ASSOCIATE_AC = 0x02;
    int TYPE_ASSOCIATE_RJ = 0x03;
    int TYPE_P_DATA_TF = 0x04;
    int TYPE_RELEASE_RQ = 0x05;
    int TYPE_RELEASE_RP = 0x06;
    int TYPE_ABORT = 0x07;

    /** The DICOM application context name, the only one PS3.7 Annex A defines. */
    String APPLICATION_CONTEXT = "1.2.840.10008.3.1.1.1";

    /**
     * A-ASSOCIATE-RQ. AE titles are kept without their padding; protocol version 1 is the only one defined.
     */
    record AssociateRq(int protocolVersion, String calledAeTitle, String callingAeTitle, String applicationContext,
            List<PresentationContextRq> presentationContexts, UserInformation userInformation) implements Pdu {
        public AssociateRq {
            presentationContexts = List.copyOf(presentationContexts);
            Objects.requireNonNull(userInformation);
        }
    }

    /** A-ASSOCIATE-AC. PS3.8 asks the acceptor to echo the called and calling AE titles of the request. */
    record AssociateAc(int protocolVersion, String calledAeTitle, String callingAeTitle, String applicationContext,
            List<PresentationContextAc> presentationContexts, UserInformation userInformation) implements Pdu {
        public AssociateAc {
            presentationContexts = List.copyOf(presentationContexts);
            Objects.requireNonNull(userInformation);
        }
    }

    /** A-ASSOCIATE-RJ with the result, source and reason codes of PS3.8 Table 9-21. */
    record AssociateRj(int result, int source, int reason) implements Pdu {
        public static final int RESULT_PERMANENT = 1;
        public static final int RESULT_TRANSIENT = 2;
        public static final int SOURCE_SERVICE_USER = 1;
        public static final int SOURCE_SERVICE_PROVIDER_ACSE = 2;
        public static final int SOURCE_SERVICE_PROVIDER_PRESENTATION = 3;
        /** Reasons when the source is the service user. */
        public static final int USER_NO_REASON = 1;
        public static final int USER_APPLICATION_CONTEXT_NOT_SUPPORTED = 2;
        public static final int USER_CALLING_AE_NOT_RECOGNIZED = 3;
        public static final int USER_CALLED_AE_NOT_RECOGNIZED = 7;
        /** Reasons when the source is the ACSE service provider. */
        public static final int ACSE_NO_REASON = 1;
        public static final int ACSE_PROTOCOL_VERSION_NOT_SUPPORTED = 2;
        /** Reasons when the source is the presentation service provider. */
        public static final int PRESENTATION_TEMPORARY_CONGESTION = 1;
        public static final int PRESENTATION_LOCAL_LIMIT_EXCEEDED = 2;

        /** The reason in words, for logs and error messages. */
        public String describe() {
            String why = switch (source * 16 + reason) {
                case 0x11 -> "no reason given";
                case 0x12 -> "application context name not supported";
                case 0x13 -> "calling AE title not recognized";
                case 0x17 -> "called AE title not recognized";
                case 0x21 -> "no reason given (ACSE)";
                case 0x22 -> "protocol version not supported";
                case 0x31 -> "temporary congestion";
                case 0x32 -> "local limit exceeded";
                default -> "reason " + reason + " from source " + source;
            };
            return (result == RESULT_TRANSIENT ? "rejected (transient): " : "rejected (permanent): ") + why;
        }
    }

    /** P-DATA-TF: one or more presentation data values. */
    record PDataTf(List<Pdv> pdvs) implements Pdu {
        public PDataTf {
            pdvs = List.copyOf(pdvs);
        }
    }

    /**
     * One presentation data value: a fragment of a command or data set of one presentation context. The bytes are
     * {@code length} bytes of {@code buffer} from {@code offset}: {@link PduReader} lends its own buffer, valid until
     * its next read, so that data sets are never copied more than once on their way through.
     */
    record Pdv(int contextId, boolean command, boolean last, byte[] buffer, int offset, int length) {
        public Pdv {
            Objects.checkFromIndexSize(offset, length, buffer.length);
        }

        public static Pdv of(int contextId, boolean command, boolean last, byte[] data) {
            return new Pdv(contextId, command, last, data, 0, data.length);
        }

        public byte[] data() {
            return Arrays.copyOfRange(buffer, offset, offset + length);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Pdv p && p.contextId == contextId && p.command == command && p.last == last
                    && Arrays.equals(buffer, offset, offset + length, p.buffer, p.offset, p.offset + p.length);
        }

        @Override
        public int hashCode() {
            int h = Objects.hash(contextId, command, last);
            for (int i = offset; i < offset + length; i++) {
                h = 31 * h + buffer[i];
            }
            return h;
        }

        @Override
        public String toString() {
            return "PDV[context " + contextId + (command ? ", command" : ", data") + (last ? ", last" : "") + ", "
                    + length + " bytes]";
        }
    }

    record ReleaseRq() implements Pdu {}

    record ReleaseRp() implements Pdu {}

    /** A-ABORT with the source and reason codes of PS3.8 Table 9-26. */
    record Abort(int source, int reason) implements Pdu {
        public static final int SOURCE_SERVICE_USER = 0;
        public static final int SOURCE_SERVICE_PROVIDER = 2;
        public static final int REASON_NOT_SPECIFIED = 0;
        public static final int REASON_UNRECOGNIZED_PDU = 1;
        public static final int REASON_UNEXPECTED_PDU = 2;
        public static final int REASON_UNRECOGNIZED_PDU_PARAMETER = 4;
        public static final int REASON_UNEXPECTED_PDU_PARAMETER = 5;
        public static final int REASON_INVALID_PDU_PARAMETER_VALUE = 6;

        public String describe() {
            if (source == SOURCE_SERVICE_USER) {
                return "aborted by the service user";
            }
            String why = switch (reason) {
                case REASON_NOT_SPECIFIED -> "reason not specified";
                case REASON_UNRECOGNIZED_PDU -> "unrecognized PDU";
                case REASON_UNEXPECTED_PDU -> "unexpected PDU";
                case REASON_UNRECOGNIZED_PDU_PARAMETER -> "unrecognized PDU parameter";
                case REASON_UNEXPECTED_PDU_PARAMETER -> "unexpected PDU parameter";
                case REASON_INVALID_PDU_PARAMETER_VALUE -> "invalid PDU parameter value";
                default -> "reason " + reason;
            };
            return "aborted by the service provider: " + why;
        }
    }

    /** A proposed presentation context: an odd ID from 1 to 255, one abstract syntax, its transfer syntaxes. */
    record PresentationContextRq(int id, String abstractSyntax, List<String> transferSyntaxes) {
        public PresentationContextRq {
            transferSyntaxes = List.copyOf(transferSyntaxes);
        }
    }

    /** The acceptor's answer to one presentation context, with the result codes of PS3.8 Table 9-18. */
    record PresentationContextAc(int id, int result, String transferSyntax) {
        public static final int ACCEPTANCE = 0;
        public static final int USER_REJECTION = 1;
        public static final int NO_REASON = 2;
        public static final int ABSTRACT_SYNTAX_NOT_SUPPORTED = 3;
        public static final int TRANSFER_SYNTAXES_NOT_SUPPORTED = 4;

        public boolean accepted() {
            return result == ACCEPTANCE;
        }

        public static String describe(int result) {
            return switch (result) {
                case ACCEPTANCE -> "accepted";
                case USER_REJECTION -> "rejected by the user";
                case NO_REASON -> "rejected (no reason)";
                case ABSTRACT_SYNTAX_NOT_SUPPORTED -> "abstract syntax not supported";
                case TRANSFER_SYNTAXES_NOT_SUPPORTED -> "transfer syntaxes not supported";
                default -> "result " + result;
            };
        }
    }
}
