// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicom.json;

import java.io.InputStream;
import java.io.Reader;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.TreeMap;
import javax.xml.stream.Location;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import org.lightbox.dicom.Vr;
import org.lightbox.dicom.json.Assembler.Attr;

/** Reads a Native DICOM Model document (PS3.19 A.1) into attributes, with StAX; no DTDs, no external entities. */
final class XmlReading {
    private final XMLStreamReader r;

    private XmlReading(XMLStreamReader r) {
        this.r = r;
    }

    static List<Attr> read(InputStream in) throws DicomModelException {
        try {
            return new XmlReading(factory().createXMLStreamReader(in)).document();
        } catch (XMLStreamException e) {
            throw wrap(e);
        }
    }

    static List<Attr> read(Reader in) throws DicomModelException {
        try {
            return new XmlReading(factory().createXMLStreamReader(in)).document();
        } catch (XMLStreamException e) {
            throw wrap(e);
        }
    }

    private static XMLInputFactory factory() {
        XMLInputFactory f = XMLInputFactory.newFactory();
        // Hostile documents must not reach the network or the file system, nor expand entities without bound.
        f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        f.setProperty(XMLInputFactory.IS_COALESCING, true);
        try {
            // The JDK's default of 100 levels is less than the sequence depth we accept (two levels per item).
            f.setProperty("jdk.xml.maxElementDepth", 2 * Assembler.MAX_DEPTH + 8);
        } catch (IllegalArgumentException e) {
            // An implementation without the property keeps its own limit.
        }
        return f;
    }

    private List<Attr> document() throws XMLStreamException, DicomModelException {
        while (r.hasNext() && r.next() != XMLStreamConstants.START_ELEMENT) {
            // prolog: declaration, comments, processing instructions
        }
        if (!r.isStartElement() || !r.getLocalName().equals("NativeDicomModel")) {
            throw error("", "the document's root element is not NativeDicomModel");
        }
        return dataset("", 0);
    }

    /** Reads the DicomAttribute children of the current element up to its end tag. */
    private List<Attr> dataset(String path, int depth) throws XMLStreamException, DicomModelException {
        if (depth > Assembler.MAX_DEPTH) {
            throw error(path, "sequences nest deeper than " + Assembler.MAX_DEPTH + " levels");
        }
        List<Attr> out = new ArrayList<>();
        while (nextChild()) {
            if (!r.getLocalName().equals("DicomAttribute")) {
                throw error(path, "unexpected element <" + r.getLocalName() + "> where DicomAttribute was expected");
            }
            out.add(attribute(path, depth));
        }
        return out;
    }

    private Attr attribute(String parent, int depth) throws XMLStreamException, DicomModelException {
        Location at = r.getLocation();
        String tagText = r.getAttributeValue(null, "tag");
        if (tagText == null || !tagText.matches("[0-9A-Fa-f]{8}")) {
            throw error(parent, "DicomAttribute needs a tag attribute of eight hexadecimal digits, not " + tagText);
        }
        int tag = Integer.parseUnsignedInt(tagText, 16);
        String path = parent + "/" + tagText.toUpperCase();
        String vrText = r.getAttributeValue(null, "vr");
        Vr vr;
        try {
            vr = Vr.valueOf(String.valueOf(vrText));
        } catch (IllegalArgumentException e) {
            throw error(path, "DicomAttribute needs a vr attribute naming a value representation, not " + vrText);
        }
        String creator = r.getAttributeValue(null, "privateCreator");
        TreeMap<Integer, String> values = new TreeMap<>();
        List<List<Attr>> items = new ArrayList<>();
        Assembler.Content content = null;
        String kind = null;
        while (nextChild()) {
            String name = r.getLocalName();
            if (kind != null && !kind.equals(name) || content != null) {
                throw error(path, "<" + name + "> after <" + kind + ">: an attribute holds values, person names,"
                        + " items, InlineBinary or BulkData, one kind only");
            }
            kind = name;
            switch (name) {
                case "Value" -> values.put(number(path, values.size()), r.getElementText());
                case "PersonName" -> {
                    int n = number(path, values.size());
                    values.put(n, personName(path + "/Value/" + (n - 1)));
                }
                case "Item" -> {
                    int n = number(path, items.size());
                    if (n != items.size() + 1) {
                        throw error(path, "Item number " + n + " where " + (items.size() + 1) + " was expected");
                    }
                    items.add(dataset(path + "/Value/" + (n - 1), depth + 1));
                }
                case "InlineBinary" -> {
                    String text = r.getElementText();
                    try {
                        content = new Assembler.Inline(Base64.getDecoder().decode(text.replaceAll("\\s", "")));
                    } catch (IllegalArgumentException e) {
                        throw error(path, "invalid base64 in InlineBinary: " + e.getMessage());
                    }
                }
                case "BulkData" -> {
                    String uri = r.getAttributeValue(null, "uri");
                    String uuid = r.getAttributeValue(null, "uuid");
                    if (uri == null && uuid == null) {
                        throw error(path, "BulkData needs a uri or uuid attribute");
                    }
                    content = new Assembler.Uri(uri != null ? uri : "urn:uuid:" + uuid);
                    skipElement();
                }
                default -> throw error(path, "unexpected element <" + name + "> in DicomAttribute");
            }
        }
        if (content == null) {
            content = !items.isEmpty() ? new Assembler.Items(items)
                    : !values.isEmpty() ? new Assembler.Texts(ordered(values, vr)) : new Assembler.None();
        }
        return new Attr(tag, vr, creator, content, path, at.getLineNumber(), at.getColumnNumber());
    }

