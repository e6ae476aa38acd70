// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicom.json;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Element;
import org.lightbox.dicom.Tags;
import org.lightbox.dicom.Value;
import org.lightbox.dicom.Vr;

/**
 * Compares a data set with the one read back from JSON or XML: the same elements with the same values, where the
 * models may legitimately differ from the Part 10 encoding only in byte order (the models are little endian), group
 * lengths (left out), sequence and item length forms, UN holding items (written as SQ), padding of odd-length
 * values, and (XML only) the trailing empty components of person names that PS3.19 cannot express.
 *
 * <p>Values whose bytes differ but which decode to the same text are "equal by value"; they are collected in
 * {@link #inexact()} so that tests can tell exact from value-only round trips.
 */
final class ModelEquivalence {
    private final List<String> inexact = new ArrayList<>();

    /** Empty when equivalent, else the first difference with its path. */
    String difference(Dataset expected, Dataset actual) {
        return difference(expected, actual, "");
    }

    /** Elements equal by decoded value only (their bytes differ). */
    List<String> inexact() {
        return inexact;
    }

    private String difference(Dataset a, Dataset b, String path) {
        List<Element> x = a.elements().stream().filter(e -> !Tags.isGroupLength(e.tag())).toList();
        List<Element> y = b.elements().stream().filter(e -> !Tags.isGroupLength(e.tag())).toList();
        for (int i = 0; i < Math.max(x.size(), y.size()); i++) {
            if (i >= x.size() || i >= y.size() || x.get(i).tag() != y.get(i).tag()) {
                return path + ": element " + i + " is " + (i < x.size() ? Tags.format(x.get(i).tag()) : "missing")
                        + " vs " + (i < y.size() ? Tags.format(y.get(i).tag()) : "missing");
            }
            String d = difference(a, x.get(i), b, y.get(i), path + "/" + Tags.hex(x.get(i).tag()));
            if (!d.isEmpty()) {
                return d;
            }
        }
        return "";
    }

    private String difference(Dataset da, Element a, Dataset db, Element b, String path) {
        Vr va = a.value() instanceof Value.Items ? Vr.SQ : a.vr();
        Vr vb = b.value() instanceof Value.Items ? Vr.SQ : b.vr();
        if (va != vb) {
            return path + ": VR " + a.vr() + " vs " + b.vr();
        }
        if (a.value() instanceof Value.Items ia) {
            if (!(b.value() instanceof Value.Items ib) || ia.items().size() != ib.items().size()) {
                return path + ": " + a.items().size() + " items vs " + b.items().size();
            }
            for (int i = 0; i < ia.items().size(); i++) {
                String d = difference(ia.items().get(i), ib.items().get(i), path + "/Value/" + i);
                if (!d.isEmpty()) {
                    return d;
                }
            }
            return "";
        }
        if (b.value() instanceof Value.Items) {
            return path + ": items vs a value";
        }
        if (a.value() instanceof Value.Fragments fa) {
            if (!(b.value() instanceof Value.Fragments fb) || fa.fragments().size() != fb.fragments().size()) {
                return path + ": fragments differ";
            }
            for (int i = 0; i < fa.fragments().size(); i++) {
                if (!Arrays.equals(bytes(fa.fragments().get(i)), bytes(fb.fragments().get(i)))) {
                    return path + ": fragment " + i + " differs";
                }
            }
            return "";
        }
        byte[] x = a.withByteOrder(false).bytes();
        byte[] y = b.withByteOrder(false).bytes();
        if (Arrays.equals(x, y)) {
            return "";
        }
        if (!a.vr().isText()) {
            // Only the padding of an odd-length value may differ.
            if (y.length == x.length + 1 && (x.length & 1) == 1 && y[x.length] == 0
                    && Arrays.equals(x, Arrays.copyOf(y, x.length))) {
                inexact.add(path + ": odd length padded");
                return "";
            }
            return path + ": " + a.vr() + " values differ";
        }
        List<String> sa = normalised(a.vr(), a.strings(da.charset()));
        List<String> sb = normalised(b.vr(), b.strings(db.charset()));
        if (sa.equals(sb)) {
            inexact.add(path + ": " + a.vr() + " equal by value only");
            return "";
        }
        return path + ": " + a.vr() + " " + sa + " vs " + sb;
    }

    private static List<String> normalised(Vr vr, List<String> values) {
        List<String> out = new ArrayList<>();
        for (String v : values) {
            out.add(vr == Vr.PN ? personName(v) : v);
        }
        // A value of padding only is as empty as no value.
        return out.size() == 1 && out.getFirst().isEmpty() ? List.of() : out;
    }

    /** A PN value without trailing empty components and groups. */
    static String personName(String v) {
        String[] groups = v.split("=", -1);
        List<String> out = new ArrayList<>();
        for (String g : groups) {
            out.add(g.replaceAll("\\^+$", ""));
        }
        while (!out.isEmpty() && out.getLast().isEmpty()) {
            out.removeLast();
        }
        return String.join("=", out);
    }

    /**
     * The sequence a UN value holds (PS3.5 6.2.2: items in implicit VR little endian), read by Lightbox's reader, for
     * comparing with peers that keep such a value as bytes.
     */
    static Element sequenceFromUn(int tag, byte[] items) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8 + items.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putShort((short) (tag >>> 16)).putShort((short) tag).putInt(items.length).put(items);
        try {
            Dataset ds = org.lightbox.dicom.io.DicomReader.readDataset(new java.io.ByteArrayInputStream(b.array()),
                    org.lightbox.dicom.TransferSyntax.IMPLICIT_VR_LITTLE_ENDIAN, org.lightbox.dicom.io.ReadOptions.DEFAULT);
            return ds.get(tag).orElseThrow();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static byte[] bytes(Value v) {
        return new Element(0, Vr.OB, v, false, false).bytes();
    }
}
