// SPDX-License-Identifier: Apache-2.0
package org.lightbox.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lightbox.archive.Archive;
import org.lightbox.archive.ArchiveConfig;
import org.lightbox.archive.StoredInstance;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Element;
import org.lightbox.dicom.TransferSyntax;
import org.lightbox.dicom.Uid;
import org.lightbox.dicom.Vr;
import org.lightbox.testkit.ProcessResult;
import org.lightbox.testkit.Tools;

/**
 * Issue 5, tests: Orthanc (Debian's package, 1.10 here) as a peer of {@code lightbox serve}. Both run in one
 * loopback-only network namespace, since Orthanc listens on every interface. DCMTK's storescu stores three studies
 * (seven instances in five transfer syntaxes, one patient name in Latin-1) into Lightbox, which knows Orthanc as a
 * remote AE and lets only the named AEs in; then
 * <ul>
 * <li>Orthanc as a C-MOVE destination: movescu asks Lightbox to move two studies to Orthanc, and Orthanc, as a C-MOVE
 *     SCU itself, retrieves the third to itself; every instance Orthanc keeps has the data set that was sent,
 *     byte for byte (SHA-256), in the transfer syntax it was sent in;</li>
 * <li>Orthanc as a C-FIND SCU ({@code POST /modalities/lightbox/query}) at the STUDY and SERIES levels, by Patient
 *     ID, Study Date range, wild-card Patient Name (Latin-1 too) and Modality: its answers are what was stored;</li>
 * <li>Orthanc's C-ECHO to Lightbox.</li>
 * </ul>
 * The scenario runs once, as one shell script in the namespace; the tests check what it left behind.
 */
@Tag("interop")
class OrthancPeerIT {
    private static final int LIGHTBOX_PORT = 11112;
    private static final int LIGHTBOX_HTTP_PORT = 8080;
    private static final int ORTHANC_PORT = 4242;
    private static final int ORTHANC_HTTP_PORT = 8042;
    private static final String ORTHANC_URL = "http://127.0.0.1:" + ORTHANC_HTTP_PORT;
    private static final String ROOT = "1.2.826.0.1.3680043.9.7777.15.";
    private static final ObjectMapper JSON = new ObjectMapper();

    private record Patient(String name, String id, String sex) {}

    private record Study(Patient patient, String uid, String date, String description, String accession) {}

    private record Series(Study study, String uid, String modality, String sopClass, int number) {}

    /** One instance sent: its file, where it belongs, and the transfer syntax it is encoded (and sent) in. */
    private record Sent(Path file, Series series, String sopInstanceUid, TransferSyntax ts) {}

    private static final Patient DOE = new Patient("DOE^JOHN", "PID1", "M");
    private static final Patient ROE = new Patient("ROE^JANE", "PID2", "F");
    private static final Patient MUELLER = new Patient("MÜLLER^JÜRGEN", "PID3", "M");
    private static final Study CHEST = new Study(DOE, ROOT + "1.1", "20240102", "CHEST", "ACC1");
    private static final Study HEAD = new Study(ROE, ROOT + "1.2", "20250304", "HEAD", "ACC2");
    private static final Study KNEE = new Study(MUELLER, ROOT + "1.3", "20231215", "KNEE", "ACC3");
    private static final List<Study> STUDIES = List.of(CHEST, HEAD, KNEE);
    private static final Series CHEST_CT = new Series(CHEST, ROOT + "2.1", "CT", Uid.CTImageStorage, 1);
    private static final Series CHEST_OT = new Series(CHEST, ROOT + "2.2", "OT", Uid.SecondaryCaptureImageStorage, 2);
    private static final Series HEAD_MR = new Series(HEAD, ROOT + "2.3", "MR", Uid.MRImageStorage, 1);
    private static final Series KNEE_OT = new Series(KNEE, ROOT + "2.4", "OT", Uid.SecondaryCaptureImageStorage, 1);
    private static final List<Series> SERIES = List.of(CHEST_CT, CHEST_OT, HEAD_MR, KNEE_OT);

