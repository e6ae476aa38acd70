// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicomweb;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import org.lightbox.archive.Archive;
import org.lightbox.archive.Retrieve;
import org.lightbox.archive.RetrieveException;
import org.lightbox.archive.StoredInstance;
import org.lightbox.archive.query.InformationModel;
import org.lightbox.archive.query.Query;
import org.lightbox.archive.query.QueryException;
import org.lightbox.archive.query.QueryOptions;
import org.lightbox.archive.query.QuerySink;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.Vr;

/**
 * The stored instances a WADO path names, found through the archive's one retrieve path ({@link Retrieve#select},
 * which C-MOVE and C-GET use): a study, a series of it, or an instance of that series. A level that is not there, or
 * not under the parent the path names, is a 404 naming it.
 */
final class Instances {
    /** Modalities of series that hold no images to show (PS3.3 C.7.3.1.1.1). */
    private static final Set<String> NOT_IMAGES = Set.of("SR", "KO", "PR", "DOC", "REG", "RTSTRUCT", "RTPLAN",
            "RTRECORD", "FID", "AU", "ECG", "HD", "PLAN");

    private Instances() {}

    static List<StoredInstance> study(Archive archive, String study) throws DicomwebException, IOException {
        List<StoredInstance> all = select(archive, Dataset.builder().setStrings(Tag.QueryRetrieveLevel, Vr.CS, "STUDY")
                .setStrings(Tag.StudyInstanceUID, Vr.UI, study).build());
        if (all.isEmpty()) {
            throw DicomwebException.notFound("no study " + study);
        }
        return all;
    }

    static List<StoredInstance> series(Archive archive, String study, String series)
            throws DicomwebException, IOException {
        List<StoredInstance> all = select(archive, Dataset.builder()
                .setStrings(Tag.QueryRetrieveLevel, Vr.CS, "SERIES").setStrings(Tag.StudyInstanceUID, Vr.UI, study)
                .setStrings(Tag.SeriesInstanceUID, Vr.UI, series).build());
        if (all.isEmpty()) {
            throw DicomwebException.notFound("no series " + series + " in study " + study);
        }
        return all;
    }

    static StoredInstance instance(Archive archive, String study, String series, String instance)
            throws DicomwebException, IOException {
        StoredInstance found = archive.find(instance).orElse(null);
        if (found == null || !found.studyInstanceUid().equals(study) || !found.seriesInstanceUid().equals(series)) {
            throw DicomwebException.notFound("no instance " + instance + " in series " + series + " of study "
                    + study);
        }
        return found;
    }

    /**
     * The instance that stands for a series or a study in its rendered and thumbnail resources: the middle one by
     * Instance Number (then SOP Instance UID) of the series; for a study, of its first series that holds images
     * (by Series Number, then Series Instance UID).
     *
     * @param series the series, or null for the study's choice
     */
    static StoredInstance representative(Archive archive, String study, String series)
            throws DicomwebException, IOException {
        String chosen = series;
        if (chosen == null) {
            List<Dataset> all = query(archive, Dataset.builder().setStrings(Tag.QueryRetrieveLevel, Vr.CS, "SERIES")
                    .setStrings(Tag.StudyInstanceUID, Vr.UI, study).setStrings(Tag.SeriesInstanceUID, Vr.UI)
                    .setStrings(Tag.SeriesNumber, Vr.IS).setStrings(Tag.Modality, Vr.CS).build());
            if (all.isEmpty()) {
                throw DicomwebException.notFound("no study " + study);
            }
            all.sort(Comparator.comparing((Dataset d) -> NOT_IMAGES.contains(d.string(Tag.Modality).orElse("")))
                    .thenComparing(d -> number(d, Tag.SeriesNumber))
                    .thenComparing(d -> d.string(Tag.SeriesInstanceUID).orElse("")));
            chosen = all.getFirst().string(Tag.SeriesInstanceUID).orElseThrow();
        }
        List<Dataset> instances = query(archive, Dataset.builder().setStrings(Tag.QueryRetrieveLevel, Vr.CS, "IMAGE")
                .setStrings(Tag.StudyInstanceUID, Vr.UI, study).setStrings(Tag.SeriesInstanceUID, Vr.UI, chosen)
                .setStrings(Tag.SOPInstanceUID, Vr.UI).setStrings(Tag.InstanceNumber, Vr.IS).build());
        if (instances.isEmpty()) {
            throw DicomwebException.notFound(series == null ? "no study " + study
                    : "no series " + series + " in study " + study);
        }
        instances.sort(Comparator.comparing((Dataset d) -> number(d, Tag.InstanceNumber))
                .thenComparing(d -> d.string(Tag.SOPInstanceUID).orElse("")));
        String uid = instances.get((instances.size() - 1) / 2).string(Tag.SOPInstanceUID).orElseThrow();
        return instance(archive, study, chosen, uid);
    }

    /** A number, or a large one when absent or unreadable (so such entries sort last). */
    private static long number(Dataset d, int tag) {
        try {
            return d.integer(tag).orElse(Integer.MAX_VALUE);
        } catch (RuntimeException e) {
            return Integer.MAX_VALUE;
        }
    }

    private static List<StoredInstance> select(Archive archive, Dataset identifier)
            throws DicomwebException, IOException {
        try {
            return Retrieve.select(archive, InformationModel.STUDY_ROOT, identifier, false);
        } catch (RetrieveException e) {
            throw DicomwebException.badRequest(e.getMessage()); // the UIDs were checked: not expected
        }
    }

    private static List<Dataset> query(Archive archive, Dataset identifier) throws DicomwebException, IOException {
        List<Dataset> out = new ArrayList<>();
        try {
            archive.query(Query.parse(InformationModel.STUDY_ROOT, identifier, QueryOptions.DEFAULT),
                    new QuerySink() {
                        @Override
                        public void match(Dataset result) {
                            out.add(result);
                        }
                    });
        } catch (QueryException e) {
            throw DicomwebException.badRequest(e.getMessage());
        }
        return out;
    }
}
