// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicomweb;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Element;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.TransferSyntax;
import org.lightbox.dicom.Uid;
import org.lightbox.dicom.Value;
import org.lightbox.dicom.Vr;
import org.lightbox.dicom.io.DicomWriter;
import org.lightbox.dicom.json.BulkDataLoader;
import org.lightbox.dicom.json.DicomJson;
import org.lightbox.dicom.json.DicomXml;
import org.lightbox.dicomweb.StowOutcome.Identity;

/**
 * Builds a Part 10 instance from a STOW-RS metadata part (DICOM JSON, PS3.18 F.2, or Native DICOM Model XML,
 * PS3.19) and the bulk data parts its BulkDataURIs name (PS3.18 8.6.1.2 and 10.5.1.2): the bulk values stay in their
 * spool files and are copied once, into the instance's file.
 *
 * <p>The transfer syntax: a bulk Pixel Data part's {@code transfer-syntax} parameter, or the one its compressed media
 * type stands for ({@code image/jpeg} JPEG Baseline, {@code image/jls} JPEG-LS Lossless, {@code image/jp2} JPEG 2000
 * Lossless, {@code image/jphc} HTJ2K Lossless, {@code image/dicom-rle} RLE Lossless); its content is then one frame
 * (one fragment), or a complete encapsulated value (items), and several parts at one location are consecutive frames.
 * Otherwise the metadata's own Transfer Syntax UID (0002,0010) when it names an uncompressed little endian syntax (or
 * an encapsulated one for inline encapsulated Pixel Data), else Explicit VR Little Endian. The File Meta Information
 * is always built anew (SOP Class and Instance from the data set), whatever group 0002 the metadata carries.
 */
final class StowInstanceBuilder {
    private StowInstanceBuilder() {}

    /** A spooled bulk data part. Identity, not value, equality: one per part. */
    static final class BulkPart {
        private final int number;
        private final Path file;
        private final long length;
        private final StowMediaType type;

        BulkPart(int number, Path file, long length, StowMediaType type) {
            this.number = number;
            this.file = file;
            this.length = length;
            this.type = type;
        }

        int number() {
            return number;
        }

        StowMediaType type() {
            return type;
        }
    }

    /** Finds the bulk parts at a BulkDataURI, or null. */
    @FunctionalInterface
    interface BulkLookup {
        List<BulkPart> find(String uri);
    }

    /** An instance written to its file, with the bulk parts it took. */
    record Built(Identity identity, Set<BulkPart> used) {}

    /** Why an instance could not be built, as a Failure Reason. */
    static final class BuildException extends Exception {
        final int reason;
        final Identity identity;
        final Set<BulkPart> used;

        BuildException(int reason, Identity identity, Set<BulkPart> used, String message, Throwable cause) {
            super(message, cause);
            this.reason = reason;
            this.identity = identity;
            this.used = used;
        }
    }

    /** The transfer syntaxes the compressed media types of PS3.18 Table 8.7.3-2 stand for without a parameter. */
    private static final Map<String, String> DEFAULT_SYNTAX = Map.of(
            "image/jpeg", Uid.JPEGBaseline8Bit,
            "image/jls", Uid.JPEGLSLossless,
            "image/jp2", Uid.JPEG2000Lossless,
            "image/jphc", Uid.HTJ2KLossless,
            "image/dicom-rle", Uid.RLELossless,
            "image/x-dicom-rle", Uid.RLELossless,
            "video/mpeg", Uid.MPEG2MPML,
            "video/mp4", Uid.MPEG4HP41);

