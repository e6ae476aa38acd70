// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicom.json;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Element;
import org.lightbox.dicom.SpecificCharacterSet;
import org.lightbox.dicom.Tags;

/**
 * The Native DICOM Model of PS3.19 Annex A.1: writing a data set as a {@code NativeDicomModel} XML document and
 * reading one back.
 *
 * <p>Writing: a {@code DicomAttribute} per element in tag order (group lengths left out) with {@code tag},
 * {@code vr}, {@code keyword} (standard elements) and {@code privateCreator} (private elements, whose tag then carries
 * only the low byte of the element, ggggxxee with xx as 00, as PS3.19 and DCMTK have it; the full tag when the
 * creator is missing or reserves two blocks of the group); {@code Value number="n"} per value (empty for an empty
 * value), {@code PersonName} with {@code Alphabetic}/{@code Ideographic}/{@code Phonetic} groups of
 * {@code FamilyName}, {@code GivenName}, {@code MiddleName}, {@code NamePrefix}, {@code NameSuffix}, {@code Item
 * number="n"}, {@code InlineBinary} (little endian, encapsulated pixel data as its whole Value Field) or
 * {@code BulkData uri}. Numbers are written as in DICOM JSON. A carriage return is written as {@code &#13;} so that it
 * survives XML line-end normalisation; characters XML 1.0 cannot carry at all (most C0 controls) become U+FFFD.
 *
 * <p>Reading accepts documents with or without the PS3.19 namespace, the 2011 {@code SingleByte} group name,
 * {@code BulkData uuid} (given to the loader as {@code urn:uuid:...}), and private tags in either form.
 */
public final class DicomXml {
    static final String NAMESPACE = "http://dicom.nema.org/PS3.19/models/NativeDICOM";
    private static final String[] GROUPS = {"Alphabetic", "Ideographic", "Phonetic"};
    static final String[] COMPONENTS = {"FamilyName", "GivenName", "MiddleName", "NamePrefix", "NameSuffix"};

    private DicomXml() {}

    /** Writes the data set as a Native DICOM Model document in UTF-8 (the declaration says so). */
    public static void write(Dataset ds, Writer out, BulkDataPolicy policy) throws IOException {
        try {
            XMLStreamWriter w = XMLOutputFactory.newFactory().createXMLStreamWriter(out);
            w.writeStartDocument("UTF-8", "1.0");
            w.writeCharacters("\n");
            w.writeStartElement("NativeDicomModel");
            w.writeDefaultNamespace(NAMESPACE);
            w.writeAttribute("xml", "http://www.w3.org/XML/1998/namespace", "space", "preserve");
            dataset(ds, w, policy, "");
            w.writeEndElement();
            w.writeCharacters("\n");
            w.writeEndDocument();
            w.flush();
        } catch (XMLStreamException e) {
            throw new IOException("cannot write XML: " + e.getMessage(), e);
        }
    }

