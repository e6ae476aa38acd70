// SPDX-License-Identifier: Apache-2.0
package org.lightbox.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.TransferSyntax;
import org.lightbox.dicom.Uid;
import org.lightbox.dicom.UidRegistry;
import org.lightbox.dicom.Vr;
import org.lightbox.dicom.io.DicomFile;
import org.lightbox.dicom.io.DicomWriter;
import org.lightbox.net.Association;
import org.lightbox.net.Command;
import org.lightbox.net.DimseService;
import org.lightbox.net.Proposal;
import org.lightbox.net.Response;
import org.lightbox.net.Status;

/**
 * {@code lightbox get}: C-GET, receiving the instances on the same association (this side takes the SCP role for the
 * storage SOP classes) and writing each as a Part 10 file, streamed from the socket to disk.
 */
final class GetCommand extends NetworkCommand {
    /** The storage SOP classes proposed by default: the ones archives hold most. */
    static final List<String> DEFAULT_SOP_CLASSES = List.of(
            Uid.CTImageStorage, Uid.EnhancedCTImageStorage, Uid.MRImageStorage, Uid.EnhancedMRImageStorage,
            Uid.EnhancedMRColorImageStorage, Uid.MRSpectroscopyStorage, Uid.ComputedRadiographyImageStorage,
            Uid.DigitalXRayImageStorageForPresentation, Uid.DigitalXRayImageStorageForProcessing,
            Uid.DigitalMammographyXRayImageStorageForPresentation, Uid.DigitalMammographyXRayImageStorageForProcessing,
            Uid.DigitalIntraOralXRayImageStorageForPresentation, Uid.BreastTomosynthesisImageStorage,
            Uid.UltrasoundImageStorage, Uid.UltrasoundMultiFrameImageStorage, Uid.SecondaryCaptureImageStorage,
            Uid.MultiFrameGrayscaleByteSecondaryCaptureImageStorage,
            Uid.MultiFrameGrayscaleWordSecondaryCaptureImageStorage,
            Uid.MultiFrameTrueColorSecondaryCaptureImageStorage, Uid.MultiFrameSingleBitSecondaryCaptureImageStorage,
            Uid.XRayAngiographicImageStorage, Uid.EnhancedXAImageStorage, Uid.XRayRadiofluoroscopicImageStorage,
            Uid.EnhancedXRFImageStorage, Uid.XRay3DAngiographicImageStorage, Uid.NuclearMedicineImageStorage,
            Uid.PositronEmissionTomographyImageStorage, Uid.EnhancedPETImageStorage, Uid.RTImageStorage,
            Uid.RTDoseStorage, Uid.RTStructureSetStorage, Uid.RTPlanStorage, Uid.RTIonPlanStorage,
            Uid.RTBeamsTreatmentRecordStorage, Uid.GrayscaleSoftcopyPresentationStateStorage,
            Uid.ColorSoftcopyPresentationStateStorage, Uid.KeyObjectSelectionDocumentStorage, Uid.BasicTextSRStorage,
            Uid.EnhancedSRStorage, Uid.ComprehensiveSRStorage, Uid.Comprehensive3DSRStorage,
            Uid.XRayRadiationDoseSRStorage, Uid.EncapsulatedPDFStorage, Uid.VLPhotographicImageStorage,
            Uid.VLEndoscopicImageStorage, Uid.VLMicroscopicImageStorage, Uid.VLWholeSlideMicroscopyImageStorage,
            Uid.OphthalmicPhotography8BitImageStorage, Uid.SegmentationStorage, Uid.SpatialRegistrationStorage,
            Uid.RawDataStorage, Uid.TwelveLeadECGWaveformStorage);
    private static final int MAX_CONTEXTS = 128;

    @Override
    public String name() {
        return "get";
    }

    @Override
    public String summary() {
        return "fetch studies, series or instances from a peer into a folder (C-GET)";
    }

    @Override
    public String arguments() {
        return "AET@host:port";
    }

