// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicom.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.lightbox.dicom.json.DicomJsonTest.bytes;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Element;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.Value;
import org.lightbox.dicom.Vr;

class DicomXmlTest {
    private static final String HEAD = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<NativeDicomModel "
            + "xmlns=\"http://dicom.nema.org/PS3.19/models/NativeDICOM\" xml:space=\"preserve\">";

    static Stream<Arguments> everyVr() {
        return DicomJsonTest.everyVr().map(a -> Arguments.of(a.get()[0]));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyVr")
    void everyVrReadsBackToTheSameBytes(Element e) throws IOException {
        Dataset ds = Dataset.builder().add(e).build();
        Dataset back = DicomXml.read(new StringReader(DicomXml.toXml(ds)));
        if (e.vr() == Vr.PN) {
            assertThat(new ModelEquivalence().difference(ds, back)).isEmpty();
        } else {
            assertThat(back).isEqualTo(ds);
        }
    }

    @Test
    void documentStructure() {
        Dataset ds = Dataset.builder()
                .setStrings(Tag.ImageType, Vr.CS, "ORIGINAL", "", "AXIAL")
                .setNumbers(Tag.Rows, Vr.US, 512)
                .add(Element.of(Tag.PixelData, Vr.OW, bytes(1, 0)))
                .build();
        assertThat(DicomXml.toXml(ds)).isEqualTo(HEAD + """

                <DicomAttribute tag="00080008" vr="CS" keyword="ImageType">
                <Value number="1">ORIGINAL</Value>
                <Value number="2"></Value>
                <Value number="3">AXIAL</Value>
                </DicomAttribute>
                <DicomAttribute tag="00280010" vr="US" keyword="Rows">
                <Value number="1">512</Value>
                </DicomAttribute>
                <DicomAttribute tag="7FE00010" vr="OW" keyword="PixelData">
                <InlineBinary>AQA=</InlineBinary>
                </DicomAttribute></NativeDicomModel>
                """);
    }

    @Test
    void personNamesByComponent() throws IOException {
        Dataset ds = Dataset.builder().setStrings(Tag.SpecificCharacterSet, Vr.CS, "ISO_IR 192")
                .setStrings(Tag.PatientName, Vr.PN, "Yamada^Tarou^^Dr=山田^太郎", "", "^Jane").build();
        String xml = DicomXml.toXml(ds);
        assertThat(xml).contains("""
                <PersonName number="1">
                <Alphabetic>
                <FamilyName>Yamada</FamilyName>
                <GivenName>Tarou</GivenName>
                <NamePrefix>Dr</NamePrefix>
                </Alphabetic>
                <Ideographic>
                <FamilyName>山田</FamilyName>
                <GivenName>太郎</GivenName>
                </Ideographic>
                </PersonName>
                <PersonName number="2">
                </PersonName>
                <PersonName number="3">
                <Alphabetic>
                <GivenName>Jane</GivenName>
                </Alphabetic>
                </PersonName>""");
        assertThat(DicomXml.read(new StringReader(xml))).isEqualTo(ds);
    }

    @Test
    void privateTagsCarryTheirCreatorAndOnlyTheLowByteOfTheElement() throws IOException {
        Dataset ds = Dataset.builder()
                .setStrings(0x00290010, Vr.LO, "OTHER")
                .setStrings(0x00290011, Vr.LO, "SIEMENS CSA HEADER")
                .setStrings(0x00291108, Vr.CS, "IMAGE NUM 4")
                .setStrings(0x00331001, Vr.LO, "no creator")
                .build();
        String xml = DicomXml.toXml(ds);
        assertThat(xml).contains("<DicomAttribute tag=\"00290011\" vr=\"LO\">")
                .contains("<DicomAttribute tag=\"00290008\" vr=\"CS\" privateCreator=\"SIEMENS CSA HEADER\">")
                .contains("<DicomAttribute tag=\"00331001\" vr=\"LO\">");
        assertThat(DicomXml.read(new StringReader(xml))).isEqualTo(ds);
    }

    @Test
    void privateElementsFindOrReserveTheirCreatorsBlock() throws IOException {
        // As DCMTK writes them, plus a full tag whose block holds another creator, and a creator not declared.
        Dataset ds = read("""
                <NativeDicomModel>
                <DicomAttribute tag="00190010" vr="LO"><Value number="1">GEMS_ACQU_01</Value></DicomAttribute>
                <DicomAttribute tag="00190012" vr="LO"><Value number="1">SPI-P</Value></DicomAttribute>
                <DicomAttribute tag="00190002" vr="SL" privateCreator="GEMS_ACQU_01"><Value number="1">912</Value>
                </DicomAttribute>
                <DicomAttribute tag="00191003" vr="DS" privateCreator="SPI-P"><Value number="1">1.5</Value>
                </DicomAttribute>
                <DicomAttribute tag="00190005" vr="LO" privateCreator="NEW"><Value number="1">x</Value>
                </DicomAttribute>
                </NativeDicomModel>""");
        assertThat(ds.integer(0x00191002).getAsInt()).isEqualTo(912);
        assertThat(ds.strings(0x00191203)).containsExactly("1.5");
        assertThat(ds.strings(0x00190011)).containsExactly("NEW");
        assertThat(ds.strings(0x00191105)).containsExactly("x");
    }

    @Test
    void itemsNestAndEmptyItemsStay() throws IOException {
        Dataset inner = Dataset.builder().setStrings(Tag.StudyDescription, Vr.LO, "inner").build();
        Dataset mid = Dataset.builder().setItems(0x00081250, List.of(inner, Dataset.empty())).build();
        Dataset ds = Dataset.builder().setItems(Tag.OtherPatientIDsSequence, List.of(mid))
                .setItems(Tag.ReferencedSOPSequence, List.of()).build();
        String xml = DicomXml.toXml(ds);
        assertThat(xml).contains("<Item number=\"2\">\n</Item>")
                .contains("<DicomAttribute tag=\"00081199\" vr=\"SQ\" keyword=\"ReferencedSOPSequence\">\n"
                        + "</DicomAttribute>");
        assertThat(DicomXml.read(new StringReader(xml))).isEqualTo(ds);
    }

    @Test
    void bulkDataByUriOrUuid() throws IOException {
        Dataset ds = Dataset.builder().add(Element.of(Tag.PixelData, Vr.OB, bytes(1, 2, 3, 4))).build();
        StringWriter sw = new StringWriter();
        DicomXml.write(ds, sw, (path, e) -> Optional.of("file:///bulk?path=" + path + "&a=1"));
        assertThat(sw.toString()).contains("<BulkData uri=\"file:///bulk?path=/7FE00010&amp;a=1\"/>");
        List<String> asked = new ArrayList<>();
        BulkDataLoader loader = (uri, tag, vr) -> {
            asked.add(uri);
            return new Value.Bytes(bytes(1, 2, 3, 4));
        };
        assertThat(DicomXml.read(new StringReader(sw.toString()), loader)).isEqualTo(ds);
        DicomXml.read(new ByteArrayInputStream("""
                <NativeDicomModel><DicomAttribute tag="7FE00010" vr="OB">
                <BulkData uuid="7f447eda-e898-01f1-cea3-15f8758e93d8"/></DicomAttribute></NativeDicomModel>"""
                .getBytes(StandardCharsets.UTF_8)), loader);
        assertThat(asked).containsExactly("file:///bulk?path=/7FE00010&a=1",
                "urn:uuid:7f447eda-e898-01f1-cea3-15f8758e93d8");
    }

    @Test
    void carriageReturnsSurviveAndWhatXmlCannotCarryIsReplaced() throws IOException {
        Dataset ds = Dataset.builder().setStrings(0x00204000, Vr.LT, "line 1\r\nline 2\r").build();
        String xml = DicomXml.toXml(ds);
        assertThat(xml).contains("line 1&#13;\nline 2&#13;");
        assertThat(DicomXml.read(new StringReader(xml))).isEqualTo(ds);
        Dataset bad = Dataset.builder().setStrings(Tag.SpecificCharacterSet, Vr.CS, "ISO_IR 192")
                .setStrings(0x00204000, Vr.LT, "a\u0001b").build();
        assertThat(DicomXml.read(new StringReader(DicomXml.toXml(bad))).strings(0x00204000))
                .containsExactly("a\uFFFDb");
    }

    @Test
    void readsTheEncodingDeclarationTheOldSchemaAndNoNamespace() throws IOException {
        byte[] latin1 = """
                <?xml version="1.0" encoding="ISO-8859-1"?>
                <NativeDicomModel xml:space="preserve">
                <DicomAttribute tag="00080005" vr="CS" keyword="SpecificCharacterSet">
                <Value number="1">ISO_IR 100</Value>
                </DicomAttribute>
                <DicomAttribute tag="00100010" vr="PN" keyword="PatientName">
                <PersonName number="1"><SingleByte><FamilyName>Äneas</FamilyName><GivenName>Rüdiger</GivenName>
                </SingleByte></PersonName>
                </DicomAttribute>
                <DicomAttribute tag="00280009" vr="AT"><Value number="1">3004000C</Value></DicomAttribute>
                </NativeDicomModel>
                """.getBytes(StandardCharsets.ISO_8859_1);
        Dataset ds = DicomXml.read(new ByteArrayInputStream(latin1));
        assertThat(ds.strings(Tag.PatientName)).containsExactly("Äneas^Rüdiger");
        assertThat(ds.get(Tag.PatientName).orElseThrow().bytes())
                .isEqualTo("Äneas^Rüdiger ".getBytes(StandardCharsets.ISO_8859_1));
        assertThat(ds.get(Tag.FrameIncrementPointer).orElseThrow().tags()).containsExactly(0x3004000C);
    }

    @Test
    void externalEntitiesAreNeverResolved(@TempDir Path dir) throws IOException {
        Path secret = dir.resolve("secret.txt");
        Files.writeString(secret, "top secret");
        String xml = "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"" + secret.toUri() + "\">]>"
                + "<NativeDicomModel><DicomAttribute tag=\"00100020\" vr=\"LO\"><Value number=\"1\">&e;</Value>"
                + "</DicomAttribute></NativeDicomModel>";
        assertThatThrownBy(() -> DicomXml.read(new StringReader(xml))).isInstanceOf(DicomModelException.class)
                .hasMessageNotContaining("top secret");
    }

    @Test
    void errorsNameThePathThePositionAndTheReason() {
        assertError("<NativeDicomModel><DicomAttribute tag=\"00100020\" vr=\"LO\">", "malformed XML", "line 1");
        assertError("<Model/>", "root element is not NativeDicomModel", "line 1");
        assertError("<NativeDicomModel><DicomAttribute tag=\"0010002\" vr=\"LO\"/></NativeDicomModel>",
                "tag attribute of eight hexadecimal digits", "line 1");
        assertError("<NativeDicomModel><DicomAttribute tag=\"00100020\" vr=\"XX\"/></NativeDicomModel>",
                "naming a value representation", "/00100020");
        assertError("<NativeDicomModel>\n<DicomAttribute tag=\"00280010\" vr=\"US\"><Value number=\"1\">x</Value>"
                + "</DicomAttribute></NativeDicomModel>", "US value 1 is not an integer", "/00280010 (line 2");
        assertError("<NativeDicomModel><DicomAttribute tag=\"00280010\" vr=\"US\"><Bogus/></DicomAttribute>"
                + "</NativeDicomModel>", "unexpected element <Bogus>", "/00280010");
        assertError("<NativeDicomModel><DicomAttribute tag=\"00280010\" vr=\"US\"><Value number=\"1\">1</Value>"
                + "<InlineBinary>AA==</InlineBinary></DicomAttribute></NativeDicomModel>", "one kind only",
                "/00280010");
        assertError("<NativeDicomModel><DicomAttribute tag=\"00081199\" vr=\"SQ\"><Item number=\"2\"/>"
                + "</DicomAttribute></NativeDicomModel>", "Item number 2 where 1 was expected", "/00081199");
        assertError("<NativeDicomModel><DicomAttribute tag=\"00100020\" vr=\"LO\"><Value number=\"0\">x</Value>"
                + "</DicomAttribute></NativeDicomModel>", "not a positive integer", "/00100020");
        assertError("<NativeDicomModel><DicomAttribute tag=\"7FE00010\" vr=\"OB\"><InlineBinary>*</InlineBinary>"
                + "</DicomAttribute></NativeDicomModel>", "invalid base64", "/7FE00010");
    }

    @Test
    void deepNestingIsRefused() {
        String open = "<DicomAttribute tag=\"00081199\" vr=\"SQ\"><Item number=\"1\">";
        String close = "</Item></DicomAttribute>";
        String xml = "<NativeDicomModel>" + open.repeat(66) + close.repeat(66) + "</NativeDicomModel>";
        assertThatThrownBy(() -> DicomXml.read(new StringReader(xml))).isInstanceOf(DicomModelException.class)
                .hasMessageContaining("nest deeper than 64");
        String deeper = "<NativeDicomModel>" + open.repeat(5000) + close.repeat(5000) + "</NativeDicomModel>";
        assertThatThrownBy(() -> DicomXml.read(new StringReader(deeper))).isInstanceOf(DicomModelException.class)
                .hasMessageContaining("nest deeper than 64");
    }

    private static Dataset read(String xml) throws IOException {
        return DicomXml.read(new StringReader(xml));
    }

    private static void assertError(String xml, String reason, String where) {
        assertThatThrownBy(() -> read(xml)).isInstanceOf(DicomModelException.class)
                .hasMessageContaining(reason).hasMessageContaining(where);
    }
}
