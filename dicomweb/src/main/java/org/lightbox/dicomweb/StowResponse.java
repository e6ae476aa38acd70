// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicomweb;

import java.io.IOException;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.Vr;
import org.lightbox.dicom.json.BulkDataPolicy;
import org.lightbox.dicom.json.DicomJson;
import org.lightbox.dicom.json.DicomXml;

/**
 * The answer to a STOW-RS request: the HTTP status of PS3.18 Table 10.5.3-1 and the Store Instances Response Module
 * (PS3.18 Annex I) in DICOM JSON or XML.
 */
final class StowResponse {
    private StowResponse() {}

    /**
     * 200 when every instance was stored without warning; 202 when some were stored and others failed or warned
     * (or the request had other problems); 409 when none was stored; 400 when none was stored and the body broke the
     * multipart syntax, or held no instance at all.
     */
    static int status(StowService.Result r) {
        long stored = r.stored();
        if (stored == 0) {
            return r.badSyntax() || r.outcomes().isEmpty() ? 400 : 409;
        }
        boolean clean = r.problems().isEmpty()
                && r.outcomes().stream().allMatch(o -> o.kind() == StowOutcome.Kind.STORED);
        return clean ? 200 : 202;
    }

    /**
     * The Store Instances Response Module.
     *
     * @param base the DICOMweb root as the client reached it, such as {@code http://host:8080/dicom-web}
     * @param study the study the request named, or null
     */
    static Dataset module(StowService.Result r, String base, String study) {
        List<Dataset> referenced = new ArrayList<>();
        List<Dataset> failed = new ArrayList<>();
        TreeSet<String> studies = new TreeSet<>();
        for (StowOutcome o : r.outcomes()) {
            Dataset.Builder item = Dataset.builder()
                    .setStrings(Tag.ReferencedSOPClassUID, Vr.UI, o.sopClassUid())
                    .setStrings(Tag.ReferencedSOPInstanceUID, Vr.UI, o.sopInstanceUid());
            if (o.stored()) {
                studies.add(o.studyInstanceUid());
                item.setStrings(Tag.RetrieveURL, Vr.UR, base + "/studies/" + o.studyInstanceUid() + "/series/"
                        + o.seriesInstanceUid() + "/instances/" + o.sopInstanceUid());
                if (o.kind() == StowOutcome.Kind.WARNING) {
                    item.setNumbers(Tag.WarningReason, Vr.US, o.reason());
                }
                referenced.add(item.build());
            } else {
                item.setNumbers(Tag.FailureReason, Vr.US, o.reason());
                failed.add(item.build());
            }
        }
        String studyUrl = study != null ? base + "/studies/" + study
                : studies.size() == 1 ? base + "/studies/" + studies.getFirst() : null;
        Dataset.Builder module = Dataset.builder();
        if (studyUrl != null) {
            module.setStrings(Tag.RetrieveURL, Vr.UR, studyUrl);
        } else {
            module.setStrings(Tag.RetrieveURL, Vr.UR); // Type 2: empty when the instances span several studies
        }
        if (!failed.isEmpty()) {
            module.setItems(Tag.FailedSOPSequence, failed);
        }
        if (!referenced.isEmpty()) {
            module.setItems(Tag.ReferencedSOPSequence, referenced);
        }
        return module.build();
    }

    static String json(Dataset module) {
        StringBuilder sb = new StringBuilder(256 + 256 * module.size());
        try {
            DicomJson.write(module, sb, BulkDataPolicy.inline());
        } catch (IOException e) {
            throw new IllegalStateException("a StringBuilder does not fail", e);
        }
        return sb.toString();
    }

    static String xml(Dataset module) {
        StringWriter out = new StringWriter();
        try {
            DicomXml.write(module, out, BulkDataPolicy.inline());
        } catch (IOException e) {
            throw new IllegalStateException("a StringWriter does not fail", e);
        }
        return out.toString();
    }

    /**
     * The problems and failures as Warning header field values (RFC 9111 5.5, as PS3.18 8.4.4 uses them): code 299,
     * agent "lightbox", the text quoted; ASCII only.
     */
    static List<String> warnings(StowService.Result r, int max) {
        List<String> lines = new ArrayList<>(r.problems());
        for (StowOutcome o : r.outcomes()) {
            if (o.kind() != StowOutcome.Kind.STORED) {
                lines.add("part " + o.part() + (o.sopInstanceUid().isEmpty() ? "" : " (" + o.sopInstanceUid() + ")")
                        + ": " + String.format("%04X", o.reason()) + " " + o.message());
            }
        }
        List<String> out = new ArrayList<>();
        for (String line : lines) {
            if (out.size() == max) {
                out.add(warning("and " + (lines.size() - max) + " more"));
                break;
            }
            out.add(warning(line));
        }
        return out;
    }

    private static String warning(String text) {
        StringBuilder sb = new StringBuilder("299 lightbox \"");
        int n = 0;
        for (int i = 0; i < text.length() && n < 300; i++, n++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else {
                sb.append(c >= 0x20 && c < 0x7F ? c : '?');
            }
        }
        return sb.append('"').toString();
    }
}
