// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicomweb;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The resources this server implements, as each resource family registers them, for the Retrieve Capabilities
 * transaction (PS3.18 8.9, Annex H): what {@link CapabilitiesHandler} describes is exactly what is routed.
 */
final class Capabilities {

    /**
     * One transaction on one resource.
     *
     * @param path the route under the service, with {@code {study}}-style path parameters
     * @param method the HTTP method
     * @param id the transaction's name in PS3.18 (SearchForStudies, RetrieveStudyMetadata, ...)
     * @param mediaTypes the response media types offered, the default first
     * @param parameters the query parameters understood
     */
    record Method(String path, String method, String id, List<String> mediaTypes, List<String> parameters) {}

    private final List<Method> methods = new ArrayList<>();

    synchronized void add(String path, String method, String id, List<String> mediaTypes, List<String> parameters) {
        methods.add(new Method(path, method, id, List.copyOf(mediaTypes), List.copyOf(parameters)));
    }

    /** The methods by resource path, paths in order. */
    synchronized Map<String, List<Method>> byPath() {
        Map<String, List<Method>> out = new TreeMap<>();
        for (Method m : methods) {
            out.computeIfAbsent(m.path(), p -> new ArrayList<>()).add(m);
        }
        return out;
    }
}