    /** storescu's option that proposes each transfer syntax (storescu sends a file as it is when it is accepted). */
    private static final Map<String, String> PROPOSE = Map.of(Uid.ExplicitVRLittleEndian, "-xe",
            Uid.ImplicitVRLittleEndian, "-xi", Uid.RLELossless, "-xr", Uid.JPEGLSLossless, "-xt",
            Uid.JPEGLosslessSV1, "-xs");

    /** Orthanc's C-FIND requests, by name: level and query, as its REST API takes them. */
    private static final Map<String, String> QUERIES = new LinkedHashMap<>();

    static {
        String studyKeys = "\"StudyInstanceUID\":\"\",\"StudyDate\":\"\",\"StudyDescription\":\"\","
                + "\"PatientSex\":\"\",\"AccessionNumber\":\"\"";
        QUERIES.put("study-by-patient-id", "{\"Level\":\"Study\",\"Query\":{\"PatientID\":\"PID2\","
                + "\"PatientName\":\"\"," + studyKeys + "}}");
        QUERIES.put("study-by-date-range", "{\"Level\":\"Study\",\"Query\":{\"StudyDate\":\"20240101-20251231\","
                + "\"PatientID\":\"\",\"PatientName\":\"\",\"StudyInstanceUID\":\"\",\"StudyDescription\":\"\"}}");
        QUERIES.put("study-before-date", "{\"Level\":\"Study\",\"Query\":{\"StudyDate\":\"-20240102\","
                + "\"PatientID\":\"\",\"PatientName\":\"\",\"StudyInstanceUID\":\"\",\"StudyDescription\":\"\"}}");
        QUERIES.put("study-by-name-wildcard", "{\"Level\":\"Study\",\"Query\":{\"PatientName\":\"?OE^J*\","
                + "\"PatientID\":\"\"," + studyKeys + "}}");
        QUERIES.put("study-by-latin1-name", "{\"Level\":\"Study\",\"Query\":{\"PatientName\":\"MÜLL*\","
                + "\"PatientID\":\"\"," + studyKeys + "}}");
        QUERIES.put("study-none", "{\"Level\":\"Study\",\"Query\":{\"PatientID\":\"NOBODY\","
                + "\"StudyInstanceUID\":\"\"}}");
        QUERIES.put("series-of-study", "{\"Level\":\"Series\",\"Query\":{\"StudyInstanceUID\":\"" + CHEST.uid()
                + "\",\"SeriesInstanceUID\":\"\",\"Modality\":\"\",\"SeriesNumber\":\"\"}}");
        QUERIES.put("series-by-modality", "{\"Level\":\"Series\",\"Query\":{\"StudyInstanceUID\":\"" + CHEST.uid()
                + "\",\"Modality\":\"CT\",\"SeriesInstanceUID\":\"\",\"SeriesNumber\":\"\"}}");
        QUERIES.put("knee-to-retrieve", "{\"Level\":\"Study\",\"Query\":{\"StudyInstanceUID\":\"" + KNEE.uid()
                + "\"}}");
    }

    @TempDir
    static Path dir;

    private static final Map<String, Sent> SENT = new LinkedHashMap<>();
    private static ProcessResult result;
    private static long scenarioMillis;

