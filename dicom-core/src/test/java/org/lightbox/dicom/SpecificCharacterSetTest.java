// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class SpecificCharacterSetTest {

    private static final HexFormat HEX = HexFormat.of();

    /** A text value as stored in one of the shared files, and what pydicom decodes it to. */
    record FileCase(String file, String element, String terms, boolean personName, String hex, String expected) {
        SpecificCharacterSet charset() {
            return cs(terms);
        }

        byte[] bytes() {
            return HEX.parseHex(hex);
        }

        @Override
        public String toString() {
            return file + " " + element;
        }
    }

    /**
     * Facts from the shared test data, data/charset/*.dcm (chrArab, chrFren, chrFrenMulti, chrGerm, chrGreek, chrH31,
     * chrH32, chrHbrw, chrI2, chrJapMulti, chrJapMultiExplicitIR6, chrKoreanMulti, chrRuss, chrSQEncoding,
     * chrSQEncoding1, chrX1, chrX2): the raw value bytes of each distinct text value that is not plain ASCII, plus a
     * few ASCII ones, with the value of (0008,0005) in force (an item's own, in the SQ files) and the string that
     * Debian's pydicom 2.3.1 decodes them to ({@code pydicom.charset.decode_bytes}, which keeps the padding that
     * {@code str(ds.PatientName)} would strip). chrSQEncoding1.dcm holds the same item values as chrSQEncoding.dcm,
     * under the data set's (0008,0005) instead of the item's.
     */
    static final List<FileCase> FILE_CASES = List.of(
            new FileCase("chrArab.dcm", "ReferringPhysicianName", "ISO_IR 127", true,
                    "5e5e5e5e",
                    "^^^^"),
            new FileCase("chrArab.dcm", "PatientName", "ISO_IR 127", true,
                    "e2c8c7e6ea5ee4e6d2c7d120",
                    "\u0642\u0628\u0627\u0646\u064a^\u0644\u0646\u0632\u0627\u0631 "),
            new FileCase("chrFren.dcm", "PatientName", "ISO_IR 100", true,
                    "4275635e4ae972f46d65",
                    "Buc^Jérôme"),
            new FileCase("chrFrenMulti.dcm", "OtherPatientIDs", "ISO_IR 100", false,
                    "656767735c7370616d20",
                    "eggs\\spam "),
            new FileCase("chrFrenMulti.dcm", "OtherPatientNames", "ISO_IR 100", true,
                    "4275635e4ae972f46d655c4275635e4ae972f46d6520",
                    "Buc^Jérôme\\Buc^Jérôme "),
            new FileCase("chrGerm.dcm", "PatientName", "ISO_IR 100", true,
                    "c46e6561735e52fc646967657220",
                    "Äneas^Rüdiger "),
            new FileCase("chrGreek.dcm", "PatientName", "ISO_IR 126", true,
                    "c4e9efedf5f3e9eff220",
                    "Διονυσιος "),
            new FileCase("chrH31.dcm", "PatientName", "\\ISO 2022 IR 87", true,
                    "59616d6164615e5461726f753d1b24423b3345441b28425e1b244242404f3a1b28423d1b24422464245e24401b28425e1b2442243f246d24261b2842",
                    "Yamada^Tarou=山田^太郎=やまだ^たろう"),
            new FileCase("chrH32.dcm", "PatientName", "ISO 2022 IR 13\\ISO 2022 IR 87", true,
                    "d4cfc0de5ec0dbb33d1b24423b3345441b284a5e1b244242404f3a1b284a3d1b24422464245e24401b284a5e1b2442243f246d24261b284a",
                    "ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう"),
            new FileCase("chrHbrw.dcm", "PatientName", "ISO_IR 138", true,
                    "f9f8e5ef5ee3e1e5f8e4",
                    "\u05e9\u05e8\u05d5\u05df^\u05d3\u05d1\u05d5\u05e8\u05d4"),
            new FileCase("chrI2.dcm", "PatientName", "\\ISO 2022 IR 149", true,
                    "486f6e675e47696c646f6e673d1b242943fbf35e1b242943d1ced4d73d1b242943c8ab5e1b242943b1e6b5bf",
                    "Hong^Gildong=洪^吉洞=홍^길동"),
            new FileCase("chrJapMulti.dcm", "SeriesDescription", "\\ISO 2022 IR 87", false,
                    "436865737420504120504120",
                    "Chest PA PA "),
            new FileCase("chrJapMulti.dcm", "PatientName", "\\ISO 2022 IR 87", true,
                    "1b24422464245e24401b28425e1b2442243f246d24261b284220",
                    "やまだ^たろう "),
            new FileCase("chrJapMulti.dcm", "OtherPatientNames", "\\ISO 2022 IR 87", true,
                    "1b24422464245e24401b28425e1b2442243f246d24261b28425c1b24422464245e24401b28425e1b2442243f246d24261b284220",
                    "やまだ^たろう\\やまだ^たろう "),
            new FileCase("chrJapMulti.dcm", "AdditionalPatientHistory", "\\ISO 2022 IR 87", false,
                    "1b2442243f246d24261b2842",
                    "たろう"),
            new FileCase("chrJapMulti.dcm", "(0019,1010)", "\\ISO 2022 IR 87", false,
                    "45433d302e30305c4c523d302e30305c4d433d332e35305c4e523d332e30305c4d44303d2d302e343030305c4d44313d302e323030305c46413d435c46503d302e313030305c42414c414e43453d305c4d4c4d494e3d302e353030305c4d4c4d41583d322e353030305c4d464f433d302e3530303020",
                    "EC=0.00\\LR=0.00\\MC=3.50\\NR=3.00\\MD0=-0.4000\\MD1=0.2000\\FA=C\\FP=0.1000\\BALANCE=0\\MLMIN=0.5000\\MLMAX=2.5000\\MFOC=0.5000 "),
            new FileCase("chrJapMultiExplicitIR6.dcm", "PatientName", "ISO 2022 IR 6\\ISO 2022 IR 87", true,
                    "1b24422464245e24401b28425e1b2442243f246d24261b284220",
                    "やまだ^たろう "),
            new FileCase("chrJapMultiExplicitIR6.dcm", "OtherPatientNames", "ISO 2022 IR 6\\ISO 2022 IR 87", true,
                    "1b24422464245e24401b28425e1b2442243f246d24261b28425c1b24422464245e24401b28425e1b2442243f246d24261b284220",
                    "やまだ^たろう\\やまだ^たろう "),
            new FileCase("chrJapMultiExplicitIR6.dcm", "AdditionalPatientHistory", "ISO 2022 IR 6\\ISO 2022 IR 87", false,
                    "1b2442243f246d24261b2842",
                    "たろう"),
            new FileCase("chrKoreanMulti.dcm", "OperatorsName", "\\ISO 2022 IR 149", true,
                    "1b242943b1e8c8f1c1df1b284220",
                    "김희중 "),
            new FileCase("chrKoreanMulti.dcm", "OtherPatientNames", "\\ISO 2022 IR 149", true,
                    "1b242943b1e8c8f1c1df1b28425c1b242943b1e8c8f1c1df1b284220",
                    "김희중\\김희중 "),
            new FileCase("chrRuss.dcm", "PatientName", "ISO_IR 144", true,
                    "bbeeda6365dcd17970d3",
                    "Люкceмбypг"),
            new FileCase("chrSQEncoding.dcm", "RequestingPhysician", "ISO_IR 192", true,
                    "446f63746f725e57686f5e5e4d44",
                    "Doctor^Who^^MD"),
            new FileCase("chrSQEncoding.dcm", "RequestedProcedureCodeSequence[0]/CodeValue", "ISO 2022 IR 13\\ISO 2022 IR 87", false,
                    "436f646556616c756520",
                    "CodeValue "),
            new FileCase("chrSQEncoding.dcm", "RequestedProcedureCodeSequence[0]/PatientName", "ISO 2022 IR 13\\ISO 2022 IR 87", true,
                    "d4cfc0de5ec0dbb33d1b24423b3345441b28425e1b244242404f3a1b28423d1b24422464245e24401b28425e1b2442243f246d24261b2842",
                    "ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう"),
            new FileCase("chrX1.dcm", "PatientName", "ISO_IR 192", true,
                    "57616e675e5869616f446f6e673de78e8b5ee5b08fe69db13d20",
                    "Wang^XiaoDong=王^小東= "),
            new FileCase("chrX2.dcm", "PatientName", "GB18030", true,
                    "57616e675e5869616f446f6e673dcdf55ed0a1b6ab3d",
                    "Wang^XiaoDong=王^小东=")
    );

    /** Worked examples of PS3.5, with their bytes as the standard prints them (trailing padding removed). */
    record AnnexExample(String name, String terms, String value, String hex) {
        @Override
        public String toString() {
            return name;
        }
    }

    static final List<AnnexExample> ANNEX_EXAMPLES = List.of(
            // Example H.3-1, the PatientName of chrH31.dcm.
            new AnnexExample("H.3-1", "\\ISO 2022 IR 87", "Yamada^Tarou=山田^太郎=やまだ^たろう",
                    "59616d6164615e5461726f753d1b24423b3345441b28425e1b244242404f3a1b28423d1b24422464245e2440"
                            + "1b28425e1b2442243f246d24261b2842"),
            // Example H.3-2, the PatientName of chrH32.dcm: returns to JIS X 0201 romaji with ESC ( J.
            new AnnexExample("H.3-2", "ISO 2022 IR 13\\ISO 2022 IR 87", "ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう",
                    "d4cfc0de5ec0dbb33d1b24423b3345441b284a5e1b244242404f3a1b284a3d1b24422464245e24401b284a5e"
                            + "1b2442243f246d24261b284a"),
            // Example I.2-1, the PatientName of chrI2.dcm: KS X 1001 designated again in each component.
            new AnnexExample("I.2-1", "\\ISO 2022 IR 149", "Hong^Gildong=洪^吉洞=홍^길동",
                    "486f6e675e47696c646f6e673d1b242943fbf35e1b242943d1ced4d73d1b242943c8ab5e1b242943b1e6b5bf"),
            // Example J.3-1, the PatientName of chrX2.dcm (simplified script: 东, not 東).
            new AnnexExample("J.3-1", "GB18030", "Wang^XiaoDong=王^小东=",
                    "57616e675e5869616f446f6e673dcdf55ed0a1b6ab3d"),
            // Example K.2-1 (no shared file holds it): "0x5A 0x68 ... 0x3D 0x20", less the padding space.
            new AnnexExample("K.2-1", "\\ISO 2022 IR 58", "Zhang^XiaoDong=张^小东=",
                    "5a68616e675e5869616f446f6e673d1b242941d5c55e1b242941d0a1b6ab3d"));

    static Stream<FileCase> fileCases() {
        return FILE_CASES.stream();
    }

    static Stream<AnnexExample> annexExamples() {
        return ANNEX_EXAMPLES.stream();
    }

    private static SpecificCharacterSet cs(String terms) {
        return SpecificCharacterSet.of(Arrays.asList(terms.split("\\\\", -1)));
    }

    private static String decode(SpecificCharacterSet cs, String hex, boolean personName) {
        byte[] b = HEX.parseHex(hex);
        return cs.decode(b, 0, b.length, personName);
    }

    private static String decode(String terms, String hex) {
        return decode(cs(terms), hex, true);
    }

    private static String encode(String terms, String value, boolean personName) {
        return HEX.formatHex(cs(terms).encode(value, personName));
    }

    private static String hex(String ascii) {
        return HEX.formatHex(ascii.getBytes(StandardCharsets.US_ASCII));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fileCases")
    void decodesFileValuesAsPydicomDoes(FileCase c) {
        byte[] b = c.bytes();
        assertThat(c.charset().isKnown()).isTrue();
        assertThat(c.charset().decode(b, 0, b.length, c.personName())).isEqualTo(c.expected());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fileCases")
    void roundTripsFileValues(FileCase c) {
        byte[] encoded = c.charset().encode(c.expected(), c.personName());
        assertThat(c.charset().decode(encoded, 0, encoded.length, c.personName())).isEqualTo(c.expected());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("annexExamples")
    void encodesAnnexExamplesAsTheStandardDoes(AnnexExample e) {
        assertThat(encode(e.terms(), e.value(), true)).isEqualTo(e.hex());
        assertThat(decode(e.terms(), e.hex())).isEqualTo(e.value());
    }

    @Test
    void decodesWithinTheGivenRange() {
        byte[] b = HEX.parseHex("41" + "1b2442" + "3b33" + "1b2842" + "42");
        SpecificCharacterSet cs = cs("\\ISO 2022 IR 87");
        assertThat(cs.decode(b, 1, 8, false)).isEqualTo("山");
        assertThat(cs.decode(b, 0, 0, false)).isEmpty();
    }

    @Nested
    class Terms {
        @Test
        void emptyValuesMeanTheDefaultRepertoire() {
            assertThat(SpecificCharacterSet.of(List.of())).isSameAs(SpecificCharacterSet.ASCII);
            assertThat(SpecificCharacterSet.of(List.of("", " "))).isSameAs(SpecificCharacterSet.ASCII);
            assertThat(SpecificCharacterSet.ASCII.isKnown()).isTrue();
            assertThat(SpecificCharacterSet.ASCII.definedTerms()).isEmpty();
        }

        @ParameterizedTest
        @ValueSource(strings = {"ISO_IR 6", "ISO_IR 100", "ISO_IR 101", "ISO_IR 109", "ISO_IR 110", "ISO_IR 144",
            "ISO_IR 127", "ISO_IR 126", "ISO_IR 138", "ISO_IR 148", "ISO_IR 166", "ISO_IR 203", "ISO_IR 13",
            "ISO_IR 192", "GB18030", "GBK", "ISO 2022 IR 6", "ISO 2022 IR 100", "ISO 2022 IR 101",
            "ISO 2022 IR 109", "ISO 2022 IR 110", "ISO 2022 IR 144", "ISO 2022 IR 127", "ISO 2022 IR 126",
            "ISO 2022 IR 138", "ISO 2022 IR 148", "ISO 2022 IR 166", "ISO 2022 IR 203", "ISO 2022 IR 13",
            "ISO 2022 IR 87", "ISO 2022 IR 159", "ISO 2022 IR 149", "ISO 2022 IR 58",
            "\\ISO 2022 IR 87", "ISO 2022 IR 13\\ISO 2022 IR 87", "\\ISO 2022 IR 87\\ISO 2022 IR 159",
            "ISO 2022 IR 100\\ISO 2022 IR 149"})
        void knowsTheDefinedTerms(String terms) {
            assertThat(cs(terms).isKnown()).isTrue();
        }

        @Test
        void trimsValuesAndKeepsThem() {
            SpecificCharacterSet cs = SpecificCharacterSet.of(List.of(" ", "ISO 2022 IR 87 "));
            assertThat(cs.definedTerms()).containsExactly("", "ISO 2022 IR 87");
            assertThat(cs).isEqualTo(cs("\\ISO 2022 IR 87")).hasSameHashCodeAs(cs("\\ISO 2022 IR 87"));
            assertThat(cs).isNotEqualTo(cs("ISO 2022 IR 6\\ISO 2022 IR 87"));
            assertThat(cs).hasToString("SpecificCharacterSet[\\ISO 2022 IR 87]");
            assertThat(SpecificCharacterSet.ASCII).hasToString("SpecificCharacterSet[default]");
        }

        @Test
        void unknownTermsAreReadAsLatin1AndReported() {
            SpecificCharacterSet cs = cs("ISO_IR 999");
            assertThat(cs.isKnown()).isFalse();
            assertThat(decode(cs, "4dfc6c6c6572", true)).isEqualTo("Müller");
            assertThat(cs("\\ISO 2022 IR 87\\KLINGON").isKnown()).isFalse();
            assertThat(decode(cs("\\ISO 2022 IR 87\\KLINGON"), "1b24423b33451b2842", true)).isEqualTo("山\uFFFD");
        }

        @ParameterizedTest
        @ValueSource(strings = {"ISO_IR_100", "iso_ir 100", "ISO-IR 100", "ISO IR 100", "ISO_IR100"})
        void misspelledTermsAreReadAsMeantButReported(String term) {
            SpecificCharacterSet cs = cs(term);
            assertThat(cs.isKnown()).isFalse();
            assertThat(decode(cs, "4275635e4ae972f46d65", true)).isEqualTo("Buc^Jérôme");
        }

        @Test
        void setsWithoutCodeExtensionsGovernTheValueAlone() {
            String hex = "e5b1b1" + "1b2842"; // UTF-8 山, then an ESC ( B that UTF-8 reads as characters
            assertThat(decode("ISO_IR 192", hex)).isEqualTo("山\u001b(B");
            assertThat(decode("\\ISO_IR 192", hex)).isEqualTo("山\u001b(B");
            assertThat(decode("ISO_IR 192\\ISO 2022 IR 87", hex)).isEqualTo("山\u001b(B");
            assertThat(decode("ISO_IR 100\\ISO_IR 192", "e9")).isEqualTo("é");
            assertThat(decode("FOO\\ISO_IR 192", "e9")).isEqualTo("é");
        }

        @Test
        void isoIrPrefixInAMultiValuedSetIsReadAsIso2022() {
            // Seen in the wild (dcm4che issue 869): value 1 spelt ISO_IR 13 next to an ISO 2022 value.
            FileCase h32 = FILE_CASES.stream().filter(c -> c.file().equals("chrH32.dcm")).findFirst().orElseThrow();
            assertThat(decode("ISO_IR 13\\ISO 2022 IR 87", h32.hex())).isEqualTo(h32.expected());
        }

        @Test
        void nullIsAProgrammingError() {
            assertThatNullPointerException().isThrownBy(() -> SpecificCharacterSet.of(null));
            assertThatNullPointerException().isThrownBy(() -> SpecificCharacterSet.of(Arrays.asList("", null)));
        }
    }

    @Nested
    class Decoding {
        @Test
        void highBytesWithoutDeclaredSetAreLatin1() {
            // Files without (0008,0005) often carry Latin-1 names; pydicom and Orthanc read them so too.
            assertThat(decode("", "4dfc6c6c6572")).isEqualTo("Müller");
            assertThat(decode("\\ISO 2022 IR 87", "4dfc6c6c6572")).isEqualTo("Müller");
        }

        @Test
        void highBytesWithoutEscapeUseTheDeclaredG1Set() {
            assertThat(decode("\\ISO 2022 IR 149", "c8ab5eb1e6b5bf")).isEqualTo("홍^길동");
            assertThat(decode("ISO 2022 IR 149", "c8ab5eb1e6b5bf")).isEqualTo("홍^길동");
        }

        @Test
        void designatedG1SetSurvivesADelimiterWhenValue1HasNone() {
            // A sloppy writer that designates KS X 1001 once per value instead of once per component.
            assertThat(decode("\\ISO 2022 IR 149", "1b242943c8ab5eb1e6b5bf")).isEqualTo("홍^길동");
            assertThat(decode("\\ISO 2022 IR 149\\ISO 2022 IR 58", "1b242941d5c55ed0a1b6ab")).isEqualTo("张^小东");
        }

        @Test
        void delimitersRestoreValue1sG1Set() {
            SpecificCharacterSet cs = cs("ISO 2022 IR 100\\ISO 2022 IR 126");
            assertThat(decode(cs, "1b2d46e15ee1", true)).isEqualTo("α^á");
            assertThat(decode(cs, "1b2d46e15ee1", false)).isEqualTo("α^α");
            assertThat(decode(cs, "1b2d46e15ce1", false)).isEqualTo("α\\á");
            assertThat(decode(cs, "1b2d46e10de1", false)).isEqualTo("α\rá");
        }

        @Test
        void escapesAreHonouredEvenForSingleValuedTerms() {
            assertThat(decode("ISO_IR 100", "e91b2d46e1")).isEqualTo("éα");
        }

        @Test
        void koreanLongTextWithADesignationAtTheHeadOfEachLine() {
            // Shaped like PS3.5 Example I.3-1: ESC $ ) C starts each line that holds Hangul (한글 is C7D1 B1DB).
            String hex = "1b242943" + hex("Line one ") + "c7d1b1db" + "0d0a"
                    + "1b242943" + hex("Line two ") + "c7d1b1db" + "0d0a" + hex("Line three");
            assertThat(decode(cs("\\ISO 2022 IR 149"), hex, false))
                    .isEqualTo("Line one 한글\r\nLine two 한글\r\nLine three");
        }

        @Test
        void jisX0212AndTheOldJisC6226Designation() {
            assertThat(decode("\\ISO 2022 IR 159", "1b24284430211b2842")).isEqualTo("丂");
            assertThat(decode("\\ISO 2022 IR 87", "1b24403b3345441b2842")).isEqualTo("山田");
        }

        @Test
        void shiftJisUnderIsoIr13IsReadLeniently() {
            assertThat(decode("ISO_IR 13", "8e529363" + "5e" + "b1b2")).isEqualTo("山田^ｱｲ");
        }

        @Test
        void bytesThatFitNoSetBecomeReplacementCharacters() {
            assertThat(decode("ISO_IR 127", "41a142")).isEqualTo("A\uFFFDB"); // 10/01 is unassigned in ISO 8859-6
            assertThat(decode("ISO_IR 13", "41fd")).isEqualTo("A\uFFFD");
            assertThat(decode("ISO_IR 192", "41c328")).isEqualTo("A\uFFFD(");
            assertThat(decode("\\ISO 2022 IR 149", "1b242943b1")).isEqualTo("\uFFFD");
            assertThat(decode("\\ISO 2022 IR 149", "1b242943b141")).isEqualTo("\uFFFDA");
        }

        @Test
        void incompleteDoubleByteCharacters() {
            assertThat(decode("\\ISO 2022 IR 87", "1b24423b")).isEqualTo("\uFFFD");
            assertThat(decode("\\ISO 2022 IR 87", "1b24423b0a41")).isEqualTo("\uFFFD\nA");
            assertThat(decode("\\ISO 2022 IR 87", "1b2442222f3b33")).isEqualTo("\uFFFD山"); // 02/02 02/15 unassigned
        }

        @Test
        void truncatedAndUnknownEscapeSequences() {
            assertThat(decode("\\ISO 2022 IR 87", "41421b")).isEqualTo("AB\uFFFD");
            assertThat(decode("\\ISO 2022 IR 87", "41421b24")).isEqualTo("AB\uFFFD");
            assertThat(decode("\\ISO 2022 IR 87", "41421b240a43")).isEqualTo("AB\uFFFD\nC");
            assertThat(decode("\\ISO 2022 IR 87", "411b24295a42")).isEqualTo("A\uFFFDB");
            assertThat(decode("\\ISO 2022 IR 87", "411b2e4142")).isEqualTo("A\uFFFDB"); // G2 is not used in DICOM
        }

        @Test
        void neverThrows() {
            List<String> terms = List.of("", "ISO_IR 100", "ISO_IR 13", "ISO_IR 166", "ISO_IR 192", "GB18030", "GBK",
                    "\\ISO 2022 IR 87", "ISO 2022 IR 13\\ISO 2022 IR 87\\ISO 2022 IR 159", "\\ISO 2022 IR 149",
                    "\\ISO 2022 IR 58", "ISO 2022 IR 100\\ISO 2022 IR 126\\ISO 2022 IR 149", "FOO\\BAR");
            byte[] alphabet = HEX.parseHex("1b2428292d2e4142434a4944405e3d5c0d0a20a1b0c8fe80ff217e");
            Random random = new Random(20_240_601);
            for (String t : terms) {
                SpecificCharacterSet cs = cs(t);
                for (int i = 0; i < 2_000; i++) {
                    byte[] b = new byte[random.nextInt(24)];
                    for (int k = 0; k < b.length; k++) {
                        b[k] = i % 2 == 0 ? alphabet[random.nextInt(alphabet.length)] : (byte) random.nextInt();
                    }
                    boolean pn = random.nextBoolean();
                    assertThatNoException().as("%s %s", t, HEX.formatHex(b))
                            .isThrownBy(() -> assertThat(cs.decode(b, 0, b.length, pn)).isNotNull());
                }
            }
        }
    }

    @Nested
    class Encoding {
        @Test
        void aSingleValuedIso2022TermEncodesAsIfValue1WereEmpty() {
            String value = "Yamada^Tarou=山田^太郎=やまだ^たろう";
            assertThat(encode("ISO 2022 IR 87", value, true)).isEqualTo(encode("\\ISO 2022 IR 87", value, true));
            assertThat(encode("ISO 2022 IR 6\\ISO 2022 IR 87", value, true))
                    .isEqualTo(encode("\\ISO 2022 IR 87", value, true));
        }

        @Test
        void personNameDelimitersEndTheG1Designation() {
            assertThat(encode("\\ISO 2022 IR 149", "홍^길동", true)).isEqualTo("1b242943c8ab5e1b242943b1e6b5bf");
            assertThat(encode("\\ISO 2022 IR 149", "홍^길동", false)).isEqualTo("1b242943c8ab5eb1e6b5bf");
            assertThat(encode("\\ISO 2022 IR 149", "홍\\길동", false)).isEqualTo("1b242943c8ab5c1b242943b1e6b5bf");
        }

        @Test
        void lineEndsAndTabsEndTheDesignations() {
            assertThat(encode("\\ISO 2022 IR 149", "한글\r\n한글", false))
                    .isEqualTo("1b242943c7d1b1db0d0a1b242943c7d1b1db");
            assertThat(encode("\\ISO 2022 IR 87", "山\t田", false)).isEqualTo("1b24423b331b2842091b244245441b2842");
        }

        @Test
        void returnsToG0AsciiForSpacesAndLetters() {
            assertThat(encode("\\ISO 2022 IR 87", "山田 太郎", true))
                    .isEqualTo("1b24423b3345441b2842" + "20" + "1b244242404f3a1b2842");
            assertThat(encode("\\ISO 2022 IR 87", "山A", false)).isEqualTo("1b24423b331b2842" + hex("A"));
        }

        @Test
        void jisX0212() {
            assertThat(encode("\\ISO 2022 IR 159", "Test^丂", true)).isEqualTo(hex("Test^") + "1b24284430211b2842");
            assertThat(encode("\\ISO 2022 IR 87\\ISO 2022 IR 159", "山丂", true))
                    .isEqualTo("1b24423b331b24284430211b2842");
        }

        @Test
        void latin1WithJapanese() {
            assertThat(encode("ISO 2022 IR 100\\ISO 2022 IR 87", "Müller^山田", true))
                    .isEqualTo("4dfc6c6c65725e1b24423b3345441b2842");
        }

        @Test
        void restoresValue1sG1SetExplicitly() {
            assertThat(encode("ISO 2022 IR 100\\ISO 2022 IR 149", "김^é", true))
                    .isEqualTo("1b242943b1e81b2d415ee9");
            assertThat(encode("ISO 2022 IR 100\\ISO 2022 IR 126", "α", true)).isEqualTo("1b2d46e11b2d41");
        }

        @Test
        void withoutCodeExtensionsNoEscapeIsWritten() {
            assertThat(encode("ISO_IR 100", "Jérôme 山", true)).isEqualTo(hex("J") + "e9" + hex("r") + "f4"
                    + hex("me ?"));
            assertThat(encode("", "Müller", true)).isEqualTo(hex("M?ller"));
            assertThat(encode("ISO_IR 13", "ﾔﾏﾀﾞ^ﾀﾛｳ 山", true)).isEqualTo("d4cfc0de5ec0dbb3" + hex(" ?"));
        }

        @Test
        void unencodableCharactersBecomeQuestionMarks() {
            assertThat(encode("\\ISO 2022 IR 87", "山😀", true)).isEqualTo("1b24423b331b2842" + hex("?"));
            assertThat(encode("ISO_IR 192", "山😀", true)).isEqualTo("e5b1b1f09f9880");
            assertThat(encode("ISO_IR 100", "\u001b", false)).isEqualTo(hex("?"));
        }

        @ParameterizedTest
        @ValueSource(strings = {"ISO_IR 100", "ISO_IR 101", "ISO_IR 109", "ISO_IR 110", "ISO_IR 144", "ISO_IR 127",
            "ISO_IR 126", "ISO_IR 138", "ISO_IR 148", "ISO_IR 166", "ISO_IR 203", "ISO_IR 13"})
        void everyCharacterOfASingleByteSetRoundTrips(String term) {
            SpecificCharacterSet cs = cs(term);
            int mapped = 0;
            for (int b = 0x20; b < 0x100; b++) {
                if (b == 0x7F) {
                    continue;
                }
                byte[] one = {(byte) b};
                String s = cs.decode(one, 0, 1, false);
                if (!s.equals("\uFFFD")) {
                    mapped++;
                    assertThat(cs.encode(s, false)).as("%s %02X", term, b).containsExactly(one);
                }
            }
            assertThat(mapped).isGreaterThan(term.equals("ISO_IR 13") ? 150 : 170);
        }

        @ParameterizedTest
        @ValueSource(strings = {"\\ISO 2022 IR 87", "\\ISO 2022 IR 159", "\\ISO 2022 IR 149", "\\ISO 2022 IR 58"})
        void everyCharacterOfAMultiByteSetRoundTrips(String terms) {
            SpecificCharacterSet cs = cs(terms);
            StringBuilder all = new StringBuilder();
            boolean g1 = terms.endsWith("149") || terms.endsWith("58");
            String designation = switch (terms.substring(terms.length() - 3)) {
                case " 87" -> "1b2442";
                case "159" -> "1b242844";
                case "149" -> "1b242943";
                default -> "1b242941";
            };
            for (int c1 = 0x21; c1 < 0x7F; c1++) {
                for (int c2 = 0x21; c2 < 0x7F; c2++) {
                    int bit = g1 ? 0x80 : 0;
                    String s = decode(cs, designation + HEX.toHexDigits((byte) (c1 | bit))
                            + HEX.toHexDigits((byte) (c2 | bit)), true);
                    if (!s.equals("\uFFFD")) {
                        all.append(s);
                    }
                }
            }
            assertThat(all.length()).isGreaterThan(6_000);
            byte[] encoded = cs.encode(all.toString(), true);
            assertThat(cs.decode(encoded, 0, encoded.length, true)).isEqualTo(all.toString());
        }

        @Test
        void roundTripsMixedText() {
            List<String> values = List.of("Äneas^Rüdiger=Σωκράτης", "山田^ﾀﾛｳ=やまだ 太郎\\Ｘ線\r\nおわり", "a\\b^c=d",
                    "김희중^洪=Hong", "张^小东\\王");
            for (String terms : List.of("ISO 2022 IR 100\\ISO 2022 IR 126\\ISO 2022 IR 13\\ISO 2022 IR 87"
                    + "\\ISO 2022 IR 149\\ISO 2022 IR 58", "ISO_IR 192", "GB18030")) {
                SpecificCharacterSet cs = cs(terms);
                for (String v : values) {
                    for (boolean pn : new boolean[] {true, false}) {
                        byte[] b = cs.encode(v, pn);
                        assertThat(cs.decode(b, 0, b.length, pn)).as("%s in %s", v, terms).isEqualTo(v);
                    }
                }
            }
        }
    }

    /**
     * Checks the facts above against the files themselves, where the shared test data is present: each value's bytes
     * occur in its file, and the values the Annex examples came from encode to exactly those bytes.
     */
    @Test
    void factsMatchTheSharedFiles() throws IOException {
        String shared = System.getProperty("lightbox.shared");
        assumeThat(shared).as("system property lightbox.shared").isNotNull();
        Path dir = Path.of(shared, "data", "charset");
        assumeThat(Files.isDirectory(dir)).as("%s exists", dir).isTrue();
        for (FileCase c : FILE_CASES) {
            String fileHex = HEX.formatHex(Files.readAllBytes(dir.resolve(c.file())));
            assertThat(fileHex).as(c.toString()).contains(c.hex());
            byte[] encoded = c.charset().encode(c.expected(), c.personName());
            assertThat(c.charset().decode(encoded, 0, encoded.length, c.personName())).isEqualTo(c.expected());
        }
        for (String file : List.of("chrH31.dcm", "chrH32.dcm", "chrI2.dcm", "chrX2.dcm")) {
            String fileHex = HEX.formatHex(Files.readAllBytes(dir.resolve(file)));
            AnnexExample example = ANNEX_EXAMPLES.stream()
                    .filter(e -> FILE_CASES.stream().anyMatch(c -> c.file().equals(file) && c.hex().equals(e.hex())))
                    .findFirst().orElseThrow();
            assertThat(fileHex).contains(encode(example.terms(), example.value(), true));
        }
    }
}
