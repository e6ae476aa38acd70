// SPDX-License-Identifier: Apache-2.0
package org.lightbox.archive.query;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.lightbox.dicom.Tag;

/**
 * Which level each attribute belongs to (PS3.4 C.6.1.1 and C.6.2.1 key tables, plus common attributes of the same
 * information entities), and which of them the index holds in a column. Attributes not listed belong to the level
 * queried and are matched against the instance metadata.
 */
final class Catalogue {
    private Catalogue() {}

    /** How an indexed column holds its values, which decides the SQL it can be matched with. */
    enum Kind {
        /** Text of VM 1, stored as received (trimmed). */
        TEXT,
        /** Person Name, matched by component group too. */
        PN,
        /** YYYYMMDD. */
        DATE,
        /** HHMMSS.FFFFFF of any precision: matched in Java only. */
        TIME,
        /** An integer column (IS). */
        INT,
        /** A UID. */
        UID,
        /** Values joined by backslash (ModalitiesInStudy, SOPClassesInStudy). */
        MULTI,
        /** A count computed by the index: returned, not matched. */
        COUNT
    }

    /** An attribute held by the index: the SQL expression that reads it (aliases p, st, se, i). */
    record Column(int tag, QueryLevel level, String sql, Kind kind) {}

    private static final Map<Integer, Column> COLUMNS = new HashMap<>();
    private static final Map<Integer, QueryLevel> LEVELS = new HashMap<>();

    private static void column(int tag, QueryLevel level, String sql, Kind kind) {
        COLUMNS.put(tag, new Column(tag, level, sql, kind));
        LEVELS.put(tag, level);
    }

    private static void level(QueryLevel level, int... tags) {
        for (int t : tags) {
            LEVELS.put(t, level);
        }
    }

    private static final String PATIENT_STUDIES = "FROM study x WHERE x.patient_id = p.patient_id"
            + " AND x.issuer_of_patient_id = p.issuer_of_patient_id";