    /** Values by number; a gap is an empty value; XML text of numbers may carry white space. */
    private static List<String> ordered(TreeMap<Integer, String> values, Vr vr) {
        int last = values.lastKey();
        List<String> out = new ArrayList<>(last);
        for (int i = 1; i <= last; i++) {
            String v = values.get(i);
            if (v != null && !vr.isText()) {
                v = v.strip();
            }
            out.add(v == null || v.isEmpty() ? null : v);
        }
        return out;
    }

    private String personName(String path) throws XMLStreamException, DicomModelException {
        String[] groups = {"", "", ""};
        while (nextChild()) {
            int g = switch (r.getLocalName()) {
                case "Alphabetic", "SingleByte" -> 0;
                case "Ideographic" -> 1;
                case "Phonetic" -> 2;
                default -> throw error(path, "unexpected element <" + r.getLocalName() + "> in PersonName");
            };
            String[] parts = {"", "", "", "", ""};
            while (nextChild()) {
                int c = List.of(DicomXml.COMPONENTS).indexOf(r.getLocalName());
                if (c < 0) {
                    throw error(path, "unexpected element <" + r.getLocalName() + "> in a person name group");
                }
                parts[c] = r.getElementText();
            }
            int used = 5;
            while (used > 0 && parts[used - 1].isEmpty()) {
                used--;
            }
            groups[g] = String.join("^", List.of(parts).subList(0, used));
        }
        return !groups[2].isEmpty() ? groups[0] + "=" + groups[1] + "=" + groups[2]
                : groups[1].isEmpty() ? groups[0] : groups[0] + "=" + groups[1];
    }

    private int number(String path, int count) throws DicomModelException {
        String n = r.getAttributeValue(null, "number");
        if (n == null) {
            return count + 1;
        }
        try {
            int v = Integer.parseInt(n.strip());
            if (v >= 1 && v <= 1 << 24) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw error(path, "number=\"" + n + "\" is not a positive integer");
    }

    /** Advances to the next child element of the current one; false at its end tag. Text between is ignored. */
    private boolean nextChild() throws XMLStreamException {
        while (r.hasNext()) {
            int ev = r.next();
            if (ev == XMLStreamConstants.START_ELEMENT) {
                return true;
            }
            if (ev == XMLStreamConstants.END_ELEMENT) {
                return false;
            }
        }
        return false;
    }

    private void skipElement() throws XMLStreamException {
        int depth = 1;
        while (depth > 0 && r.hasNext()) {
            int ev = r.next();
            if (ev == XMLStreamConstants.START_ELEMENT) {
                depth++;
            } else if (ev == XMLStreamConstants.END_ELEMENT) {
                depth--;
            }
        }
    }

    private DicomModelException error(String path, String reason) {
        Location at = r.getLocation();
        return new DicomModelException(reason, path, at.getLineNumber(), at.getColumnNumber());
    }

    private static DicomModelException wrap(XMLStreamException e) {
        Location at = e.getLocation();
        String msg = e.getMessage();
        // StAX prefixes "ParseError at [row,col]:[l,c]\nMessage: "; the position is given separately.
        int m = msg == null ? -1 : msg.indexOf("Message: ");
        String reason = "malformed XML: " + (m >= 0 ? msg.substring(m + 9) : msg);
        return new DicomModelException(reason, "", at == null ? -1 : at.getLineNumber(),
                at == null ? -1 : at.getColumnNumber(), e);
    }
}
