// SPDX-License-Identifier: Apache-2.0
package org.lightbox.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.lightbox.dicom.Uid;
import org.lightbox.net.AcceptorPolicy;
import org.lightbox.net.Association;
import org.lightbox.net.DicomServer;
import org.lightbox.net.DimseService;
import org.lightbox.net.NetOptions;
import org.lightbox.net.Proposal;
import org.lightbox.net.Response;
import org.lightbox.net.Status;

/**
 * C-STORE throughput of dicom-net itself, Lightbox's SCU into Lightbox's SCP on loopback in one process: 8 MB data
 * sets over one association, received into nothing or into a file. Compare with iperf3 on loopback in the same run.
 *
 * <p>Usage: {@code java -cp benchmarks.jar org.lightbox.bench.StoreThroughput [MAX_PDU] [null|FILE]}
 */
public final class StoreThroughput {
    private StoreThroughput() {}

    public static void main(String[] args) throws Exception {
        long maxPdu = args.length > 0 ? Long.parseLong(args[0]) : NetOptions.DEFAULT.maxPduLength();
        Path file = args.length > 1 && !args[1].equals("null") ? Path.of(args[1]) : null;
        DimseService sink = new DimseService() {
            @Override
            public Response store(Request request, InputStream data) throws IOException {
                try (OutputStream o = file == null ? OutputStream.nullOutputStream() : Files.newOutputStream(file)) {
                    data.transferTo(o);
                }
                return Response.of(Status.SUCCESS);
            }
        };
        String sop = Uid.SecondaryCaptureImageStorage;
        String ts = Uid.ExplicitVRLittleEndian;
        NetOptions options = NetOptions.DEFAULT.withMaxPduLength(maxPdu);
        try (DicomServer server = DicomServer.start(new DicomServer.Config("127.0.0.1", 0,
                AcceptorPolicy.builder("SINK").accept(sop, List.of(ts)).maxPduLength(maxPdu).build(), options,
                Map.of(sop, sink), 4, null))) {
            byte[] data = new byte[8 << 20];
            try (Association a = Association.connect("127.0.0.1", server.port(),
                    new Proposal("BENCH", "SINK").add(sop, ts), options, null, Map.of())) {
                for (int round = 1; round <= 5; round++) {
                    int n = 100;
                    long t0 = System.nanoTime();
                    for (int i = 0; i < n; i++) {
                        a.store(sop, "2.25." + i, ts, o -> o.write(data), 0, null, 0);
                    }
                    double seconds = (System.nanoTime() - t0) / 1e9;
                    System.out.printf("round %d: %d x 8 MiB in %.2f s, %.0f MB/s (max PDU %d, into %s)%n", round, n,
                            seconds, n * (double) data.length / seconds / 1e6, maxPdu, file == null ? "nothing" : file);
                }
            }
        }
    }
}
