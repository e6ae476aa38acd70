// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicom;

import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The character repertoire named by Specific Character Set (0008,0005) (PS3.3 C.12.1.1.2), with the decoding and
 * encoding of the text values it governs (SH, LO, ST, LT, UC, UT, PN; PS3.5 6.1 and Annexes H, I, J, K).
 *
 * <p>Supported Defined Terms: the default repertoire (no value, an empty value or {@code ISO_IR 6}); {@code ISO_IR}
 * and {@code ISO 2022 IR} 100, 101, 109, 110, 144, 127, 126, 138, 148, 166, 203 and 13; {@code ISO 2022 IR 6};
 * the multi-byte code extensions {@code ISO 2022 IR 87}, {@code 159}, {@code 149} and {@code 58}; and the sets
 * without code extensions {@code ISO_IR 192} (UTF-8), {@code GB18030} and {@code GBK}.
 *
 * <p>Decoding is lenient and never throws, because it runs on data from files and peers:
 * <ul>
 *   <li>escape sequences designating any supported set into G0 or G1 are honoured even when (0008,0005) did not
 *       list that set, and even for a single-valued (0008,0005);</li>
 *   <li>bytes with the high bit set when no G1 set is designated are read with the first G1 set that
 *       (0008,0005) declares, or else as ISO 8859-1, which is what pydicom and Orthanc do for the many files that
 *       carry Latin-1 text without declaring it;</li>
 *   <li>{@code ISO_IR 13} also accepts Shift_JIS double-byte characters, which some Japanese devices write under
 *       that term;</li>
 *   <li>bytes that fit no set, unknown or truncated escape sequences and incomplete double-byte characters become
 *       U+FFFD;</li>
 *   <li>an unknown term is read as ISO 8859-1 and reported by {@link #isKnown()}; so are the usual misspellings
 *       ({@code ISO_IR_100}, {@code iso-ir 100}), which are read with the set they evidently mean.</li>
 * </ul>
 *
 * <p>JIS X 0201 romaji (the G0 set of {@code ISO_IR 13}) is treated as ASCII: its only differences, YEN SIGN at
 * 05/12 and OVERLINE at 07/14, would collide with the backslash delimiter (PS3.5 H.1.1, note 3).
 *
 * <p>Encoding replaces a character that no available set can encode by {@code '?'}; compare
 * {@code decode(encode(s))} with {@code s} to detect that. Instances are immutable and thread-safe.
 */
public final class SpecificCharacterSet {

    /** The default repertoire (ISO-IR 6), used when (0008,0005) is absent or empty. */
    public static final SpecificCharacterSet ASCII = new SpecificCharacterSet(List.of());

    private static final int ESC = 0x1B;
    private static final char REPLACEMENT = '\uFFFD';

    private final List<String> definedTerms;
    private final boolean known;
    /** Set for the terms that allow no code extensions and are read by a JDK charset as a whole. */
    private final Charset whole;
    private final GSet initialG0;
    private final GSet initialG1;
    /** Read bytes 08/00 to 15/15 with this when no G1 set is designated. */
    private final GSet fallbackG1;
    /** The sets the encoder may designate, in the order (0008,0005) lists them. */
    private final List<GSet> extensions;

    private SpecificCharacterSet(List<String> terms) {
        this.definedTerms = terms;
        boolean allKnown = true;
        List<Term> resolved = new ArrayList<>(terms.size());
        for (String t : terms) {
            Term term = Term.EXACT.get(t);
            if (term == null) {
                allKnown = false;
                term = Term.LENIENT.get(Term.key(t));
            }
            resolved.add(term); // null when the term is unknown
        }
        this.known = allKnown;
        Term first = resolved.isEmpty() ? Term.DEFAULT : resolved.getFirst();
        if (first == null) {
            first = Term.UNKNOWN;
        }
        this.whole = wholeCharset(resolved);
        // A multi-byte set as the only or first value is read as if value 1 were empty, as pydicom and dcm4che do.
        this.initialG0 = first.g0 != null && first.g0.asciiLike ? first.g0 : GSet.ASCII;
        this.initialG1 = first.g1 != null && !first.g1.doubleByte ? first.g1 : null;
        boolean codeExtensions = terms.size() > 1 || first.iso2022;
        List<GSet> sets = new ArrayList<>();
        for (Term t : codeExtensions ? resolved : List.of(first)) {
            if (t != null && t.wholeName == null) {
                for (GSet s : new GSet[] {t.g0, t.g1}) {
                    if (s != null && !s.asciiLike && !sets.contains(s)) {
                        sets.add(s);
                    }
                }
            }
        }
        this.extensions = List.copyOf(sets);
        this.fallbackG1 = initialG1 != null ? initialG1
                : sets.stream().filter(s -> s.g1).findFirst().orElse(GSet.LATIN1);
    }

    /**
     * UTF-8, GB18030 and GBK allow no code extensions (PS3.3 C.12.1.1.2): the first of them, unless another set
     * precedes it, governs the value alone and the values after it are ignored.
     */
    private static Charset wholeCharset(List<Term> resolved) {
        for (Term t : resolved) {
            if (t != Term.DEFAULT) {
                return t == null ? null : t.whole();
            }
        }
        return null;
    }

    /**
     * Returns the character set named by the values of Specific Character Set (0008,0005), as read and trimmed.
     * An empty list, or one whose values are all empty, means the default repertoire.
     */
    public static SpecificCharacterSet of(List<String> definedTerms) {
        List<String> terms = definedTerms.stream().map(String::strip).toList(); // rejects null values too
        if (terms.stream().allMatch(String::isEmpty)) {
            return ASCII;
        }
        return new SpecificCharacterSet(terms);
    }

    /**
     * Whether every value is a Defined Term of PS3.3 C.12.1.1.2 (or {@code ISO_IR 6}, a common name of the default
     * repertoire), spelt as the standard spells it. If not, decoding is a best guess that the reader may report.
     */
    public boolean isKnown() {
        return known;
    }

    /** The values of (0008,0005) this set was made from; empty for the default repertoire. */
    public List<String> definedTerms() {
        return definedTerms;
    }

    /**
     * Decodes a string value (all VRs that are affected by the character set: SH, LO, ST, LT, UC, UT, PN). The value
     * may hold several values separated by backslash; for PN, code extensions reset at '^' and '=' as well.
     * Padding is kept. Never throws on any content of {@code bytes}.
     */
    public String decode(byte[] bytes, int offset, int length, boolean personName) {
        Objects.checkFromIndexSize(offset, length, bytes.length);
        if (whole != null) {
            return new String(bytes, offset, length, whole);
        }
        // Most values are plain ASCII: every set here has ASCII (or romaji, read as ASCII) in G0 at the start.
        for (int i = offset; i < offset + length; i++) {
            if (bytes[i] < 0x20 && bytes[i] != '\r' && bytes[i] != '\n' && bytes[i] != '\t' && bytes[i] != '\f'
                    || bytes[i] < 0) {
                return new Iso2022Reader(this, bytes, offset, offset + length, personName).read();
            }
        }
        return new String(bytes, offset, length, StandardCharsets.ISO_8859_1);
    }

    /**
     * Encodes; for ISO 2022 sets, chooses the escape sequences needed, the way PS3.5 Annex H/I/J/K examples do,
     * returning to the initial set before each delimiter (backslash, and for PN '^' and '='), CR, LF, FF, TAB and at
     * the end. Characters that no available set can encode become {@code '?'}. No padding is added.
     */
    public byte[] encode(String value, boolean personName) {
        if (whole != null) {
            return value.getBytes(whole);
        }
        return new Iso2022Writer(this, value.length()).write(value, personName);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SpecificCharacterSet other && definedTerms.equals(other.definedTerms);
    }

    @Override
    public int hashCode() {
        return definedTerms.hashCode();
    }

    @Override
    public String toString() {
        return "SpecificCharacterSet[" + (definedTerms.isEmpty() ? "default" : String.join("\\", definedTerms)) + "]";
    }

    private static boolean isDelimiter(int c, boolean personName) {
        return c == '\\' || personName && (c == '^' || c == '=');
    }

    /** Reads one value with ISO 2022 code extensions (PS3.5 6.1.2.5), tracking what G0 and G1 hold. */
    private static final class Iso2022Reader {
        private final SpecificCharacterSet cs;
        private final byte[] in;
        private final int end;
        private final boolean personName;
        private final StringBuilder out;
        private int pos;
        private GSet g0;
        private GSet g1;
        /** The G1 set last designated, which sloppy writers expect to survive a delimiter. */
        private GSet lastG1;

        Iso2022Reader(SpecificCharacterSet cs, byte[] in, int start, int end, boolean personName) {
            this.cs = cs;
            this.in = in;
            this.pos = start;
            this.end = end;
            this.personName = personName;
            this.out = new StringBuilder(end - start);
            this.g0 = cs.initialG0;
            this.g1 = cs.initialG1;
        }

        String read() {
            while (pos < end) {
                int b = in[pos] & 0xFF;
                if (b == ESC) {
                    escape();
                } else if (b < 0x20) {
                    // PS3.5 6.1.2.5.3: writers return to the initial sets before any control character.
                    out.append((char) b);
                    pos++;
                    reset();
                } else if (b < 0x80) {
                    graphicLeft(b);
                } else {
                    graphicRight(b);
                }
            }
            return out.toString();
        }

        private void reset() {
            g0 = cs.initialG0;
            g1 = cs.initialG1;
        }

        private void escape() {
            int j = pos + 1;
            while (j < end && (in[j] & 0xFF) >= 0x20 && (in[j] & 0xFF) <= 0x2F) {
                j++; // intermediate bytes
            }
            if (j >= end || (in[j] & 0xFF) < 0x30 || (in[j] & 0xFF) > 0x7E) {
                out.append(REPLACEMENT); // truncated or malformed: drop ESC and intermediates, keep what follows
                pos = j;
                return;
            }
            String intermediates = new String(in, pos + 1, j - pos - 1, StandardCharsets.ISO_8859_1);
            char fin = (char) in[j];
            pos = j + 1;
            GSet set = GSet.designated(intermediates, fin);
            if (set == null) {
                out.append(REPLACEMENT);
            } else if (GSet.isG1Designation(intermediates)) {
                g1 = set;
                lastG1 = set;
            } else {
                g0 = set;
            }
        }

        private void graphicLeft(int b) {
            if (b == 0x20 || b == 0x7F) {
                out.append((char) b); // SPACE and DELETE are not part of any 94-character set
                pos++;
            } else if (g0.doubleByte) {
                pair(g0, b, 0x21, 0x7E);
            } else {
                out.append(g0.decode(b & 0x7F));
                pos++;
                if (g0.asciiLike && isDelimiter(b, personName)) {
                    reset();
                }
            }
        }

        private void graphicRight(int b) {
            GSet set = g1 != null ? g1 : lastG1 != null ? lastG1 : cs.fallbackG1;
            if (set.doubleByte) {
                pair(set, b, 0xA1, 0xFE);
            } else if (set == GSet.KATAKANA && isShiftJisPair(b)) { // lenient ISO_IR 13, see the class comment
                String s = new String(in, pos, 2, ShiftJis.CHARSET);
                out.append(s.length() == 1 ? s : String.valueOf(REPLACEMENT));
                pos += 2;
            } else {
                out.append(set.decode(b & 0x7F));
                pos++;
            }
        }

        /** Reads a double-byte character whose bytes must both lie in [lo, hi]. */
        private void pair(GSet set, int b, int lo, int hi) {
            int next = pos + 1 < end ? in[pos + 1] & 0xFF : -1;
            if (b < lo || b > hi || next < lo || next > hi) {
                out.append(REPLACEMENT); // incomplete: drop this byte only, the next may start a character
                pos++;
                return;
            }
            out.append(set.decode(((b & 0x7F) << 8) | (next & 0x7F)));
            pos += 2;
        }

        private boolean isShiftJisPair(int b) {
            if (!(b >= 0x81 && b <= 0x9F || b >= 0xE0 && b <= 0xFC) || pos + 1 >= end || ShiftJis.CHARSET == null) {
                return false;
            }
            int t = in[pos + 1] & 0xFF;
            return t >= 0x40 && t <= 0xFC && t != 0x7F;
        }
    }

    /** Writes one value, designating sets as the characters require (PS3.5 6.1.2.5.3, Annex H, I, K). */
    private static final class Iso2022Writer {
        private final SpecificCharacterSet cs;
        private final ByteArrayOutputStream out;
        private GSet g0;
        private GSet g1;

        Iso2022Writer(SpecificCharacterSet cs, int sizeHint) {
            this.cs = cs;
            this.out = new ByteArrayOutputStream(sizeHint + 16);
            this.g0 = cs.initialG0;
            this.g1 = cs.initialG1;
        }

        byte[] write(String value, boolean personName) {
            for (int i = 0; i < value.length(); ) {
                int c = value.codePointAt(i);
                i += Character.charCount(c);
                if (c < 0x20 || c == 0x7F || isDelimiter(c, personName)) {
                    returnToInitial();
                    out.write(c == ESC ? '?' : c); // a bare ESC would be read as the start of an escape sequence
                } else if (c < 0x7F) {
                    if (!g0.asciiLike) {
                        designate(cs.initialG0);
                    }
                    out.write(c);
                } else {
                    writeOther(c);
                }
            }
            returnToInitial();
            return out.toByteArray();
        }

        private void writeOther(int c) {
            int code;
            if (g1 != null && (code = g1.encode(c)) >= 0) {
                emit(g1, code, true);
                return;
            }
            if (!g0.asciiLike && (code = g0.encode(c)) >= 0) {
                emit(g0, code, false);
                return;
            }
            for (GSet s : cs.extensions) {
                if ((code = s.encode(c)) >= 0) {
                    designate(s);
                    emit(s, code, s.g1);
                    return;
                }
            }
            if (!g0.asciiLike) {
                designate(cs.initialG0);
            }
            out.write('?');
        }

        private void emit(GSet set, int code, boolean right) {
            int high = right ? 0x80 : 0;
            if (set.doubleByte) {
                out.write((code >> 8) | high);
            }
            out.write((code & 0x7F) | high);
        }

        private void designate(GSet set) {
            if (set.g1 ? g1 == set : g0 == set) {
                return;
            }
            out.writeBytes(set.designation);
            if (set.g1) {
                g1 = set;
            } else {
                g0 = set;
            }
        }

        /**
         * Restores value 1's sets. G1 is restored explicitly only when value 1 names a G1 set: readers reset it
         * implicitly, but an explicit sequence costs little and helps those that do not.
         */
        private void returnToInitial() {
            if (g0 != cs.initialG0) {
                designate(cs.initialG0);
            }
            if (g1 != cs.initialG1) {
                if (cs.initialG1 != null) {
                    designate(cs.initialG1);
                } else {
                    g1 = null; // PS3.5 I.2 and K.2: the next component designates its G1 set again
                }
            }
        }
    }

    /** A Defined Term of (0008,0005) and the sets it makes initial or available. */
    private record Term(GSet g0, GSet g1, String wholeName, boolean iso2022) {
        /** The JDK charset of a term read as a whole, looked up on first use: some cost milliseconds to load. */
        Charset whole() {
            return wholeName == null ? null : WHOLE.computeIfAbsent(wholeName, n -> {
                Charset cs = charset(n);
                return cs != null ? cs : StandardCharsets.ISO_8859_1; // a runtime without it: Latin-1, never a crash
            });
        }

        static final Term DEFAULT = new Term(GSet.ASCII, null, null, false);
        static final Term UNKNOWN = new Term(GSet.ASCII, GSet.LATIN1, null, false);
        static final Map<String, Term> EXACT = new HashMap<>();
        static final Map<String, Term> LENIENT = new HashMap<>();

        static {
            add("ISO_IR 6", DEFAULT);
            add("ISO 2022 IR 6", new Term(GSet.ASCII, null, null, true));
            singleByte("100", GSet.LATIN1);
            singleByte("101", GSet.LATIN2);
            singleByte("109", GSet.LATIN3);
            singleByte("110", GSet.LATIN4);
            singleByte("144", GSet.CYRILLIC);
            singleByte("127", GSet.ARABIC);
            singleByte("126", GSet.GREEK);
            singleByte("138", GSet.HEBREW);
            singleByte("148", GSet.LATIN5);
            singleByte("203", GSet.LATIN9);
            singleByte("166", GSet.THAI);
            add("ISO_IR 13", new Term(GSet.ROMAJI, GSet.KATAKANA, null, false));
            add("ISO 2022 IR 13", new Term(GSet.ROMAJI, GSet.KATAKANA, null, true));
            add("ISO 2022 IR 87", new Term(GSet.JIS_X0208, null, null, true));
            add("ISO 2022 IR 159", new Term(GSet.JIS_X0212, null, null, true));
            add("ISO 2022 IR 149", new Term(null, GSet.KS_X1001, null, true));
            add("ISO 2022 IR 58", new Term(null, GSet.GB2312, null, true));
            add("ISO_IR 192", new Term(null, null, "UTF-8", false));
            add("GB18030", new Term(null, null, "GB18030", false));
            add("GBK", new Term(null, null, "GBK", false));
            EXACT.put("", DEFAULT);
        }

        private static void singleByte(String number, GSet g1) {
            add("ISO_IR " + number, new Term(GSet.ASCII, g1, null, false));
            add("ISO 2022 IR " + number, new Term(GSet.ASCII, g1, null, true));
        }

        private static void add(String term, Term t) {
            Term usable = t.wholeName != null || t.g0 != null || t.g1 != null ? t : UNKNOWN;
            EXACT.put(term, usable);
            LENIENT.put(key(term), usable);
        }

        /** Folds case and drops separators, so that "iso-ir_100" finds "ISO_IR 100". */
        static String key(String term) {
            StringBuilder sb = new StringBuilder(term.length());
            for (char c : term.toUpperCase(Locale.ROOT).toCharArray()) {
                if (c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
                    sb.append(c);
                }
            }
            return sb.toString();
        }
    }

    private static final java.util.concurrent.ConcurrentMap<String, Charset> WHOLE =
            new java.util.concurrent.ConcurrentHashMap<>();

    /** Shift_JIS, loaded only when a file needs it. */
    private static final class ShiftJis {
        static final Charset CHARSET = charset("Shift_JIS");
    }

    /** The named JDK charset, or null where this runtime lacks it (a jlink image without jdk.charsets). */
    private static Charset charset(String name) {
        try {
            return Charset.isSupported(name) ? Charset.forName(name) : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * One graphic character set that ISO 2022 designates into G0 or G1. A character's code is its 7-bit byte, or
     * for a 94x94 set its two 7-bit bytes as {@code first << 8 | second}; the high bit only says G1.
     */
    private static final class GSet {
        static final GSet ASCII = ascii("(B");
        static final GSet ROMAJI = ascii("(J");
        static final GSet KATAKANA = katakana();
        static final GSet LATIN1 = upper("-A", "ISO-8859-1");
        static final GSet LATIN2 = upper("-B", "ISO-8859-2");
        static final GSet LATIN3 = upper("-C", "ISO-8859-3");
        static final GSet LATIN4 = upper("-D", "ISO-8859-4");
        static final GSet GREEK = upper("-F", "ISO-8859-7");
        static final GSet ARABIC = upper("-G", "ISO-8859-6");
        static final GSet HEBREW = upper("-H", "ISO-8859-8");
        static final GSet CYRILLIC = upper("-L", "ISO-8859-5");
        static final GSet LATIN5 = upper("-M", "ISO-8859-9");
        static final GSet THAI = upper("-T", "x-iso-8859-11"); // TIS 620-2533, plus NBSP at 10/00
        static final GSet LATIN9 = upper("-b", "ISO-8859-15");
        static final GSet JIS_X0208 = doubleByte("$B", "x-JIS0208", false);
        static final GSet JIS_X0212 = doubleByte("$(D", "JIS_X0212-1990", false);
        static final GSet KS_X1001 = doubleByte("$)C", "EUC-KR", true);
        static final GSet GB2312 = doubleByte("$)A", "GB2312", true);
        private static final Map<String, GSet> SETS_94 = Map.of("B", ASCII, "J", ROMAJI, "I", KATAKANA);
        private static final Map<String, GSet> SETS_96 = Map.ofEntries(Map.entry("A", LATIN1),
                Map.entry("B", LATIN2), Map.entry("C", LATIN3), Map.entry("D", LATIN4), Map.entry("F", GREEK),
                Map.entry("G", ARABIC), Map.entry("H", HEBREW), Map.entry("L", CYRILLIC), Map.entry("M", LATIN5),
                Map.entry("T", THAI), Map.entry("b", LATIN9));
        // 04/00 is JIS C 6226-1978, the predecessor of JIS X 0208 that old writers still designate.
        private static final Map<String, GSet> SETS_94X94 =
                Map.of("@", JIS_X0208, "B", JIS_X0208, "D", JIS_X0212, "C", KS_X1001, "A", GB2312);

        final byte[] designation;
        final boolean g1;
        final boolean doubleByte;
        final boolean asciiLike;
        private final Supplier<char[]> source;
        private volatile Tables tables;

        /** The character of each code (U+FFFD where none), and the characters sorted with their codes. */
        private record Tables(char[] byIndex, char[] sortedChars, int[] sortedCodes) {}

        private GSet(String designation, boolean doubleByte, boolean asciiLike, Supplier<char[]> source) {
            this.designation = ((char) ESC + designation).getBytes(StandardCharsets.ISO_8859_1);
            this.g1 = designation.startsWith(")") || designation.startsWith("-") || designation.startsWith("$)");
            this.doubleByte = doubleByte;
            this.asciiLike = asciiLike;
            this.source = source;
        }

        /** The character for a code, or U+FFFD. */
        char decode(int code) {
            int index = index(code);
            return index >= 0 ? tables().byIndex[index] : REPLACEMENT;
        }

        /** The code of a character, or -1 when this set lacks it. */
        int encode(int c) {
            if (c > 0xFFFF || c == REPLACEMENT) {
                return -1;
            }
            Tables t = tables();
            int k = Arrays.binarySearch(t.sortedChars, (char) c);
            return k >= 0 ? t.sortedCodes[k] : -1;
        }

        private int index(int code) {
            if (!doubleByte) {
                return code >= 0 && code < 0x80 ? code : -1;
            }
            int c1 = code >> 8;
            int c2 = code & 0xFF;
            return c1 >= 0x21 && c1 <= 0x7E && c2 >= 0x21 && c2 <= 0x7E ? (c1 - 0x21) * 94 + (c2 - 0x21) : -1;
        }

        private int code(int index) {
            return doubleByte ? (index / 94 + 0x21) << 8 | (index % 94 + 0x21) : index;
        }

        /** Built on first use, as the 94x94 tables cost a few milliseconds; a race only builds them twice. */
        private Tables tables() {
            Tables t = tables;
            if (t == null) {
                char[] byIndex = source.get();
                long[] pairs = new long[byIndex.length];
                int n = 0;
                for (int i = 0; i < byIndex.length; i++) {
                    if (byIndex[i] != REPLACEMENT) {
                        pairs[n++] = (long) byIndex[i] << 32 | code(i); // sorted by character, then by code
                    }
                }
                Arrays.sort(pairs, 0, n);
                char[] chars = new char[n];
                int[] codes = new int[n];
                int m = 0;
                for (int k = 0; k < n; k++) {
                    char c = (char) (pairs[k] >>> 32);
                    if (m == 0 || chars[m - 1] != c) { // where two codes share a character, the lower code wins
                        chars[m] = c;
                        codes[m++] = (int) pairs[k];
                    }
                }
                tables = t = new Tables(byIndex, Arrays.copyOf(chars, m), Arrays.copyOf(codes, m));
            }
            return t;
        }

        static boolean isG1Designation(String intermediates) {
            return intermediates.equals(")") || intermediates.equals("-") || intermediates.equals("$)");
        }

        /** The set an escape sequence designates (ISO/IEC 2022 clause 14), or null when it is none we support. */
        static GSet designated(String intermediates, char fin) {
            String f = String.valueOf(fin);
            return switch (intermediates) {
                case "(", ")" -> SETS_94.get(f);
                case "-" -> SETS_96.get(f);
                case "$" -> "@AB".indexOf(fin) >= 0 ? SETS_94X94.get(f) : null; // the short G0 form
                case "$(", "$)" -> SETS_94X94.get(f);
                default -> null;
            };
        }

        private static GSet ascii(String designation) {
            return new GSet(designation, false, true, () -> {
                char[] t = emptyTable(0x80);
                for (int c = 0x21; c < 0x7F; c++) {
                    t[c] = (char) c;
                }
                return t;
            });
        }

        private static GSet katakana() {
            return new GSet(")I", false, false, () -> {
                char[] t = emptyTable(0x80);
                for (int c = 0x21; c <= 0x5F; c++) {
                    t[c] = (char) (0xFF61 + c - 0x21); // JIS X 0201 katakana are Unicode's halfwidth forms, in order
                }
                return t;
            });
        }

        /** The upper half of an ISO 8859 code page: a 96-character G1 set, plus the C1 controls at 08/00-09/15. */
        private static GSet upper(String designation, String charsetName) {
            return new GSet(designation, false, false, () -> {
                Charset cs = charset(charsetName);
                char[] t = emptyTable(0x80);
                for (int code = 0; code < 0x80; code++) {
                    if (code < 0x20) {
                        t[code] = (char) (0x80 + code);
                    } else if (cs != null) {
                        t[code] = single(new String(new byte[] {(byte) (code | 0x80)}, cs));
                    }
                }
                return t;
            });
        }

        /** A 94x94 set read through a JDK charset that takes the 7-bit codes, or the codes with the high bit set. */
        private static GSet doubleByte(String designation, String charsetName, boolean highBit) {
            return new GSet(designation, true, false, () -> {
                Charset cs = charset(charsetName);
                char[] t = emptyTable(94 * 94);
                int bit = highBit ? 0x80 : 0;
                for (int i = 0; cs != null && i < t.length; i++) {
                    // One pair at a time: some JDK decoders resynchronise on the second byte of an unmapped pair,
                    // which would misalign a longer run.
                    byte[] two = {(byte) ((i / 94 + 0x21) | bit), (byte) ((i % 94 + 0x21) | bit)};
                    t[i] = single(new String(two, cs));
                }
                return t;
            });
        }

        private static char[] emptyTable(int size) {
            char[] t = new char[size];
            Arrays.fill(t, REPLACEMENT);
            return t;
        }

        private static char single(String decoded) {
            return decoded.length() == 1 ? decoded.charAt(0) : REPLACEMENT;
        }
    }
}
