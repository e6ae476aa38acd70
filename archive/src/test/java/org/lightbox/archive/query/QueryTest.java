// SPDX-License-Identifier: Apache-2.0
package org.lightbox.archive.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.lightbox.archive.Archive;
import org.lightbox.archive.ArchiveConfig;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.ElementDictionary;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.Vr;

/**
 * The query model against a real SQLite index: a synthetic corpus ingested through the archive, every matching
 * type at every level checked against expectations computed from the corpus in plain Java.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QueryTest {
    private static final InformationModel PR = InformationModel.PATIENT_ROOT;
    private static final InformationModel SR = InformationModel.STUDY_ROOT;
    private static final QueryOptions HIER = QueryOptions.DEFAULT;
    private static final QueryOptions REL = QueryOptions.DEFAULT.withRelational(true);

    private Archive archive;
    private List<QueryFixture> corpus;

    @BeforeAll
    void ingest(@TempDir Path dir) throws IOException {
        archive = Archive.open(ArchiveConfig.of(dir));
        corpus = QueryFixture.corpus();
        for (QueryFixture f : corpus) {
            f.storeIn(archive);
        }
    }

    @AfterAll
    void close() {
        archive.close();
    }

    // ---- helpers ----

    /** An identifier: level, then tag/value pairs (VR from the dictionary; "" for a return key). */
    private static Dataset id(QueryLevel level, Object... kv) {
        Dataset.Builder b = Dataset.builder();
        boolean nonAscii = false;
        for (int i = 1; i < kv.length; i += 2) {
            nonAscii |= kv[i] instanceof String s && s.chars().anyMatch(c -> c > 127);
        }
        if (nonAscii) {
            b.setStrings(Tag.SpecificCharacterSet, Vr.CS, "ISO_IR 192");
        }
        b.setStrings(Tag.QueryRetrieveLevel, Vr.CS, level.name());
        for (int i = 0; i < kv.length; i += 2) {
            int tag = (Integer) kv[i];
            switch (kv[i + 1]) {
                case String s when s.isEmpty() -> b.setStrings(tag, ElementDictionary.vrOf(tag));
                case String s -> b.setStrings(tag, ElementDictionary.vrOf(tag), s);
                case Dataset item -> b.setItems(tag, List.of(item));
                default -> throw new IllegalArgumentException();
            }
        }
        return b.build();
    }

    private List<Dataset> find(InformationModel model, QueryOptions options, Dataset identifier) throws Exception {
        List<Dataset> out = new ArrayList<>();
        QueryOutcome o = archive.query(Query.parse(model, identifier, options), out::add);
        assertThat(o.cancelled()).isFalse();
        assertThat(o.matches()).isEqualTo(out.size());
        return out;
    }

    private static int uniqueKey(QueryLevel level) {
        return Catalogue.uniqueKey(level);
    }

    private Set<String> found(InformationModel model, QueryOptions options, Dataset identifier) throws Exception {
        QueryLevel level = QueryLevel.of(identifier.string(Tag.QueryRetrieveLevel).orElseThrow()).orElseThrow();
        Set<String> keys = new TreeSet<>();
        for (Dataset d : find(model, options, identifier)) {
            assertThat(d.string(Tag.QueryRetrieveLevel)).contains(level.name());
            keys.add(d.string(uniqueKey(level)).orElseThrow());
        }
        return keys;
    }

    private Set<String> expected(QueryLevel level, Predicate<QueryFixture> p) {
        return corpus.stream().filter(p).map(f -> f.key(level)).collect(Collectors.toCollection(TreeSet::new));
    }

    /** Runs the query at its level with the level's unique key returned, and compares with the model. */
    private void check(InformationModel model, QueryOptions o, QueryLevel level, Predicate<QueryFixture> p,
            Object... kv) throws Exception {
        Object[] all = new Object[kv.length + 2];
        System.arraycopy(kv, 0, all, 0, kv.length);
        all[kv.length] = uniqueKey(level);
        all[kv.length + 1] = "";
        boolean hasKey = false;
        for (int i = 0; i < kv.length; i += 2) {
            hasKey |= (Integer) kv[i] == uniqueKey(level);
        }
        Dataset identifier = id(level, hasKey ? kv : all);
        Set<String> want = expected(level, p);
        assertThat(found(model, o, identifier)).as("%s %s", level, identifier).isEqualTo(want);
    }

    // ---- universal and single value ----

    @Test
    void universalMatchingAtEveryLevelReturnsEveryEntity() throws Exception {
        check(PR, HIER, QueryLevel.PATIENT, f -> true, Tag.PatientName, "");
        check(SR, HIER, QueryLevel.STUDY, f -> true, Tag.PatientName, "", Tag.StudyDate, "");
        check(SR, REL, QueryLevel.SERIES, f -> true, Tag.Modality, "");
        check(PR, REL, QueryLevel.IMAGE, f -> true, Tag.SOPClassUID, "*");
        assertThat(expected(QueryLevel.IMAGE, f -> true)).hasSize(corpus.size());
    }

    @Test
    void singleValueMatchingIsExactAndCaseSensitive() throws Exception {
        check(PR, HIER, QueryLevel.PATIENT, f -> f.pid().equals("P2"), Tag.PatientID, "P2");
        check(PR, HIER, QueryLevel.PATIENT, f -> false, Tag.PatientID, "p2");
        check(PR, HIER, QueryLevel.PATIENT, f -> f.name().equals("DOE^JOHN"), Tag.PatientName, "DOE^JOHN");
        check(PR, HIER, QueryLevel.PATIENT, f -> false, Tag.PatientName, "doe^john");
        check(PR, HIER, QueryLevel.PATIENT, f -> f.name().equals("Müller^Hans"), Tag.PatientName, "Müller^Hans");
        check(SR, HIER, QueryLevel.STUDY, f -> f.date().equals("20200101"), Tag.StudyDate, "20200101");
        check(SR, REL, QueryLevel.SERIES, f -> f.modality().equals("MR"), Tag.Modality, "MR");
        check(SR, REL, QueryLevel.SERIES, f -> f.seriesNumber() == 2, Tag.SeriesNumber, "2");
        check(SR, REL, QueryLevel.IMAGE, f -> f.instanceNumber() == 2, Tag.InstanceNumber, "2");
        check(SR, REL, QueryLevel.IMAGE, f -> f.sopClass().equals(QueryFixture.MR), Tag.SOPClassUID,
                QueryFixture.MR);
        check(PR, HIER, QueryLevel.PATIENT, f -> f.issuer().equals("HOSP"), Tag.IssuerOfPatientID, "HOSP");
        // Characters special to SQL LIKE are plain characters in single value matching.
        check(SR, HIER, QueryLevel.STUDY, f -> f.accession().equals("A_2"), Tag.AccessionNumber, "A_2");
        check(SR, HIER, QueryLevel.STUDY, f -> f.accession().equals("ACC%1"), Tag.AccessionNumber, "ACC%1");
        // Several values are alternatives.
        check(SR, REL, QueryLevel.SERIES, f -> f.modality().equals("US") || f.modality().equals("PT"),
                Tag.Modality, "US\\PT");
        // A name with trailing empty components is the same name.
        check(PR, HIER, QueryLevel.PATIENT, f -> f.name().equals("DOE^JOHN"), Tag.PatientName, "DOE^JOHN^^");
    }

    @Test
    void emptyValueMatchingFindsEntitiesWithoutAValue() throws Exception {
        check(SR, HIER, QueryLevel.STUDY, f -> f.accession().isEmpty(), Tag.AccessionNumber, "\"\"");
        check(PR, HIER, QueryLevel.PATIENT, f -> f.issuer().isEmpty(), Tag.IssuerOfPatientID, "\"\"");
    }

    // ---- wild cards ----

    @Test
    void wildcardMatchingIsCaseSensitiveAndEscapesLikeCharacters() throws Exception {
        check(PR, HIER, QueryLevel.PATIENT, f -> f.name().startsWith("M"), Tag.PatientName, "M*");
        check(PR, HIER, QueryLevel.PATIENT, f -> f.name().contains("ller"), Tag.PatientName, "*ller*");
        check(PR, HIER, QueryLevel.PATIENT, f -> f.name().matches(".OE\\^J.*"), Tag.PatientName, "?OE^J*");
        check(PR, HIER, QueryLevel.PATIENT, f -> f.name().equals("Müller^Hans"), Tag.PatientName, "M?ller^*");
        check(SR, HIER, QueryLevel.STUDY, f -> f.accession().matches("A.2"), Tag.AccessionNumber, "A?2");
        check(SR, HIER, QueryLevel.STUDY, f -> f.accession().startsWith("ACC%"), Tag.AccessionNumber, "ACC%*");
        check(SR, HIER, QueryLevel.STUDY, f -> f.accession().startsWith("A_"), Tag.AccessionNumber, "A_*");
        check(SR, HIER, QueryLevel.STUDY, f -> f.studyDescription().startsWith("x'"), Tag.StudyDescription,
                "x' OR*");
        check(SR, REL, QueryLevel.SERIES, f -> f.modality().startsWith("C"), Tag.Modality, "C?");
        check(SR, HIER, QueryLevel.STUDY, f -> true, Tag.StudyDescription, "*");
    }

    @Test
    void personNamesMatchCaseInsensitivelyWhenAsked() throws Exception {
        QueryOptions fuzzy = HIER.withFuzzyPersonNames(true);
        check(PR, fuzzy, QueryLevel.PATIENT, f -> f.name().toLowerCase().startsWith("m"), Tag.PatientName, "m*");
        check(PR, fuzzy, QueryLevel.PATIENT, f -> f.pid().equals("P1"), Tag.PatientName, "MÜLLER^hans");
        check(PR, fuzzy, QueryLevel.PATIENT, f -> f.name().equalsIgnoreCase("doe^john")
                || f.name().equalsIgnoreCase("doe^jane"), Tag.PatientName, "DOE^J*");
        check(PR, fuzzy, QueryLevel.PATIENT, f -> f.pid().equals("P3"), Tag.PatientName, "o'brien^SEÁN");
        check(PR, fuzzy, QueryLevel.PATIENT, f -> f.pid().equals("P3"), Tag.PatientName, "*SE?N");
        // Other VRs stay case-sensitive.
        check(SR, fuzzy, QueryLevel.STUDY, f -> false, Tag.AccessionNumber, "acc%1");
    }

    // ---- ranges ----

    @Test
    void dateRangesIncludeTheirBounds() throws Exception {
        check(SR, HIER, QueryLevel.STUDY, f -> f.date().compareTo("20200101") >= 0
                && f.date().compareTo("20211231") <= 0, Tag.StudyDate, "20200101-20211231");
        check(SR, HIER, QueryLevel.STUDY, f -> f.date().compareTo("20200101") <= 0, Tag.StudyDate, "-20200101");
        check(SR, HIER, QueryLevel.STUDY, f -> f.date().compareTo("20230101") >= 0, Tag.StudyDate, "20230101-");
        check(PR, HIER, QueryLevel.PATIENT, f -> f.birth().compareTo("19700101") >= 0
                && f.birth().compareTo("19891231") <= 0, Tag.PatientBirthDate, "19700101-19891231");
        check(SR, REL, QueryLevel.IMAGE, f -> f.date().startsWith("2020"), Tag.ContentDate, "20200101-20201231");
    }

    @Test
    void timeRangesCompareValuesOfAnyPrecision() throws Exception {
        check(SR, HIER, QueryLevel.STUDY, f -> f.seconds() >= 9 * 3600 && f.seconds() < 12 * 3600 + 60,
                Tag.StudyTime, "0900-1200");
        check(SR, HIER, QueryLevel.STUDY, f -> f.seconds() < 9 * 3600 + 31 * 60, Tag.StudyTime, "-0930");
        check(SR, HIER, QueryLevel.STUDY, f -> f.seconds() >= 15 * 3600 + 30 * 60, Tag.StudyTime, "153000-");
        check(SR, HIER, QueryLevel.STUDY, f -> f.time().startsWith("1015"), Tag.StudyTime, "1015");
        check(SR, REL, QueryLevel.SERIES, f -> f.seriesTime().equals("1420"), Tag.SeriesTime, "1400-1500");
    }

    @Test
    void combinedDateTimeMatchingTakesDateAndTimeAsOneRange() throws Exception {
        Predicate<QueryFixture> combined = f -> {
            String dt = f.date() + String.format("%013.6f", f.seconds()); // comparable for the same format
            double s = f.seconds();
            boolean afterStart = f.date().compareTo("20200101") > 0 || f.date().equals("20200101") && s >= 12 * 3600;
            boolean beforeEnd = f.date().compareTo("20200615") < 0 || f.date().equals("20200615") && s < 10 * 3600 + 60;
            return !dt.isEmpty() && afterStart && beforeEnd;
        };
        check(SR, HIER.withCombinedDateTime(true), QueryLevel.STUDY, combined,
                Tag.StudyDate, "20200101-20200615", Tag.StudyTime, "1200-1000");
        assertThat(expected(QueryLevel.STUDY, combined)).isNotEmpty();
        // Without the option, each is matched alone: 12:00 to 10:00 is an empty range.
        check(SR, HIER, QueryLevel.STUDY, f -> false, Tag.StudyDate, "20200101-20200615", Tag.StudyTime,
                "1200-1000");
    }

    // ---- UID lists, sequences, keys the index lacks ----

    @Test
    void listOfUidMatching() throws Exception {
        String a = corpus.get(0).study();
        String b = corpus.get(corpus.size() - 1).study();
        check(SR, HIER, QueryLevel.STUDY, f -> f.study().equals(a) || f.study().equals(b), Tag.StudyInstanceUID,
                a + "\\" + b + "\\1.2.3.999");
        String s1 = corpus.get(0).series();
        check(SR, HIER, QueryLevel.SERIES, f -> f.series().equals(s1), Tag.StudyInstanceUID, a,
                Tag.SeriesInstanceUID, s1 + "\\" + corpus.get(5).series());
    }

    @Test
    void sequenceMatchingMatchesOneItemAndReturnsTheRequestedItemKeys() throws Exception {
        Dataset item = Dataset.builder().setStrings(Tag.CodeValue, Vr.SH, "X1").build();
        check(SR, HIER, QueryLevel.STUDY, f -> f.procedureCode().equals("X1"), Tag.ProcedureCodeSequence, item);
        List<Dataset> r = find(SR, HIER, id(QueryLevel.STUDY, Tag.ProcedureCodeSequence, item));
        Dataset back = r.getFirst().items(Tag.ProcedureCodeSequence).getFirst();
        assertThat(back.string(Tag.CodeValue)).contains("X1");
        assertThat(back.contains(Tag.CodeMeaning)).isFalse();
        // An empty item is universal and returns the whole sequence.
        r = find(SR, HIER, id(QueryLevel.STUDY, Tag.ProcedureCodeSequence, Dataset.empty()));
        assertThat(r).hasSize(expected(QueryLevel.STUDY, f -> true).size());
        assertThat(r.getFirst().items(Tag.ProcedureCodeSequence).getFirst().string(Tag.CodeMeaning)).isPresent();
        Dataset wild = Dataset.builder().setStrings(Tag.CodeMeaning, Vr.LO, "*Y2").build();
        check(SR, HIER, QueryLevel.STUDY, f -> f.procedureCode().equals("Y2"), Tag.ProcedureCodeSequence, wild);
    }

    @Test
    void keysTheIndexLacksAreMatchedAgainstTheMetadata() throws Exception {
        check(SR, REL, QueryLevel.SERIES, f -> f.bodyPart().equals("CHEST"), Tag.BodyPartExamined, "CHEST");
        check(SR, REL, QueryLevel.SERIES, f -> f.bodyPart().startsWith("HE"), Tag.BodyPartExamined, "HE*");
        List<Dataset> r = find(SR, REL, id(QueryLevel.SERIES, Tag.BodyPartExamined, "HEAD", Tag.SeriesTime, ""));
        assertThat(r).allSatisfy(d -> assertThat(d.string(Tag.SeriesTime)).contains("1420"));
    }

    // ---- hierarchical and relational ----

    @Test
    void hierarchicalQueriesNeedTheUniqueKeysOfTheLevelsAbove() throws Exception {
        assertThatThrownBy(() -> Query.parse(PR, id(QueryLevel.STUDY, Tag.StudyDate, ""), HIER))
                .isInstanceOf(QueryException.class)
                .satisfies(e -> assertThat(((QueryException) e).reason())
                        .isEqualTo(QueryException.Reason.IDENTIFIER_DOES_NOT_MATCH_SOP_CLASS))
                .hasMessageContaining("PatientID");
        assertThatThrownBy(() -> Query.parse(PR, id(QueryLevel.STUDY, Tag.PatientID, "P*"), HIER))
                .isInstanceOf(QueryException.class);
        assertThatThrownBy(() -> Query.parse(SR, id(QueryLevel.SERIES, Tag.Modality, "CT"), HIER))
                .hasMessageContaining("StudyInstanceUID");
        check(PR, HIER, QueryLevel.STUDY, f -> f.pid().equals("P1"), Tag.PatientID, "P1");
        QueryFixture x = corpus.get(3);
        check(PR, HIER, QueryLevel.IMAGE, f -> f.series().equals(x.series()), Tag.PatientID, x.pid(),
                Tag.StudyInstanceUID, x.study(), Tag.SeriesInstanceUID, x.series());
        // Relational: any level, keys of the levels above without their unique keys.
        check(PR, REL, QueryLevel.STUDY, f -> f.date().startsWith("2020"), Tag.StudyDate, "20200101-20201231");
        check(SR, REL, QueryLevel.IMAGE, f -> f.name().startsWith("doe") && f.modality().equals("CT"),
                Tag.PatientName, "doe*", Tag.Modality, "CT");
    }

    @Test
    void identifiersThatDoNotMatchTheModelAreRefused() {
        assertThatThrownBy(() -> Query.parse(SR, id(QueryLevel.PATIENT, Tag.PatientID, ""), HIER))
                .isInstanceOf(QueryException.class).hasMessageContaining("PATIENT");
        assertThatThrownBy(() -> Query.parse(SR, Dataset.builder().setStrings(Tag.PatientID, Vr.LO, "P1").build(),
                HIER)).hasMessageContaining("QueryRetrieveLevel");
        assertThatThrownBy(() -> Query.parse(SR, Dataset.builder().setStrings(Tag.QueryRetrieveLevel, Vr.CS,
                "FRAME").build(), HIER)).hasMessageContaining("FRAME");
        assertThatThrownBy(() -> Query.parse(SR, id(QueryLevel.STUDY, Tag.StudyDate, "2020*"), HIER))
                .hasMessageContaining("StudyDate");
        assertThatThrownBy(() -> Query.parse(SR, id(QueryLevel.STUDY, Tag.StudyDate, "2020-13-01"), HIER))
                .isInstanceOf(QueryException.class);
        assertThatThrownBy(() -> Query.parse(SR, id(QueryLevel.STUDY, Tag.StudyInstanceUID, "1.2.*"), HIER))
                .isInstanceOf(QueryException.class);
    }

    @Test
    void keysBelowTheLevelAreReportedAndNeitherMatchedNorReturned() throws Exception {
        Dataset identifier = id(QueryLevel.STUDY, Tag.StudyInstanceUID, "", Tag.Modality, "SR");
        Query q = Query.parse(SR, identifier, HIER);
        assertThat(q.unsupportedKeys()).containsExactly(Tag.Modality);
        List<Dataset> r = find(SR, HIER, identifier);
        assertThat(r).hasSize(expected(QueryLevel.STUDY, f -> true).size());
        assertThat(r).noneMatch(d -> d.contains(Tag.Modality));
    }

    // ---- returned values ----

    @Test
    void computedAttributesAreReturned() throws Exception {
        Map<String, Dataset> patients = byKey(find(PR, HIER, id(QueryLevel.PATIENT, Tag.PatientID, "",
                Tag.NumberOfPatientRelatedStudies, "", Tag.NumberOfPatientRelatedSeries, "",
                Tag.NumberOfPatientRelatedInstances, "")), Tag.PatientID);
        for (String pid : expected(QueryLevel.PATIENT, f -> true)) {
            Dataset d = patients.get(pid);
            assertThat(d.integer(Tag.NumberOfPatientRelatedStudies).getAsInt())
                    .isEqualTo(expected(QueryLevel.STUDY, f -> f.pid().equals(pid)).size());
            assertThat(d.integer(Tag.NumberOfPatientRelatedSeries).getAsInt())
                    .isEqualTo(expected(QueryLevel.SERIES, f -> f.pid().equals(pid)).size());
            assertThat(d.integer(Tag.NumberOfPatientRelatedInstances).getAsInt())
                    .isEqualTo(expected(QueryLevel.IMAGE, f -> f.pid().equals(pid)).size());
        }
        Map<String, Dataset> studies = byKey(find(SR, HIER, id(QueryLevel.STUDY, Tag.StudyInstanceUID, "",
                Tag.NumberOfStudyRelatedSeries, "", Tag.NumberOfStudyRelatedInstances, "", Tag.ModalitiesInStudy, "",
                Tag.SOPClassesInStudy, "", Tag.NumberOfPatientRelatedStudies, "")), Tag.StudyInstanceUID);
        for (String study : expected(QueryLevel.STUDY, f -> true)) {
            Dataset d = studies.get(study);
            Predicate<QueryFixture> in = f -> f.study().equals(study);
            assertThat(d.integer(Tag.NumberOfStudyRelatedSeries).getAsInt())
                    .isEqualTo(expected(QueryLevel.SERIES, in).size());
            assertThat(d.integer(Tag.NumberOfStudyRelatedInstances).getAsInt())
                    .isEqualTo(expected(QueryLevel.IMAGE, in).size());
            assertThat(d.strings(Tag.ModalitiesInStudy)).containsExactlyElementsOf(
                    corpus.stream().filter(in).map(QueryFixture::modality).collect(Collectors.toCollection(TreeSet::new)));
            assertThat(d.strings(Tag.SOPClassesInStudy)).containsExactlyElementsOf(
                    corpus.stream().filter(in).map(QueryFixture::sopClass).collect(Collectors.toCollection(TreeSet::new)));
            assertThat(d.integer(Tag.NumberOfPatientRelatedStudies)).isPresent();
        }
        Map<String, Dataset> series = byKey(find(SR, REL, id(QueryLevel.SERIES, Tag.SeriesInstanceUID, "",
                Tag.NumberOfSeriesRelatedInstances, "")), Tag.SeriesInstanceUID);
        for (String s : expected(QueryLevel.SERIES, f -> true)) {
            assertThat(series.get(s).integer(Tag.NumberOfSeriesRelatedInstances).getAsInt())
                    .isEqualTo(expected(QueryLevel.IMAGE, f -> f.series().equals(s)).size());
        }
        // Modalities in Study matches when one of the study's modalities does.
        check(SR, HIER, QueryLevel.STUDY, f -> corpus.stream().anyMatch(g -> g.study().equals(f.study())
                && g.modality().equals("US")), Tag.ModalitiesInStudy, "US");
        check(SR, HIER, QueryLevel.STUDY, f -> corpus.stream().anyMatch(g -> g.study().equals(f.study())
                && (g.modality().equals("SR") || g.modality().equals("PT"))), Tag.ModalitiesInStudy, "SR\\PT");
        // Matching on a count is not supported: reported, and the count is still returned.
        Query q = Query.parse(SR, id(QueryLevel.STUDY, Tag.NumberOfStudyRelatedSeries, "2"), HIER);
        assertThat(q.unsupportedKeys()).containsExactly(Tag.NumberOfStudyRelatedSeries);
    }

    @Test
    void upperLevelValuesAndOptionsAreReturned() throws Exception {
        QueryOptions o = REL.withRetrieveAeTitle("LIGHTBOX");
        List<Dataset> r = find(SR, o, id(QueryLevel.IMAGE, Tag.SOPInstanceUID, corpus.get(0).sop(),
                Tag.PatientName, "", Tag.StudyDate, "", Tag.Modality, "", Tag.InstanceAvailability, "",
                Tag.BodyPartExamined, "", Tag.PatientComments, ""));
        assertThat(r).hasSize(1);
        Dataset d = r.getFirst();
        QueryFixture f = corpus.get(0);
        assertThat(d.string(Tag.PatientName)).contains(f.name());
        assertThat(d.string(Tag.StudyDate)).contains(f.date());
        assertThat(d.string(Tag.Modality)).contains(f.modality());
        assertThat(d.string(Tag.RetrieveAETitle)).contains("LIGHTBOX");
        assertThat(d.string(Tag.InstanceAvailability)).contains("ONLINE");
        assertThat(d.string(Tag.BodyPartExamined)).contains(f.bodyPart());
        assertThat(d.contains(Tag.PatientComments)).isTrue();
        assertThat(d.get(Tag.PatientComments).orElseThrow().isEmpty()).isTrue();
    }

    @Test
    void theAnswerIsInTheRequestCharacterSetOrInUtf8() throws Exception {
        Map<String, Dataset> byId = byKey(find(PR, HIER, id(QueryLevel.PATIENT, Tag.PatientID, "",
                Tag.PatientName, "")), Tag.PatientID);
        assertThat(byId.get("P1").strings(Tag.SpecificCharacterSet)).containsExactly("ISO_IR 192");
        assertThat(byId.get("P1").string(Tag.PatientName)).contains("Müller^Hans");
        assertThat(byId.get("P3").string(Tag.PatientName)).contains("O'Brien^Seán");
        assertThat(byId.get("P4").contains(Tag.SpecificCharacterSet)).isFalse();
        // A Latin-1 request gets a Latin-1 answer when Latin-1 holds every value.
        Dataset latin1 = Dataset.builder().setStrings(Tag.SpecificCharacterSet, Vr.CS, "ISO_IR 100").build()
                .toBuilder().setStrings(Tag.QueryRetrieveLevel, Vr.CS, "PATIENT")
                .setStrings(Tag.PatientName, Vr.PN, "*á*").build();
        assertThat(latin1.get(Tag.PatientName).orElseThrow().bytes()).contains((byte) 0xE1);
        List<Dataset> r = find(PR, HIER, latin1);
        assertThat(r).hasSize(1);
        assertThat(r.getFirst().strings(Tag.SpecificCharacterSet)).containsExactly("ISO_IR 100");
        assertThat(r.getFirst().string(Tag.PatientName)).contains("O'Brien^Seán");
    }

    // ---- streaming, cancellation, hostile values ----

    @Test
    void aCancelledQueryStopsBetweenRows() throws Exception {
        List<Dataset> got = new ArrayList<>();
        QueryOutcome o = archive.query(Query.parse(SR, id(QueryLevel.IMAGE, Tag.SOPInstanceUID, ""), REL),
                new QuerySink() {
                    @Override
                    public void match(Dataset result) {
                        got.add(result);
                    }

                    @Override
                    public boolean cancelled() {
                        return got.size() >= 2;
                    }
                });
        assertThat(o.cancelled()).isTrue();
        assertThat(o.matches()).isEqualTo(2);
        assertThat(got).hasSize(2);
    }

    @Test
    void valuesThatLookLikeSqlArePlainValues() throws Exception {
        check(PR, HIER, QueryLevel.PATIENT, f -> false, Tag.PatientName, "x' OR '1'='1");
        check(PR, HIER, QueryLevel.PATIENT, f -> false, Tag.PatientID, "P1' OR 1=1 --");
        check(PR, HIER, QueryLevel.PATIENT, f -> false, Tag.PatientID, "'; DROP TABLE patient; --");
        check(SR, HIER, QueryLevel.STUDY, f -> f.studyDescription().equals("x' OR '1'='1"), Tag.StudyDescription,
                "x' OR '1'='1");
        check(PR, HIER, QueryLevel.PATIENT, f -> f.name().contains("'"), Tag.PatientName, "*'*");
        Query q = Query.parse(PR, id(QueryLevel.PATIENT, Tag.PatientID, "'; DROP TABLE patient; --"), HIER);
        assertThat(QueryExecutor.sql(q)).doesNotContain("DROP").contains("?");
        check(PR, HIER, QueryLevel.PATIENT, f -> true, Tag.PatientID, "");
    }

    private static Map<String, Dataset> byKey(List<Dataset> results, int tag) {
        Map<String, Dataset> m = new TreeMap<>();
        for (Dataset d : results) {
            m.put(d.string(tag).orElseThrow(), d);
        }
        return m;
    }
}