    /** The data set as a Native DICOM Model document with every value inline. */
    public static String toXml(Dataset ds) {
        StringWriter sw = new StringWriter();
        try {
            write(ds, sw, BulkDataPolicy.inline());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return sw.toString();
    }

    /** Reads a document from bytes, honouring its encoding declaration; a BulkData reference is an error. */
    public static Dataset read(InputStream in) throws IOException {
        return read(in, BulkDataLoader.none());
    }

    public static Dataset read(InputStream in, BulkDataLoader loader) throws IOException {
        List<Assembler.Attr> attrs = XmlReading.read(in);
        return new Assembler(loader).build(attrs, SpecificCharacterSet.ASCII, 0);
    }

    /** Reads a document from text; a BulkData reference is an error. */
    public static Dataset read(Reader in) throws IOException {
        return read(in, BulkDataLoader.none());
    }

    public static Dataset read(Reader in, BulkDataLoader loader) throws IOException {
        List<Assembler.Attr> attrs = XmlReading.read(in);
        return new Assembler(loader).build(attrs, SpecificCharacterSet.ASCII, 0);
    }

    private static void dataset(Dataset ds, XMLStreamWriter w, BulkDataPolicy policy, String path)
            throws XMLStreamException, IOException {
        Map<String, Integer> creators = creatorCounts(ds);
        for (Element e : ds) {
            if (!Forms.included(e)) {
                continue;
            }
            String p = path + "/" + Tags.hex(e.tag());
            w.writeCharacters("\n");
            w.writeStartElement("DicomAttribute");
            String creator = creatorOf(ds, e.tag());
            int tag = creator != null && creators.getOrDefault(Tags.group(e.tag()) + "/" + creator, 0) == 1
                    ? e.tag() & 0xFFFF00FF : e.tag();
            w.writeAttribute("tag", Tags.hex(tag));
            w.writeAttribute("vr", Forms.vrOf(e).name());
            String keyword = Forms.keyword(e.tag());
            if (!keyword.isEmpty()) {
                w.writeAttribute("keyword", keyword);
            }
            if (creator != null) {
                w.writeAttribute("privateCreator", xmlSafe(creator));
            }
            switch (Forms.of(ds, e, p, policy)) {
                case Forms.Empty x -> { }
                case Forms.Texts t -> values(t.values(), w);
                case Forms.Numbers n -> values(n.values(), w);
                case Forms.Names n -> {
                    // A name of delimiters only ("^") has no component PS3.19 can hold: it is an empty value.
                    List<String[]> names = n.values().stream().map(g -> g == null
                            || String.join("", g).replace("^", "").isEmpty() ? null : g).toList();
                    boolean empty = names.size() == 1 && names.getFirst() == null;
                    for (int i = 0; !empty && i < names.size(); i++) {
                        personName(i + 1, names.get(i), w);
                    }
                }
                case Forms.Items items -> {
                    for (int i = 0; i < items.items().size(); i++) {
                        w.writeCharacters("\n");
                        w.writeStartElement("Item");
                        w.writeAttribute("number", Integer.toString(i + 1));
                        dataset(items.items().get(i), w, policy, p + "/Value/" + i);
                        w.writeCharacters("\n");
                        w.writeEndElement();
                    }
                }
                case Forms.Binary b -> {
                    w.writeCharacters("\n");
                    w.writeStartElement("InlineBinary");
                    Forms.writeBase64(b.element(), new CharactersOf(w));
                    w.writeEndElement();
                }
                case Forms.BulkUri u -> {
                    w.writeCharacters("\n");
                    w.writeEmptyElement("BulkData");
                    w.writeAttribute("uri", xmlSafe(u.uri()));
                }
            }
            w.writeCharacters("\n");
            w.writeEndElement();
        }
    }

    /** The creator of a private data element when the data set names it, else null (the tag is then written whole). */
    private static String creatorOf(Dataset ds, int tag) {
        if (!Tags.isPrivate(tag) || Tags.element(tag) < 0x1000) {
            return null;
        }
        return ds.privateCreator(tag).filter(s -> !s.isEmpty()).orElse(null);
    }

    /**
     * How many blocks of its group each private creator reserves, keyed "group/creator": the short tag form is
     * unambiguous only for a creator that reserves one.
     */
    private static Map<String, Integer> creatorCounts(Dataset ds) {
        Map<String, Integer> out = new HashMap<>();
        for (Element e : ds) {
            if (Tags.isPrivateCreator(e.tag())) {
                ds.string(e.tag()).ifPresent(c -> out.merge(Tags.group(e.tag()) + "/" + c, 1, Integer::sum));
            }
        }
        return out;
    }

    private static void values(List<String> values, XMLStreamWriter w) throws XMLStreamException {
        for (int i = 0; i < values.size(); i++) {
            w.writeCharacters("\n");
            w.writeStartElement("Value");
            w.writeAttribute("number", Integer.toString(i + 1));
            text(values.get(i), w);
            w.writeEndElement();
        }
    }

    private static void personName(int number, String[] groups, XMLStreamWriter w) throws XMLStreamException {
        w.writeCharacters("\n");
        w.writeStartElement("PersonName");
        w.writeAttribute("number", Integer.toString(number));
        for (int g = 0; groups != null && g < 3; g++) {
            if (groups[g].replace("^", "").isEmpty()) {
                continue; // no component to hold
            }
            w.writeCharacters("\n");
            w.writeStartElement(GROUPS[g]);
            String[] parts = groups[g].split("\\^", 5); // a stray sixth component stays in NameSuffix
            for (int c = 0; c < parts.length; c++) {
                if (!parts[c].isEmpty()) {
                    w.writeCharacters("\n");
                    w.writeStartElement(COMPONENTS[c]);
                    text(parts[c], w);
                    w.writeEndElement();
                }
            }
            w.writeCharacters("\n");
            w.writeEndElement();
        }
        w.writeCharacters("\n");
        w.writeEndElement();
    }

    /** Character data; CR as a character reference so it is not normalised away on reading. */
    private static void text(String s, XMLStreamWriter w) throws XMLStreamException {
        if (s == null) {
            return;
        }
        String safe = xmlSafe(s);
        int start = 0;
        for (int i = safe.indexOf('\r'); i >= 0; i = safe.indexOf('\r', start)) {
            w.writeCharacters(safe.substring(start, i));
            w.writeEntityRef("#13");
            start = i + 1;
        }
        w.writeCharacters(safe.substring(start));
    }

    /** Replaces what XML 1.0 cannot hold, even as a reference (C0 controls but TAB, LF, CR; lone surrogates). */
    static String xmlSafe(String s) {
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = c >= 0x20 && c <= 0xD7FF || c == '\t' || c == '\n' || c == '\r'
                    || c >= 0xE000 && c <= 0xFFFD
                    || Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))
                    || Character.isLowSurrogate(c) && i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
            if (!ok && sb == null) {
                sb = new StringBuilder(s.substring(0, i));
            }
            if (sb != null) {
                sb.append(ok ? c : '\uFFFD');
            }
        }
        return sb == null ? s : sb.toString();
    }

    /** Text appended as character data of the element being written. */
    private record CharactersOf(XMLStreamWriter w) implements Appendable {
        @Override
        public Appendable append(CharSequence csq) throws IOException {
            try {
                w.writeCharacters(csq.toString());
            } catch (XMLStreamException e) {
                throw new IOException(e.getMessage(), e);
            }
            return this;
        }

        @Override
        public Appendable append(CharSequence csq, int start, int end) throws IOException {
            return append(csq.subSequence(start, end));
        }

        @Override
        public Appendable append(char c) throws IOException {
            return append(String.valueOf(c));
        }
    }
}
