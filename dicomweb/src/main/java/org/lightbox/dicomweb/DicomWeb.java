// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicomweb;

import io.javalin.config.RoutesConfig;
import java.util.function.Supplier;
import org.lightbox.archive.Archive;

/**
 * DICOMweb (PS3.18) over the archive, under {@code /dicom-web}: the same ingest, query and retrieve paths as DIMSE,
 * so the two front doors always agree. The server registers it on its HTTP routes; each resource family keeps its
 * own handlers.
 */
public final class DicomWeb {
    /** Where the services live, as ARCHITECTURE's contract says. */
    public static final String ROOT = "/dicom-web";

    private DicomWeb() {}

    /**
     * Registers every DICOMweb route.
     *
     * @param archive the archive, or null while it is still opening (answered 503)
     */
    public static void register(RoutesConfig routes, Supplier<Archive> archive) {
        // Resource families register here as they are built: QIDO-RS, WADO-RS, STOW-RS, WADO-URI.
        new StowHandler(archive, StowService.Limits.DEFAULT).register(routes);
    }
}
