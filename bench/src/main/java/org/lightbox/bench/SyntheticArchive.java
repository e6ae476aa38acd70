// SPDX-License-Identifier: Apache-2.0
package org.lightbox.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Element;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.TransferSyntax;
import org.lightbox.dicom.Vr;
import org.lightbox.dicom.io.DicomWriter;

/**
 * A synthetic archive of any size, the same for the same seed: instance {@code i} (0-based) is always the same Part
 * 10 file, whatever the size asked for and whichever thread makes it, so a fill can be resumed and grown.
 *
 * <p>About 10,000 patients (some with non-ASCII names, in ISO_IR 192), studies over ten years (2016-2025) of CT, MR,
 * US (1-3 series, 30-100 instances a study), CR and DX (1-2 series of 1-4 images), each with an accession number,
 * descriptions, a referring physician, and instances of about 1.5 KB: the attributes a modality writes and a 16 x 16
 * 12-bit image. UIDs are 2.25 UUID-derived (random-looking, as most modalities' are). Safe for concurrent use once
 * {@link #plan} has run.
 */
final class SyntheticArchive {
    static final int PATIENTS = 10_000;
    private static final LocalDate FIRST_DAY = LocalDate.of(2016, 1, 1);
    private static final int DAYS = 3653;
    private static final DateTimeFormatter DA = DateTimeFormatter.BASIC_ISO_DATE;

    private static final String[] FAMILY = {"SMITH", "JOHNSON", "WILLIAMS", "BROWN", "JONES", "GARCIA", "MILLER",
        "DAVIS", "RODRIGUEZ", "MARTINEZ", "HERNANDEZ", "LOPEZ", "GONZALEZ", "WILSON", "ANDERSON", "THOMAS", "TAYLOR",
        "MOORE", "JACKSON", "MARTIN", "LEE", "PEREZ", "THOMPSON", "WHITE", "HARRIS", "SANCHEZ", "CLARK", "RAMIREZ",
        "LEWIS", "ROBINSON", "WALKER", "YOUNG", "ALLEN", "KING", "WRIGHT", "SCOTT", "TORRES", "NGUYEN", "HILL",
        "FLORES", "GREEN", "ADAMS", "NELSON", "BAKER", "HALL", "RIVERA", "CAMPBELL", "MITCHELL", "CARTER", "ROBERTS",
        "MUELLER", "SCHMIDT", "SCHNEIDER", "FISCHER", "WEBER", "MEYER", "WAGNER", "BECKER", "SCHULZ", "HOFFMANN",
        "DUBOIS", "LAMBERT", "FONTAINE", "ROUSSEAU", "VINCENT", "MOREAU", "LAURENT", "SIMON", "MICHEL", "LEFEBVRE",
        "ROSSI", "RUSSO", "FERRARI", "ESPOSITO", "BIANCHI", "ROMANO", "COLOMBO", "RICCI", "MARINO", "GRECO",
        "JANSEN", "DE JONG", "DE VRIES", "VAN DEN BERG", "VAN DIJK", "BAKKER", "VISSER", "SMIT", "MEIJER", "DE BOER",
        "NOWAK", "KOWALSKI", "WISNIEWSKI", "WOJCIK", "KOWALCZYK", "KAMINSKI", "LEWANDOWSKI", "ZIELINSKI",
        "HANSEN", "JOHANSEN", "OLSEN", "LARSEN", "ANDERSEN", "PEDERSEN", "NILSSON", "LARSSON", "ERIKSSON", "OLSSON",
        "O'BRIEN", "MURPHY", "KELLY", "SULLIVAN", "WALSH", "BYRNE", "RYAN", "O'CONNOR", "KIM", "PARK", "CHOI",
        "WANG", "LI", "ZHANG", "LIU", "CHEN", "YANG", "HUANG", "ZHAO", "SATO", "SUZUKI", "TAKAHASHI", "TANAKA",
        "WATANABE", "ITO", "NAKAMURA", "KOBAYASHI", "PATEL", "SHARMA", "SINGH", "KUMAR", "GUPTA", "KHAN", "ALI",
        "COHEN", "LEVI", "MIZRAHI", "SILVA", "SANTOS", "OLIVEIRA", "SOUZA", "PEREIRA", "COSTA", "CARVALHO"};
    /** Non-ASCII family names (about one patient in eight), with ASCII-free given names to match. */
    private static final String[][] FOREIGN = {
        {"MÜLLER", "JÜRGEN"}, {"SCHRÖDER", "BÄRBEL"}, {"GÖTZ", "GÜNTER"}, {"ÖZTÜRK", "ŞÜKRÜ"},
        {"ÇELIK", "AYŞE"}, {"NÚÑEZ", "JOSÉ"}, {"PEÑA", "MARÍA"}, {"GARCÍA", "LUCÍA"}, {"LEFÈVRE", "HÉLÈNE"},
        {"FRANÇOIS", "CÉLINE"}, {"ØDEGÅRD", "BJØRN"}, {"ÅSTRÖM", "MÅNS"}, {"ŁUKASZEWSKI", "MAŁGORZATA"},
        {"DVOŘÁK", "JIŘÍ"}, {"Иванов", "Иван"}, {"Смирнова", "Ольга"}, {"Παπαδόπουλος", "Νίκος"},
        {"Yamada^Tarou=山田^太郎", null}, {"Hong^Gildong=洪^吉洞=홍^길동", null}, {"Wang^XiaoDong=王^小東", null}};
    private static final String[] GIVEN = {"JAMES", "MARY", "ROBERT", "PATRICIA", "JOHN", "JENNIFER", "MICHAEL",
        "LINDA", "DAVID", "ELIZABETH", "WILLIAM", "BARBARA", "RICHARD", "SUSAN", "JOSEPH", "JESSICA", "THOMAS",
        "SARAH", "CHARLES", "KAREN", "ANNA", "PETER", "KLAUS", "SABINE", "PIERRE", "MARIE", "LUCA", "GIULIA",
        "JAN", "SOFIE", "PIOTR", "AGNIESZKA", "LARS", "INGRID", "SEAN", "AOIFE", "MIN-JUN", "SEO-YEON", "WEI",
        "HIROSHI", "YUKI", "RAJ", "PRIYA", "DAVID", "NOA", "JOAO", "ANA", "EMMA", "NOAH", "OLIVIA", "LIAM"};

