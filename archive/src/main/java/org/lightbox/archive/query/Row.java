// SPDX-License-Identifier: Apache-2.0
package org.lightbox.archive.query;

import java.io.IOException;
import java.io.StringReader;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Element;
import org.lightbox.dicom.Value;
import org.lightbox.dicom.json.DicomJson;

/**
 * One candidate entity read from the index: the indexed values selected, and the metadata of the instance that
 * stands for it, parsed only when a key needs it. Bulk values of the metadata (references into the blob) read as
 * empty: they are never matched and a query does not return them.
 */
final class Row implements Values {
    private final SqlPlan plan;
    private final String[] columns;
    private final String metadataJson;
    private Dataset metadata;

    private Row(SqlPlan plan, String[] columns, String metadataJson) {
        this.plan = plan;
        this.columns = columns;
        this.metadataJson = metadataJson;
    }

    static Row read(SqlPlan plan, ResultSet rs) throws SQLException {
        String[] cols = new String[plan.columns.size() + 2];
        for (var e : plan.columns.entrySet()) {
            cols[e.getValue()] = rs.getString(e.getValue());
        }
        return new Row(plan, cols, plan.metadataColumn > 0 ? rs.getString(plan.metadataColumn) : null);
    }

    @Override
    public List<String> strings(int tag) throws IOException {
        Integer at = plan.columns.get(tag);
        if (at != null) {
            String v = columns[at];
            if (v == null || v.isEmpty()) {
                return List.of();
            }
            boolean multi = Catalogue.column(tag).map(c -> c.kind() == Catalogue.Kind.MULTI).orElse(false);
            return multi ? Arrays.asList(v.split("\\\\", -1)) : List.of(v);
        }
        try {
            return metadata().strings(tag);
        } catch (RuntimeException e) {
            return List.of(); // a value that does not decode matches nothing, as the index does
        }
    }

    @Override
    public List<Dataset> items(int tag) throws IOException {
        return metadata().items(tag);
    }

    /** Whether the value comes from an index column (else from the metadata). */
    boolean indexed(int tag) {
        return plan.columns.containsKey(tag);
    }

    Optional<Element> element(int tag) throws IOException {
        return metadata().get(tag);
    }

    Dataset metadata() throws IOException {
        if (metadata == null) {
            metadata = metadataJson == null ? Dataset.empty()
                    : DicomJson.read(new StringReader(metadataJson), (uri, tag, vr) -> Value.Bytes.EMPTY);
        }
        return metadata;
    }
}