    @Override
    public String description() {
        return "Sends one C-GET with the keys given by -k and writes each instance the peer sends back on the"
                + " association to --out as SOPInstanceUID.dcm (Part 10, in the transfer syntax it came in)."
                + " Proposes " + DEFAULT_SOP_CLASSES.size() + " common storage SOP classes in Explicit and Implicit"
                + " VR Little Endian, with the SCP role; --sop-class and --ts add more (each added transfer syntax"
                + " gets a presentation context of its own per SOP class while the 128 of an association allow,"
                + " else all are offered in one). Prints the sub-operation counts; exit status 1 when the peer"
                + " answers with a failure, a sub-operation failed or a file could not be written.";
    }

    @Override
    Options ownOptions() {
        return QueryOptions.addTo(new Options(), "STUDY")
                .addOption(Option.builder().longOpt("out").hasArg().argName("DIR").required()
                        .desc("The folder to write the instances to (created if need be).").get())
                .addOption(Option.builder().longOpt("sop-class").hasArg().argName("UID")
                        .desc("Another storage SOP class to accept (UID or keyword). Repeatable.").get())
                .addOption(Option.builder().longOpt("ts").hasArg().argName("UID")
                        .desc("Another transfer syntax to accept (UID or keyword), e.g. JPEG2000Lossless."
                                + " Repeatable.").get());
    }

    @Override
    int run(ScuOptions scu, List<String> args, CommandLine line, PrintStream out, PrintStream err)
            throws UsageException, IOException {
        if (!args.isEmpty()) {
            throw new UsageException("unexpected argument '" + args.get(0) + "'");
        }
        String model = QueryOptions.model(line, "Get");
        Dataset identifier = QueryOptions.identifier(line, "STUDY");
        Set<String> classes = new LinkedHashSet<>(DEFAULT_SOP_CLASSES);
        for (String c : values(line, "sop-class")) {
            classes.add(sopClass(c));
        }
        List<String> extra = new ArrayList<>();
        for (String t : values(line, "ts")) {
            String uid = TranscodeCommand.transferSyntax(t).orElseThrow(
                    () -> new UsageException("--ts '" + t + "' names no transfer syntax")).uid();
            if (!uid.equals(Uid.ExplicitVRLittleEndian) && !uid.equals(Uid.ImplicitVRLittleEndian)
                    && !extra.contains(uid)) {
                extra.add(uid);
            }
        }
        Proposal proposal = proposal(scu, model, classes, extra);
        Path dir = Path.of(line.getOptionValue("out"));
        Files.createDirectories(dir);
        Receiver receiver = new Receiver(dir, out, err);
        Map<String, DimseService> services = new HashMap<>();
        classes.forEach(c -> services.put(c, receiver));
        Association a = scu.connect(proposal, services);
        Response r;
        try {
            r = a.query(Command.C_GET_RQ, model, identifier, null, pending -> {
                out.println("pending: " + QueryOptions.Counts.of(pending).describe());
                out.flush();
                return true;
            });
            a.release();
        } finally {
            a.abort();
        }
        int status = QueryOptions.report(name(), "C-GET", r, out, err);
        out.println("received " + receiver.written.get() + " instance" + (receiver.written.get() == 1 ? "" : "s")
                + " into " + dir);
        out.flush();
        return receiver.failed.get() > 0 ? 1 : status;
    }

    private static List<String> values(CommandLine line, String option) {
        String[] v = line.getOptionValues(option);
        return v == null ? List.of() : List.of(v);
    }

    private static String sopClass(String name) throws UsageException {
        if (name.matches("[0-9.]+")) {
            return name;
        }
        return UidRegistry.all().stream().filter(e -> e.keyword().equalsIgnoreCase(name)).map(UidRegistry.Entry::uid)
                .findFirst().orElseThrow(() -> new UsageException("--sop-class '" + name + "' names no SOP class"));
    }

