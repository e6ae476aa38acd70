// SPDX-License-Identifier: Apache-2.0
package org.lightbox.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Element;
import org.lightbox.dicom.TransferSyntax;
import org.lightbox.dicom.Vr;
import org.lightbox.dicom.io.DicomWriter;
import org.lightbox.testkit.ProcessResult;
import org.lightbox.testkit.SharedData;
import org.lightbox.testkit.Tools;

/**
 * A third-party STOW-RS client: Orthanc 1.10's DICOMweb plugin sends a study it holds to {@code lightbox serve}
 * ({@code /dicom-web/servers/{id}/stow}), and Lightbox stores every instance byte for byte. Runs in a loopback-only
 * network namespace (Orthanc listens on every interface), so it needs root, {@code unshare} and Orthanc with its
 * DICOMweb plugin; skipped otherwise.
 */
@Tag("interop")
class StowOrthancInteropIT {
    @TempDir
    Path dir;

    @Test
    void orthancsDicomWebClientStoresIntoLightbox() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root for unshare -n");
        assumeTrue(Tools.available("unshare") && Tools.available("Orthanc") && Tools.available("curl"),
                "needs unshare, curl and Orthanc");
        assumeTrue(Tools.run(List.of("sh", "-c", "dpkg -L orthanc-dicomweb | grep -q libOrthancDicomWeb.so"),
                Duration.ofSeconds(30)).isSuccess(), "needs the orthanc-dicomweb package");
        List<String> files = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            Path f = dir.resolve("i" + i + ".dcm");
            Files.write(f, part10(i));
            files.add(f.toString());
        }
        SharedData.dataDir().ifPresent(d -> {
            for (String name : List.of("ts/MR_small_jpeg_ls_lossless.dcm", "ts/CT_small.deflated.dcm")) {
                if (Files.isRegularFile(d.resolve(name))) {
                    files.add(d.resolve(name).toString());
                }
            }
        });
        Path script = Path.of("src", "test", "resources", "interop", "orthanc-stow-to-lightbox.sh").toAbsolutePath();
        List<String> cmd = new ArrayList<>(List.of("unshare", "-n", "bash", script.toString(),
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                Path.of("target", "lightbox.jar").toAbsolutePath().toString(), dir.resolve("work").toString()));
        cmd.addAll(files);
        ProcessResult r = Tools.run(cmd, Duration.ofMinutes(3));
        String log = r.stdout() + r.stderr() + lightboxLog();
        assertThat(r.isSuccess()).as(log).isTrue();
        List<String> lines = r.stdout().lines().toList();
        assertThat(lines.stream().filter(l -> l.startsWith("upload "))).as(log).hasSize(files.size())
                .allMatch(l -> l.equals("upload 200"));
        assertThat(lines.stream().filter(l -> l.startsWith("stow "))).as(log).singleElement()
                .satisfies(l -> assertThat(l).contains("\"InstancesCount\":\"" + files.size() + "\""));
        List<String> orthanc = lines.stream().filter(l -> l.startsWith("orthanc ")).map(l -> l.substring(8)).toList();
        List<String> lightbox = lines.stream().filter(l -> l.startsWith("lightbox ")).map(l -> l.substring(9))
                .toList();
        assertThat(orthanc).hasSize(files.size());
        assertThat(lightbox).as(log).containsExactlyInAnyOrderElementsOf(orthanc);
    }

    private String lightboxLog() {
        try {
            return "\n" + Files.readString(dir.resolve("work").resolve("lightbox.log"));
        } catch (java.io.IOException e) {
            return "";
        }
    }

    private static byte[] part10(int i) throws java.io.IOException {
        Dataset ds = Dataset.builder()
                .setStrings(org.lightbox.dicom.Tag.SOPClassUID, Vr.UI, "1.2.840.10008.5.1.4.1.1.7")
                .setStrings(org.lightbox.dicom.Tag.SOPInstanceUID, Vr.UI, "2.25.7770" + i)
                .setStrings(org.lightbox.dicom.Tag.PatientID, Vr.LO, "INTEROP")
                .setStrings(org.lightbox.dicom.Tag.PatientName, Vr.PN, "Interop^Stow")
                .setStrings(org.lightbox.dicom.Tag.StudyInstanceUID, Vr.UI, "2.25.777")
                .setStrings(org.lightbox.dicom.Tag.SeriesInstanceUID, Vr.UI, "2.25.7771")
                .setStrings(org.lightbox.dicom.Tag.Modality, Vr.CS, "OT")
                .add(Element.of(org.lightbox.dicom.Tag.PixelData, Vr.OW, new byte[1000 * i])).build();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DicomWriter.write(DicomWriter.newFile(ds, TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN), out);
        return out.toByteArray();
    }
}
