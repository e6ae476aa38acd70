// SPDX-License-Identifier: Apache-2.0
package org.lightbox.archive;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.lightbox.archive.query.InformationModel;
import org.lightbox.archive.query.Query;
import org.lightbox.archive.query.QueryException;
import org.lightbox.archive.query.QueryLevel;
import org.lightbox.archive.query.QueryOptions;
import org.lightbox.archive.query.QuerySink;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.ElementDictionary;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.Tags;
import org.lightbox.dicom.Vr;

/**
 * The retrieve path shared by C-MOVE and C-GET (and, later, WADO-RS): which stored instances a retrieve identifier
 * selects, and the stored bytes of each data set.
 *
 * <p>Selection follows PS3.4 C.4.2.2.1 and C.4.3.2.1 through the query model of C-FIND: only the unique keys of
 * the identifier count (Patient ID, Study, Series and SOP Instance UID, as the model has them; other keys are
 * ignored, as the standard leaves them no meaning in a retrieve). In a hierarchical retrieve each level above the
 * Query/Retrieve Level needs a single value of its unique key; in a relational retrieve (extended negotiation) they
 * may be absent. The level of retrieve itself needs its unique key: a single Patient ID at the patient level, one
 * UID or a list of UIDs at the others; wild cards are refused. Stateless and thread-safe.
 */
public final class Retrieve {
    private Retrieve() {}

    /**
     * The stored instances the identifier selects, ordered by SOP Instance UID. The list is read whole (one small
     * record per instance) before anything is sent, so the index is not held while the sub-operations run.
     *
     * @param relational whether relational retrieve was negotiated
     * @throws RetrieveException when the identifier does not fit the model, naming the attribute at fault
     * @throws IOException when the index fails
     */
    public static List<StoredInstance> select(Archive archive, InformationModel model, Dataset identifier,
            boolean relational) throws RetrieveException, IOException {
        Dataset keys = uniqueKeys(model, identifier);
        Query images;
        try {
            // The query model checks the level and, hierarchically, the keys of the levels above.
            Query checked = Query.parse(model, keys, QueryOptions.DEFAULT.withRelational(relational));
            requireRetrieveKey(checked.level(), keys);
            Dataset.Builder imageKeys = keys.toBuilder().setStrings(Tag.QueryRetrieveLevel, Vr.CS, "IMAGE");
            if (!keys.contains(Tag.SOPInstanceUID)) {
                imageKeys.setStrings(Tag.SOPInstanceUID, Vr.UI);
            }
            images = Query.parse(model, imageKeys.build(), QueryOptions.DEFAULT.withRelational(true));
        } catch (QueryException e) {
            throw new RetrieveException(e.reason(), e.tag().orElse(0), e.getMessage());
        }
        List<String> uids = new ArrayList<>();
        archive.query(images, new QuerySink() {
            @Override
            public void match(Dataset result) {
                result.string(Tag.SOPInstanceUID).ifPresent(uids::add);
            }
        });
        List<StoredInstance> out = new ArrayList<>(uids.size());
        for (String uid : uids) {
            archive.find(uid).ifPresent(out::add); // an instance deleted meanwhile is simply not selected
        }
        return out;
    }

    /** The Query/Retrieve Level and the unique keys of the levels from the model's top down to it. */
    private static Dataset uniqueKeys(InformationModel model, Dataset identifier) {
        Dataset.Builder b = Dataset.builder();
        identifier.get(Tag.SpecificCharacterSet).ifPresent(b::add);
        identifier.get(Tag.QueryRetrieveLevel).ifPresent(b::add);
        Optional<QueryLevel> level = identifier.string(Tag.QueryRetrieveLevel).flatMap(QueryLevel::of);
        for (QueryLevel l : QueryLevel.values()) {
            if (level.isEmpty() || level.get().isAbove(l)) {
                break;
            }
            if (model.allows(l)) {
                identifier.get(uniqueKey(l)).ifPresent(b::add);
            }
        }
        return b.build();
    }

    private static void requireRetrieveKey(QueryLevel level, Dataset keys) throws RetrieveException {
        int tag = uniqueKey(level);
        List<String> values;
        try {
            values = keys.strings(tag).stream().map(String::strip).toList();
        } catch (RuntimeException e) {
            throw invalid(tag, "cannot be decoded: " + e.getMessage());
        }
        if (values.isEmpty() || values.stream().allMatch(String::isEmpty)) {
            throw invalid(tag, "a retrieve at the " + level + " level needs its unique key (PS3.4 C.4.2.2.1)");
        }
        if (level == QueryLevel.PATIENT && values.size() > 1) {
            throw invalid(tag, "a retrieve at the PATIENT level takes a single Patient ID");
        }
        for (String v : values) {
            if (v.isEmpty() || v.indexOf('*') >= 0 || v.indexOf('?') >= 0) {
                throw invalid(tag, "\"" + v + "\" is not a value a retrieve can use (no wild cards)");
            }
        }
    }

    private static RetrieveException invalid(int tag, String why) {
        return new RetrieveException(QueryException.Reason.IDENTIFIER_DOES_NOT_MATCH_SOP_CLASS, tag,
                ElementDictionary.keywordOf(tag) + " " + Tags.format(tag) + ": " + why);
    }

    private static int uniqueKey(QueryLevel level) {
        return switch (level) {
            case PATIENT -> Tag.PatientID;
            case STUDY -> Tag.StudyInstanceUID;
            case SERIES -> Tag.SeriesInstanceUID;
            case IMAGE -> Tag.SOPInstanceUID;
        };
    }

    /**
     * The offset of the data set in a Part 10 file: past the preamble, "DICM" and every group 0002 element, read
     * element by element (explicit VR little endian) rather than trusting the group length, which files received
     * from elsewhere sometimes get wrong. A file without preamble and prefix starts with its meta or data set.
     *
     * @throws IOException when the file cannot be read or its File Meta Information ends early
     */
    public static long datasetOffset(Path part10) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(part10), 8192)) {
            return datasetOffset(in);
        }
    }

    static long datasetOffset(InputStream in) throws IOException {
        try {
            return org.lightbox.dicom.io.DicomReader.readHead(in).datasetOffset();
        } catch (org.lightbox.dicom.io.DicomParseException e) {
            if (e.reason() == org.lightbox.dicom.io.DicomParseException.Reason.TRUNCATED
                    || e.reason() == org.lightbox.dicom.io.DicomParseException.Reason.LENGTH_EXCEEDS_REMAINING) {
                throw new EOFException("File Meta Information ends early: " + e.getMessage());
            }
            throw e;
        }
    }

    /**
     * The stored data set's bytes, in the instance's stored transfer syntax: the blob past its File Meta
     * Information, streamed and never parsed. The caller closes the stream.
     */
    public static InputStream openDataset(Archive archive, StoredInstance instance) throws IOException {
        Path blob = archive.blobFile(instance);
        long offset = datasetOffset(blob);
        InputStream in = Files.newInputStream(blob);
        try {
            in.skipNBytes(offset);
        } catch (IOException e) {
            in.close();
            throw e;
        }
        return in;
    }
}
