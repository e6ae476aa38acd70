// SPDX-License-Identifier: Apache-2.0
package org.lightbox.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.lightbox.net.StateMachine.Action;
import org.lightbox.net.StateMachine.Event;
import org.lightbox.net.StateMachine.State;

/**
 * Every cell of PS3.8 Table 9-10 against {@link StateMachine}, from a transcription made apart from it: laid out as
 * the standard prints it, one line per event and one column per state, "." where the table is blank. The next states
 * come from Tables 9-6 to 9-9.
 */
class StateMachineTableTest {
    //                 Sta1  Sta2  Sta3  Sta4  Sta5  Sta6  Sta7  Sta8  Sta9  Sta10 Sta11 Sta12 Sta13
    private static final String TABLE_9_10 = """
            Evt1       AE-1  .     .     .     .     .     .     .     .     .     .     .     .
            Evt2       .     .     .     AE-2  .     .     .     .     .     .     .     .     .
            Evt3       .     AA-1  AA-8  .     AE-3  AA-8  AA-8  AA-8  AA-8  AA-8  AA-8  AA-8  AA-6
            Evt4       .     AA-1  AA-8  .     AE-4  AA-8  AA-8  AA-8  AA-8  AA-8  AA-8  AA-8  AA-6
            Evt5       AE-5  .     .     .     .     .     .     .     .     .     .     .     .
            Evt6       .     AE-6  AA-8  .     AA-8  AA-8  AA-8  AA-8  AA-8  AA-8  AA-8  AA-8  AA-7
            Evt7       .     .     AE-7  .     .     .     .     .     .     .     .     .     .
            Evt8       .     .     AE-8  .     .     .     .     .     .     .     .     .     .
            Evt9       .     .     .     .     .     DT-1  .     AR-7  .     .     .     .     .
            Evt10      .     AA-1  AA-8  .     AA-8  DT-2  AR-6  AA-8  AA-8  AA-8  AA-8  AA-8  AA-6
            Evt11      .     .     .     .     .     AR-1  .     .     .     .     .     .     .
            Evt12      .     AA-1  AA-8  .     AA-8  AR-2  AR-8  AA-8  AA-8  AA-8  AA-8  AA-8  AA-6
            Evt13      .     AA-1  AA-8  .     AA-8  AA-8  AR-3  AA-8  AA-8  AR-10 AR-3  AA-8  AA-6
            Evt14      .     .     .     .     .     .     .     AR-4  AR-9  .     .     AR-4  .
            Evt15      .     .     AA-1  AA-2  AA-1  AA-1  AA-1  AA-1  AA-1  AA-1  AA-1  AA-1  .
            Evt16      .     AA-2  AA-3  .     AA-3  AA-3  AA-3  AA-3  AA-3  AA-3  AA-3  AA-3  AA-2
            Evt17      .     AA-5  AA-4  AA-4  AA-4  AA-4  AA-4  AA-4  AA-4  AA-4  AA-4  AA-4  AR-5
            Evt18      .     AA-2  .     .     .     .     .     .     .     .     .     .     AA-2
            Evt19      .     AA-1  AA-8  .     AA-8  AA-8  AA-8  AA-8  AA-8  AA-8  AA-8  AA-8  AA-7
            """;

