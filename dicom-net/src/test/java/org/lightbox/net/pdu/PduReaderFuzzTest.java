// SPDX-License-Identifier: Apache-2.0
package org.lightbox.net.pdu;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.lifecycle.AfterContainer;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.Vr;
import org.lightbox.net.Command;

/**
 * Mutation fuzzing of the PDU decoder and of the command set decoder: whatever the bytes, only
 * {@link PduFormatException} or {@link EOFException} (for commands, an {@link IOException}) with a message may escape,
 * quickly and without exhausting memory.
 */
class PduReaderFuzzTest {
    private static final Duration PER_INPUT = Duration.ofSeconds(10);
    private static final List<byte[]> PDUS = pduSeeds();
    private static final List<byte[]> COMMANDS = commandSeeds();
    private static final ExecutorService RUNNER = Executors.newSingleThreadExecutor();

    @AfterContainer
    static void stop() {
        RUNNER.shutdownNow();
    }

    @Property(tries = 20000, seed = "20261126") // fixed for a repeatable CI run; drop the seed to explore
    void onlyPduFormatOrEofEscapesTheDecoder(@ForAll long seed) throws Exception {
        Random r = new Random(seed);
        byte[] input = mutate(PDUS.get(r.nextInt(PDUS.size())), r);
        long maxPData = r.nextBoolean() ? 0 : 16384;
        guarded(seed, () -> {
            try {
                Pdu pdu = PduReader.decode(input);
                // What was read must also be writable. Reading normalises (padding dropped; bytes outside ISO 646 in
                // an AE title become '?' when written), so from the first re-encoding on it must be stable.
                Pdu once = PduReader.decode(PduWriter.encode(pdu));
                assertThat(PduReader.decode(PduWriter.encode(once))).isEqualTo(once);
            } catch (PduFormatException | EOFException expected) {
                assertThat(expected.getMessage()).isNotBlank();
            }
            // The same bytes as a stream, the way an association reads them: PDU after PDU.
            PduReader reader = new PduReader(new ByteArrayInputStream(input), maxPData);
            try {
                for (int i = 0; i < 100 && reader.read() != null; i++) {
                    // keep reading
                }
            } catch (PduFormatException | EOFException expected) {
                assertThat(expected.getMessage()).isNotBlank();
            }
        });
    }

    @Property(tries = 5000, seed = "20261127")
    void onlyIoExceptionsEscapeTheCommandDecoder(@ForAll long seed) throws Exception {
        Random r = new Random(seed);
        byte[] input = mutate(COMMANDS.get(r.nextInt(COMMANDS.size())), r);
        guarded(seed, () -> {
            try {
                Command c = Command.decode(input, input.length);
                c.describe(); // the accessors a received command meets must cope with what was read
                c.sopClassUid();
                c.sopInstanceUid();
                c.hasDataSet();
            } catch (IOException expected) {
                assertThat(expected.getMessage()).isNotBlank();
            }
        });
    }

    @org.junit.jupiter.api.Test
    void aHugeAnnouncedLengthAllocatesNothingBeforeTheBytesCome() {
        byte[] header = {Pdu.TYPE_P_DATA_TF, 0, 0x7F, (byte) 0xFF, (byte) 0xFF, 0x00, 0, 0, 0, 10, 1, 3};
        PduReader reader = new PduReader(new ByteArrayInputStream(header), 0); // 0: no negotiated limit
        org.assertj.core.api.Assertions.assertThatThrownBy(reader::read).isInstanceOf(EOFException.class)
                .hasMessageContaining("connection ended");
    }

    @FunctionalInterface
    private interface Body {
        void run() throws IOException;
    }

