// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicomweb;

import java.util.ArrayList;
import java.util.List;
import org.lightbox.archive.query.QueryLevel;
import org.lightbox.dicom.Tag;

/**
 * The attributes a QIDO-RS answer carries without being asked (PS3.18 10.6.3.3, Tables 10.6.3-3 to -5), and those
 * {@code includefield=all} adds (the optional keys of PS3.4 C.6.1.1 and C.6.2.1 that the archive's query model
 * knows). Retrieve URL is added to every answer by the handler; Timezone Offset From UTC is not known (times are
 * kept as given), so it is not returned.
 */
final class QidoAttributes {
    private QidoAttributes() {}

    /** Table 10.6.3-3, plus Study Description, which every study list shows. */
    static final List<Integer> STUDY = List.of(Tag.StudyDate, Tag.StudyTime, Tag.AccessionNumber,
            Tag.InstanceAvailability, Tag.ModalitiesInStudy, Tag.ReferringPhysicianName, Tag.PatientName,
            Tag.PatientID, Tag.PatientBirthDate, Tag.PatientSex, Tag.StudyInstanceUID, Tag.StudyID,
            Tag.NumberOfStudyRelatedSeries, Tag.NumberOfStudyRelatedInstances, Tag.StudyDescription);

    /**
     * Table 10.6.3-4 without its optional rows (Performed Procedure Step Start Date and Time, Request Attributes
     * Sequence: {@code includefield} or {@code all} brings them), plus Series Date, which series lists show, and the
     * Study Instance UID the series belongs to.
     */
    static final List<Integer> SERIES = List.of(Tag.Modality, Tag.InstanceAvailability, Tag.SeriesDescription,
            Tag.SeriesInstanceUID, Tag.SeriesNumber, Tag.NumberOfSeriesRelatedInstances, Tag.SeriesDate,
            Tag.StudyInstanceUID);

    /** Table 10.6.3-5, plus the Study and Series Instance UIDs the instance belongs to. */
    static final List<Integer> INSTANCE = List.of(Tag.SOPClassUID, Tag.SOPInstanceUID, Tag.InstanceAvailability,
            Tag.InstanceNumber, Tag.Rows, Tag.Columns, Tag.BitsAllocated, Tag.NumberOfFrames, Tag.StudyInstanceUID,
            Tag.SeriesInstanceUID);

    static final List<Integer> STUDY_ALL = List.of(Tag.IssuerOfPatientID, Tag.PatientBirthTime,
            Tag.OtherPatientIDsSequence, Tag.OtherPatientNames, Tag.EthnicGroup, Tag.PatientComments,
            Tag.SOPClassesInStudy, Tag.ProcedureCodeSequence, Tag.NameOfPhysiciansReadingStudy,
            Tag.AdmittingDiagnosesDescription, Tag.PatientAge, Tag.PatientSize, Tag.PatientWeight, Tag.Occupation,
            Tag.AdditionalPatientHistory, Tag.PhysiciansOfRecord, Tag.InstitutionName);

    static final List<Integer> SERIES_ALL = List.of(Tag.SeriesTime, Tag.BodyPartExamined,
            Tag.PerformedProcedureStepStartDate, Tag.PerformedProcedureStepStartTime, Tag.RequestAttributesSequence,
            Tag.Laterality, Tag.ProtocolName, Tag.PerformingPhysicianName, Tag.OperatorsName, Tag.Manufacturer,
            Tag.StationName, Tag.ManufacturerModelName, Tag.FrameOfReferenceUID);

    static final List<Integer> INSTANCE_ALL = List.of(Tag.ContentDate, Tag.ContentTime, Tag.AcquisitionDate,
            Tag.AcquisitionTime, Tag.AcquisitionDateTime, Tag.ImageType, Tag.ImageComments, Tag.ContentLabel,
            Tag.ContentDescription, Tag.ConceptNameCodeSequence, Tag.CompletionFlag, Tag.VerificationFlag,
            Tag.ObservationDateTime, Tag.SamplesPerPixel, Tag.PhotometricInterpretation, Tag.BitsStored);

    /**
     * What an answer at this level carries by default: the level's own table, and the tables of the levels above
     * that the resource does not fix (all series: the study attributes too; a study's instances: the series
     * attributes; all instances: both).
     *
     * @param studyFixed whether the resource names the study
     * @param seriesFixed whether it names the series
     */
    static List<Integer> defaults(QueryLevel level, boolean studyFixed, boolean seriesFixed, boolean all) {
        List<Integer> out = new ArrayList<>();
        switch (level) {
            case STUDY -> add(out, STUDY, all ? STUDY_ALL : List.of());
            case SERIES -> {
                add(out, SERIES, all ? SERIES_ALL : List.of());
                if (!studyFixed) {
                    add(out, STUDY, all ? STUDY_ALL : List.of());
                }
            }
            case IMAGE -> {
                add(out, INSTANCE, all ? INSTANCE_ALL : List.of());
                if (!seriesFixed) {
                    add(out, SERIES, all ? SERIES_ALL : List.of());
                }
                if (!studyFixed) {
                    add(out, STUDY, all ? STUDY_ALL : List.of());
                }
            }
            case PATIENT -> throw new IllegalArgumentException("QIDO-RS has no patient level");
        }
        return out;
    }

    private static void add(List<Integer> out, List<Integer> base, List<Integer> extra) {
        out.addAll(base);
        out.addAll(extra);
    }
}
