// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Typed access to values of every kind, and the builder's rules. */
class DatasetTest {
    private static final SpecificCharacterSet UTF8 = SpecificCharacterSet.of(List.of("ISO_IR 192"));

    @Test
    void textWithMultiplicityIsSplitAndTrimmed() {
        Dataset ds = Dataset.builder().add(Element.of(Tag.ImageType, Vr.CS, "ORIGINAL\\PRIMARY \\ AXIAL".getBytes()))
                .add(Element.of(Tag.StudyDescription, Vr.LO, " CT HEAD  ".getBytes()))
                .add(Element.of(Tag.AdditionalPatientHistory, Vr.LT, "  first line\\not a separator  ".getBytes()))
                .build();
        assertThat(ds.strings(Tag.ImageType)).containsExactly("ORIGINAL", "PRIMARY", "AXIAL");
        assertThat(ds.string(Tag.StudyDescription)).contains("CT HEAD");
        // LT keeps leading spaces and backslashes: it is one value (PS3.5 6.2).
        assertThat(ds.strings(Tag.AdditionalPatientHistory)).containsExactly("  first line\\not a separator");
        assertThat(ds.get(Tag.ImageType).orElseThrow().text(ds.charset())).isEqualTo("ORIGINAL\\PRIMARY \\ AXIAL");
    }