    /** Modality, SOP Class UID, weight (per cent), and what its studies look like. */
    private record Kind(String modality, String sopClass, int weight, String manufacturer, String model,
            String[] studies, String[] series, String[] bodyParts, boolean slices) {}

    private static final List<Kind> KINDS = List.of(
            new Kind("CT", "1.2.840.10008.5.1.4.1.1.2", 35, "SIEMENS", "SOMATOM Force",
                    new String[] {"CT CHEST W/O CONTRAST", "CT ABDOMEN PELVIS W CONTRAST", "CT HEAD W/O CONTRAST",
                        "CT ANGIO PULMONARY", "CT SPINE LUMBAR", "CT CHEST ABDOMEN PELVIS"},
                    new String[] {"AXIAL 1.0 B30f", "AXIAL 3.0 B70f", "CORONAL MPR 3.0", "SAGITTAL MPR 3.0",
                        "TOPOGRAM"}, new String[] {"CHEST", "ABDOMEN", "HEAD", "LSPINE"}, true),
            new Kind("MR", "1.2.840.10008.5.1.4.1.1.4", 25, "GE MEDICAL SYSTEMS", "SIGNA Premier",
                    new String[] {"MR BRAIN W/WO CONTRAST", "MR KNEE LEFT", "MR KNEE RIGHT", "MR LUMBAR SPINE",
                        "MR SHOULDER RIGHT", "MR PROSTATE"},
                    new String[] {"T1 SAG", "T2 AX FSE", "FLAIR AX", "DWI", "T1 AX POST GD", "PD FS COR"},
                    new String[] {"BRAIN", "KNEE", "LSPINE", "SHOULDER", "PROSTATE"}, true),
            new Kind("US", "1.2.840.10008.5.1.4.1.1.6.1", 15, "PHILIPS", "EPIQ 7G",
                    new String[] {"US ABDOMEN COMPLETE", "US THYROID", "US OB 2ND TRIMESTER", "US RENAL",
                        "US CAROTID DOPPLER"},
                    new String[] {"ABDOMEN", "DOPPLER", "MEASUREMENTS"}, new String[] {"ABDOMEN", "NECK", "PELVIS"},
                    false),
            new Kind("CR", "1.2.840.10008.5.1.4.1.1.1", 15, "FUJIFILM Corporation", "FCR PROFECT CS",
                    new String[] {"XR CHEST 2 VIEWS", "XR HAND LEFT", "XR ANKLE RIGHT", "XR PELVIS AP"},
                    new String[] {"PA", "LAT", "AP", "OBLIQUE"}, new String[] {"CHEST", "HAND", "ANKLE", "PELVIS"},
                    false),
            new Kind("DX", "1.2.840.10008.5.1.4.1.1.1.1", 10, "CARESTREAM HEALTH", "DRX-Evolution",
                    new String[] {"XR CHEST PORTABLE", "XR KNEE 3 VIEWS", "XR SPINE CERVICAL", "XR FOOT LEFT"},
                    new String[] {"AP", "LAT", "PA", "OBLIQUE"}, new String[] {"CHEST", "KNEE", "CSPINE", "FOOT"},
                    false));

