-- SPDX-License-Identifier: Apache-2.0
-- Blobs of deleted instances that may still be on disk. A deletion writes them here in the same transaction that
-- removes the instance rows, and clears them once the files are removed and that removal is durable. After a crash
-- in between, start-up reconciliation removes the listed blobs instead of indexing them again as orphans (which
-- would bring the deleted instances back). Inserting an instance row clears its blob path from here.
CREATE TABLE deleted_blob (
    blob_path               VARCHAR(512) NOT NULL PRIMARY KEY,
    sop_instance_uid        VARCHAR(64)  NOT NULL,
    deleted_at              BIGINT       NOT NULL
);
