// SPDX-License-Identifier: Apache-2.0
package org.lightbox.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.lightbox.dicom.Uid;

/** The asynchronous operations window, and the limit on C-STORE data sets, between Lightbox's SCU and SCP. */
class AsyncAndLimitsTest {
    private DicomServer server;
    private final ConcurrentLinkedQueue<String> stored = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Throwable> storeErrors = new ConcurrentLinkedQueue<>();
    private final AtomicInteger inService = new AtomicInteger();

    private void start(NetOptions options) throws IOException {
        DimseService store = new DimseService() {
            @Override
            public Response store(Request request, InputStream data) throws IOException {
                inService.incrementAndGet();
                try {
                    data.transferTo(java.io.OutputStream.nullOutputStream());
                } catch (IOException e) {
                    storeErrors.add(e);
                    throw e;
                } finally {
                    inService.decrementAndGet();
                }
                stored.add(request.command().sopInstanceUid());
                return Response.of(Status.SUCCESS);
            }
        };
        server = DicomServer.start(new DicomServer.Config("127.0.0.1", 0,
                AcceptorPolicy.builder("LIGHTBOX").accept(Uid.SecondaryCaptureImageStorage,
                        List.of(Uid.ExplicitVRLittleEndian)).build(), options,
                Map.of(Uid.SecondaryCaptureImageStorage, store), 4, null));
    }

    @AfterEach
    void stop() {
        server.shutdown(Duration.ofSeconds(5));
    }

    private Association connect(Proposal p) throws IOException {
        return Association.connect("127.0.0.1", server.port(), p, NetOptions.DEFAULT, null, Map.of());
    }

    private static Association.DataWriter bytes(int n) {
        return o -> {
            byte[] chunk = new byte[8192];
            for (int left = n; left > 0; left -= chunk.length) {
                o.write(chunk, 0, Math.min(left, chunk.length));
            }
        };
    }

    @Test
    void theWindowIsGrantedAndOutstandingStoresAllSucceed() throws Exception {
        start(NetOptions.DEFAULT);
        Proposal p = new Proposal("ME", "LIGHTBOX").add(Uid.SecondaryCaptureImageStorage, Uid.ExplicitVRLittleEndian)
                .asyncOps(8, 1);
        try (Association a = connect(p)) {
            assertThat(a.accept().userInformation().asyncOps().invoked()).isEqualTo(8);
            assertThat(a.accept().userInformation().asyncOps().performed()).isEqualTo(1);
            List<Thread> threads = new ArrayList<>();
            ConcurrentLinkedQueue<Integer> statuses = new ConcurrentLinkedQueue<>();
            for (int i = 0; i < 24; i++) {
                int n = i;
                threads.add(Thread.ofVirtual().start(() -> {
                    try {
                        statuses.add(a.store(Uid.SecondaryCaptureImageStorage, "2.25.5" + n,
                                Uid.ExplicitVRLittleEndian, bytes(100_000 + n), Command.PRIORITY_MEDIUM, null, 0)
                                .status());
                    } catch (IOException e) {
                        statuses.add(-1);
                    }
                }));
            }
            for (Thread t : threads) {
                t.join();
            }
            assertThat(statuses).hasSize(24).containsOnly(Status.SUCCESS);
        }
        assertThat(stored).hasSize(24);
    }

    @Test
    void anUnlimitedWindowIsCappedBySixteen() throws IOException {
        start(NetOptions.DEFAULT);
        try (Association a = connect(new Proposal("ME", "LIGHTBOX")
                .add(Uid.SecondaryCaptureImageStorage, Uid.ExplicitVRLittleEndian).asyncOps(0, 0))) {
            assertThat(a.accept().userInformation().asyncOps().invoked()).isEqualTo(AcceptorPolicy.MAX_ASYNC_INVOKED);
        }
    }

    @Test
    void aDataSetOverTheLimitAbortsAndTheServiceSeesAnError() throws Exception {
        start(NetOptions.DEFAULT.withMaxStoreDataSetLength(1_000_000));
        Proposal p = new Proposal("ME", "LIGHTBOX").add(Uid.SecondaryCaptureImageStorage, Uid.ExplicitVRLittleEndian);
        try (Association a = connect(p)) {
            assertThat(a.store(Uid.SecondaryCaptureImageStorage, "2.25.61", Uid.ExplicitVRLittleEndian,
                    bytes(999_000), Command.PRIORITY_MEDIUM, null, 0).status()).isEqualTo(Status.SUCCESS);
            assertThatThrownBy(() -> a.store(Uid.SecondaryCaptureImageStorage, "2.25.62",
                    Uid.ExplicitVRLittleEndian, bytes(5_000_000), Command.PRIORITY_MEDIUM, null, 0))
                    .isInstanceOf(IOException.class);
            assertThat(a.awaitEnd(Duration.ofSeconds(10))).isTrue();
        }
        assertThat(stored).containsExactly("2.25.61");
        assertThat(storeErrors).singleElement().satisfies(e -> assertThat(e).hasMessageContaining("limit"));
        // The server goes on serving.
        try (Association b = connect(p)) {
            assertThat(b.store(Uid.SecondaryCaptureImageStorage, "2.25.63", Uid.ExplicitVRLittleEndian,
                    bytes(10), Command.PRIORITY_MEDIUM, null, 0).status()).isEqualTo(Status.SUCCESS);
        }
    }

    @Test
    void aFindWithMoreMatchesThanTheResponseQueueHoldsReachesASlowRequestorWhole() throws Exception {
        String find = Uid.StudyRootQueryRetrieveInformationModelFind;
        String ivrle = Uid.ImplicitVRLittleEndian;
        int matches = 3000; // more than the 1,024 responses an operation queues before the reader waits
        DimseService service = new DimseService() {
            @Override
            public Response find(Request request, org.lightbox.dicom.Dataset identifier, Responder out)
                    throws IOException {
                for (int i = 0; i < matches; i++) {
                    out.pending(Response.of(Status.PENDING).withDataset(org.lightbox.dicom.Dataset.builder()
                            .setStrings(org.lightbox.dicom.Tag.PatientID, org.lightbox.dicom.Vr.LO, "P" + i).build()));
                }
                return Response.of(Status.SUCCESS);
            }
        };
        server = DicomServer.start(new DicomServer.Config("127.0.0.1", 0,
                AcceptorPolicy.builder("SCP").accept(find, List.of(ivrle)).build(), NetOptions.DEFAULT,
                Map.of(find, service), 4, null));
        AtomicInteger seen = new AtomicInteger();
        org.lightbox.dicom.Dataset keys = org.lightbox.dicom.Dataset.builder()
                .setStrings(org.lightbox.dicom.Tag.QueryRetrieveLevel, org.lightbox.dicom.Vr.CS, "PATIENT").build();
        try (Association a = Association.connect("127.0.0.1", server.port(),
                new Proposal("SCU", "SCP").add(find, ivrle), NetOptions.DEFAULT, null, Map.of())) {
            Response last = a.query(Command.C_FIND_RQ, find, keys, null, r -> {
                if (seen.getAndIncrement() == 0) {
                    try {
                        Thread.sleep(1500); // the peer sends every match meanwhile: the queue fills
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return true;
            });
            assertThat(last.status()).isEqualTo(Status.SUCCESS);
            assertThat(seen.get()).isEqualTo(matches);
            assertThat(a.query(Command.C_FIND_RQ, find, keys, null, null).status()).isEqualTo(Status.SUCCESS);
        }
    }
}
