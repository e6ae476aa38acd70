// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicom.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Element;
import org.lightbox.dicom.SpecificCharacterSet;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.Value;
import org.lightbox.dicom.Vr;

class DicomJsonTest {
    private static final SpecificCharacterSet ASCII = SpecificCharacterSet.ASCII;
    private static final int T = 0x00091010; // any tag: the model writes the element's own VR

    static Stream<Arguments> everyVr() {
        return Stream.of(
                Arguments.of(Element.ofStrings(T, Vr.AE, ASCII, List.of("STORESCP", "ARCHIVE")),
                        "{\"vr\":\"AE\",\"Value\":[\"STORESCP\",\"ARCHIVE\"]}"),
                Arguments.of(Element.ofStrings(T, Vr.AS, ASCII, List.of("042Y")), "{\"vr\":\"AS\",\"Value\":[\"042Y\"]}"),
                Arguments.of(Element.of(T, Vr.AT, bytes(0x10, 0x00, 0x10, 0x00, 0x08, 0x30, 0x0C, 0x00)),
                        "{\"vr\":\"AT\",\"Value\":[\"00100010\",\"3008000C\"]}"),
                Arguments.of(Element.ofStrings(T, Vr.CS, ASCII, List.of("ORIGINAL", "", "AXIAL")),
                        "{\"vr\":\"CS\",\"Value\":[\"ORIGINAL\",null,\"AXIAL\"]}"),
                Arguments.of(Element.ofStrings(T, Vr.DA, ASCII, List.of("20240131")), "{\"vr\":\"DA\",\"Value\":[\"20240131\"]}"),
                Arguments.of(Element.ofStrings(T, Vr.DS, ASCII, List.of("1.50", "-0.5e3", "+5", ".5", "007", "12")),
                        "{\"vr\":\"DS\",\"Value\":[1.50,-0.5e3,\"+5\",\".5\",\"007\",12]}"),
                Arguments.of(Element.ofStrings(T, Vr.DT, ASCII, List.of("20240131120000.5+0100")),
                        "{\"vr\":\"DT\",\"Value\":[\"20240131120000.5+0100\"]}"),
                Arguments.of(Element.ofNumbers(T, Vr.FD, 0.1, -2.5e-300, 1e21),
                        "{\"vr\":\"FD\",\"Value\":[0.1,-2.5E-300,1.0E21]}"),
                Arguments.of(Element.ofNumbers(T, Vr.FL, 0.1f, 3.4028235e38f, 1.4e-45f),
                        "{\"vr\":\"FL\",\"Value\":[0.1,3.4028235E38,1.4E-45]}"),
                Arguments.of(Element.ofStrings(T, Vr.IS, ASCII, List.of("-12", "+3", "0")),
                        "{\"vr\":\"IS\",\"Value\":[-12,\"+3\",0]}"),
                Arguments.of(Element.ofStrings(T, Vr.LO, ASCII, List.of("GE MEDICAL", "x")),
                        "{\"vr\":\"LO\",\"Value\":[\"GE MEDICAL\",\"x\"]}"),
                Arguments.of(Element.ofStrings(T, Vr.LT, ASCII, List.of("  two\r\nlines \\ \"q\"")),
                        "{\"vr\":\"LT\",\"Value\":[\"  two\\r\\nlines \\\\ \\\"q\\\"\"]}"),
                Arguments.of(Element.of(T, Vr.OB, bytes(1, 2, 3, 0)), "{\"vr\":\"OB\",\"InlineBinary\":\"AQIDAA==\"}"),
                Arguments.of(Element.ofNumbers(T, Vr.OD, 1.5), "{\"vr\":\"OD\",\"InlineBinary\":\"AAAAAAAA+D8=\"}"),
                Arguments.of(Element.ofNumbers(T, Vr.OF, 1.5), "{\"vr\":\"OF\",\"InlineBinary\":\"AADAPw==\"}"),
                Arguments.of(Element.ofNumbers(T, Vr.OL, 7), "{\"vr\":\"OL\",\"InlineBinary\":\"BwAAAA==\"}"),
                Arguments.of(Element.ofNumbers(T, Vr.OV, 7), "{\"vr\":\"OV\",\"InlineBinary\":\"BwAAAAAAAAA=\"}"),
                Arguments.of(Element.ofNumbers(T, Vr.OW, 1, 0xFFFF), "{\"vr\":\"OW\",\"InlineBinary\":\"AQD//w==\"}"),
                Arguments.of(Element.ofStrings(T, Vr.PN, ASCII, List.of("Doe^John", "", "=Yamada")),
                        "{\"vr\":\"PN\",\"Value\":[{\"Alphabetic\":\"Doe^John\"},null,{\"Ideographic\":\"Yamada\"}]}"),
                Arguments.of(Element.ofStrings(T, Vr.SH, ASCII, List.of("CT01")), "{\"vr\":\"SH\",\"Value\":[\"CT01\"]}"),
                Arguments.of(Element.ofNumbers(T, Vr.SL, -2147483648, 2147483647),
                        "{\"vr\":\"SL\",\"Value\":[-2147483648,2147483647]}"),
                Arguments.of(Element.ofNumbers(T, Vr.SS, -32768, 32767), "{\"vr\":\"SS\",\"Value\":[-32768,32767]}"),
                Arguments.of(Element.ofStrings(T, Vr.ST, ASCII, List.of("a short text")),
                        "{\"vr\":\"ST\",\"Value\":[\"a short text\"]}"),
                Arguments.of(Element.of(T, Vr.SV, le64(-(1L << 53), (1L << 53) + 1, Long.MIN_VALUE)),
                        "{\"vr\":\"SV\",\"Value\":[-9007199254740992,\"9007199254740993\",\"-9223372036854775808\"]}"),
                Arguments.of(Element.ofStrings(T, Vr.TM, ASCII, List.of("235959.999999")),
                        "{\"vr\":\"TM\",\"Value\":[\"235959.999999\"]}"),
                Arguments.of(Element.ofStrings(T, Vr.UC, ASCII, List.of("unlimited", "chars")),
                        "{\"vr\":\"UC\",\"Value\":[\"unlimited\",\"chars\"]}"),
                Arguments.of(Element.ofStrings(T, Vr.UI, ASCII, List.of("1.2.840.10008.1.2.1")),
                        "{\"vr\":\"UI\",\"Value\":[\"1.2.840.10008.1.2.1\"]}"),
                Arguments.of(Element.ofNumbers(T, Vr.UL, 0, 4294967295.0), "{\"vr\":\"UL\",\"Value\":[0,4294967295]}"),
                Arguments.of(Element.of(T, Vr.UN, bytes(0xCA, 0xFE)), "{\"vr\":\"UN\",\"InlineBinary\":\"yv4=\"}"),
                Arguments.of(Element.ofStrings(T, Vr.UR, ASCII, List.of("http://example.org/a b")),
                        "{\"vr\":\"UR\",\"Value\":[\"http://example.org/a b\"]}"),
                Arguments.of(Element.ofNumbers(T, Vr.US, 0, 65535), "{\"vr\":\"US\",\"Value\":[0,65535]}"),
                Arguments.of(Element.ofStrings(T, Vr.UT, ASCII, List.of("unlimited text\twith a tab")),
                        "{\"vr\":\"UT\",\"Value\":[\"unlimited text\\twith a tab\"]}"),
                Arguments.of(Element.of(T, Vr.UV, le64(1L << 53, -1L)),
                        "{\"vr\":\"UV\",\"Value\":[9007199254740992,\"18446744073709551615\"]}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyVr")
    void everyVrIsWrittenAsPs318SaysAndReadBackToTheSameBytes(Element e, String attribute) throws IOException {
        Dataset ds = Dataset.builder().add(e).build();
        String json = DicomJson.toJson(ds);
        assertThat(json).isEqualTo("{\"00091010\":" + attribute + "}");
        assertThat(DicomJson.read(new StringReader(json))).isEqualTo(ds);
    }

    @Test
    void everyVrIsCovered() {
        assertThat(everyVr().map(a -> ((Element) a.get()[0]).vr()).distinct().count())
                .isEqualTo(Vr.values().length - 1); // SQ has tests of its own
    }

    @Test
    void personNameGroupsInTheirCharacterSet() throws IOException {
        Dataset.Builder b = Dataset.builder().setStrings(Tag.SpecificCharacterSet, Vr.CS, "ISO 2022 IR 87");
        b.setStrings(Tag.PatientName, Vr.PN, "Yamada^Tarou=山田^太郎=やまだ^たろう");
        Dataset ds = b.build();
        String json = DicomJson.toJson(ds);
        assertThat(json).contains("\"00100010\":{\"vr\":\"PN\",\"Value\":[{\"Alphabetic\":\"Yamada^Tarou\","
                + "\"Ideographic\":\"山田^太郎\",\"Phonetic\":\"やまだ^たろう\"}]}");
        Dataset back = DicomJson.read(new StringReader(json));
        assertThat(back).isEqualTo(ds);
        assertThat(back.get(Tag.PatientName).orElseThrow().bytes()).contains(0x1B); // ISO 2022 escapes, not UTF-8
    }

    @Test
    void personNameMayBeReadFromAPlainString() throws IOException {
        Dataset ds = DicomJson.read(new StringReader("{\"00100010\":{\"vr\":\"PN\",\"Value\":[\"Doe^Jane\"]}}"));
        assertThat(ds.strings(Tag.PatientName)).containsExactly("Doe^Jane");
    }

    @Test
    void emptyElementsValuesItemsAndSequences() throws IOException {
        Dataset emptyItem = Dataset.empty();
        Dataset ds = Dataset.builder()
                .add(Element.of(Tag.StudyDescription, Vr.LO, new byte[0]))
                .add(Element.of(Tag.PatientName, Vr.PN, new byte[0]))
                .add(Element.ofItems(Tag.OtherPatientIDsSequence, List.of(emptyItem)))
                .add(Element.ofItems(Tag.ReferencedSOPSequence, List.of()))
                .add(Element.of(Tag.WindowCenter, Vr.DS, new byte[0]))
                .add(Element.of(Tag.Rows, Vr.US, new byte[0]))
                .add(Element.of(Tag.PixelData, Vr.OB, new byte[0]))
                .build();
        String json = DicomJson.toJson(ds);
        assertThat(json).isEqualTo("{\"00081030\":{\"vr\":\"LO\"},\"00081199\":{\"vr\":\"SQ\"},"
                + "\"00100010\":{\"vr\":\"PN\"},\"00101002\":{\"vr\":\"SQ\",\"Value\":[{}]},"
                + "\"00280010\":{\"vr\":\"US\"},\"00281050\":{\"vr\":\"DS\"},\"7FE00010\":{\"vr\":\"OB\"}}");
        assertThat(DicomJson.read(new StringReader(json))).isEqualTo(ds);
        // pydicom writes an empty sequence as "Value": []; a null item is an empty one.
        Dataset alt = DicomJson.read(new StringReader(
                "{\"00081199\":{\"vr\":\"SQ\",\"Value\":[]},\"00101002\":{\"vr\":\"SQ\",\"Value\":[null]}}"));
        assertThat(alt.items(Tag.ReferencedSOPSequence)).isEmpty();
        assertThat(alt.items(Tag.OtherPatientIDsSequence)).containsExactly(Dataset.empty());
    }

    @Test
    void nestedSequencesInheritTheCharacterSet() throws IOException {
        Dataset.Builder top = Dataset.builder().setStrings(Tag.SpecificCharacterSet, Vr.CS, "ISO_IR 100");
        Dataset.Builder mid = Dataset.builder().inheritCharset(top.charset());
        Dataset.Builder inner = Dataset.builder().inheritCharset(mid.charset());
        inner.setStrings(Tag.PatientName, Vr.PN, "Müller^Jürgen");
        mid.setItems(0x00081250, List.of(inner.build())).setStrings(Tag.StudyDescription, Vr.LO, "Größe");
        top.setItems(Tag.OtherPatientIDsSequence, List.of(mid.build(), Dataset.empty()));
        Dataset ds = top.build();
        String json = DicomJson.toJson(ds);
        assertThat(json).contains("{\"Alphabetic\":\"Müller^Jürgen\"}").contains("\"Größe\"");
        Dataset back = DicomJson.read(new StringReader(json));
        assertThat(back).isEqualTo(ds);
        Dataset innerBack = back.items(Tag.OtherPatientIDsSequence).getFirst().items(0x00081250).getFirst();
        assertThat(innerBack.get(Tag.PatientName).orElseThrow().bytes())
                .isEqualTo("Müller^Jürgen ".getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void privateCreatorsAndPrivateElements() throws IOException {
        Dataset ds = Dataset.builder()
                .setStrings(0x00290010, Vr.LO, "SIEMENS CSA HEADER")
                .setStrings(0x00291008, Vr.CS, "IMAGE NUM 4")
                .add(Element.of(0x00291010, Vr.OB, bytes(0x53, 0x56)))
                .setStrings(0x7FE10010, Vr.LO, "LIGHTBOX")
                .setNumbers(0x7FE11001, Vr.UL, 3)
                .build();
        String json = DicomJson.toJson(ds);
        assertThat(json).isEqualTo("{\"00290010\":{\"vr\":\"LO\",\"Value\":[\"SIEMENS CSA HEADER\"]},"
                + "\"00291008\":{\"vr\":\"CS\",\"Value\":[\"IMAGE NUM 4\"]},"
                + "\"00291010\":{\"vr\":\"OB\",\"InlineBinary\":\"U1Y=\"},"
                + "\"7FE10010\":{\"vr\":\"LO\",\"Value\":[\"LIGHTBOX\"]},\"7FE11001\":{\"vr\":\"UL\",\"Value\":[3]}}");
        assertThat(DicomJson.read(new StringReader(json))).isEqualTo(ds);
    }

    @Test
    void groupLengthsAreLeftOut() {
        Dataset ds = Dataset.builder().setNumbers(0x00080000, Vr.UL, 40).setNumbers(0x00090000, Vr.UL, 8)
                .setStrings(Tag.StudyDescription, Vr.LO, "x").build();
        assertThat(DicomJson.toJson(ds)).isEqualTo("{\"00081030\":{\"vr\":\"LO\",\"Value\":[\"x\"]}}");
    }

    @Test
    void bulkDataUriWhereThePolicySaysAndInlineElsewhere() throws IOException {
        Dataset item = Dataset.builder().add(Element.of(0x00281201, Vr.OW, bytes(1, 0, 2, 0))).build();
        Dataset ds = Dataset.builder()
                .setItems(0x00281200, List.of(item))
                .add(Element.of(Tag.PixelData, Vr.OW, bytes(9, 8, 7, 6)))
                .add(Element.of(0x00091001, Vr.OB, bytes(5, 5)))
                .build();
        BulkDataPolicy policy = (path, e) -> e.value().length() >= 4
                ? Optional.of("https://pacs/bulk" + path) : Optional.empty();
        StringBuilder sb = new StringBuilder();
        DicomJson.write(ds, sb, policy);
        assertThat(sb.toString()).isEqualTo("{\"00091001\":{\"vr\":\"OB\",\"InlineBinary\":\"BQU=\"},"
                + "\"00281200\":{\"vr\":\"SQ\",\"Value\":[{\"00281201\":{\"vr\":\"OW\","
                + "\"BulkDataURI\":\"https://pacs/bulk/00281200/Value/0/00281201\"}}]},"
                + "\"7FE00010\":{\"vr\":\"OW\",\"BulkDataURI\":\"https://pacs/bulk/7FE00010\"}}");

        BulkDataLoader loader = (uri, tag, vr) -> new Value.Bytes(uri.endsWith("7FE00010") ? bytes(9, 8, 7, 6)
                : bytes(1, 0, 2, 0));
        assertThat(DicomJson.read(new StringReader(sb.toString()), loader)).isEqualTo(ds);
        assertThatThrownBy(() -> DicomJson.read(new StringReader(sb.toString())))
                .isInstanceOf(DicomModelException.class)
                .hasMessageContaining("BulkDataURI https://pacs/bulk/00281200/Value/0/00281201")
                .hasMessageContaining("at /00281200/Value/0/00281201");
    }

    @Test
    void decimalAndIntegerStringsKeepTheirSpellingAndAcceptEitherJsonType() throws IOException {
        Dataset ds = DicomJson.read(new StringReader("{\"00181050\":{\"vr\":\"DS\",\"Value\":[1.50,\"+5\",2E3,null,"
                + "0.12345678901234567890]},\"00200013\":{\"vr\":\"IS\",\"Value\":[\"007\",5.0,1e2,-3]}}"));
        assertThat(ds.strings(0x00181050)).containsExactly("1.50", "+5", "2E3", "", "0.12345678901235");
        assertThat(ds.strings(0x00200013)).containsExactly("007", "5", "100", "-3");
    }

    @Test
    void floatsKeepEveryBitAndNonFiniteValuesAreStrings() throws IOException {
        float[] floats = {0.1f, -0f, Float.MIN_VALUE, Float.MAX_VALUE, 16777217f, 1e-7f};
        double[] doubles = {0.1, -0.0, Double.MIN_VALUE, Double.MAX_VALUE, Math.PI, 1e-300};
        Dataset ds = Dataset.builder()
                .add(Element.ofNumbers(0x00189219, Vr.FL, toDoubles(floats)))
                .add(Element.ofNumbers(0x00189218, Vr.FD, doubles))
                .add(Element.ofNumbers(0x00186028, Vr.FD, Double.NaN, Double.POSITIVE_INFINITY,
                        Double.NEGATIVE_INFINITY))
                .build();
        String json = DicomJson.toJson(ds);
        assertThat(json).contains("\"Value\":[\"NaN\",\"Infinity\",\"-Infinity\"]")
                .contains("[0.1,-0.0,1.4E-45,3.4028235E38,1.6777216E7,1.0E-7]");
        assertThat(DicomJson.read(new StringReader(json))).isEqualTo(ds);
    }

    @Test
    void encapsulatedPixelDataIsItsWholeValueField() throws IOException {
        Value.Fragments frags = new Value.Fragments(List.of(Value.Bytes.EMPTY, new Value.Bytes(bytes(0xFF, 0xD8)),
                new Value.Bytes(bytes(0xFF, 0xD9, 0, 0))));
        Dataset ds = Dataset.builder().add(new Element(Tag.PixelData, Vr.OB, frags, false, true)).build();
        String json = DicomJson.toJson(ds);
        // FE FF 00 E0 00000000 | FE FF 00 E0 02000000 FF D8 | FE FF 00 E0 04000000 FF D9 00 00
        assertThat(json).isEqualTo("{\"7FE00010\":{\"vr\":\"OB\",\"InlineBinary\":"
                + "\"/v8A4AAAAAD+/wDgAgAAAP/Y/v8A4AQAAAD/2QAA\"}}");
        assertThat(DicomJson.read(new StringReader(json))).isEqualTo(ds);
    }

    @Test
    void bigEndianValuesAreWrittenLittleEndian() {
        Element be = Element.ofNumbers(0x00281201, Vr.OW, 0x0102, 0x0304).withByteOrder(true);
        Element fl = Element.ofNumbers(0x00189219, Vr.FL, 1.5).withByteOrder(true);
        String json = DicomJson.toJson(Dataset.builder().add(be).add(fl).build());
        assertThat(json).contains("\"InlineBinary\":\"AgEEAw==\"").contains("\"Value\":[1.5]");
    }

    @Test
    void unHoldingASequenceIsWrittenAsTheSequence() throws IOException {
        Dataset item = Dataset.builder().setStrings(Tag.StudyDescription, Vr.LO, "in UN").build();
        Element un = new Element(0x00091002, Vr.UN, new Value.Items(List.of(item)), false, true);
        String json = DicomJson.toJson(Dataset.builder().add(un).build());
        assertThat(json).isEqualTo(
                "{\"00091002\":{\"vr\":\"SQ\",\"Value\":[{\"00081030\":{\"vr\":\"LO\",\"Value\":[\"in UN\"]}}]}}");
        assertThat(DicomJson.read(new StringReader(json)).items(0x00091002)).containsExactly(item);
    }

    @Test
    void controlCharactersAndUnicodeSurviveEscaping() throws IOException {
        Dataset ds = Dataset.builder().setStrings(Tag.SpecificCharacterSet, Vr.CS, "ISO_IR 192")
                .setStrings(0x00204000, Vr.LT, "bell\u0007 esc\u001b nul-free 😀 \u2028").build();
        String json = DicomJson.toJson(ds);
        assertThat(json).contains("bell\\u0007 esc\\u001b nul-free 😀 \u2028");
        assertThat(DicomJson.read(new StringReader(json))).isEqualTo(ds);
    }

    @Test
    void undeclaredLatin1TextGoesBackToItsBytes() throws IOException {
        // No (0008,0005), yet Latin-1 bytes, as many old files have: read leniently, and written back the same.
        Dataset ds = Dataset.builder()
                .add(Element.of(Tag.PatientName, Vr.PN, "Müller^Jürgen ".getBytes(StandardCharsets.ISO_8859_1)))
                .build();
        String json = DicomJson.toJson(ds);
        assertThat(json).contains("Müller^Jürgen");
        assertThat(DicomJson.read(new StringReader(json))).isEqualTo(ds);
    }

    @Test
    void membersInAnyOrderAndSpecificCharacterSetLast() throws IOException {
        Dataset ds = DicomJson.read(new StringReader("""
                { "00100010": {"Value": [{"Alphabetic": "Gómez"}], "vr": "PN"},
                  "00080005": {"vr": "CS", "Value": ["ISO_IR 100"]} }"""));
        assertThat(ds.get(Tag.PatientName).orElseThrow().bytes())
                .isEqualTo("Gómez ".getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void errorsNameThePathThePositionAndTheReason() {
        assertError("{\"00100010\": {\"vr\": \"PN\", \"Value\": [}", "unexpected '}'", "line 1, column 37");
        assertError("{\"00280010\":{\"vr\":\"XX\"}}", "\"XX\" is not a value representation", "/00280010/vr");
        assertError("{\"00280010\":{\"vr\":\"US\",\"Value\":[65536]}}", "out of range", "/00280010");
        assertError("{\"00280010\":{\"vr\":\"US\",\"Value\":[1,null]}}", "US value 2 is empty", "/00280010");
        assertError("{\"00280010\":{\"vr\":\"US\",\"Value\":[1.5]}}", "not an integer", "/00280010");
        assertError("{\"00280010\":{\"vr\":\"US\",\"Value\":[true]}}", "cannot be a boolean", "/00280010/Value/0");
        assertError("{\"00080060\":{\"vr\":\"CS\",\"Value\":[5]}}", "a CS value cannot be a number",
                "/00080060/Value/0");
        assertError("{\"0028001\":{\"vr\":\"US\"}}", "not a tag of eight hexadecimal digits", "/0028001");
        assertError("{\"00280010\":{\"vr\":\"US\",\"value\":[1]}}", "unknown member \"value\"", "/00280010");
        assertError("{\"00280010\":{\"Value\":[1]}}", "no \"vr\"", "/00280010");
        assertError("{\"7FE00010\":{\"vr\":\"OB\",\"InlineBinary\":\"*a\"}}", "invalid base64", "/7FE00010/InlineBinary");
        assertError("{\"7FE00010\":{\"vr\":\"OB\",\"InlineBinary\":\"AA==\",\"BulkDataURI\":\"x\"}}",
                "at most one of", "/7FE00010");
        assertError("{\"00280010\":{\"vr\":\"US\"},\"00280010\":{\"vr\":\"US\"}}", "duplicate member", "line 1");
        assertError("{\"00280009\":{\"vr\":\"AT\",\"Value\":[\"(0028,0010)\"]}}", "not 8 hexadecimal digits",
                "/00280009");
        assertError("{\"00080060\":{\"vr\":\"CS\",\"Value\":[\"A\\\\B\"]}}", "backslash", "/00080060");
        assertError("{\"00080060\":{\"vr\":\"SQ\",\"Value\":[\"x\"]}}", "expected a DICOM JSON object",
                "/00080060/Value/0");
        assertError("[]", "expected a DICOM JSON object", "line 1, column 1");
        assertError("{} x", "after the end of the JSON value", "column 4");
        assertError("{\"00080005\":{\"vr\":\"CS\",\"Value\":[\"ISO_IR 100\"]},"
                + "\"00100010\":{\"vr\":\"PN\",\"Value\":[{\"Alphabetic\":\"山田\"}]}}",
                "cannot be encoded in the Specific Character Set", "/00100010");
    }

    @Test
    void deepNestingIsRefusedWithoutOverflowingTheStack() {
        String deep = "{\"00081199\":{\"vr\":\"SQ\",\"Value\":[".repeat(5000);
        assertThatThrownBy(() -> DicomJson.read(new StringReader(deep))).isInstanceOf(DicomModelException.class)
                .hasMessageContaining("nests deeper");
    }

    private static void assertError(String json, String reason, String where) {
        assertThatThrownBy(() -> DicomJson.read(new StringReader(json)))
                .isInstanceOf(DicomModelException.class)
                .hasMessageContaining(reason)
                .hasMessageContaining(where);
    }

    static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) v[i];
        }
        return b;
    }

    private static byte[] le64(long... v) {
        byte[] b = new byte[8 * v.length];
        for (int i = 0; i < v.length; i++) {
            for (int j = 0; j < 8; j++) {
                b[8 * i + j] = (byte) (v[i] >>> 8 * j);
            }
        }
        return b;
    }

    private static double[] toDoubles(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }
}