    /**
     * The data sets of a DICOM JSON metadata part: a JSON array of objects (the DICOM JSON Model, PS3.18 F.2) or a
     * single object. Each is returned as its own text, so that numbers keep their spelling.
     */
    static List<String> jsonDatasets(byte[] utf8) throws IOException {
        String json = new String(utf8, StandardCharsets.UTF_8);
        try (JsonParser p = new JsonFactory().createParser(json)) {
            JsonToken t = p.nextToken();
            if (t == JsonToken.START_OBJECT) {
                return List.of(json);
            }
            if (t != JsonToken.START_ARRAY) {
                throw new IOException("expected a JSON array of DICOM JSON objects, or one object, but found "
                        + (t == null ? "nothing" : t.asString()));
            }
            List<String> out = new ArrayList<>();
            while ((t = p.nextToken()) == JsonToken.START_OBJECT) {
                int start = (int) p.currentTokenLocation().getCharOffset();
                p.skipChildren();
                int end = (int) p.currentLocation().getCharOffset();
                out.add(json.substring(start, end));
            }
            if (t != JsonToken.END_ARRAY) {
                throw new IOException("expected a DICOM JSON object in the array but found "
                        + (t == null ? "the end" : t.asString()) + " at line " + p.currentLocation().getLineNr());
            }
            if (out.isEmpty()) {
                throw new IOException("the array holds no data set");
            }
            return out;
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IOException(e.getOriginalMessage() + " at line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr(), e);
        }
    }

    /**
     * Reads one data set and writes it as a Part 10 file.
     *
     * @throws BuildException when the metadata cannot be read, names bulk data no part holds, or names a transfer
     *     syntax that cannot be written
     * @throws IOException when the file cannot be written
     */
    static Built buildJson(String document, BulkLookup lookup, Path out) throws BuildException, IOException {
        return build(loader -> DicomJson.read(new StringReader(document), loader), false, lookup, out);
    }

    /** As {@link #buildJson}, for a Native DICOM Model document (its encoding declaration honoured). */
    static Built buildXml(byte[] document, BulkLookup lookup, Path out) throws BuildException, IOException {
        return build(loader -> DicomXml.read(new java.io.ByteArrayInputStream(document), loader), true, lookup, out);
    }

    /** Reads a data set with a bulk data loader. */
    @FunctionalInterface
    private interface DatasetReader {
        Dataset read(BulkDataLoader loader) throws IOException;
    }

    private static Built build(DatasetReader reader, boolean xml, BulkLookup lookup, Path out)
            throws BuildException, IOException {
        Set<BulkPart> used = new LinkedHashSet<>();
        String[] pixelSyntax = new String[1];
        BulkDataLoader loader = (uri, tag, vr) -> {
            List<BulkPart> parts = lookup.find(uri);
            if (parts == null || parts.isEmpty()) {
                throw new IOException("no part of the request has Content-Location " + uri);
            }
            used.addAll(parts);
            return value(parts, tag, pixelSyntax);
        };
        Dataset ds;
        try {
            ds = reader.read(loader);
        } catch (IOException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof UnsupportedSyntax u) {
                    throw new BuildException(StowOutcome.TRANSFER_SYNTAX_NOT_SUPPORTED, Identity.UNKNOWN, used,
                            u.getMessage(), e);
                }
            }
            throw new BuildException(StowOutcome.CANNOT_UNDERSTAND, Identity.UNKNOWN, used,
                    (xml ? "no Native DICOM Model: " : "no DICOM JSON: ") + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new BuildException(StowOutcome.CANNOT_UNDERSTAND, Identity.UNKNOWN, used,
                    (xml ? "no Native DICOM Model: " : "no DICOM JSON: ") + e, e);
        }
        Identity id = Identity.of(ds);
        String metaSyntax = ds.string(Tag.TransferSyntaxUID).map(s -> s.replace("\0", "").strip()).orElse("");
        Dataset.Builder b = ds.toBuilder();
        for (Element e : ds) {
            if (e.tag() >>> 16 == 0x0002) {
                b.remove(e.tag());
            }
        }
        Dataset dataset = b.build();
        boolean encapsulated = dataset.get(Tag.PixelData).map(e -> e.value() instanceof Value.Fragments)
                .orElse(false);
        TransferSyntax ts;
        if (pixelSyntax[0] != null) {
            ts = TransferSyntax.of(pixelSyntax[0]);
        } else if (encapsulated) {
            if (metaSyntax.isEmpty() || !TransferSyntax.of(metaSyntax).isEncapsulated()
                    || !TransferSyntax.of(metaSyntax).known()) {
                throw new BuildException(StowOutcome.TRANSFER_SYNTAX_NOT_SUPPORTED, id, used, "Pixel Data is"
                        + " encapsulated but no encapsulated transfer syntax is named (" + (metaSyntax.isEmpty()
                                ? "no Transfer Syntax UID" : "Transfer Syntax UID " + metaSyntax) + ")", null);
            }
            ts = TransferSyntax.of(metaSyntax);
        } else if (metaSyntax.equals(Uid.ExplicitVRLittleEndian) || metaSyntax.equals(Uid.ImplicitVRLittleEndian)) {
            ts = TransferSyntax.of(metaSyntax);
        } else {
            ts = TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN;
        }
        try (OutputStream o = new BufferedOutputStream(Files.newOutputStream(out), 64 * 1024)) {
            DicomWriter.write(DicomWriter.newFile(dataset, ts), o);
        }
        return new Built(id, used);
    }

