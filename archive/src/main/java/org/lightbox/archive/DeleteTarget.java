// SPDX-License-Identifier: Apache-2.0
package org.lightbox.archive;

import java.util.Objects;

/**
 * What {@link Archive#delete} removes: a study with all its series and instances, one series of a study, or one
 * instance of a series. Each level names its parents, so that a series or instance filed elsewhere is not found
 * rather than deleted by mistake. Every UID is checked when the target is made: 1 to 64 digits and dots.
 */
public sealed interface DeleteTarget {

    String studyInstanceUid();

    /** "study 1.2", "series 1.2.3 of study 1.2", ...: the words logs and error messages use. */
    String describe();

    /** A whole study. */
    record Study(String studyInstanceUid) implements DeleteTarget {
        public Study {
            check("StudyInstanceUID", studyInstanceUid);
        }

        @Override
        public String describe() {
            return "study " + studyInstanceUid;
        }
    }

    /** One series, which must belong to the study. */
    record Series(String studyInstanceUid, String seriesInstanceUid) implements DeleteTarget {
        public Series {
            check("StudyInstanceUID", studyInstanceUid);
            check("SeriesInstanceUID", seriesInstanceUid);
        }

        @Override
        public String describe() {
            return "series " + seriesInstanceUid + " of study " + studyInstanceUid;
        }
    }

    /** One instance, which must belong to the series and study. */
    record Instance(String studyInstanceUid, String seriesInstanceUid, String sopInstanceUid)
            implements DeleteTarget {
        public Instance {
            check("StudyInstanceUID", studyInstanceUid);
            check("SeriesInstanceUID", seriesInstanceUid);
            check("SOPInstanceUID", sopInstanceUid);
        }

        @Override
        public String describe() {
            return "instance " + sopInstanceUid + " of series " + seriesInstanceUid + " of study " + studyInstanceUid;
        }
    }

    /** @throws IllegalArgumentException naming the attribute when the value is no UID */
    private static void check(String keyword, String uid) {
        Objects.requireNonNull(uid, keyword);
        String problem = uid.isEmpty() ? "is empty" : IndexEntry.uidProblem(uid);
        if (problem != null) {
            throw new IllegalArgumentException(keyword + " " + problem);
        }
    }
}