    @BeforeAll
    static void runScenario() throws Exception {
        assumeTrue(Loopback.usable(), Loopback.why());
        Optional<String> orthanc = orthanc();
        assumeTrue(orthanc.isPresent(), "Orthanc is not installed (apt-get install orthanc; /usr/sbin/Orthanc): the"
                + " Orthanc interop test is skipped");
        for (String tool : List.of("storescu", "movescu", "curl")) {
            assumeTrue(Tools.available(tool), tool + " is not installed (apt-get install dcmtk curl)");
        }
        makeFixtures(Files.createDirectories(dir.resolve("in")));
        Files.createDirectories(dir.resolve("orthanc-files"));
        Files.writeString(dir.resolve("lightbox.yaml"), """
                remote-aes:
                  ORTHANC: 127.0.0.1:%d
                permissions:
                  ORTHANC: [echo, find, move]
                  STORESCU: store
                  MOVESCU: move
                unknown-peers: none
                """.formatted(ORTHANC_PORT));
        Files.writeString(dir.resolve("orthanc.json"), """
                {
                  "Name": "lightbox-interop",
                  "StorageDirectory": "%s",
                  "IndexDirectory": "%s",
                  "Plugins": [],
                  "HttpServerEnabled": true,
                  "HttpPort": %d,
                  "RemoteAccessAllowed": false,
                  "AuthenticationEnabled": false,
                  "DicomServerEnabled": true,
                  "DicomAet": "ORTHANC",
                  "DicomPort": %d,
                  "DicomModalities": { "lightbox": [ "LIGHTBOX", "127.0.0.1", %d ] }
                }
                """.formatted(dir.resolve("orthanc-storage"), dir.resolve("orthanc-index"), ORTHANC_HTTP_PORT,
                ORTHANC_PORT, LIGHTBOX_PORT));
        Files.writeString(dir.resolve("scenario.sh"), scenario());

        long t0 = System.nanoTime();
        result = Loopback.run(dir, List.of(
                new Loopback.Server(Loopback.lightbox("serve", "--config", "lightbox.yaml", "--data", "data",
                        "--aet", "LIGHTBOX", "--dicom-port", String.valueOf(LIGHTBOX_PORT), "--http-port",
                        String.valueOf(LIGHTBOX_HTTP_PORT)), LIGHTBOX_PORT),
                new Loopback.Server(Loopback.shell(List.of(orthanc.get(), "orthanc.json")), ORTHANC_PORT)),
                "bash scenario.sh");
        scenarioMillis = (System.nanoTime() - t0) / 1_000_000;
        System.out.printf("Orthanc interop: %s; the namespace run took %d ms (%s)%n", orthancVersion(),
                scenarioMillis, read("timings.txt").strip());
        Path keep = Files.createDirectories(Path.of("target", "orthanc-peer"));
        try (Stream<Path> s = Files.list(dir)) {
            for (Path log : s.filter(p -> p.toString().endsWith(".log")).toList()) {
                Files.copy(log, keep.resolve(log.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
        assertThat(result.exitCode()).as("the namespace script: %s\nlightbox (server-0.log):\n%s\nOrthanc:\n%s",
                result, read("server-0.log"), read("server-1.log")).isZero();
        assertThat(scenarioMillis).as("the whole namespace run, in ms").isLessThan(60_000);
    }

    @Test
    void orthancKeepsEveryMovedInstanceByteForByte() throws Exception {
        assertThat(read("movescu.log")).as("movescu's final responses").contains(
                "Received Final Move Response (Success)").doesNotContain("Failed").doesNotContain("Warning");
        assertThat(read("server-0.log")).as("Orthanc's own C-MOVE (POST /queries/{id}/retrieve) of the third study")
                .containsPattern("ORTHANC<-LIGHTBOX .*: C-MOVE of 1 instances to ORTHANC: 1 completed, 0 with"
                        + " warnings, 0 failed");

        // Lightbox kept what storescu sent, in its transfer syntax; the reference for Orthanc's copies below.
        Map<String, DataSetDigest> sent = new TreeMap<>();
        try (Archive archive = Archive.open(ArchiveConfig.of(dir.resolve("data")))) {
            for (Sent s : SENT.values()) {
                DataSetDigest file = DataSetDigest.of(s.file());
                Optional<StoredInstance> kept = archive.find(s.sopInstanceUid());
                assertThat(kept).as("%s stored by Lightbox", s.file().getFileName()).isPresent();
                assertThat(DataSetDigest.of(archive.blobFile(kept.get()))).as("Lightbox's blob of %s (storescu sends"
                        + " the file as it is)", s.file().getFileName()).isEqualTo(file);
                sent.put(s.sopInstanceUid(), file);
            }
        }

        JsonNode statistics = JSON.readTree(read("statistics.json"));
        assertThat(statistics.path("CountInstances").asInt()).as("Orthanc's /statistics: %s", statistics)
                .isEqualTo(SENT.size());
        assertThat(statistics.path("CountStudies").asInt()).isEqualTo(STUDIES.size());
        Map<String, DataSetDigest> received = new TreeMap<>();
        try (Stream<Path> s = Files.list(dir.resolve("orthanc-files"))) {
            for (Path f : s.toList()) {
                String uid = org.lightbox.dicom.io.DicomReader.readHead(f).fileMetaInformation()
                        .string(org.lightbox.dicom.Tag.MediaStorageSOPInstanceUID).orElse(f.toString());
                received.put(uid, DataSetDigest.of(f));
            }
        }
        // Equal digests mean the same data set bytes in the same transfer syntax, that is exactly what was sent.
        assertThat(received).as("Orthanc's GET /instances/{id}/file, by SOP Instance UID: transfer syntax, data set"
                + " length and SHA-256").isEqualTo(sent);
        System.out.printf("  C-MOVE to Orthanc: %d instances in %s, each byte-identical to the file sent%n",
                received.size(), SENT.values().stream().map(x -> x.ts().uid()).distinct().sorted().toList());
    }

    @Test
    void orthancsFindAnswersAreWhatWasStored() throws Exception {
        assertStudies("study-by-patient-id", s -> s.patient().id().equals("PID2"));
        assertStudies("study-by-date-range", s -> s.date().compareTo("20240101") >= 0
                && s.date().compareTo("20251231") <= 0);
        assertStudies("study-before-date", s -> s.date().compareTo("20240102") <= 0);
        assertStudies("study-by-name-wildcard", s -> s.patient().name().matches(".OE\\^J.*"));
        assertStudies("study-by-latin1-name", s -> s.patient().name().startsWith("MÜLL"));
        assertStudies("study-none", s -> false);
        assertSeries("series-of-study", s -> s.study() == CHEST);
        assertSeries("series-by-modality", s -> s.study() == CHEST && s.modality().equals("CT"));
    }

    @Test
    void orthancsEchoIsAnswered() throws Exception {
        assertThat(read("echo.status").strip()).as("POST /modalities/lightbox/echo: %s", read("echo.json"))
                .isEqualTo("200");
        assertThat(read("server-0.log")).as("Lightbox logged Orthanc's associations").contains("ORTHANC<-LIGHTBOX");
    }

    /** The answers of query {@code name} are the studies {@code expected} picks, with their stored values. */
    private static void assertStudies(String name, Predicate<Study> expected) throws IOException {
        JsonNode answers = answers(name);
        Map<String, Map<String, String>> want = new TreeMap<>();
        Set<String> keys = requestedKeys(name);
        for (Study s : STUDIES) {
            if (expected.test(s)) {
                Map<String, String> v = new TreeMap<>();
                v.put("StudyInstanceUID", s.uid());
                v.put("PatientID", s.patient().id());
                v.put("PatientName", s.patient().name());
                v.put("StudyDate", s.date());
                v.put("StudyDescription", s.description());
                v.put("PatientSex", s.patient().sex());
                v.put("AccessionNumber", s.accession());
                v.keySet().retainAll(keys);
                want.put(s.uid(), v);
            }
        }
        assertThat(byUid(answers, "StudyInstanceUID", keys)).as("%s: %s, answered %s", name, QUERIES.get(name),
                answers).isEqualTo(want);
    }

    private static void assertSeries(String name, Predicate<Series> expected) throws IOException {
        JsonNode answers = answers(name);
        Map<String, Map<String, String>> want = new TreeMap<>();
        Set<String> keys = requestedKeys(name);
        for (Series s : SERIES) {
            if (expected.test(s)) {
                Map<String, String> v = new TreeMap<>();
                v.put("StudyInstanceUID", s.study().uid());
                v.put("SeriesInstanceUID", s.uid());
                v.put("Modality", s.modality());
                v.put("SeriesNumber", String.valueOf(s.number()));
                v.keySet().retainAll(keys);
                want.put(s.uid(), v);
            }
        }
        assertThat(byUid(answers, "SeriesInstanceUID", keys)).as("%s: %s, answered %s", name, QUERIES.get(name),
                answers).isEqualTo(want);
        for (JsonNode a : answers) {
            assertThat(a.path("QueryRetrieveLevel").asText()).isEqualTo("SERIES");
        }
    }

    /** The keys the query names, whose values the answers must carry. */
    private static Set<String> requestedKeys(String name) throws IOException {
        Set<String> keys = new TreeSet<>();
        JSON.readTree(QUERIES.get(name)).path("Query").fieldNames().forEachRemaining(keys::add);
        return keys;
    }

    /** Orthanc's simplified answers, by the given UID, each with the values of {@code keys}. */
    private static Map<String, Map<String, String>> byUid(JsonNode answers, String uidKey, Set<String> keys) {
        Map<String, Map<String, String>> got = new TreeMap<>();
        for (JsonNode a : answers) {
            Map<String, String> v = new TreeMap<>();
            for (String k : keys) {
                v.put(k, a.path(k).isMissingNode() ? "(missing)" : a.path(k).asText());
            }
            got.put(a.path(uidKey).asText(), v);
        }
        return got;
    }

    private static JsonNode answers(String name) throws IOException {
        JsonNode answers = JSON.readTree(read(name + ".json"));
        assertThat(answers.isArray()).as("%s answers: %s", name, answers).isTrue();
        return answers;
    }

    /** The scenario, run in the namespace once both servers accept connections. */
    private static String scenario() {
        StringBuilder s = new StringBuilder("""
                set -u
                fail() { echo "$*" >&2; exit 1; }
                now() { echo $(( $(date +%%s%%N) / 1000000 )); }
                orthanc=%s
                n=0; until curl -sf -o system.json $orthanc/system; do
                  n=$((n+1)); [ $n -gt 100 ] && fail "Orthanc's REST API did not answer"; sleep 0.1; done
                t0=$(now)
                """.formatted(ORTHANC_URL));
        // 1. storescu stores every file into Lightbox, one association per transfer syntax.
        Map<String, List<Sent>> byTs = SENT.values().stream().collect(Collectors.groupingBy(x -> x.ts().uid(),
                TreeMap::new, Collectors.toList()));
        for (Map.Entry<String, List<Sent>> e : byTs.entrySet()) {
            List<String> cmd = new ArrayList<>(List.of("env", "TCP_NODELAY=1", "storescu", "-v", "-R",
                    PROPOSE.get(e.getKey()), "-aec", "LIGHTBOX", "127.0.0.1", String.valueOf(LIGHTBOX_PORT)));
            e.getValue().forEach(x -> cmd.add(x.file().toString()));
            s.append(Loopback.shell(cmd)).append(" >>storescu.log 2>&1 || fail \"storescu: $(cat storescu.log)\"\n");
        }
        s.append("t1=$(now)\n");
        // 2. movescu: two studies moved to Orthanc.
        for (Study study : List.of(CHEST, HEAD)) {
            s.append("env TCP_NODELAY=1 movescu -v -S -aec LIGHTBOX -aem ORTHANC -k QueryRetrieveLevel=STUDY")
                    .append(" -k StudyInstanceUID=").append(study.uid()).append(" 127.0.0.1 ").append(LIGHTBOX_PORT)
                    .append(" >>movescu.log 2>&1 || fail \"movescu failed: $(cat movescu.log)\"\n");
        }
        s.append("t2=$(now)\n");
        // 3. Orthanc as C-ECHO and C-FIND SCU.
        s.append("curl -s -o echo.json -w '%{http_code}' -X POST -d '{}' $orthanc/modalities/lightbox/echo")
                .append(" >echo.status\n");
        s.append("""
                query() {
                  curl -s -o "$1.query.json" -X POST --data-binary "$2" $orthanc/modalities/lightbox/query
                  id=$(sed -n 's/.*"ID" : "\\(.*\\)".*/\\1/p' "$1.query.json")
                  [ -n "$id" ] || fail "query $1 failed: $(cat "$1.query.json")"
                  echo "$id" >"$1.id"
                  curl -sf -o "$1.json" "$orthanc/queries/$id/answers?expand&simplify" || fail "answers of $1"
                }
                """);
        for (Map.Entry<String, String> q : QUERIES.entrySet()) {
            s.append("query ").append(q.getKey()).append(' ').append(Loopback.shell(List.of(q.getValue())))
                    .append('\n');
        }
        s.append("t3=$(now)\n");
        // 4. Orthanc as C-MOVE SCU: the third study, retrieved to itself.
        s.append("curl -sf -o retrieve.json -X POST -d '{\"TargetAet\":\"ORTHANC\",\"Synchronous\":true}'")
                .append(" $orthanc/queries/$(cat knee-to-retrieve.id)/retrieve || fail \"Orthanc's retrieve\"\n");
        s.append("t4=$(now)\n");
        // 5. What Orthanc kept.
        s.append("""
                curl -sf -o statistics.json $orthanc/statistics || fail statistics
                curl -sf -o instances.json $orthanc/instances || fail instances
                for id in $(grep -o '[0-9a-f]\\{8\\}\\(-[0-9a-f]\\{8\\}\\)\\{4\\}' instances.json); do
                  curl -sf -o orthanc-files/$id.dcm $orthanc/instances/$id/file || fail "instance $id"
                done
                t5=$(now)
                echo "store $((t1-t0)), movescu $((t2-t1)), echo+find $((t3-t2)), retrieve $((t4-t3)),\
                 download $((t5-t4)) ms" >timings.txt
                """);
        return s.toString();
    }

    private static void makeFixtures(Path in) throws IOException {
        List<Map.Entry<Series, TransferSyntax>> plan = List.of(
                Map.entry(CHEST_CT, TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN),
                Map.entry(CHEST_CT, TransferSyntax.IMPLICIT_VR_LITTLE_ENDIAN),
                Map.entry(CHEST_OT, TransferSyntax.of(Uid.RLELossless)),
                Map.entry(CHEST_OT, TransferSyntax.of(Uid.JPEGLSLossless)),
                Map.entry(HEAD_MR, TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN),
                Map.entry(HEAD_MR, TransferSyntax.of(Uid.JPEGLosslessSV1)),
                Map.entry(KNEE_OT, TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN));
        int n = 0;
        for (Map.Entry<Series, TransferSyntax> p : plan) {
            Series series = p.getKey();
            TransferSyntax ts = p.getValue();
            n++;
            String sop = ROOT + "3." + n;
            Path file = NetFixtures.write(image(series, sop, n), ts, in.resolve("i" + n + ".dcm"));
            SENT.put(sop, new Sent(file, series, sop, ts));
        }
    }

    /** A 64 x 64 12-bit image of the series, its pixels a pattern of {@code n}. */
    private static Dataset image(Series series, String sopInstanceUid, int n) {
        byte[] pixels = new byte[64 * 64 * 2];
        for (int i = 0; i < pixels.length; i += 2) {
            int v = (i / 2 % 64) * n + (i / 128) * 3;
            pixels[i] = (byte) v;
            pixels[i + 1] = (byte) ((v >>> 8) & 0x0F);
        }
        Study study = series.study();
        return Dataset.builder()
                .setStrings(org.lightbox.dicom.Tag.SpecificCharacterSet, Vr.CS, "ISO_IR 100")
                .setStrings(org.lightbox.dicom.Tag.SOPClassUID, Vr.UI, series.sopClass())
                .setStrings(org.lightbox.dicom.Tag.SOPInstanceUID, Vr.UI, sopInstanceUid)
                .setStrings(org.lightbox.dicom.Tag.StudyDate, Vr.DA, study.date())
                .setStrings(org.lightbox.dicom.Tag.StudyTime, Vr.TM, "101500")
                .setStrings(org.lightbox.dicom.Tag.AccessionNumber, Vr.SH, study.accession())
                .setStrings(org.lightbox.dicom.Tag.Modality, Vr.CS, series.modality())
                .setStrings(org.lightbox.dicom.Tag.StudyDescription, Vr.LO, study.description())
                .setStrings(org.lightbox.dicom.Tag.PatientName, Vr.PN, study.patient().name())
                .setStrings(org.lightbox.dicom.Tag.PatientID, Vr.LO, study.patient().id())
                .setStrings(org.lightbox.dicom.Tag.PatientBirthDate, Vr.DA, "19700101")
                .setStrings(org.lightbox.dicom.Tag.PatientSex, Vr.CS, study.patient().sex())
                .setStrings(org.lightbox.dicom.Tag.StudyInstanceUID, Vr.UI, study.uid())
                .setStrings(org.lightbox.dicom.Tag.SeriesInstanceUID, Vr.UI, series.uid())
                .setStrings(org.lightbox.dicom.Tag.StudyID, Vr.SH, study.description())
                .setStrings(org.lightbox.dicom.Tag.SeriesNumber, Vr.IS, String.valueOf(series.number()))
                .setStrings(org.lightbox.dicom.Tag.InstanceNumber, Vr.IS, String.valueOf(n))
                .setNumbers(org.lightbox.dicom.Tag.SamplesPerPixel, Vr.US, 1)
                .setStrings(org.lightbox.dicom.Tag.PhotometricInterpretation, Vr.CS, "MONOCHROME2")
                .setNumbers(org.lightbox.dicom.Tag.Rows, Vr.US, 64)
                .setNumbers(org.lightbox.dicom.Tag.Columns, Vr.US, 64)
                .setNumbers(org.lightbox.dicom.Tag.BitsAllocated, Vr.US, 16)
                .setNumbers(org.lightbox.dicom.Tag.BitsStored, Vr.US, 12)
                .setNumbers(org.lightbox.dicom.Tag.HighBit, Vr.US, 11)
                .setNumbers(org.lightbox.dicom.Tag.PixelRepresentation, Vr.US, 0)
                .add(Element.of(org.lightbox.dicom.Tag.PixelData, Vr.OW, pixels))
                .build();
    }

    /** Orthanc's executable: {@code Orthanc} on PATH, else Debian's {@code /usr/sbin/Orthanc}. */
    private static Optional<String> orthanc() {
        if (Tools.available("Orthanc")) {
            return Optional.of("Orthanc");
        }
        return Tools.available("/usr/sbin/Orthanc") ? Optional.of("/usr/sbin/Orthanc") : Optional.empty();
    }

    private static String orthancVersion() {
        try {
            return "Orthanc " + JSON.readTree(read("system.json")).path("Version").asText("(unknown version)");
        } catch (IOException e) {
            return "Orthanc (no /system answer)";
        }
    }

    private static String read(String name) {
        Path p = dir.resolve(name);
        try {
            return Files.exists(p) ? Files.readString(p, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "(" + e + ")";
        }
    }
}
