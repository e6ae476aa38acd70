// SPDX-License-Identifier: Apache-2.0
package org.lightbox.archive;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.ElementDictionary;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.Tags;
import org.lightbox.dicom.Value;
import org.lightbox.dicom.json.BulkDataPolicy;
import org.lightbox.dicom.json.DicomJson;

/**
 * What the index keeps of one instance: the attributes C-FIND and QIDO match on at each level (clipped to their
 * column widths; the full values stay in the metadata) and the whole data set up to Pixel Data as DICOM JSON, with
 * bulk values replaced by a reference {@code bulk:<JSON pointer>} into the blob.
 */
record IndexEntry(String patientId, String issuerOfPatientId, String patientName, String patientBirthDate,
        String patientSex, String studyInstanceUid, String studyDate, String studyTime, String accessionNumber,
        String studyId, String studyDescription, String referringPhysicianName, String seriesInstanceUid,
        String modality, Integer seriesNumber, String seriesDescription, String seriesDate, String sopInstanceUid,
        String sopClassUid, Integer instanceNumber, String transferSyntaxUid, String metadata) {

    /** A mandatory attribute that is absent, empty or unusable. */
    static final class Rejection extends Exception {
        final IngestResult.Failure failure;
        final String attribute;

        Rejection(IngestResult.Failure failure, String attribute, String message) {
            super(message, null, false, false);
            this.failure = failure;
            this.attribute = attribute;
        }
    }

    private static final int UID_MAX = 64;

    /** The patient attributes compared between instances, with their column names. */
    static final List<String[]> PATIENT_ATTRIBUTES = List.of(
            new String[] {"PatientName", "patient_name"},
            new String[] {"PatientBirthDate", "patient_birth_date"},
            new String[] {"PatientSex", "patient_sex"});

    static IndexEntry of(Dataset ds, String transferSyntaxUid) throws Rejection, IOException {
        String sopInstance = uid(ds, Tag.SOPInstanceUID);
        String sopClass = uid(ds, Tag.SOPClassUID);
        String study = uid(ds, Tag.StudyInstanceUID);
        String series = uid(ds, Tag.SeriesInstanceUID);
        // Patient ID is Type 2: it may be empty or, in the wild, absent; both index as the empty ID.
        StringBuilder json = new StringBuilder(4096);
        DicomJson.write(ds, json, BULK_REFERENCES);
        return new IndexEntry(
                clip(text(ds, Tag.PatientID), 64), clip(text(ds, Tag.IssuerOfPatientID), 64),
                clip(text(ds, Tag.PatientName), 400), clip(text(ds, Tag.PatientBirthDate), 8),
                clip(text(ds, Tag.PatientSex), 16),
                study, clip(text(ds, Tag.StudyDate), 8), clip(text(ds, Tag.StudyTime), 16),
                clip(text(ds, Tag.AccessionNumber), 16), clip(text(ds, Tag.StudyID), 16),
                clip(text(ds, Tag.StudyDescription), 64), clip(text(ds, Tag.ReferringPhysicianName), 400),
                series, clip(text(ds, Tag.Modality), 16), integer(ds, Tag.SeriesNumber),
                clip(text(ds, Tag.SeriesDescription), 64), clip(text(ds, Tag.SeriesDate), 8),
                sopInstance, sopClass, integer(ds, Tag.InstanceNumber), transferSyntaxUid, json.toString());
    }

    /** The value of a patient attribute by keyword. */
    String patientValue(String keyword) {
        return switch (keyword) {
            case "PatientName" -> patientName;
            case "PatientBirthDate" -> patientBirthDate;
            case "PatientSex" -> patientSex;
            default -> throw new IllegalArgumentException(keyword);
        };
    }

    /** Bulk values (left in the file by the reader) become references by their place in the data set. */
    private static final BulkDataPolicy BULK_REFERENCES = (path, element) -> hasBulk(element.value())
            ? Optional.of("bulk:" + path) : Optional.empty();

    private static boolean hasBulk(Value v) {
        return switch (v) {
            case Value.Bulk b -> true;
            case Value.Fragments f -> f.fragments().stream().anyMatch(x -> x instanceof Value.Bulk);
            default -> false;
        };
    }

    static String uid(Dataset ds, int tag) throws Rejection {
        String keyword = ElementDictionary.keywordOf(tag);
        Optional<String> v = ds.contains(tag) ? safeString(ds, tag) : Optional.empty();
        if (!ds.contains(tag)) {
            throw new Rejection(IngestResult.Failure.MISSING_ATTRIBUTE, keyword,
                    keyword + " " + Tags.format(tag) + " is missing");
        }
        if (v.isEmpty() || v.get().isEmpty()) {
            throw new Rejection(IngestResult.Failure.MISSING_ATTRIBUTE, keyword,
                    keyword + " " + Tags.format(tag) + " is empty");
        }
        String uid = v.get();
        String problem = uidProblem(uid);
        if (problem != null) {
            throw new Rejection(IngestResult.Failure.INVALID_ATTRIBUTE, keyword, keyword + " " + Tags.format(tag)
                    + " " + problem);
        }
        return uid;
    }

    /**
     * Why a non-empty string cannot be a UID the index holds, or null. The rule is PS3.5 9.1's alphabet and length
     * only (digits and dots, at most 64), not its component syntax: what ingest accepts, deletion must name too.
     */
    static String uidProblem(String uid) {
        if (uid.length() > UID_MAX) {
            return "is " + uid.length() + " characters long, more than the " + UID_MAX + " a UID may have";
        }
        for (int i = 0; i < uid.length(); i++) {
            char c = uid.charAt(i);
            if (c != '.' && (c < '0' || c > '9')) {
                return "is no UID: character '" + c + "' at " + i + " in \"" + uid + "\"";
            }
        }
        return null;
    }

    private static Optional<String> safeString(Dataset ds, int tag) {
        try {
            return ds.string(tag);
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private static String text(Dataset ds, int tag) {
        try {
            List<String> all = ds.strings(tag);
            return all.isEmpty() ? "" : String.join("\\", all);
        } catch (RuntimeException e) {
            return ""; // a value that does not decode is not indexed; the metadata keeps it as received
        }
    }

    private static Integer integer(Dataset ds, int tag) {
        try {
            var v = ds.integer(tag);
            return v.isPresent() ? v.getAsInt() : null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static String clip(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max);
    }
}