    @Test
    void binaryNumbersOfEveryWidthAndByteOrder() {
        Dataset ds = Dataset.builder()
                .setNumbers(Tag.Rows, Vr.US, 65535)
                .setNumbers(Tag.TagAngleSecondAxis, Vr.SS, -2)
                .setNumbers(Tag.SimpleFrameList, Vr.UL, 4_000_000_000L)
                .setNumbers(Tag.ReferencePixelX0, Vr.SL, -7)
                .setNumbers(Tag.RecommendedDisplayFrameRateInFloat, Vr.FL, 0.5)
                .build();
        assertThatThrownBy(() -> Element.ofNumbers(Tag.PixelDataProviderURL, Vr.UR, 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(ds.integer(Tag.Rows)).hasValue(65535);
        assertThat(ds.integer(Tag.TagAngleSecondAxis)).hasValue(-2);
        assertThat(ds.longValue(Tag.SimpleFrameList)).hasValue(4_000_000_000L);
        assertThat(ds.integer(Tag.ReferencePixelX0)).hasValue(-7);
        assertThat(ds.doubleValue(Tag.RecommendedDisplayFrameRateInFloat)).contains(0.5);
        Element be = ds.get(Tag.Rows).orElseThrow().withByteOrder(true);
        assertThat(be.bytes()).containsExactly(0xFF, 0xFF);
        assertThat(be.longs()).containsExactly(65535);
        Element swapped = Element.ofNumbers(Tag.FrameTimeVector, Vr.FD, 1.25, -3).withByteOrder(true);
        assertThat(swapped.doubles()).containsExactly(1.25, -3.0);
        assertThat(swapped.withByteOrder(false).bytes()).isEqualTo(Element.ofNumbers(0, Vr.FD, 1.25, -3).bytes());
        assertThat(Element.ofNumbers(Tag.SelectorSVValue, Vr.SV, -5).longs()).containsExactly(-5);
        assertThat(Element.ofNumbers(Tag.SelectorOLValue, Vr.OL, 7).longs()).containsExactly(7);
    }

    @Test
    void decimalAndIntegerStrings() {
        Dataset ds = Dataset.builder().setNumbers(Tag.PixelSpacing, Vr.DS, 0.5, 1e-12, 123456789.123)
                .setNumbers(Tag.InstanceNumber, Vr.IS, 42)
                .add(Element.of(Tag.SliceThickness, Vr.DS, "+1.50E1 ".getBytes()))
                .build();
        assertThat(ds.get(Tag.PixelSpacing).orElseThrow().doubles()).containsExactly(0.5, 1e-12, 123456789.123);
        for (String s : ds.strings(Tag.PixelSpacing)) {
            assertThat(s.length()).isLessThanOrEqualTo(16);
        }
        assertThat(ds.integer(Tag.InstanceNumber)).hasValue(42);
        assertThat(ds.doubleValue(Tag.SliceThickness)).contains(15.0);
        assertThat(ds.get(Tag.PixelSpacing).orElseThrow().bytes().length % 2).isZero();
    }

    @Test
    void datesTimesAndDateTimes() {
        Element da = Element.of(Tag.StudyDate, Vr.DA, "20240229\\1999.12.31\\2024021".getBytes());
        assertThat(da.dates()).containsExactly(LocalDate.of(2024, 2, 29), LocalDate.of(1999, 12, 31));
        Element tm = Element.of(Tag.StudyTime, Vr.TM, "101530.123456\\1015\\10\\2599".getBytes());
        assertThat(tm.times()).containsExactly(LocalTime.of(10, 15, 30, 123_456_000), LocalTime.of(10, 15),
                LocalTime.of(10, 0));
        Element dt = Element.of(Tag.AcquisitionDateTime, Vr.DT, "20240105101530.5+0130\\2024\\202401051015".getBytes());
        assertThat(dt.dateTimes()).containsExactly(
                OffsetDateTime.of(2024, 1, 5, 10, 15, 30, 500_000_000, ZoneOffset.ofHoursMinutes(1, 30)),
                LocalDateTime.of(2024, 1, 1, 0, 0), LocalDateTime.of(2024, 1, 5, 10, 15));
    }

    @Test
    void personNamesWithComponentGroups() {
        Dataset ds = Dataset.builder().setStrings(Tag.SpecificCharacterSet, Vr.CS, "ISO_IR 192")
                .setStrings(Tag.PatientName, Vr.PN, "Yamada^Tarou=山田^太郎=やまだ^たろう", "Doe^John^^Dr")
                .build();
        List<PersonName> names = ds.personNames(Tag.PatientName);
        assertThat(names.getFirst()).isEqualTo(new PersonName("Yamada^Tarou", "山田^太郎", "やまだ^たろう"));
        assertThat(PersonName.components(names.get(1).alphabetic())).containsExactly("Doe", "John", "", "Dr");
        assertThat(names.get(1).ideographic()).isEmpty();
        assertThat(names.getFirst().toString()).isEqualTo("Yamada^Tarou=山田^太郎=やまだ^たろう");
        // Padded with a space to even length.
        assertThat(ds.get(Tag.PatientName).orElseThrow().bytes()).startsWith(
                UTF8.encode("Yamada^Tarou=山田^太郎=やまだ^たろう\\Doe^John^^Dr", true)).endsWith(' ');
    }

    @Test
    void uidsAndAttributeTags() {
        Dataset ds = Dataset.builder().setStrings(Tag.SOPClassUID, Vr.UI, Uid.CTImageStorage)
                .add(Element.of(Tag.FrameIncrementPointer, Vr.AT, new byte[] {0x18, 0x00, 0x63, 0x10, 0x28, 0, 8, 0}))
                .build();
        assertThat(ds.get(Tag.SOPClassUID).orElseThrow().bytes()).hasSize(26).endsWith(0);
        assertThat(ds.string(Tag.SOPClassUID)).contains("1.2.840.10008.5.1.4.1.1.2");
        assertThat(ds.get(Tag.FrameIncrementPointer).orElseThrow().tags()).containsExactly(Tag.FrameTime,
                Tag.NumberOfFrames);
        assertThat(ds.strings(Tag.FrameIncrementPointer)).containsExactly("(0018,1063)", "(0028,0008)");
    }

    @Test
    void itemsInheritTheCharacterSetUnlessTheyHaveTheirOwn() {
        Dataset item = Dataset.builder().inheritCharset(UTF8).setStrings(Tag.PatientName, Vr.PN, "Müller").build();
        Dataset ds = Dataset.builder().setStrings(Tag.SpecificCharacterSet, Vr.CS, "ISO_IR 192")
                .setItems(Tag.OtherPatientIDsSequence, List.of(item)).build();
        assertThat(ds.items(Tag.OtherPatientIDsSequence).getFirst().string(Tag.PatientName)).contains("Müller");
        assertThat(item.charset()).isEqualTo(UTF8);
        Dataset own = item.toBuilder().setStrings(Tag.SpecificCharacterSet, Vr.CS, "ISO_IR 100").build();
        assertThat(own.charset().definedTerms()).containsExactly("ISO_IR 100");
    }

    @Test
    void builderKeepsTagOrderReplacesAndRemoves() {
        Dataset ds = Dataset.builder().setStrings(0x00100020, Vr.LO, "B").setStrings(0x00080060, Vr.CS, "CT")
                .setStrings(0x00291010, Vr.LO, "P").setStrings(0x00100020, Vr.LO, "C").build();
        assertThat(ds.elements()).extracting(Element::tag).containsExactly(0x00080060, 0x00100020, 0x00291010);
        assertThat(ds.string(0x00100020)).contains("C");
        assertThat(ds.toBuilder().remove(0x00080060).build().contains(0x00080060)).isFalse();
        assertThat(ds.contains(0x00080060)).as("the original is unchanged").isTrue();
        Dataset priv = Dataset.builder().setStrings(0x00290010, Vr.LO, "SIEMENS CSA HEADER")
                .setStrings(0x00291010, Vr.OB).build();
        assertThat(priv.privateCreator(0x00291010)).contains("SIEMENS CSA HEADER");
        assertThat(priv.privateCreator(0x00100010)).isEmpty();
        assertThat(Dataset.builder().build()).isSameAs(Dataset.empty());
    }

    @Test
    void elementsRefuseValuesTheirVrCannotHold() {
        assertThatThrownBy(() -> new Element(Tag.PatientName, Vr.PN, new Value.Items(List.of()), false, false))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Element(Tag.ReferencedImageSequence, Vr.SQ, Value.Bytes.EMPTY, false, false))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Value.Fragments(List.of())).isInstanceOf(IllegalArgumentException.class);
    }
}
