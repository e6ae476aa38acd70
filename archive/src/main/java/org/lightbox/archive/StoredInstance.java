// SPDX-License-Identifier: Apache-2.0
package org.lightbox.archive;

import java.time.Instant;

/**
 * One stored instance as the index knows it.
 *
 * @param blobPath the blob's path relative to the blob folder, with '/' separators
 * @param size the blob's size in bytes
 * @param sha256 the SHA-256 of the blob, lower-case hexadecimal
 */
public record StoredInstance(String studyInstanceUid, String seriesInstanceUid, String sopInstanceUid,
        String sopClassUid, String transferSyntaxUid, String blobPath, long size, String sha256, Instant receivedAt) {}