    /** The value bulk parts hold for an element. */
    private static Value value(List<BulkPart> parts, int tag, String[] pixelSyntax) throws IOException {
        String syntax = syntaxOf(parts.getFirst());
        for (BulkPart p : parts) {
            String s = syntaxOf(p);
            if (!java.util.Objects.equals(s, syntax)) {
                throw new IOException("the parts at one location name different transfer syntaxes (part "
                        + parts.getFirst().number + ": " + syntax + ", part " + p.number + ": " + s + ")");
            }
        }
        TransferSyntax ts = syntax == null ? null : TransferSyntax.of(syntax);
        if (ts == null || ts.isNative()) {
            if (parts.size() > 1) {
                throw new IOException(parts.size() + " parts (" + parts.getFirst().number + ", " + parts.get(1).number
                        + ", ...) have the same Content-Location; only compressed frames may");
            }
            return new Value.Bulk(parts.getFirst().file, 0, evenLength(parts.getFirst()));
        }
        if (!ts.known() || !ts.isEncapsulated() || ts.deflated()) {
            throw new UnsupportedSyntax("transfer syntax " + syntax + " of part " + parts.getFirst().number
                    + " is not a compressed syntax Lightbox knows");
        }
        if (tag != Tag.PixelData) {
            throw new IOException("a compressed transfer syntax (" + syntax + ") for an element other than Pixel"
                    + " Data");
        }
        if (pixelSyntax[0] != null && !pixelSyntax[0].equals(syntax)) {
            throw new IOException("Pixel Data in two transfer syntaxes: " + pixelSyntax[0] + " and " + syntax);
        }
        pixelSyntax[0] = syntax;
        List<Value> fragments = new ArrayList<>();
        List<Value> items = parts.size() == 1 ? items(parts.getFirst()) : null;
        if (items != null) {
            fragments.addAll(items); // a complete encapsulated value: its own offset table first
        } else {
            fragments.add(new Value.Bytes(new byte[0]));
            for (BulkPart p : parts) {
                fragments.add(new Value.Bulk(p.file, 0, evenLength(p)));
            }
        }
        return new Value.Fragments(fragments);
    }

    /** The transfer syntax a part names (parameter first, then its media type), or null for native data. */
    private static String syntaxOf(BulkPart p) throws IOException {
        String named = p.type.parameter("transfer-syntax").map(String::strip).orElse(null);
        if (named != null && !named.isEmpty() && !named.equals("*")) {
            if (!TransferSyntax.of(named).known()) {
                throw new UnsupportedSyntax("transfer syntax " + named + " of part " + p.number + " is unknown");
            }
            return named;
        }
        return DEFAULT_SYNTAX.get(p.type.essence());
    }

    /** A transfer syntax that cannot be written: unknown, or not one for compressed frames. */
    static final class UnsupportedSyntax extends IOException {
        UnsupportedSyntax(String message) {
            super(message);
        }
    }

    /** Pads a value of odd length with one zero byte (values have even length), in the spool file itself. */
    private static long evenLength(BulkPart p) throws IOException {
        if ((p.length & 1) == 0) {
            return p.length;
        }
        try (FileChannel ch = FileChannel.open(p.file, StandardOpenOption.WRITE)) {
            if (ch.size() == p.length) {
                ch.write(ByteBuffer.wrap(new byte[1]), p.length);
            }
        }
        return p.length + 1;
    }

    /**
     * The items of a part that holds a whole encapsulated value (offset table item, fragment items, optionally the
     * sequence delimiter), or null when it is something else (one frame).
     */
    private static List<Value> items(BulkPart p) throws IOException {
        List<Value> out = new ArrayList<>();
        ByteBuffer header = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel ch = FileChannel.open(p.file, StandardOpenOption.READ)) {
            long pos = 0;
            long size = ch.size();
            while (pos < size) {
                header.clear();
                if (size - pos < 8 || ch.read(header, pos) < 8) {
                    return null;
                }
                int tag = header.getInt(0);
                long length = header.getInt(4) & 0xFFFFFFFFL;
                if (tag == 0xE0DDFFFE) {
                    return out.isEmpty() || pos + 8 != size ? null : out;
                }
                if (tag != 0xE000FFFE || (length & 1) != 0 || length > size - pos - 8) {
                    return null;
                }
                out.add(new Value.Bulk(p.file, pos + 8, length));
                pos += 8 + length;
            }
        }
        return out.isEmpty() ? null : out;
    }
}
