// SPDX-License-Identifier: Apache-2.0
package org.lightbox.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Finds the shared test corpus (the folder {@code shared} beside the repository, with {@code data/manifest.tsv}
 * and the DICOM files it lists) and reads its manifest.
 *
 * <p>The folder is taken from, in order: the system property {@code lightbox.shared} (the parent pom sets it for
 * Surefire), the environment variable {@code LIGHTBOX_SHARED}, then a folder named {@code shared} in the working
 * directory or any of its parents. A candidate counts only if it holds {@code data/manifest.tsv}. Tests that need
 * the data skip when it is absent:
 * {@code assumeTrue(SharedData.dataDir().isPresent(), "no shared test data (../shared/data)")}.
 */
public final class SharedData {
    /** The system property naming the shared folder. */
    public static final String PROPERTY = "lightbox.shared";
    /** The environment variable naming the shared folder. */
    public static final String ENVIRONMENT = "LIGHTBOX_SHARED";

    private SharedData() {
    }

    /** The shared folder, if one holding {@code data/manifest.tsv} is found. */
    public static Optional<Path> root() {
        return find(System.getProperty(PROPERTY), System.getenv(ENVIRONMENT), Path.of(""));
    }

    /** The shared folder's {@code data} folder (the DICOM test files), if the shared folder is found. */
    public static Optional<Path> dataDir() {
        return root().map(r -> r.resolve("data"));
    }

    /**
     * The rows of {@code data/manifest.tsv}, one map per file from column name to value, in file order.
     *
     * @throws IllegalStateException if there is no shared folder (check {@link #dataDir()} first)
     * @throws UncheckedIOException if the manifest cannot be read or is malformed
     */
    public static List<Map<String, String>> manifest() {
        Path data = dataDir().orElseThrow(() -> new IllegalStateException(
                "no shared test data: set -D" + PROPERTY + "=DIR or " + ENVIRONMENT
                        + "=DIR to a folder holding data/manifest.tsv"));
        return manifest(data.resolve("manifest.tsv"));
    }

    /**
     * Parses a tab-separated file whose first line names the columns: one unmodifiable map per later line, from
     * column name to value (empty when the line has fewer fields), keys in column order. Blank lines are skipped.
     *
     * @throws UncheckedIOException if the file cannot be read, or a line has more fields than the header
     */
    public static List<Map<String, String>> manifest(Path tsv) {
        List<String> lines;
        try {
            lines = Files.readAllLines(tsv, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + tsv, e);
        }
        if (lines.isEmpty()) {
            throw new UncheckedIOException(new IOException(tsv + " is empty: it needs a header line"));
        }
        String[] header = stripCr(lines.getFirst()).split("\t", -1);
        List<Map<String, String>> rows = new ArrayList<>(lines.size() - 1);
        for (int i = 1; i < lines.size(); i++) {
            String line = stripCr(lines.get(i));
            if (line.isBlank()) {
                continue;
            }
            String[] fields = line.split("\t", -1);
            if (fields.length > header.length) {
                throw new UncheckedIOException(new IOException(tsv + " line " + (i + 1) + " has " + fields.length
                        + " fields, the header only " + header.length));
            }
            Map<String, String> row = new LinkedHashMap<>();
            for (int c = 0; c < header.length; c++) {
                row.put(header[c], c < fields.length ? fields[c] : "");
            }
            rows.add(Collections.unmodifiableMap(row));
        }
        return Collections.unmodifiableList(rows);
    }

    /** The search behind {@link #root()}, with its inputs passed in (either name may be null). */
    static Optional<Path> find(String property, String environment, Path workingDirectory) {
        for (String named : new String[] {property, environment}) {
            if (named != null && !named.isBlank() && hasManifest(Path.of(named))) {
                return Optional.of(Path.of(named).toAbsolutePath().normalize());
            }
        }
        for (Path dir = workingDirectory.toAbsolutePath().normalize(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("shared");
            if (hasManifest(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private static boolean hasManifest(Path root) {
        return Files.isRegularFile(root.resolve("data").resolve("manifest.tsv"));
    }

    private static String stripCr(String line) {
        return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
    }
}
