// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicomweb;

import java.io.IOException;
import java.io.StringReader;
import java.io.Writer;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.lightbox.archive.InstanceMetadata;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Element;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.TransferSyntax;
import org.lightbox.dicom.Value;
import org.lightbox.dicom.Vr;
import org.lightbox.dicom.json.BulkDataPolicy;
import org.lightbox.dicom.json.DicomJson;

/**
 * An instance's stored metadata made into the answer of the Retrieve Metadata transaction (PS3.18 10.4.1.1.2,
 * 8.7.3.3): the archive's {@code bulk:<JSON pointer>} references become BulkDataURIs of the WADO-RS bulk data
 * resource of the instance, {@code /dicom-web/studies/{s}/series/{se}/instances/{i}/bulkdata/{tag path}} with the
 * tag path the pointer without its {@code Value} steps ({@code 7FE00010}, {@code 00540016/0/00181072}), and Pixel
 * Data, which the stored metadata stops before, is announced the same way for instances with an Image Pixel module
 * (Rows, Columns and Bits Allocated at the top level): OB for encapsulated syntaxes and 8-bit data, OW otherwise.
 *
 * <p>The JSON is rewritten as text, in one pass, without parsing: the stored object is compact DICOM JSON written by
 * Lightbox, where {@code "BulkDataURI":"bulk:} can only appear as a member (in a string value its quotes would be
 * escaped).
 */
final class MetadataJson {
    private static final String BULK_MEMBER = "\"BulkDataURI\":\"" + InstanceMetadata.BULK_PREFIX;

    private MetadataJson() {}

    /** The absolute path of an instance's bulk data resource, ending with a slash. */
    static String bulkDataBase(InstanceMetadata m) {
        return DicomWeb.ROOT + "/studies/" + m.studyInstanceUid() + "/series/" + m.seriesInstanceUid()
                + "/instances/" + m.sopInstanceUid() + "/bulkdata/";
    }

    /** A JSON Pointer of the archive ({@code /00540016/Value/0/00181072}) as a bulk data tag path. */
    static String tagPath(String pointer) {
        StringBuilder sb = new StringBuilder(pointer.length());
        for (String step : pointer.split("/")) {
            if (!step.isEmpty() && !step.equals("Value")) {
                sb.append(sb.isEmpty() ? "" : "/").append(step);
            }
        }
        return sb.toString();
    }

    /** Writes the instance's metadata as the DICOM JSON object of the answer. */
    static void write(InstanceMetadata m, Writer out) throws IOException {
        String json = m.json();
        String base = bulkDataBase(m);
        int end = json.lastIndexOf('}');
        if (!json.startsWith("{") || end < 0) {
            throw new IOException("the stored metadata of " + m.sopInstanceUid() + " is not a JSON object");
        }
        int at = 0;
        while (true) {
            int i = json.indexOf(BULK_MEMBER, at);
            if (i < 0 || i > end) {
                break;
            }
            int start = i + BULK_MEMBER.length();
            int close = json.indexOf('"', start);
            out.write(json, at, i - at);
            out.write("\"BulkDataURI\":\"");
            out.write(base);
            out.write(tagPath(json.substring(start, close)));
            out.write('"');
            at = close + 1;
        }
        out.write(json, at, end - at);
        Optional<Vr> pixelData = pixelDataVr(json, m.transferSyntaxUid());
        if (pixelData.isPresent()) {
            out.write(end > 1 ? ",\"7FE00010\":{\"vr\":\"" : "\"7FE00010\":{\"vr\":\"");
            out.write(pixelData.get().name());
            out.write("\",\"BulkDataURI\":\"");
            out.write(base);
            out.write("7FE00010\"}");
        }
        out.write(json, end, json.length() - end);
    }

    /** An instance's metadata as a data set, with the policy that writes its bulk values as BulkDataURIs. */
    record Parsed(Dataset dataset, BulkDataPolicy bulkUris) {}

    /**
     * The instance's metadata as a data set, for the XML representation: each bulk value is a two-byte placeholder,
     * and the policy gives the BulkDataURI of every element that was a reference (known by its place, which the
     * archive's reference names and the writer's path repeats).
     */
    static Parsed dataset(InstanceMetadata m) throws IOException {
        Set<String> bulk = new HashSet<>();
        Dataset ds = DicomJson.read(new StringReader(m.json()), (uri, tag, vr) -> {
            bulk.add(uri.substring(InstanceMetadata.BULK_PREFIX.length()));
            return new Value.Bytes(new byte[2]);
        });
        Optional<Vr> pixelData = pixelDataVr(m.json(), m.transferSyntaxUid());
        if (pixelData.isPresent()) {
            ds = ds.toBuilder().add(Element.of(Tag.PixelData, pixelData.get(), new byte[2])).build();
            bulk.add("/7FE00010");
        }
        String base = bulkDataBase(m);
        return new Parsed(ds, (path, element) -> bulk.contains(path) ? Optional.of(base + tagPath(path))
                : Optional.empty());
    }

    /**
     * Whether the instance has Pixel Data to announce, and its VR: the stored metadata stops before Pixel Data, so it
     * is inferred from the Image Pixel module's Type 1 attributes at the top level of the data set.
     */
    static Optional<Vr> pixelDataVr(String json, String transferSyntaxUid) {
        Map<String, Integer> top = topLevel(json, "00280010", "00280011", "00280100");
        if (!top.containsKey("00280010") || !top.containsKey("00280011") || !top.containsKey("00280100")) {
            return Optional.empty();
        }
        boolean encapsulated;
        try {
            encapsulated = TransferSyntax.of(transferSyntaxUid).isEncapsulated();
        } catch (RuntimeException e) {
            encapsulated = true; // an unknown syntax is read as encapsulated (PS3.5 10)
        }
        int bitsAllocated = firstNumber(json, top.get("00280100"));
        return Optional.of(encapsulated || bitsAllocated > 0 && bitsAllocated <= 8 ? Vr.OB : Vr.OW);
    }

    /** Where each of the named members of the top-level object starts (the index of its key's opening quote). */
    static Map<String, Integer> topLevel(String json, String... keys) {
        Map<String, Integer> found = new HashMap<>();
        int depth = 0;
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            switch (c) {
                case '{', '[' -> depth++;
                case '}', ']' -> depth--;
                case '"' -> {
                    int start = i;
                    i++;
                    while (i < json.length() && json.charAt(i) != '"') {
                        if (json.charAt(i) == '\\') {
                            i++;
                        }
                        i++;
                    }
                    if (depth == 1 && i - start == 9 && i + 1 < json.length() && json.charAt(i + 1) == ':') {
                        String key = json.substring(start + 1, i);
                        for (String k : keys) {
                            if (k.equals(key)) {
                                found.put(k, start);
                            }
                        }
                    }
                }
                default -> { }
            }
        }
        return found;
    }

    /** The first number of the "Value" array of the attribute object starting at {@code keyAt}, or -1. */
    private static int firstNumber(String json, int keyAt) {
        int v = json.indexOf("\"Value\":[", keyAt);
        int close = json.indexOf('}', keyAt);
        if (v < 0 || close >= 0 && v > close) {
            return -1;
        }
        int i = v + "\"Value\":[".length();
        int n = 0;
        boolean digits = false;
        while (i < json.length() && Character.isDigit(json.charAt(i)) && n < 100_000) {
            n = n * 10 + json.charAt(i) - '0';
            digits = true;
            i++;
        }
        return digits ? n : -1;
    }
}
