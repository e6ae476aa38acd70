// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.lightbox.testkit.SharedData;

/** Spot checks of the generated dictionary, its counts, and a cross-check with DCMTK's dictionary. */
class ElementDictionaryTest {

    @Test
    void wellKnownEntries() {
        assertThat(ElementDictionary.lookup(Tag.PixelData).orElseThrow().vrs()).containsExactly(Vr.OB, Vr.OW);
        assertThat(ElementDictionary.lookup(0x00280106).orElseThrow().vrs()).containsExactly(Vr.US, Vr.SS);
        assertThat(ElementDictionary.lookup(0x00280106).orElseThrow().keyword()).isEqualTo("SmallestImagePixelValue");
        assertThat(ElementDictionary.lookup(Tag.LUTData).orElseThrow().vrs()).containsExactly(Vr.US, Vr.OW);
        assertThat(ElementDictionary.keywordOf(Tag.PatientName)).isEqualTo("PatientName");
        assertThat(ElementDictionary.vrOf(Tag.PatientName)).isEqualTo(Vr.PN);
        assertThat(ElementDictionary.vrOf(Tag.SOPInstanceUID)).isEqualTo(Vr.UI);
        assertThat(ElementDictionary.vrOf(Tag.ReferencedImageSequence)).isEqualTo(Vr.SQ);
        assertThat(ElementDictionary.tagOf("StudyInstanceUID")).hasValue(0x0020000D);
        assertThat(ElementDictionary.tagOf("NoSuchKeyword")).isEmpty();
        assertThat(Tag.SOPInstanceUID).isEqualTo(0x00080018);
        assertThat(Tag.TransferSyntaxUID).isEqualTo(0x00020010);
        assertThat(Tag.FileMetaInformationGroupLength).isEqualTo(0x00020000);
        assertThat(Tag.CommandField).isEqualTo(0x00000100);
        assertThat(ElementDictionary.vrOf(Tag.AffectedSOPClassUID)).isEqualTo(Vr.UI);
        assertThat(ElementDictionary.lookup(Tag.FloatPixelData).orElseThrow().vrs()).containsExactly(Vr.OF);
        assertThat(ElementDictionary.lookup(Tag.ExtendedOffsetTable).orElseThrow().vrs()).containsExactly(Vr.OV);
        assertThat(ElementDictionary.lookup(Tag.Item).orElseThrow().vrs()).isEmpty();
    }

    @Test
    void repeatingGroupsMatchEveryGroupOfTheirRange() {
        for (int group = 0x6000; group <= 0x601E; group += 2) {
            var e = ElementDictionary.lookup(group << 16 | 0x3000).orElseThrow();
            assertThat(e.keyword()).isEqualTo("OverlayData");
            assertThat(e.vrs()).containsExactly(Vr.OB, Vr.OW);
        }
        assertThat(ElementDictionary.keywordOf(0x60020010)).isEqualTo("OverlayRows");
        assertThat(ElementDictionary.keywordOf(0x50100005)).isEqualTo("CurveDimensions");
        assertThat(ElementDictionary.lookup(0x50100005).orElseThrow().retired()).isTrue();
        assertThat(ElementDictionary.keywordOf(0x7F020010)).isEqualTo("VariablePixelData");
        assertThat(ElementDictionary.keywordOf(0x00280410)).isEqualTo("RowsForNthOrderCoefficients");
        assertThat(Tag.OverlayData).isEqualTo(0x60003000);
    }

    @Test
    void retiredEntriesKeepTheirKeyword() {
        var e = ElementDictionary.lookup(Tag.LossyImageCompressionRetired).orElseThrow();
        assertThat(e.retired()).isTrue();
        assertThat(ElementDictionary.lookup(Tag.CommandLengthToEnd).orElseThrow().retired()).isTrue();
        assertThat(ElementDictionary.lookup(Tag.PatientName).orElseThrow().retired()).isFalse();
    }

    @Test
    void privateAndGroupLengthTags() {
        assertThat(ElementDictionary.vrOf(0x00090010)).isEqualTo(Vr.LO);
        assertThat(ElementDictionary.vrOf(0x00091001)).isEqualTo(Vr.UN);
        assertThat(ElementDictionary.keywordOf(0x00091001)).isEmpty();
        assertThat(ElementDictionary.vrOf(0x00080000)).isEqualTo(Vr.UL);
        assertThat(ElementDictionary.vrOf(0x00190000)).isEqualTo(Vr.UL);
    }

