// SPDX-License-Identifier: Apache-2.0
package org.lightbox.net;

/** DIMSE status codes (PS3.7 Annex C and the service classes of PS3.4) and how to read them. */
public final class Status {
    public static final int SUCCESS = 0x0000;
    public static final int CANCEL = 0xFE00;
    public static final int PENDING = 0xFF00;
    public static final int PENDING_WARNING = 0xFF01;

    // General failures (PS3.7 C.5)
    public static final int REFUSED_SOP_CLASS_NOT_SUPPORTED = 0x0122;
    public static final int CLASS_INSTANCE_CONFLICT = 0x0119;
    public static final int DUPLICATE_SOP_INSTANCE = 0x0111;
    public static final int DUPLICATE_INVOCATION = 0x0210;
    public static final int INVALID_ARGUMENT_VALUE = 0x0115;
    public static final int INVALID_ATTRIBUTE_VALUE = 0x0106;
    public static final int INVALID_OBJECT_INSTANCE = 0x0117;
    public static final int MISSING_ATTRIBUTE = 0x0120;
    public static final int MISSING_ATTRIBUTE_VALUE = 0x0121;
    public static final int MISTYPED_ARGUMENT = 0x0212;
    public static final int NO_SUCH_ACTION_TYPE = 0x0123;
    public static final int NO_SUCH_ATTRIBUTE = 0x0105;
    public static final int NO_SUCH_EVENT_TYPE = 0x0113;
    public static final int NO_SUCH_SOP_INSTANCE = 0x0112;
    public static final int NO_SUCH_SOP_CLASS = 0x0118;
    public static final int PROCESSING_FAILURE = 0x0110;
    public static final int RESOURCE_LIMITATION = 0x0213;
    public static final int UNRECOGNIZED_OPERATION = 0x0211;
    public static final int NOT_AUTHORIZED = 0x0124;

    // Storage (PS3.4 B.2.3)
    public static final int STORE_OUT_OF_RESOURCES = 0xA700;
    public static final int STORE_DATA_SET_DOES_NOT_MATCH_SOP_CLASS = 0xA900;
    public static final int STORE_CANNOT_UNDERSTAND = 0xC000;
    public static final int STORE_COERCION_OF_DATA_ELEMENTS = 0xB000;
    public static final int STORE_ELEMENTS_DISCARDED = 0xB006;
    public static final int STORE_DATA_SET_DOES_NOT_MATCH_SOP_CLASS_WARNING = 0xB007;

    // Query/Retrieve (PS3.4 C.4)
    public static final int QR_OUT_OF_RESOURCES = 0xA700;
    public static final int QR_OUT_OF_RESOURCES_SUB_OPERATIONS = 0xA702;
    public static final int QR_IDENTIFIER_DOES_NOT_MATCH_SOP_CLASS = 0xA900;
    public static final int QR_UNABLE_TO_PROCESS = 0xC000;
    public static final int QR_MOVE_DESTINATION_UNKNOWN = 0xA801;
    public static final int QR_SUB_OPERATIONS_COMPLETE_WITH_FAILURES = 0xB000;

    private Status() {}

    public static boolean isPending(int status) {
        return status == PENDING || status == PENDING_WARNING;
    }

    public static boolean isSuccess(int status) {
        return status == SUCCESS;
    }

    /** Warnings: 0001, Bxxx, 0107, 0116 (PS3.7 C.1.3). */
    public static boolean isWarning(int status) {
        return status == 0x0001 || (status & 0xF000) == 0xB000 || status == 0x0107 || status == 0x0116;
    }

    public static boolean isFailure(int status) {
        return !isSuccess(status) && !isPending(status) && !isWarning(status) && status != CANCEL;
    }

    /** The kind of a status, for logs and the CLI. */
    public static String describe(int status) {
        String kind;
        if (isSuccess(status)) {
            kind = "success";
        } else if (isPending(status)) {
            kind = "pending";
        } else if (status == CANCEL) {
            kind = "cancelled";
        } else if (isWarning(status)) {
            kind = "warning";
        } else {
            kind = switch (status) {
                case REFUSED_SOP_CLASS_NOT_SUPPORTED -> "refused: SOP class not supported";
                case UNRECOGNIZED_OPERATION -> "failure: unrecognized operation";
                case DUPLICATE_SOP_INSTANCE -> "failure: duplicate SOP instance";
                case NOT_AUTHORIZED -> "refused: not authorized";
                case 0xA700, 0xA701, 0xA702 -> "refused: out of resources";
                case 0xA801 -> "refused: move destination unknown";
                case 0xA900 -> "failure: data set does not match SOP class";
                case MISSING_ATTRIBUTE, MISSING_ATTRIBUTE_VALUE -> "failure: missing attribute";
                case PROCESSING_FAILURE -> "failure: processing failure";
                default -> (status & 0xF000) == 0xC000 ? "failure: cannot understand" : "failure";
            };
        }
        return String.format("0x%04X (%s)", status, kind);
    }
}
