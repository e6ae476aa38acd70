// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicomweb;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.lightbox.dicom.Uid;

/**
 * Media types as DICOMweb negotiates them: the Accept header field (or the {@code accept} query parameter, which
 * takes precedence, PS3.18 8.3.3.1) parsed into media ranges with their parameters ({@code type},
 * {@code transfer-syntax}) and quality values (RFC 9110 12.5.1), and the transfer syntaxes each compressed pixel
 * data media type may carry (PS3.18 8.7).
 */
final class WadoMediaTypes {
    static final String DICOM = "application/dicom";
    static final String OCTET_STREAM = "application/octet-stream";
    static final String MULTIPART_RELATED = "multipart/related";
    /** The Transfer Syntax of DICOM and bulk data media types when the request names none (PS3.18 8.7.3). */
    static final String DEFAULT_TRANSFER_SYNTAX = Uid.ExplicitVRLittleEndian;

    /** Pixel data media types and their transfer syntaxes, the default first. */
    private static final Map<String, List<String>> PIXEL_TYPES = new LinkedHashMap<>();

    static {
        PIXEL_TYPES.put("image/jpeg", List.of(Uid.JPEGBaseline8Bit, Uid.JPEGExtended12Bit, Uid.JPEGLossless,
                Uid.JPEGLosslessSV1));
        PIXEL_TYPES.put("image/jls", List.of(Uid.JPEGLSLossless, Uid.JPEGLSNearLossless));
        PIXEL_TYPES.put("image/jp2", List.of(Uid.JPEG2000Lossless, Uid.JPEG2000));
        PIXEL_TYPES.put("image/jpx", List.of(Uid.JPEG2000MCLossless, Uid.JPEG2000MC));
        PIXEL_TYPES.put("image/jphc", List.of(Uid.HTJ2KLossless, Uid.HTJ2KLosslessRPCL, Uid.HTJ2K));
        PIXEL_TYPES.put("image/dicom-rle", List.of(Uid.RLELossless));
    }

    /** Names used before PS3.18 registered the current ones. */
    private static final Map<String, String> ALIASES = Map.of("image/x-dicom-rle", "image/dicom-rle",
            "image/x-jls", "image/jls");

    private WadoMediaTypes() {}

    /**
     * One media range of an Accept header field.
     *
     * @param type lower case, {@code *} for any
     * @param subtype lower case, {@code *} for any
     * @param parameters names in lower case, values unquoted; {@code q} is not among them
     * @param q the quality value, 0 to 1
     */
    record MediaRange(String type, String subtype, Map<String, String> parameters, double q) {
        static final MediaRange ANY = new MediaRange("*", "*", Map.of(), 1);

        String mediaType() {
            return type + "/" + subtype;
        }

        Optional<String> parameter(String name) {
            return Optional.ofNullable(parameters.get(name));
        }

        /** Whether this range includes {@code mediaType}: any type, all of its type (image/*), or itself. */
        boolean includes(String mediaType) {
            int slash = mediaType.indexOf('/');
            String t = mediaType.substring(0, slash);
            String s = mediaType.substring(slash + 1);
            return type.equals("*") || type.equals(t) && (subtype.equals("*") || subtype.equals(s));
        }

        boolean isWildcard() {
            return subtype.equals("*");
        }

        /** For multipart/related: the media type of the parts, lower case, if given. */
        Optional<String> partType() {
            return parameter("type").map(t -> canonical(t.toLowerCase(Locale.ROOT)));
        }

        @Override
        public String toString() {
            StringBuilder b = new StringBuilder(mediaType());
            parameters.forEach((k, v) -> b.append("; ").append(k).append('=').append(v.indexOf('/') >= 0
                    || v.indexOf(';') >= 0 ? "\"" + v + "\"" : v));
            return q < 1 ? b.append("; q=").append(q).toString() : b.toString();
        }
    }

