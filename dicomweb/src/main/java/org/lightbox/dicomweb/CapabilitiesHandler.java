// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicomweb;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

/**
 * The Retrieve Capabilities transaction (PS3.18 8.9): {@code OPTIONS /dicom-web} (and, as older editions had it,
 * any resource below it; {@code GET /dicom-web} too, for browsers) answers a WADL document
 * ({@code application/vnd.sun.wadl+xml}, the default) or the same facts as JSON ({@code application/json}): every
 * resource the server routes, its methods with their PS3.18 names, the media types each answers and the query
 * parameters it understands. It lists what is implemented, nothing more; Annex H's DICOM-specific extensions are
 * not given.
 */
final class CapabilitiesHandler {
    static final MediaTypes.MediaType WADL = MediaTypes.MediaType.of("application", "vnd.sun.wadl+xml", Map.of());
    private static final MediaTypes.MediaType XML = MediaTypes.MediaType.of("application", "xml", Map.of());
    private static final MediaTypes.MediaType JSON = MediaTypes.MediaType.of("application", "json", Map.of());
    private static final String WADL_NS = "http://wadl.dev.java.net/2009/02";

    private final Capabilities capabilities;

    CapabilitiesHandler(Capabilities capabilities) {
        this.capabilities = capabilities;
    }

    void register(RoutesConfig routes) {
        routes.options(DicomWeb.ROOT, this::capabilities);
        routes.options(DicomWeb.ROOT + "/*", this::capabilities);
        routes.get(DicomWeb.ROOT, this::capabilities);
        capabilities.add(DicomWeb.ROOT, "OPTIONS", "RetrieveCapabilities", List.of(WADL.essence(), JSON.essence()),
                List.of());
    }

    private void capabilities(Context ctx) {
        MediaTypes.MediaType chosen = MediaTypes.negotiate(Parameters.accept(ctx), List.of(WADL, XML, JSON))
                .orElseThrow(() -> DicomwebException.notAcceptable("the capabilities are "
                        + "application/vnd.sun.wadl+xml (the default) or application/json, not "
                        + Parameters.acceptText(ctx)));
        String base = DicomWeb.baseUrl(ctx) + "/";
        ctx.header("Allow", "GET, OPTIONS");
        if (chosen == JSON) {
            ctx.contentType("application/json").result(json(base));
        } else {
            ctx.contentType(chosen.essence() + "; charset=utf-8").result(wadl(base));
        }
    }

    /** The WADL document: one flat {@code resource} per routed path, relative to the service's base. */
    String wadl(String base) {
        StringWriter sw = new StringWriter();
        try {
            XMLStreamWriter w = XMLOutputFactory.newFactory().createXMLStreamWriter(sw);
            w.writeStartDocument("UTF-8", "1.0");
            w.writeCharacters("\n");
            w.writeStartElement("application");
            w.writeDefaultNamespace(WADL_NS);
            w.writeCharacters("\n  ");
            w.writeStartElement("doc");
            w.writeAttribute("title", "Lightbox DICOMweb (PS3.18)");
            w.writeEndElement();
            w.writeCharacters("\n  ");
            w.writeStartElement("resources");
            w.writeAttribute("base", base);
            for (Map.Entry<String, List<Capabilities.Method>> r : capabilities.byPath().entrySet()) {
                w.writeCharacters("\n    ");
                w.writeStartElement("resource");
                w.writeAttribute("path", relative(r.getKey()));
                for (Capabilities.Method m : r.getValue()) {
                    w.writeCharacters("\n      ");
                    w.writeStartElement("method");
                    w.writeAttribute("name", m.method());
                    w.writeAttribute("id", m.id());
                    if (!m.parameters().isEmpty()) {
                        w.writeStartElement("request");
                        for (String p : m.parameters()) {
                            w.writeEmptyElement("param");
                            w.writeAttribute("name", p);
                            w.writeAttribute("style", "query");
                        }
                        w.writeEndElement();
                    }
                    w.writeStartElement("response");
                    w.writeAttribute("status", "200");
                    for (String type : m.mediaTypes()) {
                        w.writeEmptyElement("representation");
                        w.writeAttribute("mediaType", type);
                    }
                    w.writeEndElement();
                    w.writeEndElement();
                }
                w.writeCharacters("\n    ");
                w.writeEndElement();
            }
            w.writeCharacters("\n  ");
            w.writeEndElement();
            w.writeCharacters("\n");
            w.writeEndElement();
            w.writeCharacters("\n");
            w.writeEndDocument();
            w.close();
        } catch (XMLStreamException e) {
            throw new IllegalStateException("writing WADL to a string", e);
        }
        return sw.toString();
    }

    /** The same facts as JSON: {@code {"base":...,"resources":[{"path":...,"methods":[...]}]}}. */
    String json(String base) {
        StringBuilder sb = new StringBuilder("{\"base\":");
        DicomwebException.quote(base, sb);
        sb.append(",\"resources\":[");
        boolean firstResource = true;
        for (Map.Entry<String, List<Capabilities.Method>> r : capabilities.byPath().entrySet()) {
            sb.append(firstResource ? "" : ",").append("{\"path\":");
            firstResource = false;
            DicomwebException.quote(relative(r.getKey()), sb);
            sb.append(",\"methods\":[");
            boolean firstMethod = true;
            for (Capabilities.Method m : r.getValue()) {
                sb.append(firstMethod ? "" : ",").append("{\"name\":");
                firstMethod = false;
                DicomwebException.quote(m.method(), sb);
                sb.append(",\"id\":");
                DicomwebException.quote(m.id(), sb);
                sb.append(",\"mediaTypes\":");
                array(m.mediaTypes(), sb);
                sb.append(",\"parameters\":");
                array(m.parameters(), sb);
                sb.append('}');
            }
            sb.append("]}");
        }
        return sb.append("]}").toString();
    }

    private static void array(List<String> values, StringBuilder sb) {
        sb.append('[');
        for (int i = 0; i < values.size(); i++) {
            sb.append(i == 0 ? "" : ",");
            DicomwebException.quote(values.get(i), sb);
        }
        sb.append(']');
    }

    private static String relative(String route) {
        String p = route.substring(DicomWeb.ROOT.length());
        return p.startsWith("/") ? p.substring(1) : p;
    }
}
