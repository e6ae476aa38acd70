// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicomweb;

import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What a DICOMweb request says beyond its path: query parameters and the acceptable media types. */
final class Parameters {
    private Parameters() {}

    /** The query parameters, each with all its values, in the order of the query string. */
    static Map<String, List<String>> query(Context ctx) {
        return new LinkedHashMap<>(ctx.queryParamMap());
    }

    /**
     * The acceptable media types: the {@code accept} query parameter when given (PS3.18 8.3.3.1, where it takes
     * precedence over the header), else the Accept header; anything when neither is there.
     *
     * @throws DicomwebException 400 when they cannot be parsed
     */
    static List<MediaTypes.MediaType> accept(Context ctx) {
        List<String> param = ctx.queryParams("accept");
        String text = param.isEmpty() ? ctx.header("Accept") : String.join(",", param);
        try {
            return MediaTypes.parseAccept(text);
        } catch (IllegalArgumentException e) {
            throw DicomwebException.badRequest((param.isEmpty() ? "Accept header: " : "accept parameter: ")
                    + e.getMessage());
        }
    }

    /** The acceptable media types as the client wrote them, for messages. */
    static String acceptText(Context ctx) {
        List<String> param = ctx.queryParams("accept");
        String text = param.isEmpty() ? ctx.header("Accept") : String.join(",", param);
        return text == null ? "(none)" : "\"" + Uids.printable(text) + "\"";
    }
}
