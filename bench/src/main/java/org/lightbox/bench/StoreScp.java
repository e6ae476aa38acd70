// SPDX-License-Identifier: Apache-2.0
package org.lightbox.bench;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.lightbox.dicom.Uid;
import org.lightbox.dicom.io.DicomWriter;
import org.lightbox.net.AcceptorPolicy;
import org.lightbox.net.DicomServer;
import org.lightbox.net.DimseService;
import org.lightbox.net.NetOptions;
import org.lightbox.net.Response;
import org.lightbox.net.Status;

/**
 * A storage SCP that writes each instance received as a Part 10 file, as DCMTK's storescp does (no index, no fsync):
 * the Lightbox side of the C-STORE benchmark in bench/scripts/store-vs-peers.sh.
 *
 * <p>Usage: {@code java -cp benchmarks.jar org.lightbox.bench.StoreScp AET PORT OUT_DIR [MAX_PDU]}
 */
public final class StoreScp {
    private StoreScp() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: StoreScp AET PORT OUT_DIR [MAX_PDU]");
            System.exit(2);
        }
        Path out = Files.createDirectories(Path.of(args[2]));
        long maxPdu = args.length > 3 ? Long.parseLong(args[3]) : NetOptions.DEFAULT.maxPduLength();
        DimseService store = new DimseService() {
            @Override
            public Response store(Request request, InputStream data) throws IOException {
                String iuid = request.command().sopInstanceUid();
                Path f = out.resolve(iuid + ".dcm");
                try (OutputStream o = new BufferedOutputStream(Files.newOutputStream(f), 64 * 1024)) {
                    DicomWriter.writeFileHead(request.command().sopClassUid(), iuid,
                            request.context().transferSyntax(), o);
                    data.transferTo(o);
                } catch (IOException e) {
                    Files.deleteIfExists(f);
                    throw e;
                }
                return Response.of(Status.SUCCESS);
            }
        };
        Map<String, DimseService> services = new HashMap<>();
        services.put(Uid.Verification, new DimseService() {});
        AcceptorPolicy.STORAGE.forEach(uid -> services.put(uid, store));
        AcceptorPolicy policy = AcceptorPolicy.builder(args[0]).acceptArchiveDefaults().maxPduLength(maxPdu).build();
        DicomServer.start(new DicomServer.Config("127.0.0.1", Integer.parseInt(args[1]), policy,
                NetOptions.DEFAULT.withMaxPduLength(maxPdu), services, 64, null));
        new CountDownLatch(1).await();
    }
}