    /**
     * The media ranges a request accepts, most preferred first (by quality value, then in the order given); ranges
     * with q=0 are left out. The {@code accept} query parameter, when present, replaces the header field; neither
     * means any media type.
     *
     * @throws DicomwebException 400 when a range or a quality value is malformed
     */
    static List<MediaRange> accepted(String acceptHeader, String acceptParameter) throws DicomwebException {
        String text = acceptParameter != null && !acceptParameter.isBlank() ? acceptParameter : acceptHeader;
        if (text == null || text.isBlank()) {
            return List.of(MediaRange.ANY);
        }
        List<MediaRange> ranges = new ArrayList<>();
        for (String item : split(text, ',')) {
            if (!item.isBlank()) {
                MediaRange r = parse(item.strip());
                if (r.q() > 0) {
                    ranges.add(r);
                }
            }
        }
        ranges.sort(Comparator.comparingDouble(MediaRange::q).reversed()); // stable: ties keep their order
        return ranges;
    }

    static MediaRange parse(String item) throws DicomwebException {
        List<String> pieces = split(item, ';');
        String full = pieces.getFirst().strip().toLowerCase(Locale.ROOT);
        int slash = full.indexOf('/');
        if (slash <= 0 || slash == full.length() - 1 || full.indexOf('/', slash + 1) >= 0 || !token(full.substring(0,
                slash)) || !token(full.substring(slash + 1)) || full.startsWith("*/") && !full.equals("*/*")) {
            throw DicomwebException.badRequest("\"" + clip(item) + "\" is no media range (type/subtype)");
        }
        full = canonical(full);
        Map<String, String> params = new LinkedHashMap<>();
        double q = 1;
        for (String p : pieces.subList(1, pieces.size())) {
            if (p.isBlank()) {
                continue;
            }
            int eq = p.indexOf('=');
            if (eq <= 0) {
                throw DicomwebException.badRequest("media range parameter \"" + clip(p.strip()) + "\" in \""
                        + clip(item) + "\" has no value");
            }
            String name = p.substring(0, eq).strip().toLowerCase(Locale.ROOT);
            String value = unquote(p.substring(eq + 1).strip());
            if (name.equals("q")) {
                q = quality(value, item);
            } else {
                params.put(name, value);
            }
        }
        int s = full.indexOf('/');
        return new MediaRange(full.substring(0, s), full.substring(s + 1), Map.copyOf(params), q);
    }

    /** The current name of a media type that has an older one. */
    static String canonical(String mediaType) {
        return ALIASES.getOrDefault(mediaType, mediaType);
    }

    /** The transfer syntaxes a pixel data media type carries, the default first; empty when it is none of them. */
    static List<String> pixelSyntaxes(String mediaType) {
        return PIXEL_TYPES.getOrDefault(canonical(mediaType), List.of());
    }

    /** The media type of pixel data in {@code transferSyntax}: a compressed image type, or octet-stream. */
    static String pixelMediaType(String transferSyntax) {
        for (Map.Entry<String, List<String>> e : PIXEL_TYPES.entrySet()) {
            if (e.getValue().contains(transferSyntax)) {
                return e.getKey();
            }
        }
        return OCTET_STREAM;
    }

    private static double quality(String value, String item) throws DicomwebException {
        // RFC 9110 12.4.2: 0 to 1, at most three decimals.
        if (!value.matches("(0(\\.[0-9]{0,3})?|1(\\.0{0,3})?)")) {
            throw DicomwebException.badRequest("q=" + clip(value) + " in \"" + clip(item)
                    + "\" is no quality value (0 to 1, at most three decimals)");
        }
        return Double.parseDouble(value);
    }

    private static boolean token(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= 0x20 || c >= 0x7F || "()<>@,;:\\\"/[]?={}".indexOf(c) >= 0) {
                return false;
            }
        }
        return !s.isEmpty();
    }

    private static String unquote(String v) {
        if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
            return v.substring(1, v.length() - 1).replace("\\\"", "\"").replace("\\\\", "\\");
        }
        return v;
    }

    /** Splits at {@code sep} outside double quotes. */
    private static List<String> split(String s, char sep) {
        List<String> out = new ArrayList<>();
        boolean quoted = false;
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' && (i == 0 || s.charAt(i - 1) != '\\')) {
                quoted = !quoted;
            } else if (c == sep && !quoted) {
                out.add(s.substring(start, i));
                start = i + 1;
            }
        }
        out.add(s.substring(start));
        return out;
    }

    static String clip(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
