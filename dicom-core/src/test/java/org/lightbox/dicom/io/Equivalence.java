// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicom.io;

import java.util.Arrays;
import java.util.List;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Element;
import org.lightbox.dicom.ElementDictionary;
import org.lightbox.dicom.Tags;
import org.lightbox.dicom.Value;
import org.lightbox.dicom.Vr;

/**
 * Whether two data sets hold the same information although encoded differently: byte order, explicit or implicit
 * VR (which turns private and unknown VRs into UN), and how sequences are delimited.
 */
final class Equivalence {
    private Equivalence() {}

    /** Empty when equivalent, else a description of the first difference. */
    static String difference(Dataset a, Dataset b) {
        return difference(a, b, "");
    }

    private static String difference(Dataset a, Dataset b, String path) {
        List<Element> x = a.elements();
        List<Element> y = b.elements();
        for (int i = 0; i < Math.max(x.size(), y.size()); i++) {
            if (i >= x.size() || i >= y.size() || x.get(i).tag() != y.get(i).tag()) {
                return path + ": element " + i + " is " + (i < x.size() ? Tags.format(x.get(i).tag()) : "missing")
                        + " vs " + (i < y.size() ? Tags.format(y.get(i).tag()) : "missing");
            }
            String d = difference(x.get(i), y.get(i), path + " > " + Tags.format(x.get(i).tag()));
            if (!d.isEmpty()) {
                return d;
            }
        }
        return "";
    }

    private static String difference(Element a, Element b, String path) {
        if (!compatibleVrs(a, b)) {
            return path + ": VR " + a.vr() + " vs " + b.vr();
        }
        if (a.value() instanceof Value.Items ia) {
            if (!(b.value() instanceof Value.Items ib) || ia.items().size() != ib.items().size()) {
                return path + ": items differ";
            }
            for (int i = 0; i < ia.items().size(); i++) {
                String d = difference(ia.items().get(i), ib.items().get(i), path + "[" + i + "]");
                if (!d.isEmpty()) {
                    return d;
                }
            }
            return "";
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
        return Arrays.equals(littleEndian(a, b), littleEndian(b, a)) ? "" : path + ": values differ";
    }

    private static boolean compatibleVrs(Element a, Element b) {
        if (a.vr() == b.vr() || a.vr() == Vr.UN || b.vr() == Vr.UN) {
            return true;
        }
        List<Vr> alternatives = ElementDictionary.lookup(a.tag()).map(ElementDictionary.Entry::vrs).orElse(List.of());
        return alternatives.contains(a.vr()) && alternatives.contains(b.vr());
    }

    /** The value in little endian, swapped by the VR of whichever side knows it (UN values are never swapped). */
    private static byte[] littleEndian(Element e, Element other) {
        byte[] raw = e.bytes();
        Vr vr = e.vr() != Vr.UN ? e.vr() : other.vr();
        if (!e.bigEndian() || e.vr() == Vr.UN || vr.unitSize() < 2) {
            return raw;
        }
        return e.withByteOrder(false).bytes();
    }

    private static byte[] bytes(Value v) {
        return new Element(0, Vr.OB, v, false, false).bytes();
    }
}
