// SPDX-License-Identifier: Apache-2.0
package org.lightbox.bench;

import io.javalin.Javalin;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.lightbox.archive.Archive;
import org.lightbox.archive.ArchiveConfig;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Element;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.TransferSyntax;
import org.lightbox.dicom.Uid;
import org.lightbox.dicom.Vr;
import org.lightbox.dicom.io.DicomWriter;
import org.lightbox.dicomweb.DicomWeb;
import org.lightbox.imaging.PixelCodec;
import org.lightbox.imaging.Transcoder;

/**
 * WADO-RS frames per second for 512 x 512 CT (16 bit): a fresh archive holding N instances in Explicit VR Little
 * Endian and the same N in JPEG-LS lossless, served by Javalin on 127.0.0.1 as {@code lightbox serve} serves them,
 * and C client threads (the JDK's HTTP client, connections kept alive) asking for frame 1 of random instances for S
 * seconds per case: native frames of native instances; JPEG-LS instances' stored codestreams
 * ({@code transfer-syntax=*}); JPEG-LS instances decoded to native. Client and server share the machine.
 *
 * <p>Usage: {@code java -cp benchmarks.jar org.lightbox.bench.WadoFrameThroughput WORK [CLIENTS] [SECONDS] [N]};
 * with 0 clients it only serves, for SECONDS, for a client of one's own (curl; see docs/BENCHMARKS.md).
 */
public final class WadoFrameThroughput {
    private static final String STUDY = "1.2.826.0.1.3680043.10.77";

    private WadoFrameThroughput() {}

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args[0]);
        int clients = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        int n = args.length > 3 ? Integer.parseInt(args[3]) : 100;
        Path data = Files.createDirectories(work).resolve("wado-frames-" + System.nanoTime());
        try (Archive archive = Archive.open(ArchiveConfig.of(data))) {
            for (int i = 1; i <= n; i++) {
                Dataset ds = ct(STUDY + ".1." + i, STUDY + ".1", i);
                archive.storePart10(part10(ds, null));
                archive.storePart10(part10(ct(STUDY + ".2." + i, STUDY + ".2", i), Uid.JPEGLSLossless));
            }
            Javalin http = Javalin.create(cfg -> {
                cfg.startup.showJavalinBanner = false;
                cfg.concurrency.useVirtualThreads = true;
                cfg.jetty.host = "127.0.0.1";
                cfg.jetty.port = 0;
                DicomWeb.register(cfg.routes, () -> archive);
            }).start();
            try {
                String base = "http://127.0.0.1:" + http.port() + DicomWeb.ROOT + "/studies/" + STUDY;
                if (clients == 0) { // serve only, for an outside client such as curl
                    System.out.println("serving " + base + "/series/" + STUDY + ".{1,2}/instances/" + STUDY
                            + ".{1,2}.{1.." + n + "}/frames/1 for " + seconds + " s");
                    Thread.sleep(seconds * 1000L);
                    return;
                }
                System.out.printf("%d instances of 512 x 512 x 16 bit per series, %d client threads, %d s per case%n",
                        n, clients, seconds);
                run("native, default Accept", base + "/series/" + STUDY + ".1/instances/" + STUDY + ".1.", null,
                        clients, 2, n);
                run("native, default Accept", base + "/series/" + STUDY + ".1/instances/" + STUDY + ".1.", null,
                        clients, seconds, n);
                run("JPEG-LS as stored (transfer-syntax=*)", base + "/series/" + STUDY + ".2/instances/" + STUDY
                        + ".2.", "multipart/related; type=\"application/octet-stream\"; transfer-syntax=*", clients,
                        seconds, n);
                run("JPEG-LS decoded to native", base + "/series/" + STUDY + ".2/instances/" + STUDY + ".2.", null,
                        clients, seconds, n);
            } finally {
                http.stop();
            }
        } finally {
            try (Stream<Path> s = Files.walk(data)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void run(String name, String prefix, String accept, int clients, int seconds, int n)
            throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        AtomicLong frames = new AtomicLong();
        AtomicLong bytes = new AtomicLong();
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    while (System.nanoTime() < end) {
                        int i = 1 + ThreadLocalRandom.current().nextInt(n);
                        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(prefix + i + "/frames/1"));
                        if (accept != null) {
                            b.header("Accept", accept);
                        }
                        HttpResponse<InputStream> r = client.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
                        try (InputStream in = r.body()) {
                            long got = in.transferTo(java.io.OutputStream.nullOutputStream());
                            if (r.statusCode() != 200) {
                                throw new IllegalStateException("HTTP " + r.statusCode());
                            }
                            bytes.addAndGet(got);
                        }
                        frames.incrementAndGet();
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        long t0 = System.nanoTime();
        for (Thread t : threads) {
            t.join();
        }
        double s = (System.nanoTime() - t0) / 1e9;
        System.out.printf("%-40s %8.0f frames/s %8.1f MB/s%n", name, frames.get() / s, bytes.get() / s / 1e6);
    }

    private static Dataset ct(String sop, String series, int number) {
        byte[] px = new byte[512 * 512 * 2];
        for (int i = 0; i < 512 * 512; i++) {
            int v = ((i % 512 - 256) * (i % 512 - 256) + (i / 512 - 256) * (i / 512 - 256)) < 40000
                    ? 1064 + (i * 7 + number) % 97 : 0;
            px[2 * i] = (byte) v;
            px[2 * i + 1] = (byte) (v >> 8);
        }
        return Dataset.builder().setStrings(Tag.SOPClassUID, Vr.UI, "1.2.840.10008.5.1.4.1.1.2")
                .setStrings(Tag.SOPInstanceUID, Vr.UI, sop).setStrings(Tag.StudyInstanceUID, Vr.UI, STUDY)
                .setStrings(Tag.SeriesInstanceUID, Vr.UI, series).setStrings(Tag.Modality, Vr.CS, "CT")
                .setStrings(Tag.PatientID, Vr.LO, "BENCH").setStrings(Tag.InstanceNumber, Vr.IS, "" + number)
                .setNumbers(Tag.Rows, Vr.US, 512).setNumbers(Tag.Columns, Vr.US, 512)
                .setNumbers(Tag.BitsAllocated, Vr.US, 16).setNumbers(Tag.BitsStored, Vr.US, 12)
                .setNumbers(Tag.HighBit, Vr.US, 11).setNumbers(Tag.PixelRepresentation, Vr.US, 0)
                .setNumbers(Tag.SamplesPerPixel, Vr.US, 1)
                .setStrings(Tag.PhotometricInterpretation, Vr.CS, "MONOCHROME2")
                .add(Element.of(Tag.PixelData, Vr.OW, px)).build();
    }

    private static InputStream part10(Dataset ds, String compressed) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        var file = DicomWriter.newFile(ds, TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN);
        if (compressed == null) {
            DicomWriter.write(file, out);
        } else {
            Transcoder.transcode(file, TransferSyntax.of(compressed), PixelCodec.EncodeOptions.DEFAULT, out);
        }
        return new ByteArrayInputStream(out.toByteArray());
    }
}
