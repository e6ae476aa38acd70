// SPDX-License-Identifier: Apache-2.0
package org.lightbox.net;

import java.util.EnumMap;
import java.util.Map;

/**
 * The DICOM upper layer state machine of PS3.8 section 9.2 as data: which action each event calls for in each state.
 * {@link Association} performs the actions; keeping the table apart lets a test walk every cell.
 */
public final class StateMachine {
    /** PS3.8 Tables 9-1 to 9-5. */
    public enum State {
        STA1("idle"),
        STA2("transport open, awaiting A-ASSOCIATE-RQ"),
        STA3("awaiting local A-ASSOCIATE response"),
        STA4("awaiting transport connection"),
        STA5("awaiting A-ASSOCIATE-AC or -RJ"),
        STA6("association established"),
        STA7("awaiting A-RELEASE-RP"),
        STA8("awaiting local A-RELEASE response"),
        STA9("release collision requestor, awaiting local A-RELEASE response"),
        STA10("release collision acceptor, awaiting A-RELEASE-RP"),
        STA11("release collision requestor, awaiting A-RELEASE-RP"),
        STA12("release collision acceptor, awaiting local A-RELEASE response"),
        STA13("awaiting transport close");

        private final String meaning;

        State(String meaning) {
            this.meaning = meaning;
        }

        @Override
        public String toString() {
            return "Sta" + (ordinal() + 1) + " (" + meaning + ")";
        }
    }

    /** PS3.8 Table 9-10's events, Evt1 to Evt19. */
    public enum Event {
        ASSOCIATE_REQUEST, TRANSPORT_CONFIRM, ASSOCIATE_AC_PDU, ASSOCIATE_RJ_PDU, TRANSPORT_INDICATION,
        ASSOCIATE_RQ_PDU, ASSOCIATE_ACCEPT, ASSOCIATE_REJECT, P_DATA_REQUEST, P_DATA_TF_PDU, RELEASE_REQUEST,
        RELEASE_RQ_PDU, RELEASE_RP_PDU, RELEASE_RESPONSE, ABORT_REQUEST, ABORT_PDU, TRANSPORT_CLOSED, ARTIM_EXPIRED,
        INVALID_PDU
    }

    /** PS3.8 Tables 9-6 to 9-9. */
    public enum Action {
        AE_1, AE_2, AE_3, AE_4, AE_5, AE_6, AE_7, AE_8, DT_1, DT_2, AR_1, AR_2, AR_3, AR_4, AR_5, AR_6, AR_7, AR_8,
        AR_9, AR_10, AA_1, AA_2, AA_3, AA_4, AA_5, AA_6, AA_7, AA_8
    }

    private static final Map<Event, Map<State, Action>> TABLE = new EnumMap<>(Event.class);

    static {
        // One row per event: the action in each state where the event is defined (PS3.8 Table 9-10).
        row(Event.ASSOCIATE_REQUEST, "1:AE_1");
        row(Event.TRANSPORT_CONFIRM, "4:AE_2");
        row(Event.ASSOCIATE_AC_PDU, "2:AA_1 3:AA_8 5:AE_3 6-12:AA_8 13:AA_6");
        row(Event.ASSOCIATE_RJ_PDU, "2:AA_1 3:AA_8 5:AE_4 6-12:AA_8 13:AA_6");
        row(Event.TRANSPORT_INDICATION, "1:AE_5");
        row(Event.ASSOCIATE_RQ_PDU, "2:AE_6 3:AA_8 5:AA_8 6-12:AA_8 13:AA_7");
        row(Event.ASSOCIATE_ACCEPT, "3:AE_7");
        row(Event.ASSOCIATE_REJECT, "3:AE_8");
        row(Event.P_DATA_REQUEST, "6:DT_1 8:AR_7");
        row(Event.P_DATA_TF_PDU, "2:AA_1 3:AA_8 5:AA_8 6:DT_2 7:AR_6 8-12:AA_8 13:AA_6");
        row(Event.RELEASE_REQUEST, "6:AR_1");
        row(Event.RELEASE_RQ_PDU, "2:AA_1 3:AA_8 5:AA_8 6:AR_2 7:AR_8 8-12:AA_8 13:AA_6");
        row(Event.RELEASE_RP_PDU, "2:AA_1 3:AA_8 5:AA_8 6:AA_8 7:AR_3 8-9:AA_8 10:AR_10 11:AR_3 12:AA_8 13:AA_6");
        row(Event.RELEASE_RESPONSE, "8:AR_4 9:AR_9 12:AR_4");
        row(Event.ABORT_REQUEST, "3:AA_1 4:AA_2 5-12:AA_1");
        row(Event.ABORT_PDU, "2:AA_2 3:AA_3 5-12:AA_3 13:AA_2");
        row(Event.TRANSPORT_CLOSED, "2:AA_5 3-12:AA_4 13:AR_5");
        row(Event.ARTIM_EXPIRED, "2:AA_2 13:AA_2");
        row(Event.INVALID_PDU, "2:AA_1 3:AA_8 5:AA_8 6-12:AA_8 13:AA_7");
    }

    private StateMachine() {}

    /** The action for {@code event} in {@code state}, or {@code null} where the table has no entry. */
    public static Action action(State state, Event event) {
        return TABLE.get(event).get(state);
    }

    /**
     * The state an action leads to. Two actions depend on a condition: AE-6 on whether the request is acceptable to
     * the service provider, AR-8 on whether this side requested the association.
     */
    public static State next(Action action, boolean condition) {
        return switch (action) {
            case AE_1 -> State.STA4;
            case AE_2 -> State.STA5;
            case AE_3, AE_7, DT_1, DT_2 -> State.STA6;
            case AE_4, AR_3, AR_5, AA_2, AA_3, AA_4, AA_5 -> State.STA1;
            case AE_5 -> State.STA2;
            case AE_6 -> condition ? State.STA3 : State.STA13;
            case AE_8, AR_4, AA_1, AA_6, AA_7, AA_8 -> State.STA13;
            case AR_1, AR_6 -> State.STA7;
            case AR_2, AR_7 -> State.STA8;
            case AR_8 -> condition ? State.STA9 : State.STA10;
            case AR_9 -> State.STA11;
            case AR_10 -> State.STA12;
        };
    }

    private static void row(Event event, String cells) {
        Map<State, Action> row = new EnumMap<>(State.class);
        for (String cell : cells.split(" ")) {
            String[] kv = cell.split(":");
            String[] range = kv[0].split("-");
            int from = Integer.parseInt(range[0]);
            int to = Integer.parseInt(range[range.length - 1]);
            for (int s = from; s <= to; s++) {
                row.put(State.values()[s - 1], Action.valueOf(kv[1]));
            }
        }
        TABLE.put(event, row);
    }
}
