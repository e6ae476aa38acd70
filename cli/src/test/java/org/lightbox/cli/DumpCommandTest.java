// SPDX-License-Identifier: Apache-2.0
package org.lightbox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Element;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.TransferSyntax;
import org.lightbox.dicom.Vr;
import org.lightbox.dicom.io.DicomWriter;
import org.lightbox.dicom.json.DicomJson;
import org.lightbox.dicom.json.DicomXml;

/** The {@code lightbox} command line, run in-process on files made here. */
class DumpCommandTest {
    @TempDir
    static Path dir;
    static Path good;
    static Path bad;

    record Run(int status, String out, String err) {}

    @BeforeAll
    static void files() throws IOException {
        good = dir.resolve("good.dcm");
        Dataset ds = Dataset.builder()
                .setStrings(Tag.SpecificCharacterSet, Vr.CS, "ISO_IR 192")
                .setStrings(Tag.SOPClassUID, Vr.UI, "1.2.840.10008.5.1.4.1.1.7")
                .setStrings(Tag.SOPInstanceUID, Vr.UI, "1.2.826.0.1.3680043.99.7")
                .setStrings(Tag.PatientName, Vr.PN, "Müller^Anna=山田^花子")
                .setNumbers(Tag.Rows, Vr.US, 2).setNumbers(Tag.Columns, Vr.US, 2)
                .setItems(Tag.ReferencedImageSequence, java.util.List.of(Dataset.builder()
                        .setStrings(Tag.ReferencedSOPInstanceUID, Vr.UI, "1.2.3.4").build()))
                .add(Element.of(Tag.PixelData, Vr.OB, new byte[8192]))
                .build();
        try (OutputStream out = Files.newOutputStream(good)) {
            DicomWriter.write(DicomWriter.newFile(ds, TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN), out);
        }
        bad = dir.resolve("bad.dcm");
        byte[] truncated = Files.readAllBytes(good);
        Files.write(bad, java.util.Arrays.copyOf(truncated, truncated.length - 100));
    }

    static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), args);
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void textDumpShowsElementsItemsAndKeywords() {
        Run r = run("dump", good.toString());
        assertThat(r.status()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).contains("(0010,0010) PN [Müller^Anna=山田^花子]")
                .contains("PatientName")
                .contains("(0008,1140) SQ (Sequence with defined length, 1 items)")
                .contains("    (0008,1155) UI [1.2.3.4]")
                .contains("(7FE0,0010) OB 00\\00\\00")
                .contains("# 8192, 1 PixelData");
    }

    @Test
    void noBulkLeavesPixelDataUnread() {
        Run r = run("dump", "--no-bulk", good.toString());
        assertThat(r.out()).containsPattern("\\(7FE0,0010\\) OB \\(8192 bytes at offset \\d+\\)");
    }

    @Test
    void jsonIsTheDicomJsonModel() throws IOException {
        Run r = run("dump", "--json", good.toString());
        assertThat(r.status()).isZero();
        Dataset back = DicomJson.read(new StringReader(r.out()));
        assertThat(back.string(Tag.PatientName)).contains("Müller^Anna=山田^花子");
        assertThat(back.items(Tag.ReferencedImageSequence)).hasSize(1);
        assertThat(back.get(Tag.PixelData).orElseThrow().bytes()).hasSize(8192);
    }

    @Test
    void jsonWithNoBulkGivesFileRangeUris() {
        Run r = run("dump", "--json", "--no-bulk", good.toString());
        assertThat(r.out()).contains("\"BulkDataURI\":\"file:").contains("length=8192");
    }

    @Test
    void xmlIsTheNativeDicomModel() throws IOException {
        Run r = run("dump", "--xml", good.toString());
        assertThat(r.status()).isZero();
        assertThat(r.out()).contains("<NativeDicomModel").contains("<FamilyName>Müller</FamilyName>");
        Dataset back = DicomXml.read(new StringReader(r.out()));
        assertThat(back.string(Tag.SOPInstanceUID)).contains("1.2.826.0.1.3680043.99.7");
    }

    @Test
    void aBadFileGivesOneLineAndTheOthersAreStillDumped() {
        Run r = run("dump", bad.toString(), dir.resolve("missing.dcm").toString(), good.toString());
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err().lines()).hasSize(2);
        assertThat(r.err()).contains("bad.dcm: ").contains("at byte").contains("missing.dcm: no such file");
        assertThat(r.out()).contains("# " + good).contains("PatientName");
    }

    @Test
    void filesAreDumpedInTheOrderGiven() {
        String[] args = new String[41];
        args[0] = "dump";
        for (int i = 1; i < args.length; i++) {
            args[i] = i % 2 == 0 ? good.toString() : bad.toString();
        }
        Run r = run(args);
        assertThat(r.out().split("# " + good, -1)).hasSize(21);
        assertThat(r.err().lines()).hasSize(20);
    }

    @Test
    void helpAndUsageErrors() {
        assertThat(run("--help").out()).contains("dump").contains("Usage: lightbox");
        assertThat(run("dump", "--help").out()).contains("--json").contains("--xml").contains("--no-bulk");
        assertThat(run("help", "dump").status()).isZero();
        assertThat(run("--version").out()).startsWith("Lightbox");
        Run unknown = run("dump", "--bogus", good.toString());
        assertThat(unknown.status()).isEqualTo(2);
        assertThat(unknown.err().lines()).hasSize(1);
        assertThat(run("nosuchcommand").status()).isEqualTo(2);
        assertThat(run("dump").status()).isEqualTo(2);
        assertThat(run("dump", "--json", "--xml", good.toString()).status()).isEqualTo(2);
        assertThat(run().status()).isEqualTo(2);
    }
}
