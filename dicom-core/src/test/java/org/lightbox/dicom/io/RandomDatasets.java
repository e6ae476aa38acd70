// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicom.io;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Element;
import org.lightbox.dicom.ElementDictionary;
import org.lightbox.dicom.SpecificCharacterSet;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.Tags;
import org.lightbox.dicom.Vr;

/**
 * Random data sets for property tests: every VR, nested sequences with both length forms, private blocks and
 * several character sets. Tags come from the dictionary with a single VR, so implicit VR reads them back alike.
 */
final class RandomDatasets {
    private static final Map<Vr, List<Integer>> TAGS_BY_VR = new EnumMap<>(Vr.class);
    private static final List<List<String>> CHARSETS = List.of(List.of(), List.of("ISO_IR 100"), List.of("ISO_IR 192"),
            List.of("ISO 2022 IR 6", "ISO 2022 IR 87"), List.of("ISO_IR 144"), List.of("GB18030"));
    private static final String[] SAMPLES = {"Doe", "Müller", "Øre", "山田", "やまだ", "Иванов", "王", "x y", "A-1"};

    static {
        for (ElementDictionary.Entry e : ElementDictionary.entries()) {
            int group = Tags.group(e.tag());
            // Group 0002 belongs to the meta, FFFE to items; repeating groups need their mask.
            if (e.vrs().size() == 1 && e.mask() == -1 && group != 0x0002 && group != 0xFFFE && group != 0x0000
                    && !e.keyword().isEmpty() && e.tag() != Tag.SpecificCharacterSet && e.tag() != Tag.PixelData) {
                TAGS_BY_VR.computeIfAbsent(e.vrs().getFirst(), v -> new ArrayList<>()).add(e.tag());
            }
        }
    }

    private RandomDatasets() {}

    static Dataset dataset(Random r) {
        return dataset(r, 0, SpecificCharacterSet.of(CHARSETS.get(r.nextInt(CHARSETS.size()))), true);
    }

    private static Dataset dataset(Random r, int depth, SpecificCharacterSet charset, boolean top) {
        Dataset.Builder b = Dataset.builder();
        if (top && !charset.definedTerms().isEmpty()) {
            b.setStrings(Tag.SpecificCharacterSet, Vr.CS, charset.definedTerms().toArray(String[]::new));
        } else {
            b.inheritCharset(charset);
        }
        int n = 1 + r.nextInt(depth == 0 ? 30 : 6);
        for (int i = 0; i < n; i++) {
            Vr vr = Vr.values()[r.nextInt(Vr.values().length)];
            if (vr == Vr.UN || vr == Vr.SQ && depth >= 3) {
                continue;
            }
            List<Integer> tags = TAGS_BY_VR.get(vr);
            if (tags == null) {
                continue;
            }
            int tag = tags.get(r.nextInt(tags.size()));
            b.add(element(r, tag, vr, depth, charset));
        }
        if (r.nextInt(4) == 0) {
            privateBlock(r, b, charset);
        }
        return b.undefinedLength(r.nextBoolean()).build();
    }

    private static void privateBlock(Random r, Dataset.Builder b, SpecificCharacterSet charset) {
        int group = 0x0009 + 2 * r.nextInt(8);
        b.setStrings(Tags.of(group, 0x0010), Vr.LO, "LIGHTBOX TEST " + r.nextInt(10));
        for (int i = 0; i < 1 + r.nextInt(4); i++) {
            Vr vr = List.of(Vr.LO, Vr.US, Vr.FD, Vr.OB, Vr.SL).get(r.nextInt(5));
            b.add(element(r, Tags.of(group, 0x1000 + i), vr, 3, charset));
        }
    }

    private static Element element(Random r, int tag, Vr vr, int depth, SpecificCharacterSet charset) {
        boolean empty = r.nextInt(12) == 0;
        if (vr == Vr.SQ) {
            List<Dataset> items = new ArrayList<>();
            for (int i = 0; i < (empty ? 0 : 1 + r.nextInt(3)); i++) {
                items.add(dataset(r, depth + 1, charset, false));
            }
            Element e = Element.ofItems(tag, items);
            return new Element(tag, Vr.SQ, e.value(), false, r.nextBoolean());
        }
        if (empty) {
            return Element.of(tag, vr, new byte[0]);
        }
        int count = 1 + r.nextInt(4);
        if (!vr.isText()) {
            int unit = vr == Vr.OB ? 1 : vr.unitSize();
            byte[] bytes = new byte[unit * count * (vr == Vr.OB || vr == Vr.OW ? 1 + r.nextInt(40) : 1)];
            r.nextBytes(bytes);
            if (vr == Vr.OB && (bytes.length & 1) == 1) {
                bytes = java.util.Arrays.copyOf(bytes, bytes.length + 1);
            }
            if (vr == Vr.AT) {
                // Tags, not noise: keep them readable.
                bytes = Element.ofNumbers(tag, Vr.UL, 0x00100010).bytes();
                bytes = new byte[] {bytes[2], bytes[3], bytes[0], bytes[1]};
            }
            return Element.of(tag, vr, bytes);
        }
        List<String> values = new ArrayList<>();
        for (int i = 0; i < (vr.isMultiValuedText() ? count : 1); i++) {
            values.add(text(r, vr));
        }
        return Element.ofStrings(tag, vr, charset, values);
    }

    private static String text(Random r, Vr vr) {
        return switch (vr) {
            case AE -> "AE" + r.nextInt(1000);
            case AS -> String.format("%03dY", r.nextInt(120));
            case CS -> "CODE_" + r.nextInt(100);
            case DA -> String.format("%04d%02d%02d", 1900 + r.nextInt(200), 1 + r.nextInt(12), 1 + r.nextInt(28));
            case DS -> Double.toString(Math.round(r.nextGaussian() * 1e4) / 100.0);
            case DT -> String.format("%04d%02d%02d%02d%02d%02d", 2000 + r.nextInt(30), 1 + r.nextInt(12),
                    1 + r.nextInt(28), r.nextInt(24), r.nextInt(60), r.nextInt(60));
            case IS -> Integer.toString(r.nextInt(200000) - 100000);
            case TM -> String.format("%02d%02d%02d.%03d", r.nextInt(24), r.nextInt(60), r.nextInt(60), r.nextInt(1000));
            case UI -> "1.2.826.0.1." + (1 + r.nextInt(99999)) + "." + r.nextInt(9);
            case UR -> "http://example.test/" + r.nextInt(1000);
            case PN -> SAMPLES[r.nextInt(3)] + "^" + SAMPLES[r.nextInt(SAMPLES.length)]
                    + (r.nextBoolean() ? "=" + SAMPLES[3] + "^" + SAMPLES[r.nextInt(SAMPLES.length)] : "");
            default -> SAMPLES[r.nextInt(SAMPLES.length)] + " " + r.nextInt(100);
        };
    }
}
