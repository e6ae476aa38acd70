// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicom.json;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Element;
import org.lightbox.dicom.SpecificCharacterSet;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.Tags;
import org.lightbox.dicom.Value;
import org.lightbox.dicom.Vr;

/**
 * Random data sets with conformant values of every VR, nested sequences, empty values and items, private blocks,
 * encapsulated pixel data and several character sets: what the JSON and XML models must carry exactly.
 */
final class RandomModels {
    private static final List<List<String>> CHARSETS = List.of(List.of(), List.of("ISO_IR 100"),
            List.of("ISO_IR 192"), List.of("", "ISO 2022 IR 87"), List.of("GB18030"), List.of("ISO_IR 144"));
    private static final String[] WORDS = {"Doe", "Müller", "Øre", "山田", "やまだ", "Иванов", "王", "x y", "A-1",
        "O'Brien", "<&>\"", "Ünïcødé", "tab\there"};

    private RandomModels() {}

    static Dataset dataset(long seed) {
        Random r = new Random(seed);
        List<String> terms = CHARSETS.get(r.nextInt(CHARSETS.size()));
        Dataset.Builder b = Dataset.builder();
        if (!terms.isEmpty()) {
            b.setStrings(Tag.SpecificCharacterSet, Vr.CS, terms.toArray(String[]::new));
        }
        fill(r, b, 0);
        if (r.nextInt(4) == 0) {
            b.add(pixelData(r));
        }
        return b.build();
    }

    private static void fill(Random r, Dataset.Builder b, int depth) {
        SpecificCharacterSet cs = b.charset();
        int n = 1 + r.nextInt(depth == 0 ? 40 : 8);
        for (int i = 0; i < n; i++) {
            Vr vr = Vr.values()[r.nextInt(Vr.values().length)];
            int tag = Tags.of(0x0010 + 2 * r.nextInt(0x3000), 0x0001 + r.nextInt(0xFFFE));
            b.add(element(r, tag, vr, cs, depth));
        }
        if (r.nextInt(3) == 0) {
            int group = 0x0009 + 2 * r.nextInt(8);
            int block = 0x10 + r.nextInt(0xF0);
            b.setStrings(Tags.of(group, block), Vr.LO, "CREATOR " + r.nextInt(5));
            for (int i = 0; i < 3; i++) {
                Vr vr = Vr.values()[r.nextInt(Vr.values().length)];
                b.add(element(r, Tags.of(group, block << 8 | r.nextInt(0x100)), vr, cs, depth));
            }
        }
    }

