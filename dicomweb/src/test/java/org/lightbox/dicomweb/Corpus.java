// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicomweb;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.lightbox.archive.StoredInstance;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Element;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.TransferSyntax;
import org.lightbox.dicom.Uid;
import org.lightbox.dicom.Value;
import org.lightbox.dicom.Vr;
import org.lightbox.dicom.io.DicomWriter;

/**
 * The archive the WADO tests share, built once per test JVM: one study holding
 * <ul>
 * <li>series 1 (CT, 512 x 512): instance 1 in Explicit VR Little Endian, and when GDCM is installed the same pixels
 * in RLE (2), JPEG-LS (3), JPEG 2000 (4) and JPEG lossless (5);
 * <li>series 2 (MR, five frames of 64 x 64): native (1), and RLE (2) and JPEG-LS (3) when GDCM is installed;
 * <li>series 3: one instance in MPEG-2 (made up fragments), which no codec here reads.
 * </ul>
 */
final class Corpus {
    static final String CT1 = Fixtures.SERIES + ".1";
    static final String MR1 = Fixtures.MR_SERIES + ".1";
    static final String VIDEO_SERIES = Fixtures.STUDY + ".3";
    static final String VIDEO = VIDEO_SERIES + ".1";

    private static Corpus instance;

    final Path dir;
    final WadoServer server;
    /** Stored instances by SOP Instance UID, with the file each came from. */
    final Map<String, StoredInstance> stored = new LinkedHashMap<>();
    final Map<String, Path> files = new LinkedHashMap<>();
    /** CT instances by transfer syntax (the native one under Explicit VR Little Endian). */
    final Map<String, String> ctBySyntax = new LinkedHashMap<>();
    final Map<String, String> mrBySyntax = new LinkedHashMap<>();
    final boolean compressed;

    private Corpus() throws IOException {
        dir = Files.createTempDirectory("lightbox-wado-");
        Path in = Files.createDirectories(dir.resolve("in"));
        server = new WadoServer(dir.resolve("data"));
        Path ct = Fixtures.write(in, "ct.dcm", Fixtures.ct(CT1, 1, 0).build());
        Path mr = Fixtures.write(in, "mr.dcm", Fixtures.mr(MR1).build());
        add(CT1, ct);
        add(MR1, mr);
        ctBySyntax.put(Uid.ExplicitVRLittleEndian, CT1);
        mrBySyntax.put(Uid.ExplicitVRLittleEndian, MR1);
        compressed = Fixtures.toolsPresent();
        if (compressed) {
            int n = 2;
            for (String option : List.of("--rle", "--jpegls", "--j2k", "--jpeg")) {
                String sop = Fixtures.SERIES + "." + n++;
                add(sop, Fixtures.gdcm(ct, option, sop));
                ctBySyntax.put(Fixtures.uid(option), sop);
            }
            n = 2;
            for (String option : List.of("--rle", "--jpegls")) {
                String sop = Fixtures.MR_SERIES + "." + n++;
                add(sop, Fixtures.gdcm(mr, option, sop));
                mrBySyntax.put(Fixtures.uid(option), sop);
            }
        }
        add(VIDEO, video(in));
    }

    static synchronized Corpus get() {
        if (instance == null) {
            try {
                instance = new Corpus();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Corpus c = instance;
            Runtime.getRuntime().addShutdownHook(new Thread(c::delete));
        }
        return instance;
    }

    private void add(String sop, Path file) throws IOException {
        StoredInstance s = server.store(file);
        if (!s.sopInstanceUid().equals(sop)) {
            throw new IllegalStateException(file + " holds " + s.sopInstanceUid() + ", not " + sop);
        }
        stored.put(sop, s);
        files.put(sop, file);
    }

    /** A made-up MPEG-2 instance: its fragments are noise, and nothing here decodes MPEG-2 anyway. */
    private static Path video(Path in) throws IOException {
        Dataset ds = Fixtures.common("1.2.840.10008.5.1.4.1.1.77.1.1.1", VIDEO, VIDEO_SERIES, "ES", 1)
                .setNumbers(Tag.Rows, Vr.US, 16).setNumbers(Tag.Columns, Vr.US, 16)
                .setNumbers(Tag.BitsAllocated, Vr.US, 8).setNumbers(Tag.BitsStored, Vr.US, 8)
                .setNumbers(Tag.HighBit, Vr.US, 7).setNumbers(Tag.PixelRepresentation, Vr.US, 0)
                .setNumbers(Tag.SamplesPerPixel, Vr.US, 3).setNumbers(Tag.PlanarConfiguration, Vr.US, 0)
                .setStrings(Tag.PhotometricInterpretation, Vr.CS, "YBR_PARTIAL_420")
                .add(new Element(Tag.PixelData, Vr.OB, new Value.Fragments(List.of(Value.Bytes.EMPTY,
                        new Value.Bytes(Fixtures.pattern(256, 3)))), false, true)).build();
        Path f = in.resolve("video.dcm");
        try (OutputStream out = Files.newOutputStream(f)) {
            DicomWriter.write(DicomWriter.newFile(ds, TransferSyntax.of(Uid.MPEG2MPML)), out);
        }
        return f;
    }

    String path(String sop) {
        StoredInstance s = stored.get(sop);
        return DicomWeb.ROOT + "/studies/" + s.studyInstanceUid() + "/series/" + s.seriesInstanceUid()
                + "/instances/" + s.sopInstanceUid();
    }

    byte[] blob(String sop) throws IOException {
        return Files.readAllBytes(server.archive.blobFile(stored.get(sop)));
    }

    List<String> ctSops() {
        return new ArrayList<>(ctBySyntax.values());
    }

    private void delete() {
        server.close();
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary folder
        }
    }
}