    @Test
    void countsPerCategory() {
        List<ElementDictionary.Entry> all = ElementDictionary.entries();
        assertThat(all).hasSize(5277);
        assertThat(all.stream().filter(e -> e.mask() != -1)).hasSize(88);
        assertThat(all.stream().filter(e -> Tags.group(e.tag()) == 0x0000)).hasSize(46);
        assertThat(all.stream().filter(e -> Tags.group(e.tag()) == 0x0002)).hasSize(22);
        assertThat(all.stream().filter(e -> e.vrs().size() > 1)).hasSize(38);
        assertThat(all.stream().filter(ElementDictionary.Entry::retired)).hasSize(496);
    }

    @Test
    void uidRegistryAndTransferSyntaxes() {
        assertThat(Uid.CTImageStorage).isEqualTo("1.2.840.10008.5.1.4.1.1.2");
        assertThat(UidRegistry.lookup(Uid.CTImageStorage).orElseThrow().type()).isEqualTo("SOP Class");
        assertThat(UidRegistry.keywordOf("1.2.840.10008.1.2.4.50")).isEqualTo("JPEGBaseline8Bit");
        TransferSyntax jpeg = TransferSyntax.of("1.2.840.10008.1.2.4.50");
        assertThat(jpeg.isEncapsulated()).isTrue();
        assertThat(jpeg.explicitVr()).isTrue();
        assertThat(TransferSyntax.IMPLICIT_VR_LITTLE_ENDIAN.explicitVr()).isFalse();
        assertThat(TransferSyntax.EXPLICIT_VR_BIG_ENDIAN.bigEndian()).isTrue();
        assertThat(TransferSyntax.DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN.deflated()).isTrue();
        assertThat(TransferSyntax.of("1.2.840.10008.1.2.4.201").isEncapsulated()).isTrue();
        assertThat(TransferSyntax.of("1.2.3.4").known()).isFalse();
        assertThat(TransferSyntax.all()).hasSize(63);
    }

    /** Every tag that DCMTK's 2022b dictionary and ours share has the same keyword and VRs, but for listed changes. */
    @Test
    void agreesWithDcmtkDictionary() throws IOException {
        Path dic = SharedData.root().map(r -> r.resolve("standard/dcmtk/dicom.dic")).orElse(Path.of("absent"));
        assumeTrue(Files.isRegularFile(dic), "DCMTK's dicom.dic is not in ../shared/standard; skipping");
        // DCMTK spells a few VRs its own way: "ox" (OB or OW), "xs" (US or SS), "lt" (US, SS or OW), "up" (UL),
        // "na" (items); and it names some retired tags differently. These differences are expected.
        Set<String> dcmtkOwnVrs = Set.of("ox", "xs", "lt", "up", "na", "px", "pi", "??");
        List<String> differences = new ArrayList<>();
        int compared = 0;
        for (String line : Files.readAllLines(dic)) {
            if (!line.startsWith("(") || line.contains("\"")) {
                continue; // private entries carry a quoted creator
            }
            String[] f = line.split("\t");
            String hex = f[0].substring(1, 5) + f[0].substring(6, 10);
            if (hex.contains("x") || hex.contains("-")) {
                continue;
            }
            int tag = (int) Long.parseLong(hex, 16);
            var ours = ElementDictionary.lookup(tag);
            if (ours.isEmpty() || ours.get().keyword().isEmpty()) {
                continue;
            }
            compared++;
            String vr = f[1];
            boolean vrAgrees = dcmtkOwnVrs.contains(vr) || ours.get().vrs().stream().anyMatch(v -> v.name().equals(vr));
            if (!vrAgrees) {
                differences.add(f[0] + " VR " + vr + " vs " + ours.get().vrs());
            }
            if (!f[2].equals(ours.get().keyword()) && !ours.get().retired()) {
                differences.add(f[0] + " keyword " + f[2] + " vs " + ours.get().keyword());
            }
        }
        assertThat(compared).isGreaterThan(4000);
        // Keywords renamed and VRs corrected by the standard between 2022b and 2024d.
        assertThat(differences).as("differences from DCMTK 2022b").hasSizeLessThan(40);
    }
}
