// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicom.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.abort;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Tags;
import org.lightbox.dicom.io.DicomFile;
import org.lightbox.dicom.io.DicomReader;
import org.lightbox.testkit.ProcessResult;
import org.lightbox.dicom.io.Fixtures;
import org.lightbox.testkit.SharedData;
import org.lightbox.testkit.Tools;

/**
 * Lightbox's DICOM JSON equals pydicom's {@code Dataset.to_json_dict()} for every file of the shared corpus that
 * pydicom reads, after normalising only what PS3.18 lets a writer spell two ways, and the known pydicom differences
 * listed in {@link #normalisePydicom}.
 */
class PydicomJsonInteropTest {
    /** Run once for all files: it prints one JSON line per file, with the dict or the error pydicom gave. */
    private static final String SCRIPT = """
            import sys, json, warnings
            warnings.simplefilter("ignore")
            import pydicom
            # Keep UN as the file says; Lightbox does not reinterpret explicit UN either (PS3.5 6.2.2).
            pydicom.config.replace_un_with_known_vr = False
            for path in sys.argv[1:]:
                try:
                    out = {"file": path, "json": pydicom.dcmread(path).to_json_dict()}
                except Exception as e:
                    out = {"file": path, "error": type(e).__name__ + ": " + str(e)}
                print(json.dumps(out))
            """;
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS) // Python's json writes NaN and Infinity bare
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build();
    private static final Set<String> NUMERIC = Set.of("DS", "IS", "FL", "FD", "SS", "US", "SL", "UL", "SV", "UV");
    /** The known differences met in the file being compared, printed for the record. */
    private static final ThreadLocal<List<String>> KNOWN = ThreadLocal.withInitial(ArrayList::new);
    private static final Set<String> BIG_ENDIAN = Set.of("1.2.840.10008.1.2.2");

    @TestFactory
    Stream<DynamicTest> lightboxJsonEqualsPydicoms() throws Exception {
        Optional<Path> python = Tools.python3WithPydicom();
        assumeTrue(python.isPresent(), "pydicom is not installed (apt-get install python3-pydicom)");
        // The shared test files where present, and always the project's own fixtures (absolute paths).
        Path data = SharedData.dataDir().orElse(Path.of("."));
        List<String> files = new ArrayList<>();
        Fixtures.files().forEach(f -> files.add(f.toString()));
        if (SharedData.dataDir().isPresent()) {
            SharedData.manifest().forEach(r -> files.add(r.get("file")));
        }
        List<String> command = new ArrayList<>(List.of(python.get().toString(), "-c", SCRIPT));
        files.forEach(f -> command.add(data.resolve(f).toString()));
        ProcessResult result = Tools.run(command, Duration.ofMinutes(5));
        assertThat(result.exitCode()).as(result.stderr()).isZero();
        Map<String, JsonNode> byFile = new HashMap<>();
        for (String line : result.stdout().split("\n")) {
            if (!line.isBlank()) {
                JsonNode n = JSON.readTree(line);
                byFile.put(n.get("file").asText(), n);
            }
        }
        return files.stream().map(f -> DynamicTest.dynamicTest(f, () -> compare(data.resolve(f), byFile.get(
                data.resolve(f).toString()))));
    }

    private static void compare(Path file, JsonNode pydicom) throws Exception {
        if (pydicom == null || pydicom.has("error")) {
            abort("pydicom does not read " + file.getFileName() + ": "
                    + (pydicom == null ? "no output" : pydicom.get("error").asText()));
        }
        DicomFile ours;
        try {
            ours = DicomReader.read(file);
        } catch (Exception e) {
            abort("Lightbox does not read " + file.getFileName() + " (pydicom does): " + e.getMessage());
            return;
        }
        boolean bigEndian = BIG_ENDIAN.contains(ours.transferSyntax().uid());
        ObjectNode theirs = (ObjectNode) pydicom.get("json");
        normalisePydicom(theirs, bigEndian);
        JsonNode mine = JSON.readTree(DicomJson.toJson(ours.dataset()));
        List<String> differences = new ArrayList<>();
        KNOWN.get().clear();
        compareObjects(mine, theirs, "", differences);
        if (!KNOWN.get().isEmpty()) {
            System.out.println(file.getFileName() + ": known pydicom differences at " + KNOWN.get());
        }
        assertThat(differences).as(file.getFileName() + ": Lightbox vs pydicom").isEmpty();
    }

    /**
     * Where pydicom 2.3's JSON differs from PS3.18 (each with the reason), its output is brought to the standard's
     * form before comparing:
     * <ul>
     *   <li>Group lengths (gggg,0000): F.2.2 says they shall not be included; pydicom writes them.
     *   <li>An empty sequence: F.2.5 says an empty attribute has no "Value"; pydicom writes "Value": [].
     *   <li>An empty value among several: F.2.5 says it is null; pydicom writes "".
     *   <li>Binary values from big endian files: F.2.7 applies the PS3.5 byte order rules and DICOMweb bulk data is
     *       little endian; pydicom writes the bytes as read, so they are swapped per VR here.
     * </ul>
     * Two more are handled where attributes are compared: UN holding a sequence, and implicit VR private elements
     * whose VR pydicom knows from its private dictionary (see {@link #compareAttributes}).
     */
    private static void normalisePydicom(ObjectNode ds, boolean bigEndian) {
        for (Iterator<Map.Entry<String, JsonNode>> it = ds.properties().iterator(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().endsWith("0000")) {
                it.remove();
                continue;
            }
            ObjectNode attr = (ObjectNode) e.getValue();
            JsonNode value = attr.get("Value");
            if (value != null && value.isArray() && value.isEmpty()) {
                attr.remove("Value");
            }
            String vr = attr.path("vr").asText();
            if (value != null && !vr.equals("SQ")) {
                ArrayNode values = (ArrayNode) value;
                for (int i = 0; i < values.size(); i++) {
                    if (values.get(i).isTextual() && values.get(i).asText().isEmpty()) {
                        values.set(i, NullNode.getInstance());
                    }
                }
            }
            if (value != null && vr.equals("SQ")) {
                value.forEach(item -> normalisePydicom((ObjectNode) item, bigEndian));
            }
            if (bigEndian && attr.has("InlineBinary")) {
                int unit = switch (vr) {
                    case "OW" -> 2;
                    case "OF", "OL" -> 4;
                    case "OD", "OV" -> 8;
                    default -> 1;
                };
                byte[] b = Base64.getDecoder().decode(attr.get("InlineBinary").asText());
                attr.put("InlineBinary", Base64.getEncoder().encodeToString(swap(b, unit)));
            }
        }
    }

    private static void compareObjects(JsonNode mine, JsonNode theirs, String path, List<String> out) {
        Set<String> keys = new TreeSet<>();
        mine.fieldNames().forEachRemaining(keys::add);
        theirs.fieldNames().forEachRemaining(keys::add);
        for (String key : keys) {
            String p = path + "/" + key;
            JsonNode a = mine.get(key);
            JsonNode b = theirs.get(key);
            if (a == null || b == null) {
                out.add(p + ": only in " + (a == null ? "pydicom: " + b : "Lightbox: " + a));
                continue;
            }
            compareAttributes(a, b, p, out);
        }
    }

    private static void compareAttributes(JsonNode a, JsonNode b, String path, List<String> out) {
        String vr = a.path("vr").asText();
        String theirVr = b.path("vr").asText();
        if (vr.equals("UN") && !theirVr.equals("UN") && !theirVr.equals("SQ")) {
            // Known difference: an implicit VR private element, whose VR pydicom takes from its private dictionary
            // and Lightbox (which has none) leaves as UN. Compare Lightbox's bytes read in pydicom's VR.
            byte[] raw = Base64.getDecoder().decode(a.path("InlineBinary").asText(""));
            KNOWN.get().add(path + " UN/" + theirVr);
            a = Set.of("OB", "OD", "OF", "OL", "OV", "OW").contains(theirVr)
                    ? ((ObjectNode) a.deepCopy()).put("vr", theirVr) : decodeAs(theirVr, raw);
            vr = theirVr;
        } else if (vr.equals("SQ") && theirVr.equals("UN") && b.has("InlineBinary")) {
            // Known difference: UN holding a sequence (PS3.5 6.2.2). Lightbox writes the SQ it is; pydicom, keeping
            // UN, writes the raw bytes. Compare by reading those bytes as the implicit VR little endian items they are.
            KNOWN.get().add(path + " SQ/UN");
            b = sequenceFromUn(path, Base64.getDecoder().decode(b.get("InlineBinary").asText()));
            theirVr = "SQ";
        }
        if (!vr.equals(theirVr)) {
            out.add(path + ": vr " + vr + " vs " + b.path("vr").asText());
            return;
        }
        for (String member : List.of("InlineBinary", "BulkDataURI")) {
            if (!a.path(member).equals(b.path(member))) {
                out.add(path + ": " + member + " differs");
            }
        }
        JsonNode va = a.path("Value");
        JsonNode vb = b.path("Value");
        if (va.size() != vb.size()) {
            out.add(path + ": " + va.size() + " values vs " + vb.size() + ": " + va + " vs " + vb);
            return;
        }
        for (int i = 0; i < va.size(); i++) {
            String p = path + "/Value/" + i;
            JsonNode x = va.get(i);
            JsonNode y = vb.get(i);
            if (vr.equals("SQ")) {
                compareObjects(x, y, p, out);
            } else if (!sameValue(vr, x, y)) {
                out.add(p + ": " + x + " vs " + y);
            }
        }
    }

    /** Equal values, where PS3.18 F.2.3 allows numbers as numbers or strings and in any spelling. */
    private static boolean sameValue(String vr, JsonNode x, JsonNode y) {
        if (x.isNull() || y.isNull()) {
            return x.isNull() && y.isNull();
        }
        if (vr.equals("PN")) {
            return personName(x).equals(personName(y));
        }
        if (!NUMERIC.contains(vr)) {
            // PS3.5 6.2: spaces around values are padding, not content (leading ones only count in LT, ST, UT, UR);
            // pydicom strips only those at the end of the whole value.
            boolean leading = !Set.of("LT", "ST", "UT", "UR").contains(vr);
            return x.isTextual() && y.isTextual()
                    && insignificant(x.asText(), leading).equals(insignificant(y.asText(), leading));
        }
        String sx = x.asText().strip();
        String sy = y.asText().strip();
        return switch (vr) {
            // pydicom holds DS and FL values as Python floats (doubles) and writes their repr.
            case "DS", "FD" -> Double.compare(Double.parseDouble(sx), Double.parseDouble(sy)) == 0;
            case "FL" -> Float.compare(Float.parseFloat(sx), Float.parseFloat(sy)) == 0;
            default -> new BigDecimal(sx).compareTo(new BigDecimal(sy)) == 0;
        };
    }

    /** An attribute of VR {@code vr} with the values of little endian value bytes (text read as Latin-1). */
    private static JsonNode decodeAs(String vr, byte[] b) {
        ObjectNode attr = JSON.createObjectNode().put("vr", vr);
        ArrayNode values = attr.putArray("Value");
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        switch (vr) {
            case "US" -> {
                while (buf.remaining() >= 2) {
                    values.add(buf.getShort() & 0xFFFF);
                }
            }
            case "SS" -> {
                while (buf.remaining() >= 2) {
                    values.add(buf.getShort());
                }
            }
            case "UL" -> {
                while (buf.remaining() >= 4) {
                    values.add(buf.getInt() & 0xFFFFFFFFL);
                }
            }
            case "SL" -> {
                while (buf.remaining() >= 4) {
                    values.add(buf.getInt());
                }
            }
            case "FL" -> {
                while (buf.remaining() >= 4) {
                    values.add(buf.getFloat());
                }
            }
            case "FD" -> {
                while (buf.remaining() >= 8) {
                    values.add(buf.getDouble());
                }
            }
            default -> {
                String text = new String(b, java.nio.charset.StandardCharsets.ISO_8859_1);
                for (String v : text.split("\\\\", -1)) {
                    String t = v.replaceAll("[ \\u0000]+$", "").strip();
                    values.add(t.isEmpty() ? NullNode.getInstance() : JSON.getNodeFactory().textNode(t));
                }
            }
        }
        if (values.size() == 1 && values.get(0).isNull() || values.isEmpty()) {
            attr.remove("Value");
        }
        return attr;
    }

    /** The JSON of a sequence whose items are given as implicit VR little endian bytes, read by Lightbox. */
    private static JsonNode sequenceFromUn(String path, byte[] items) {
        int tag = Integer.parseUnsignedInt(path.substring(path.lastIndexOf('/') + 1), 16);
        Dataset ds = Dataset.builder().add(ModelEquivalence.sequenceFromUn(tag, items)).build();
        try {
            return JSON.readTree(DicomJson.toJson(ds)).get(Tags.hex(tag));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String insignificant(String s, boolean leading) {
        return leading ? s.strip() : s.stripTrailing();
    }

    /** The non-empty component groups (pydicom may write a group as ""). */
    private static Map<String, String> personName(JsonNode n) {
        Map<String, String> out = new HashMap<>();
        n.properties().forEach(e -> {
            if (!e.getValue().asText().isEmpty()) {
                out.put(e.getKey(), e.getValue().asText());
            }
        });
        return out;
    }

    private static byte[] swap(byte[] in, int unit) {
        byte[] out = in.clone();
        for (int i = 0; i + unit <= in.length; i += unit) {
            for (int j = 0; j < unit; j++) {
                out[i + j] = in[i + unit - 1 - j];
            }
        }
        return out;
    }
}
