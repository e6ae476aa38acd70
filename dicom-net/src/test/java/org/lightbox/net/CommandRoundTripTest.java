// SPDX-License-Identifier: Apache-2.0
package org.lightbox.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.Vr;

/** Every command field, with random command elements, through {@link Command#encode()} and back. */
class CommandRoundTripTest {
    static final List<Integer> REQUESTS = List.of(Command.C_STORE_RQ, Command.C_GET_RQ, Command.C_FIND_RQ,
            Command.C_MOVE_RQ, Command.C_ECHO_RQ, Command.N_EVENT_REPORT_RQ, Command.N_GET_RQ, Command.N_SET_RQ,
            Command.N_ACTION_RQ, Command.N_CREATE_RQ, Command.N_DELETE_RQ, Command.C_CANCEL_RQ);

    @Property(tries = 400)
    void everyCommandSurvivesARoundTrip(@ForAll("commands") Command command) throws IOException {
        byte[] bytes = command.encode();
        Command back = Command.decode(bytes, bytes.length);
        assertThat(back.dataset().toBuilder().remove(Tag.CommandGroupLength).build())
                .isEqualTo(command.dataset().toBuilder().remove(Tag.CommandGroupLength).build());
        assertThat(back.field()).isEqualTo(command.field());
        assertThat(back.messageId()).isEqualTo(command.messageId());
        assertThat(back.messageIdBeingRespondedTo()).isEqualTo(command.messageIdBeingRespondedTo());
        assertThat(back.hasDataSet()).isEqualTo(command.hasDataSet());
        assertThat(back.sopClassUid()).isEqualTo(command.sopClassUid());
        assertThat(back.integer(Tag.CommandGroupLength, -1)).as("group length").isEqualTo(bytes.length - 12);
        assertThat(back.encode()).isEqualTo(bytes);
    }

    @Property(tries = 50)
    void everyRequestFieldIsCovered(@ForAll("commands") Command command) {
        assertThat(REQUESTS.contains(command.field()) || REQUESTS.contains(command.field() & 0x7FFF)).isTrue();
    }

    @Provide
    Arbitrary<Command> commands() {
        Arbitrary<Command> requests = Combinators.combine(Arbitraries.of(REQUESTS),
                Arbitraries.integers().between(0, 0xFFFF), uids(), Arbitraries.of(true, false), extras())
                .as((field, id, uid, data, extra) -> {
                    Dataset.Builder b = Command.request(field, id, uid, data);
                    extra.forEach(b::add);
                    return new Command(b.build());
                });
        Arbitrary<Command> responses = Combinators.combine(requests, Arbitraries.integers().between(0, 0xFFFF),
                Arbitraries.of(true, false), extras()).as((rq, status, data, extra) -> {
                    Dataset.Builder b = Command.response(rq, status, data);
                    extra.forEach(b::add);
                    return new Command(b.build());
                });
        return Arbitraries.oneOf(requests, responses);
    }

    static Arbitrary<String> uids() {
        Arbitrary<String> component = Arbitraries.oneOf(Arbitraries.just("0"),
                Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(9).filter(s -> s.charAt(0) != '0'));
        return component.list().ofMinSize(1).ofMaxSize(10).map(l -> String.join(".", l)).filter(s -> s.length() <= 64);
    }

    /** Optional command elements of the kinds PS3.7 uses, each with its own VR. */
    static Arbitrary<List<org.lightbox.dicom.Element>> extras() {
        Arbitrary<Integer> us = Arbitraries.integers().between(0, 0xFFFF);
        Arbitrary<String> ae = Arbitraries.strings().withChars("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
                .ofMinLength(1).ofMaxLength(16);
        Arbitrary<String> lo = Arbitraries.strings().withChars("abcdefghijklmnopqrstuvwxyz ABC.0123456789")
                .ofMinLength(1).ofMaxLength(64).map(String::strip).filter(s -> !s.isEmpty());
        List<Arbitrary<org.lightbox.dicom.Element>> kinds = List.of(
                us.map(v -> element(b -> b.setNumbers(Tag.Priority, Vr.US, v), Tag.Priority)),
                us.map(v -> element(b -> b.setNumbers(Tag.NumberOfRemainingSuboperations, Vr.US, v),
                        Tag.NumberOfRemainingSuboperations)),
                us.map(v -> element(b -> b.setNumbers(Tag.NumberOfCompletedSuboperations, Vr.US, v),
                        Tag.NumberOfCompletedSuboperations)),
                us.map(v -> element(b -> b.setNumbers(Tag.NumberOfFailedSuboperations, Vr.US, v),
                        Tag.NumberOfFailedSuboperations)),
                us.map(v -> element(b -> b.setNumbers(Tag.EventTypeID, Vr.US, v), Tag.EventTypeID)),
                us.map(v -> element(b -> b.setNumbers(Tag.ActionTypeID, Vr.US, v), Tag.ActionTypeID)),
                us.map(v -> element(b -> b.setNumbers(Tag.MoveOriginatorMessageID, Vr.US, v),
                        Tag.MoveOriginatorMessageID)),
                ae.map(v -> element(b -> b.setStrings(Tag.MoveDestination, Vr.AE, v), Tag.MoveDestination)),
                ae.map(v -> element(b -> b.setStrings(Tag.MoveOriginatorApplicationEntityTitle, Vr.AE, v),
                        Tag.MoveOriginatorApplicationEntityTitle)),
                lo.map(v -> element(b -> b.setStrings(Tag.ErrorComment, Vr.LO, v), Tag.ErrorComment)),
                uids().map(v -> element(b -> b.setStrings(Tag.AffectedSOPInstanceUID, Vr.UI, v),
                        Tag.AffectedSOPInstanceUID)),
                uids().map(v -> element(b -> b.setStrings(Tag.RequestedSOPInstanceUID, Vr.UI, v),
                        Tag.RequestedSOPInstanceUID)));
        return Arbitraries.oneOf(kinds).list().ofMaxSize(6);
    }

    private static org.lightbox.dicom.Element element(java.util.function.Consumer<Dataset.Builder> set, int tag) {
        Dataset.Builder b = Dataset.builder();
        set.accept(b);
        return b.build().get(tag).orElseThrow();
    }
}