    /** The C-GET model, then the storage classes with the SCP role, in separate contexts per syntax if they fit. */
    private static Proposal proposal(ScuOptions scu, String model, Set<String> classes, List<String> extra)
            throws UsageException {
        Proposal p = scu.proposal().add(model, Uid.ExplicitVRLittleEndian, Uid.ImplicitVRLittleEndian);
        boolean separate = 1 + classes.size() * (1 + extra.size()) <= MAX_CONTEXTS;
        if (!separate && 1 + classes.size() > MAX_CONTEXTS) {
            throw new UsageException((classes.size() + 1) + " presentation contexts are needed, more than the "
                    + MAX_CONTEXTS + " an association allows");
        }
        for (String c : classes) {
            if (separate) {
                for (String ts : extra) {
                    p.add(c, ts);
                }
                p.add(c, Uid.ExplicitVRLittleEndian, Uid.ImplicitVRLittleEndian);
            } else {
                List<String> all = new ArrayList<>(extra);
                all.add(Uid.ExplicitVRLittleEndian);
                all.add(Uid.ImplicitVRLittleEndian);
                p.add(c, all);
            }
            p.role(c, false, true);
        }
        return p;
    }

    /** The C-STORE sub-operations: each data set streamed to a temporary file, renamed once complete. */
    private static final class Receiver implements DimseService {
        private final Path dir;
        private final PrintStream out;
        private final PrintStream err;
        final AtomicInteger written = new AtomicInteger();
        final AtomicInteger failed = new AtomicInteger();

        Receiver(Path dir, PrintStream out, PrintStream err) {
            this.dir = dir;
            this.out = out;
            this.err = err;
        }

        @Override
        public Response store(Request request, InputStream data) throws IOException {
            String sopClass = request.command().sopClassUid();
            String instance = request.command().sopInstanceUid();
            String ts = request.context().transferSyntax();
            // A UID is digits and dots; anything else must not reach the file name.
            String safe = instance.replaceAll("[^0-9.]", "_");
            if (safe.isEmpty() || safe.chars().allMatch(c -> c == '.')) {
                safe = "instance-" + System.nanoTime();
            }
            Path target = dir.resolve(safe + ".dcm");
            Path tmp = dir.resolve("." + safe + ".part");
            IOException writeFailure = null;
            OutputStream o = null;
            try {
                try {
                    o = Files.newOutputStream(tmp);
                    Dataset ids = Dataset.builder().setStrings(Tag.SOPClassUID, Vr.UI, sopClass)
                            .setStrings(Tag.SOPInstanceUID, Vr.UI, instance).build();
                    DicomFile meta = DicomWriter.newFile(ids, TransferSyntax.of(ts));
                    // Preamble, DICM and the meta only: the data set follows as received (deflated stays deflated).
                    DicomWriter.write(new DicomFile(new byte[128], meta.fileMetaInformation(), Dataset.empty(),
                            TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN, List.of()), o);
                } catch (IOException e) {
                    writeFailure = e;
                }
                byte[] buf = new byte[64 * 1024];
                int n;
                while ((n = data.read(buf)) > 0) { // an IOException here is the association's: it propagates
                    if (writeFailure == null) {
                        try {
                            o.write(buf, 0, n);
                        } catch (IOException e) {
                            writeFailure = e;
                        }
                    }
                }
            } catch (IOException broken) {
                closeQuietly(o);
                Files.deleteIfExists(tmp);
                throw broken;
            }
            if (o != null) {
                try {
                    o.close();
                } catch (IOException e) {
                    writeFailure = writeFailure == null ? e : writeFailure;
                }
            }
            if (writeFailure == null) {
                try {
                    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } catch (IOException e) {
                    writeFailure = e;
                }
            }
            if (writeFailure != null) {
                Files.deleteIfExists(tmp);
                failed.incrementAndGet();
                err.println("lightbox get: cannot write " + target + ": " + writeFailure.getMessage());
                return Response.of(Status.STORE_OUT_OF_RESOURCES, "cannot write the instance");
            }
            written.incrementAndGet();
            out.println(target);
            return Response.of(Status.SUCCESS);
        }

        private static void closeQuietly(OutputStream o) {
            if (o != null) {
                try {
                    o.close();
                } catch (IOException ignored) {
                    // the file is deleted next
                }
            }
        }
    }
}