    private static void guarded(long seed, Body body) throws Exception {
        Future<?> run = RUNNER.submit(() -> {
            try {
                body.run();
            } catch (IOException | RuntimeException | Error e) {
                throw new AssertionError("seed " + seed + ": " + e, e);
            }
            return null;
        });
        try {
            run.get(PER_INPUT.toSeconds(), TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            run.cancel(true);
            throw new AssertionError("seed " + seed + ": the decoder took longer than " + PER_INPUT);
        } catch (ExecutionException e) {
            throw new AssertionError(e.getCause().getMessage(), e.getCause());
        }
    }

    private static byte[] mutate(byte[] seed, Random r) {
        byte[] b = seed.clone();
        int edits = 1 + r.nextInt(6);
        for (int i = 0; i < edits && b.length > 0; i++) {
            int at = r.nextInt(b.length);
            switch (r.nextInt(7)) {
                case 0 -> b[at] = (byte) r.nextInt(256);
                case 1 -> b = Arrays.copyOf(b, at); // truncate
                case 2 -> { // a length field: the PDU's own, or 16 or 32 bits anywhere
                    int v = switch (r.nextInt(4)) {
                        case 0 -> -1;
                        case 1 -> r.nextInt(0x10000);
                        case 2 -> r.nextInt(64);
                        default -> r.nextInt();
                    };
                    int where = r.nextInt(3) == 0 && b.length >= 6 ? 2 : at;
                    int width = r.nextBoolean() ? 2 : 4;
                    for (int k = 0; k < width && where + k < b.length; k++) {
                        b[where + k] = (byte) (v >>> 8 * (width - 1 - k));
                    }
                }
                case 3 -> { // insert random bytes
                    byte[] extra = new byte[1 + r.nextInt(16)];
                    r.nextBytes(extra);
                    byte[] out = new byte[b.length + extra.length];
                    System.arraycopy(b, 0, out, 0, at);
                    System.arraycopy(extra, 0, out, at, extra.length);
                    System.arraycopy(b, at, out, at + extra.length, b.length - at);
                    b = out;
                }
                case 4 -> { // duplicate a slice
                    int len = Math.min(r.nextInt(64), b.length - at);
                    byte[] out = new byte[b.length + len];
                    System.arraycopy(b, 0, out, 0, at + len);
                    System.arraycopy(b, at, out, at + len, b.length - at);
                    b = out;
                }
                case 5 -> { // delete a slice
                    int len = Math.min(1 + r.nextInt(16), b.length - at);
                    byte[] out = new byte[b.length - len];
                    System.arraycopy(b, 0, out, 0, at);
                    System.arraycopy(b, at + len, out, at, b.length - at - len);
                    b = out;
                }
                default -> b[at] ^= (byte) (1 << r.nextInt(8));
            }
        }
        return b;
    }

    private static List<byte[]> pduSeeds() {
        List<byte[]> seeds = new ArrayList<>();
        UserInformation full = UserInformation.of(16384, "1.2.826.0.1.3680043.10.1", "LIGHTBOX_1")
                .withAsyncOps(new UserInformation.AsyncOpsWindow(3, 1))
                .withRoleSelections(List.of(new UserInformation.RoleSelection("1.2.840.10008.5.1.4.1.1.7", true,
                        true)))
                .withExtendedNegotiations(List.of(new UserInformation.ExtendedNegotiation(
                        "1.2.840.10008.5.1.4.1.2.2.1", new byte[] {1, 1, 0})))
                .withCommonExtendedNegotiations(List.of(new UserInformation.CommonExtendedNegotiation(
                        "1.2.840.10008.5.1.4.1.1.2.1", "1.2.840.10008.4.2", List.of("1.2.840.10008.5.1.4.1.1.2"))));
        List<Pdu.PresentationContextRq> proposed = List.of(
                new Pdu.PresentationContextRq(1, "1.2.840.10008.1.1", List.of("1.2.840.10008.1.2")),
                new Pdu.PresentationContextRq(3, "1.2.840.10008.5.1.4.1.1.7",
                        List.of("1.2.840.10008.1.2.1", "1.2.840.10008.1.2")));
        seeds.add(PduWriter.encode(new Pdu.AssociateRq(1, "LIGHTBOX", "MODALITY", Pdu.APPLICATION_CONTEXT, proposed,
                full.withUserIdentity(new UserInformation.UserIdentity(2, true, "user".getBytes(),
                        "secret".getBytes())))));
        seeds.add(PduWriter.encode(new Pdu.AssociateAc(1, "LIGHTBOX", "MODALITY", Pdu.APPLICATION_CONTEXT,
                List.of(new Pdu.PresentationContextAc(1, 0, "1.2.840.10008.1.2"),
                        new Pdu.PresentationContextAc(3, 4, "")),
                full.withUserIdentityResponse(new byte[] {1, 2, 3}))));
        seeds.add(PduWriter.encode(new Pdu.AssociateRj(1, 1, 7)));
        seeds.add(PduWriter.encode(new Pdu.PDataTf(List.of(Pdu.Pdv.of(1, true, true, commandSeeds().get(0)),
                Pdu.Pdv.of(1, false, false, new byte[40]), Pdu.Pdv.of(1, false, true, new byte[3])))));
        seeds.add(PduWriter.encode(new Pdu.ReleaseRq()));
        seeds.add(PduWriter.encode(new Pdu.ReleaseRp()));
        seeds.add(PduWriter.encode(new Pdu.Abort(2, 6)));
        // Two PDUs back to back, as they come off a socket.
        byte[] a = seeds.get(3);
        byte[] b = seeds.get(4);
        byte[] both = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        seeds.add(both);
        return seeds;
    }

    private static List<byte[]> commandSeeds() {
        Command store = new Command(Command.request(Command.C_STORE_RQ, 7, "1.2.840.10008.5.1.4.1.1.7", true)
                .setNumbers(Tag.Priority, Vr.US, 0).setStrings(Tag.AffectedSOPInstanceUID, Vr.UI, "2.25.12345")
                .setStrings(Tag.MoveOriginatorApplicationEntityTitle, Vr.AE, "MOVER").build());
        Command move = new Command(Command.response(new Command(Command.request(Command.C_MOVE_RQ, 9,
                "1.2.840.10008.5.1.4.1.2.2.2", true).setStrings(Tag.MoveDestination, Vr.AE, "DEST").build()),
                0xFF00, false).setNumbers(Tag.NumberOfRemainingSuboperations, Vr.US, 3)
                .setStrings(Tag.ErrorComment, Vr.LO, "still working").build());
        return List.of(store.encode(), move.encode());
    }
}
