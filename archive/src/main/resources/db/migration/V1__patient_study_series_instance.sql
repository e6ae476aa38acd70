-- SPDX-License-Identifier: Apache-2.0
-- The index: one row per patient, study, series and instance, keyed by the identifiers DICOM gives them.
-- Portable SQL only (SQLite and PostgreSQL): VARCHAR, INTEGER, BIGINT, TEXT; natural keys, no identity columns.
-- Dates and times are kept as their DICOM strings (YYYYMMDD, HHMMSS.FFFFFF), which sort and range-match as text.

CREATE TABLE patient (
    patient_id              VARCHAR(64)  NOT NULL,
    issuer_of_patient_id    VARCHAR(64)  NOT NULL,
    patient_name            VARCHAR(400),
    patient_birth_date      VARCHAR(8),
    patient_sex             VARCHAR(16),
    number_of_studies       INTEGER      NOT NULL,
    created_at              BIGINT       NOT NULL,
    PRIMARY KEY (patient_id, issuer_of_patient_id)
);

CREATE TABLE study (
    study_instance_uid      VARCHAR(64)  NOT NULL PRIMARY KEY,
    patient_id              VARCHAR(64)  NOT NULL,
    issuer_of_patient_id    VARCHAR(64)  NOT NULL,
    study_date              VARCHAR(8),
    study_time              VARCHAR(16),
    accession_number        VARCHAR(16),
    study_id                VARCHAR(16),
    study_description       VARCHAR(64),
    referring_physician_name VARCHAR(400),
    modalities_in_study     VARCHAR(400),
    sop_classes_in_study    TEXT,
    number_of_series        INTEGER      NOT NULL,
    number_of_instances     INTEGER      NOT NULL,
    created_at              BIGINT       NOT NULL,
    updated_at              BIGINT       NOT NULL,
    FOREIGN KEY (patient_id, issuer_of_patient_id) REFERENCES patient (patient_id, issuer_of_patient_id)
);
CREATE INDEX study_patient ON study (patient_id, issuer_of_patient_id);
CREATE INDEX study_date_index ON study (study_date);
CREATE INDEX study_accession ON study (accession_number);

CREATE TABLE series (
    series_instance_uid     VARCHAR(64)  NOT NULL PRIMARY KEY,
    study_instance_uid      VARCHAR(64)  NOT NULL REFERENCES study (study_instance_uid),
    modality                VARCHAR(16),
    series_number           INTEGER,
    series_description      VARCHAR(64),
    series_date             VARCHAR(8),
    number_of_instances     INTEGER      NOT NULL,
    created_at              BIGINT       NOT NULL
);
CREATE INDEX series_study ON series (study_instance_uid);

CREATE TABLE instance (
    sop_instance_uid        VARCHAR(64)  NOT NULL PRIMARY KEY,
    series_instance_uid     VARCHAR(64)  NOT NULL REFERENCES series (series_instance_uid),
    study_instance_uid      VARCHAR(64)  NOT NULL REFERENCES study (study_instance_uid),
    sop_class_uid           VARCHAR(64)  NOT NULL,
    instance_number         INTEGER,
    transfer_syntax_uid     VARCHAR(64)  NOT NULL,
    blob_path               VARCHAR(512) NOT NULL,
    blob_size               BIGINT       NOT NULL,
    sha256                  VARCHAR(64)  NOT NULL,
    received_at             BIGINT       NOT NULL,
    -- The data set as DICOM JSON (PS3.18 F.2) up to Pixel Data, bulk values replaced by a BulkDataURI "bulk:<path>".
    metadata                TEXT         NOT NULL
);
CREATE INDEX instance_series ON instance (series_instance_uid);
CREATE INDEX instance_study ON instance (study_instance_uid);
CREATE UNIQUE INDEX instance_blob ON instance (blob_path);

-- Disagreements kept, never merged: patient data that differs from what the index holds for the same patient or
-- study, and duplicates of a SOP Instance UID whose content differs from the stored one.
CREATE TABLE conflict (
    study_instance_uid      VARCHAR(64)  NOT NULL,
    sop_instance_uid        VARCHAR(64)  NOT NULL,
    kind                    VARCHAR(32)  NOT NULL,
    attribute               VARCHAR(64)  NOT NULL,
    indexed_value           VARCHAR(400),
    received_value          VARCHAR(400),
    received_blob_path      VARCHAR(512),
    recorded_at             BIGINT       NOT NULL
);
CREATE INDEX conflict_study ON conflict (study_instance_uid);