    private static Element element(Random r, int tag, Vr vr, SpecificCharacterSet cs, int depth) {
        int count = r.nextInt(8) == 0 ? 0 : 1 + r.nextInt(vr.isMultiValuedText() || !vr.isText() ? 4 : 1);
        if (vr == Vr.SQ) {
            List<Dataset> items = new ArrayList<>();
            for (int i = 0; depth < 3 && i < count; i++) {
                Dataset.Builder item = Dataset.builder().inheritCharset(cs);
                if (r.nextInt(5) > 0) {
                    fill(r, item, depth + 1);
                }
                items.add(item.build());
            }
            return Element.ofItems(tag, items);
        }
        if (!vr.isText()) {
            int unit = vr == Vr.AT ? 4 : Math.max(1, vr.unitSize());
            byte[] bytes = new byte[count * unit * (vr == Vr.OB || vr == Vr.UN ? 2 : 1)];
            r.nextBytes(bytes);
            canonicalNaNs(vr, bytes);
            return Element.of(tag, vr, bytes);
        }
        List<String> values = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            values.add(r.nextInt(6) == 0 && count > 1 ? "" : text(r, vr, cs));
        }
        return Element.ofStrings(tag, vr, cs, values);
    }

    /** JSON and XML carry NaN but not its payload bits, so the generator uses the canonical NaN. */
    private static void canonicalNaNs(Vr vr, byte[] b) {
        if (vr == Vr.FL || vr == Vr.OF) {
            for (int i = 0; i + 4 <= b.length; i += 4) {
                int bits = b[i] & 0xFF | (b[i + 1] & 0xFF) << 8 | (b[i + 2] & 0xFF) << 16 | (b[i + 3] & 0xFF) << 24;
                if (vr == Vr.FL && Float.isNaN(Float.intBitsToFloat(bits))) {
                    b[i] = 0;
                    b[i + 1] = 0;
                    b[i + 2] = (byte) 0xC0;
                    b[i + 3] = 0x7F;
                }
            }
        } else if (vr == Vr.FD) {
            for (int i = 0; i + 8 <= b.length; i += 8) {
                long bits = 0;
                for (int j = 7; j >= 0; j--) {
                    bits = bits << 8 | b[i + j] & 0xFF;
                }
                if (Double.isNaN(Double.longBitsToDouble(bits))) {
                    long nan = Double.doubleToRawLongBits(Double.NaN);
                    for (int j = 0; j < 8; j++) {
                        b[i + j] = (byte) (nan >>> 8 * j);
                    }
                }
            }
        }
    }

    private static String text(Random r, Vr vr, SpecificCharacterSet cs) {
        return switch (vr) {
            case AE -> "AE" + r.nextInt(1000);
            case AS -> String.format("%03d", r.nextInt(1000)) + "DWMY".charAt(r.nextInt(4));
            case CS -> "CODE_" + r.nextInt(100);
            case DA -> String.format("%04d%02d%02d", 1900 + r.nextInt(200), 1 + r.nextInt(12), 1 + r.nextInt(28));
            case DT -> String.format("%04d%02d%02d%02d%02d", 1900 + r.nextInt(200), 1 + r.nextInt(12),
                    1 + r.nextInt(28), r.nextInt(24), r.nextInt(60)) + (r.nextBoolean() ? "+0100" : "");
            case TM -> String.format("%02d%02d%02d.%d", r.nextInt(24), r.nextInt(60), r.nextInt(60), r.nextInt(1000));
            case DS -> List.of("0", "-12.5", "1e3", "+5", ".5", "3.14159265358979", "-0", "1.0E-10", "007",
                    "12345678901234E2").get(r.nextInt(10));
            case IS -> List.of("0", "-12", "+5", "2147483647", "007", "-2147483648").get(r.nextInt(6));
            case UI -> "1.2.840." + r.nextInt(100000) + "." + r.nextInt(10);
            case UR -> "https://example.org/" + r.nextInt(100) + "?q=a b";
            case PN -> personName(r, cs);
            case LT, ST, UT -> (r.nextBoolean() ? "  lead " : "") + words(r, cs, 3) + "\r\nline " + r.nextInt(9);
            default -> words(r, cs, 1 + r.nextInt(2));
        };
    }

    private static String personName(Random r, SpecificCharacterSet cs) {
        String alphabetic = words(r, cs, 1) + (r.nextBoolean() ? "^" + words(r, cs, 1) : "")
                + (r.nextInt(4) == 0 ? "^^Dr" : "");
        return switch (r.nextInt(4)) {
            case 0 -> alphabetic + "=" + words(r, cs, 1) + "^" + words(r, cs, 1);
            case 1 -> alphabetic + "==" + words(r, cs, 1);
            case 2 -> "=" + words(r, cs, 1);
            default -> alphabetic;
        };
    }

    /** Words the character set can encode, so that the data set is one a conformant writer could produce. */
    private static String words(Random r, SpecificCharacterSet cs, int n) {
        StringBuilder sb = new StringBuilder();
        while (n > 0) {
            String w = WORDS[r.nextInt(WORDS.length)];
            byte[] e = cs.encode(w, true);
            if (cs.decode(e, 0, e.length, true).equals(w) && (w.indexOf('\t') < 0 || sb.isEmpty())) {
                sb.append(sb.isEmpty() ? "" : " ").append(w);
                n--;
            }
        }
        String s = sb.toString();
        return s.contains("\t") ? s.replace("\t", " ") : s;
    }

    private static Element pixelData(Random r) {
        if (r.nextBoolean()) {
            byte[] native_ = new byte[2 * (1 + r.nextInt(64))];
            r.nextBytes(native_);
            return Element.of(Tag.PixelData, r.nextBoolean() ? Vr.OW : Vr.OB, native_);
        }
        List<Value> fragments = new ArrayList<>();
        fragments.add(r.nextBoolean() ? Value.Bytes.EMPTY : new Value.Bytes(new byte[] {0, 0, 0, 0}));
        for (int i = 0; i < 1 + r.nextInt(3); i++) {
            byte[] f = new byte[2 * (1 + r.nextInt(32))];
            r.nextBytes(f);
            fragments.add(new Value.Bytes(f));
        }
        return new Element(Tag.PixelData, Vr.OB, new Value.Fragments(fragments), false, true);
    }
}