    /** One study of the plan: which patient, when, what, and how many instances in each series. */
    record Study(int index, int patient, long firstInstance, int kind, String date, String time, String accession,
            int description, int referrer, int[] seriesSizes, int[] seriesKinds) {
        int instances() {
            return Arrays.stream(seriesSizes).sum();
        }
    }

    private final long seed;
    private final List<Study> studies = new ArrayList<>();
    private long[] firsts = new long[0];
    private long planned;
    private final Random planRandom;

    SyntheticArchive(long seed) {
        this.seed = seed;
        this.planRandom = new Random(seed);
    }

    /** Lays out studies until they hold at least {@code instances}; the layout of a prefix never changes. */
    synchronized void plan(long instances) {
        while (planned < instances) {
            Random r = planRandom;
            int index = studies.size();
            int kind = pickKind(r.nextInt(100));
            boolean cross = kind >= 3;
            int seriesCount = cross ? 1 + r.nextInt(2) : 1 + r.nextInt(3);
            int total = cross ? 0 : 30 + r.nextInt(71);
            int[] sizes = new int[seriesCount];
            int[] kinds = new int[seriesCount];
            for (int s = 0; s < seriesCount; s++) {
                sizes[s] = cross ? 1 + r.nextInt(4) : total / seriesCount + (s < total % seriesCount ? 1 : 0);
                kinds[s] = r.nextInt(KINDS.get(kind).series().length);
            }
            LocalDate day = FIRST_DAY.plusDays(r.nextInt(DAYS));
            String time = String.format("%02d%02d%02d", 7 + r.nextInt(13), r.nextInt(60), r.nextInt(60));
            Study st = new Study(index, r.nextInt(PATIENTS), planned, kind, day.format(DA), time,
                    String.format("RAD%08d", 10_000_000 + index * 7 + r.nextInt(7)),
                    r.nextInt(KINDS.get(kind).studies().length), r.nextInt(GIVEN.length * 7), sizes, kinds);
            studies.add(st);
            planned += st.instances();
        }
        firsts = new long[studies.size()];
        for (int i = 0; i < firsts.length; i++) {
            firsts[i] = studies.get(i).firstInstance();
        }
    }

