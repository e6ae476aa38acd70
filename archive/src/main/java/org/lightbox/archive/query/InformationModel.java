// SPDX-License-Identifier: Apache-2.0
package org.lightbox.archive.query;

/**
 * The Query/Retrieve Information Models of PS3.4 C.6: Patient Root (patient, study, series, image) and Study Root,
 * where patient attributes are attributes of the study (C.6.2) and there is no patient level.
 */
public enum InformationModel {
    PATIENT_ROOT(QueryLevel.PATIENT),
    STUDY_ROOT(QueryLevel.STUDY);

    private final QueryLevel top;

    InformationModel(QueryLevel top) {
        this.top = top;
    }

    /** The highest level of the model. */
    public QueryLevel top() {
        return top;
    }

    public boolean allows(QueryLevel level) {
        return !level.isAbove(top);
    }
}
