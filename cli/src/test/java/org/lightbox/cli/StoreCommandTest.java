// SPDX-License-Identifier: Apache-2.0
package org.lightbox.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.TransferSyntax;
import org.lightbox.dicom.Uid;
import org.lightbox.dicom.Vr;
import org.lightbox.dicom.io.DicomFile;
import org.lightbox.dicom.io.DicomReader;
import org.lightbox.testkit.ProcessResult;

/** {@code lightbox store} and {@code lightbox echo} against DCMTK's storescp, in a loopback-only namespace. */
class StoreCommandTest {
    private static final int PORT = 11112;

    @TempDir
    Path dir;

    private Loopback.Server storescp(String... options) throws IOException {
        Files.createDirectories(dir.resolve("out"));
        List<String> words = new ArrayList<>(List.of("storescp", "-aet", "STORESCP", "-od", "out"));
        words.addAll(List.of(options));
        words.add(String.valueOf(PORT));
        return new Loopback.Server(Loopback.shell(words), PORT);
    }

    @Test
    void storesEachFileInItsOwnTransferSyntaxOverOneAssociation() throws IOException {
        assumeTrue(Loopback.usable(), Loopback.why());
        List<TransferSyntax> syntaxes = List.of(TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN,
                TransferSyntax.IMPLICIT_VR_LITTLE_ENDIAN, TransferSyntax.EXPLICIT_VR_BIG_ENDIAN,
                TransferSyntax.DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN, TransferSyntax.of(Uid.RLELossless));
        for (int i = 0; i < syntaxes.size(); i++) {
            NetFixtures.write(NetFixtures.instance(1, i + 1, NetFixtures.SC), syntaxes.get(i),
                    dir.resolve("in/sub" + i + "/f" + i + ".dcm"));
        }
        Files.writeString(dir.resolve("in/readme.txt"), "not DICOM at all, just some words");
        ProcessResult r = Loopback.run(dir, List.of(storescp("+xa")),
                Loopback.lightbox("store", "STORESCP@127.0.0.1:" + PORT, dir.resolve("in").toString()));
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.stderr()).contains("readme.txt: not a DICOM file, skipped");
        assertThat(r.stdout()).contains("stored 5 of 5 files").contains("over 1 association");
        assertThat(r.stdout().lines().filter(l -> l.endsWith(": 0x0000 (success)"))).hasSize(5);
        Map<String, DicomFile> received = NetFixtures.readAll(dir.resolve("out"));
        assertThat(received).hasSize(5);
        for (int i = 0; i < syntaxes.size(); i++) {
            DicomFile sent = DicomReader.read(dir.resolve("in/sub" + i + "/f" + i + ".dcm"));
            DicomFile got = received.get(sent.dataset().string(Tag.SOPInstanceUID).orElseThrow());
            assertThat(got.transferSyntax().uid()).isEqualTo(syntaxes.get(i).uid());
            assertThat(got.dataset()).as(syntaxes.get(i).keyword()).isEqualTo(sent.dataset());
        }
    }

    @Test
    void reEncodesWhenThePeerAcceptsOnlyImplicitVr() throws IOException {
        assumeTrue(Loopback.usable(), Loopback.why());
        Dataset ds = NetFixtures.instance(2, 1, NetFixtures.SC);
        NetFixtures.write(ds, TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN, dir.resolve("in/a.dcm"));
        ProcessResult r = Loopback.run(dir, List.of(storescp("+xi")),
                Loopback.lightbox("store", "STORESCP@127.0.0.1:" + PORT, dir.resolve("in/a.dcm").toString()));
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.stdout()).contains("(sent as ImplicitVRLittleEndian)");
        DicomFile got = NetFixtures.readAll(dir.resolve("out")).values().iterator().next();
        assertThat(got.transferSyntax().uid()).isEqualTo(Uid.ImplicitVRLittleEndian);
        assertThat(got.dataset()).isEqualTo(DicomReader.read(dir.resolve("in/a.dcm")).dataset());
    }

    @Test
    void moreThan128CombinationsTakeSeveralAssociations() throws IOException {
        assumeTrue(Loopback.usable(), Loopback.why());
        // 70 SOP classes unknown to storescp (promiscuous mode accepts them), each proposed in Explicit VR Little
        // Endian plus the Implicit VR fallback: 140 presentation contexts.
        for (int i = 0; i < 70; i++) {
            NetFixtures.write(NetFixtures.instance(1, i + 1, "1.2.826.0.1.3680043.99.77." + i),
                    TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN, dir.resolve("in/" + i + ".dcm"));
        }
        ProcessResult r = Loopback.run(dir, List.of(storescp("-pm")),
                Loopback.lightbox("store", "-q", "STORESCP@127.0.0.1:" + PORT, dir.resolve("in").toString()));
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.stdout()).contains("stored 70 of 70 files").contains("over 2 associations");
        assertThat(r.stdout().lines()).hasSize(1); // --quiet: only the summary
        assertThat(NetFixtures.readAll(dir.resolve("out"))).hasSize(70);
    }

    @Test
    void aRejectedSopClassFailsThatFileAndTheExitStatus() throws IOException {
        assumeTrue(Loopback.usable(), Loopback.why());
        NetFixtures.write(NetFixtures.instance(1, 1, NetFixtures.SC), TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN,
                dir.resolve("in/good.dcm"));
        NetFixtures.write(NetFixtures.instance(1, 2, "1.2.826.0.1.3680043.99.77.1"),
                TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN, dir.resolve("in/unknown.dcm"));
        ProcessResult r = Loopback.run(dir, List.of(storescp()),
                Loopback.lightbox("store", "STORESCP@127.0.0.1:" + PORT, dir.resolve("in").toString()));
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
        assertThat(r.stderr()).contains("unknown.dcm: STORESCP accepted no presentation context for"
                + " 1.2.826.0.1.3680043.99.77.1");
        assertThat(r.stdout()).contains("good.dcm: 0x0000 (success)").contains("stored 1 of 2 files");
    }

    @Test
    void echoAnswersWithSuccessAndATime() throws IOException {
        assumeTrue(Loopback.usable(), Loopback.why());
        ProcessResult r = Loopback.run(dir, List.of(storescp()),
                Loopback.lightbox("echo", "--repeat", "2", "STORESCP@127.0.0.1:" + PORT));
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.stdout().lines().filter(l -> l.matches(
                "C-ECHO STORESCP@127\\.0\\.0\\.1:11112: 0x0000 \\(success\\) in [0-9.]+ ms"))).hasSize(2);
    }

    @Test
    void aRefusedAssociationGivesTheReasonAndStatus1() throws IOException {
        assumeTrue(Loopback.usable(), Loopback.why());
        Path f = NetFixtures.write(NetFixtures.instance(1, 1, NetFixtures.SC), TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN,
                dir.resolve("a.dcm"));
        ProcessResult r = Loopback.run(dir, List.of(new Loopback.Server("storescp --refuse 11113", 11113)),
                Loopback.lightbox("store", "STORESCP@127.0.0.1:11113", f.toString()));
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
        assertThat(r.stderr()).contains("a.dcm: STORESCP rejected");
        assertThat(r.stdout()).contains("stored 0 of 1 files");
    }

    @Test
    void anAbsentPeerGivesOneLineAndStatus1() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path f = NetFixtures.write(NetFixtures.instance(1, 1, NetFixtures.SC), TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN,
                dir.resolve("a.dcm"));
        DumpCommandTest.Run echo = DumpCommandTest.run("echo", "X@127.0.0.1:" + port);
        assertThat(echo.status()).isEqualTo(1);
        assertThat(echo.err().lines()).singleElement().asString().startsWith("lightbox echo: cannot connect to");
        DumpCommandTest.Run store = DumpCommandTest.run("store", "X@127.0.0.1:" + port, f.toString());
        assertThat(store.status()).isEqualTo(1);
        assertThat(store.err()).contains("a.dcm: cannot connect to");
        assertThat(store.out()).contains("stored 0 of 1 files");
    }

    @Test
    void usageErrorsAreStatus2WithOneLine() throws IOException {
        Path f = dir.resolve("x.dcm");
        for (String[] args : new String[][] {{"echo"}, {"echo", "nohost"}, {"echo", "A@h:99999"},
            {"echo", "A@h:104", "extra"}, {"store", "A@h:104"}, {"echo", "--aet", "WAY_TOO_LONG_AE_TITLE", "A@h:1"},
            {"find", "A@h:104", "-k", "NoSuchKeyword=1"}, {"find", "A@h:104", "-L", "PATIENT"},
            {"move", "A@h:104", "-k", "StudyInstanceUID=1"}, {"get", "A@h:104"},
            {"echo", "--tls-key-store", f.toString(), "A@h:104"}, {"echo", "--max-pdu", "12", "A@h:104"}}) {
            DumpCommandTest.Run r = DumpCommandTest.run(args);
            assertThat(r.status()).as(String.join(" ", args) + ": " + r.err()).isEqualTo(2);
            assertThat(r.err().lines()).as(String.join(" ", args)).hasSize(1);
        }
    }

    @Test
    void findKeysBuildTheIdentifier() throws Exception {
        var line = org.apache.commons.cli.DefaultParser.builder().get().parse(new FindCommand().options(),
                new String[] {"-L", "SERIES", "-k", "PatientName=DOE*", "-k", "(0008,0020)=20240101-",
                    "-k", "StudyInstanceUID", "-k", "00080061=CT\\MR", "-k",
                    "ReferencedStudySequence.ReferencedSOPInstanceUID=1.2.3", "-k", "NumberOfSeriesRelatedInstances"});
        Dataset id = QueryOptions.identifier(line, "STUDY");
        assertThat(id.string(Tag.QueryRetrieveLevel)).contains("SERIES");
        assertThat(id.string(Tag.PatientName)).contains("DOE*");
        assertThat(id.string(Tag.StudyDate)).contains("20240101-");
        assertThat(id.contains(Tag.StudyInstanceUID)).isTrue();
        assertThat(id.get(Tag.StudyInstanceUID).orElseThrow().value().length()).isZero();
        assertThat(id.strings(Tag.ModalitiesInStudy)).containsExactly("CT", "MR");
        assertThat(id.items(Tag.ReferencedStudySequence)).singleElement()
                .satisfies(item -> assertThat(item.string(Tag.ReferencedSOPInstanceUID)).contains("1.2.3"));
        assertThat(id.get(Tag.NumberOfSeriesRelatedInstances).orElseThrow().vr()).isEqualTo(Vr.IS);
    }
}