    private static int pickKind(int percent) {
        int acc = 0;
        for (int k = 0; k < KINDS.size(); k++) {
            acc += KINDS.get(k).weight();
            if (percent < acc) {
                return k;
            }
        }
        return 0;
    }

    long planned() {
        return planned;
    }

    int studyCount(long instances) {
        int i = Arrays.binarySearch(firsts, instances);
        return i >= 0 ? i : -i - 1;
    }

    Study studyOf(long instance) {
        int i = Arrays.binarySearch(firsts, instance);
        return studies.get(i >= 0 ? i : -i - 2);
    }

    /** The SOP Instance UID of instance {@code i}. */
    String sopInstanceUid(long i) {
        return uid("instance", i);
    }

    /** The Part 10 bytes of instance {@code i} (plan first). */
    byte[] part10(long i) {
        Study st = studyOf(i);
        long within = i - st.firstInstance();
        int series = 0;
        while (within >= st.seriesSizes()[series]) {
            within -= st.seriesSizes()[series];
            series++;
        }
        Dataset ds = dataset(st, series, (int) within, i);
        ByteArrayOutputStream out = new ByteArrayOutputStream(2048);
        try {
            DicomWriter.write(DicomWriter.newFile(ds, TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN), out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private Dataset dataset(Study st, int series, int number, long i) {
        Kind k = KINDS.get(st.kind());
        Random pr = new Random(seed * 1_000_003L + st.patient());
        String patientName;
        boolean foreign = pr.nextInt(8) == 0;
        if (foreign) {
            String[] f = FOREIGN[pr.nextInt(FOREIGN.length)];
            patientName = f[1] == null ? f[0] : f[0] + "^" + f[1];
        } else {
            patientName = FAMILY[pr.nextInt(FAMILY.length)] + "^" + GIVEN[pr.nextInt(GIVEN.length)];
            if (pr.nextInt(4) == 0) {
                patientName += "^" + (char) ('A' + pr.nextInt(26));
            }
        }
        String patientId = String.format("PID%07d", (st.patient() * 7_919L + 1_234_567L) % 10_000_000L);
        String birth = FIRST_DAY.minusDays(365L * 5 + pr.nextInt(365 * 85)).format(DA);
        String sex = pr.nextBoolean() ? "F" : "M";
        String referrer = FAMILY[st.referrer() % FAMILY.length] + "^" + GIVEN[st.referrer() % GIVEN.length]
                + "^^DR";
        String study = uid("study", st.index());
        String seriesUid = uid("series", st.index() * 4L + series);
        int seriesNumber = series + 1;
        Dataset.Builder b = Dataset.builder();
        if (foreign) {
            b.setStrings(Tag.SpecificCharacterSet, Vr.CS, "ISO_IR 192");
        }
        if (k.slices()) {
            b.setStrings(Tag.ImageType, Vr.CS, "ORIGINAL", "PRIMARY", "AXIAL");
        } else {
            b.setStrings(Tag.ImageType, Vr.CS, "ORIGINAL", "PRIMARY");
        }
        b.setStrings(Tag.InstanceCreationDate, Vr.DA, st.date())
                .setStrings(Tag.SOPClassUID, Vr.UI, k.sopClass())
                .setStrings(Tag.SOPInstanceUID, Vr.UI, sopInstanceUid(i))
                .setStrings(Tag.StudyDate, Vr.DA, st.date()).setStrings(Tag.SeriesDate, Vr.DA, st.date())
                .setStrings(Tag.ContentDate, Vr.DA, st.date()).setStrings(Tag.StudyTime, Vr.TM, st.time())
                .setStrings(Tag.SeriesTime, Vr.TM, st.time())
                .setStrings(Tag.ContentTime, Vr.TM, st.time() + "." + String.format("%03d", number % 1000))
                .setStrings(Tag.AccessionNumber, Vr.SH, st.accession())
                .setStrings(Tag.Modality, Vr.CS, k.modality())
                .setStrings(Tag.Manufacturer, Vr.LO, k.manufacturer())
                .setStrings(Tag.InstitutionName, Vr.LO, "LIGHTBOX GENERAL HOSPITAL")
                .setStrings(Tag.ReferringPhysicianName, Vr.PN, referrer)
                .setStrings(Tag.StationName, Vr.SH, k.modality() + "0" + (1 + st.index() % 3))
                .setStrings(Tag.StudyDescription, Vr.LO, k.studies()[st.description()])
                .setStrings(Tag.SeriesDescription, Vr.LO, k.series()[st.seriesKinds()[series]])
                .setStrings(Tag.ManufacturerModelName, Vr.LO, k.model())
                .setStrings(Tag.PatientName, Vr.PN, patientName).setStrings(Tag.PatientID, Vr.LO, patientId)
                .setStrings(Tag.IssuerOfPatientID, Vr.LO, "LIGHTBOX")
                .setStrings(Tag.PatientBirthDate, Vr.DA, birth).setStrings(Tag.PatientSex, Vr.CS, sex)
                .setStrings(Tag.BodyPartExamined, Vr.CS, k.bodyParts()[st.description() % k.bodyParts().length])
                .setStrings(Tag.ProtocolName, Vr.LO, k.studies()[st.description()]);
        if (k.slices()) {
            b.setStrings(Tag.SliceThickness, Vr.DS, "1.0");
        }
        b.setStrings(Tag.StudyInstanceUID, Vr.UI, study).setStrings(Tag.SeriesInstanceUID, Vr.UI, seriesUid)
                .setStrings(Tag.StudyID, Vr.SH, Integer.toString(st.index() % 100_000))
                .setNumbers(Tag.SeriesNumber, Vr.IS, seriesNumber)
                .setNumbers(Tag.InstanceNumber, Vr.IS, number + 1);
        if (k.slices()) {
            b.setStrings(Tag.ImagePositionPatient, Vr.DS, "-250", "-250", Integer.toString(-number))
                    .setStrings(Tag.ImageOrientationPatient, Vr.DS, "1", "0", "0", "0", "1", "0")
                    .setStrings(Tag.FrameOfReferenceUID, Vr.UI, uid("frame", st.index()))
                    .setNumbers(Tag.SliceLocation, Vr.DS, -number);
        }
        byte[] pixels = new byte[16 * 16 * 2];
        ByteBuffer.wrap(pixels).putLong(0, i).putInt(8, st.index());
        return b.setNumbers(Tag.SamplesPerPixel, Vr.US, 1)
                .setStrings(Tag.PhotometricInterpretation, Vr.CS, "MONOCHROME2")
                .setNumbers(Tag.Rows, Vr.US, 16).setNumbers(Tag.Columns, Vr.US, 16)
                .setNumbers(Tag.BitsAllocated, Vr.US, 16).setNumbers(Tag.BitsStored, Vr.US, 12)
                .setNumbers(Tag.HighBit, Vr.US, 11).setNumbers(Tag.PixelRepresentation, Vr.US, 0)
                .setStrings(Tag.WindowCenter, Vr.DS, "40").setStrings(Tag.WindowWidth, Vr.DS, "400")
                .add(Element.of(Tag.PixelData, Vr.OW, pixels))
                .build();
    }

    /** A 2.25 UID from a UUID derived from the seed, a kind and a number. */
    private String uid(String kind, long n) {
        UUID u = UUID.nameUUIDFromBytes(("lightbox-scale/" + seed + "/" + kind + "/" + n)
                .getBytes(StandardCharsets.US_ASCII));
        BigInteger v = BigInteger.valueOf(u.getMostSignificantBits()).shiftLeft(64)
                .or(new BigInteger(Long.toUnsignedString(u.getLeastSignificantBits())));
        if (v.signum() < 0) {
            v = v.add(BigInteger.ONE.shiftLeft(128));
        }
        return "2.25." + v;
    }
}