    /** PS3.8's event numbers for the enum's names (Table 9-10's row headings). */
    private static final Map<String, Event> EVENTS = Map.ofEntries(
            Map.entry("Evt1", Event.ASSOCIATE_REQUEST), Map.entry("Evt2", Event.TRANSPORT_CONFIRM),
            Map.entry("Evt3", Event.ASSOCIATE_AC_PDU), Map.entry("Evt4", Event.ASSOCIATE_RJ_PDU),
            Map.entry("Evt5", Event.TRANSPORT_INDICATION), Map.entry("Evt6", Event.ASSOCIATE_RQ_PDU),
            Map.entry("Evt7", Event.ASSOCIATE_ACCEPT), Map.entry("Evt8", Event.ASSOCIATE_REJECT),
            Map.entry("Evt9", Event.P_DATA_REQUEST), Map.entry("Evt10", Event.P_DATA_TF_PDU),
            Map.entry("Evt11", Event.RELEASE_REQUEST), Map.entry("Evt12", Event.RELEASE_RQ_PDU),
            Map.entry("Evt13", Event.RELEASE_RP_PDU), Map.entry("Evt14", Event.RELEASE_RESPONSE),
            Map.entry("Evt15", Event.ABORT_REQUEST), Map.entry("Evt16", Event.ABORT_PDU),
            Map.entry("Evt17", Event.TRANSPORT_CLOSED), Map.entry("Evt18", Event.ARTIM_EXPIRED),
            Map.entry("Evt19", Event.INVALID_PDU));

    /** Tables 9-6 to 9-9: the next state of each action ("Sta3/Sta13": as the action's condition is true/false). */
    private static final String NEXT_STATES = """
            AE-1 Sta4   AE-2 Sta5   AE-3 Sta6   AE-4 Sta1   AE-5 Sta2   AE-6 Sta3/Sta13   AE-7 Sta6   AE-8 Sta13
            DT-1 Sta6   DT-2 Sta6
            AR-1 Sta7   AR-2 Sta8   AR-3 Sta1   AR-4 Sta13   AR-5 Sta1   AR-6 Sta7   AR-7 Sta8   AR-8 Sta9/Sta10
            AR-9 Sta11  AR-10 Sta12
            AA-1 Sta13  AA-2 Sta1   AA-3 Sta1   AA-4 Sta1   AA-5 Sta1   AA-6 Sta13  AA-7 Sta13  AA-8 Sta13
            """;

    static Stream<Arguments> cells() {
        List<Arguments> cells = new ArrayList<>();
        for (String line : TABLE_9_10.strip().split("\n")) {
            String[] f = line.strip().split("\\s+");
            assertThat(f).as(line).hasSize(14);
            for (int s = 1; s <= 13; s++) {
                cells.add(Arguments.of(f[0], "Sta" + s, f[s]));
            }
        }
        return cells.stream();
    }

    @ParameterizedTest(name = "{0} in {1}: {2}")
    @MethodSource("cells")
    void everyCellMatchesTable9_10(String event, String state, String expected) {
        Action action = StateMachine.action(state(state), EVENTS.get(event));
        assertThat(action == null ? "." : action.name().replace('_', '-')).isEqualTo(expected);
    }

    @Test
    void theTranscriptionCoversEveryEventAndState() {
        assertThat(cells()).hasSize(19 * 13);
        assertThat(EVENTS.values()).containsExactlyInAnyOrder(Event.values());
        assertThat(State.values()).hasSize(13);
    }

    @Test
    void everyActionLeadsWhereTables9_6To9_9Say() {
        Map<Action, String> expected = new EnumMap<>(Action.class);
        String[] tokens = NEXT_STATES.strip().split("\\s+");
        for (int i = 0; i < tokens.length; i += 2) {
            expected.put(Action.valueOf(tokens[i].replace('-', '_')), tokens[i + 1]);
        }
        assertThat(expected.keySet()).containsExactlyInAnyOrder(Action.values());
        expected.forEach((action, next) -> {
            String[] alternatives = next.split("/");
            assertThat(StateMachine.next(action, true)).as(action + " when true").isEqualTo(state(alternatives[0]));
            assertThat(StateMachine.next(action, false)).as(action + " when false")
                    .isEqualTo(state(alternatives[alternatives.length - 1]));
        });
    }

    @Test
    void statesPrintAsPs38NamesThem() {
        assertThat(State.STA1.toString()).startsWith("Sta1 ");
        assertThat(State.STA13.toString()).startsWith("Sta13 ");
    }

    private static State state(String name) {
        return State.values()[Integer.parseInt(name.substring(3)) - 1];
    }
}
