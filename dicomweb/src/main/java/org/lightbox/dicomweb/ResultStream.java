// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicomweb;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.json.BulkDataPolicy;
import org.lightbox.dicom.json.DicomJson;
import org.lightbox.dicom.json.DicomXml;

/**
 * A sequence of data sets written as one of the two representations of search results and metadata (PS3.18 8.7.3,
 * 8.7.4): a DICOM JSON array ({@code application/dicom+json}), or one Native DICOM Model document per part of a
 * {@code multipart/related; type="application/dicom+xml"} body. Written as the data sets come, never held whole.
 */
abstract sealed class ResultStream implements AutoCloseable {
    static final MediaTypes.MediaType JSON = MediaTypes.MediaType.of("application", "dicom+json", Map.of());
    static final MediaTypes.MediaType PLAIN_JSON = MediaTypes.MediaType.of("application", "json", Map.of());
    static final MediaTypes.MediaType MULTIPART_XML = MediaTypes.MediaType.of("multipart", "related",
            Map.of("type", "application/dicom+xml"));

    protected final Writer out;

    private ResultStream(OutputStream out) {
        this.out = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 16 * 1024);
    }

    /**
     * The stream for the negotiated type: {@link #MULTIPART_XML} gives multipart XML, anything else (DICOM JSON, or
     * plain JSON for clients that ask for that) the JSON array.
     */
    static ResultStream of(MediaTypes.MediaType chosen, OutputStream out) {
        return chosen.essence().equals("multipart/related") ? new MultipartXml(out)
                : new JsonArray(out, chosen.essence());
    }

    /** The Content-Type header of the response, with the boundary for multipart. */
    abstract String contentType();

    /** Writes one data set. */
    abstract void dataset(Dataset ds, BulkDataPolicy policy) throws IOException;

    /** Ends the representation and closes the stream under it (which sends what it holds). */
    @Override
    public abstract void close() throws IOException;

    /** {@code [obj,obj,...]}. */
    static final class JsonArray extends ResultStream {
        private final String contentType;
        private boolean first = true;

        /** @param contentType application/dicom+json, or application/json for clients that ask for that */
        JsonArray(OutputStream out, String contentType) {
            super(out);
            this.contentType = contentType;
        }

        @Override
        String contentType() {
            return contentType;
        }

        private void separate() throws IOException {
            out.write(first ? "[" : ",");
            first = false;
        }

        @Override
        void dataset(Dataset ds, BulkDataPolicy policy) throws IOException {
            separate();
            DicomJson.write(ds, out, policy);
        }

        /** Writes an object that is already DICOM JSON text: the metadata fast path. */
        void raw(JsonText json) throws IOException {
            separate();
            json.writeTo(out);
        }

        @Override
        public void close() throws IOException {
            out.write(first ? "[]" : "]");
            out.close();
        }
    }

    /** Text that writes itself as one DICOM JSON object. */
    @FunctionalInterface
    interface JsonText {
        void writeTo(Writer out) throws IOException;
    }

    /** One {@code application/dicom+xml} part per data set. */
    static final class MultipartXml extends ResultStream {
        private final String boundary = "lightbox-" + UUID.randomUUID();

        MultipartXml(OutputStream out) {
            super(out);
        }

        @Override
        String contentType() {
            return "multipart/related; type=\"application/dicom+xml\"; boundary=" + boundary;
        }

        @Override
        void dataset(Dataset ds, BulkDataPolicy policy) throws IOException {
            out.write("--" + boundary + "\r\nContent-Type: application/dicom+xml; charset=utf-8\r\n\r\n");
            DicomXml.write(ds, out, policy);
            out.write("\r\n");
        }

        @Override
        public void close() throws IOException {
            out.write("--" + boundary + "--\r\n");
            out.close();
        }
    }
}