    static {
        QueryLevel pa = QueryLevel.PATIENT;
        column(Tag.PatientID, pa, "p.patient_id", Kind.TEXT);
        column(Tag.IssuerOfPatientID, pa, "p.issuer_of_patient_id", Kind.TEXT);
        column(Tag.PatientName, pa, "p.patient_name", Kind.PN);
        column(Tag.PatientBirthDate, pa, "p.patient_birth_date", Kind.DATE);
        column(Tag.PatientSex, pa, "p.patient_sex", Kind.TEXT);
        column(Tag.NumberOfPatientRelatedStudies, pa, "p.number_of_studies", Kind.COUNT);
        column(Tag.NumberOfPatientRelatedSeries, pa, "(SELECT COALESCE(SUM(x.number_of_series), 0) "
                + PATIENT_STUDIES + ")", Kind.COUNT);
        column(Tag.NumberOfPatientRelatedInstances, pa, "(SELECT COALESCE(SUM(x.number_of_instances), 0) "
                + PATIENT_STUDIES + ")", Kind.COUNT);
        level(pa, Tag.ReferencedPatientSequence, Tag.PatientBirthTime, Tag.OtherPatientIDsSequence,
                Tag.OtherPatientNames, Tag.EthnicGroup, Tag.PatientComments, Tag.IssuerOfPatientIDQualifiersSequence,
                Tag.PatientMotherBirthName, Tag.PatientSpeciesDescription, Tag.PatientBreedDescription,
                Tag.ResponsiblePerson, Tag.ResponsibleOrganization, Tag.PatientIdentityRemoved);

        QueryLevel st = QueryLevel.STUDY;
        column(Tag.StudyInstanceUID, st, "st.study_instance_uid", Kind.UID);
        column(Tag.StudyDate, st, "st.study_date", Kind.DATE);
        column(Tag.StudyTime, st, "st.study_time", Kind.TIME);
        column(Tag.AccessionNumber, st, "st.accession_number", Kind.TEXT);
        column(Tag.StudyID, st, "st.study_id", Kind.TEXT);
        column(Tag.StudyDescription, st, "st.study_description", Kind.TEXT);
        column(Tag.ReferringPhysicianName, st, "st.referring_physician_name", Kind.PN);
        column(Tag.ModalitiesInStudy, st, "st.modalities_in_study", Kind.MULTI);
        column(Tag.SOPClassesInStudy, st, "st.sop_classes_in_study", Kind.MULTI);
        column(Tag.NumberOfStudyRelatedSeries, st, "st.number_of_series", Kind.COUNT);
        column(Tag.NumberOfStudyRelatedInstances, st, "st.number_of_instances", Kind.COUNT);
        level(st, Tag.ProcedureCodeSequence, Tag.NameOfPhysiciansReadingStudy, Tag.AdmittingDiagnosesDescription,
                Tag.ReferencedStudySequence, Tag.PatientAge, Tag.PatientSize, Tag.PatientWeight, Tag.Occupation,
                Tag.AdditionalPatientHistory, Tag.IssuerOfAccessionNumberSequence, Tag.PhysiciansOfRecord,
                Tag.ReasonForPerformedProcedureCodeSequence, Tag.InstitutionName);

        QueryLevel se = QueryLevel.SERIES;
        column(Tag.SeriesInstanceUID, se, "se.series_instance_uid", Kind.UID);
        column(Tag.Modality, se, "se.modality", Kind.TEXT);
        column(Tag.SeriesNumber, se, "se.series_number", Kind.INT);
        column(Tag.SeriesDescription, se, "se.series_description", Kind.TEXT);
        column(Tag.SeriesDate, se, "se.series_date", Kind.DATE);
        column(Tag.NumberOfSeriesRelatedInstances, se, "se.number_of_instances", Kind.COUNT);
        level(se, Tag.SeriesTime, Tag.BodyPartExamined, Tag.PerformedProcedureStepStartDate,
                Tag.PerformedProcedureStepStartTime, Tag.RequestAttributesSequence, Tag.Laterality,
                Tag.ProtocolName, Tag.PerformingPhysicianName, Tag.OperatorsName, Tag.Manufacturer,
                Tag.StationName, Tag.ManufacturerModelName, Tag.FrameOfReferenceUID);

        QueryLevel im = QueryLevel.IMAGE;
        column(Tag.SOPInstanceUID, im, "i.sop_instance_uid", Kind.UID);
        column(Tag.SOPClassUID, im, "i.sop_class_uid", Kind.UID);
        column(Tag.InstanceNumber, im, "i.instance_number", Kind.INT);
        level(im, Tag.ContentDate, Tag.ContentTime, Tag.AcquisitionDate, Tag.AcquisitionTime,
                Tag.AcquisitionDateTime, Tag.ImageType, Tag.Rows, Tag.Columns, Tag.NumberOfFrames,
                Tag.ImageComments, Tag.ContentLabel, Tag.ContentDescription, Tag.ConceptNameCodeSequence,
                Tag.CompletionFlag, Tag.VerificationFlag, Tag.ObservationDateTime);
    }

    static Optional<Column> column(int tag) {
        return Optional.ofNullable(COLUMNS.get(tag));
    }

    /**
     * The level an attribute belongs to in the model: patient attributes are study attributes in Study Root
     * (C.6.2.1); an attribute the catalogue does not know belongs to the level queried.
     */
    static QueryLevel levelOf(int tag, InformationModel model, QueryLevel queried) {
        QueryLevel l = LEVELS.getOrDefault(tag, queried);
        return model.allows(l) ? l : model.top();
    }

    /** The unique key of a level (C.6.1.1, C.6.2.1). */
    static int uniqueKey(QueryLevel level) {
        return switch (level) {
            case PATIENT -> Tag.PatientID;
            case STUDY -> Tag.StudyInstanceUID;
            case SERIES -> Tag.SeriesInstanceUID;
            case IMAGE -> Tag.SOPInstanceUID;
        };
    }
}
