// SPDX-License-Identifier: Apache-2.0
package org.lightbox.server;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.lightbox.archive.DuplicatePolicy;
import org.lightbox.dicomweb.DicomWeb;
import org.lightbox.net.AcceptorPolicy;
import org.lightbox.net.AcceptorPolicy.Permission;
import org.lightbox.net.NetOptions;

/**
 * Reads {@link ServerConfig} from a YAML file plus command-line overrides. Every key is checked: an unknown key or a
 * value that cannot be used stops start-up with a {@link ConfigException} naming the key. Keys are written with
 * dashes; nested keys are named with dots in messages and overrides ({@code limits.max-pdu}).
 */
public final class ServerConfigReader {
    public static final String DEFAULT_AE_TITLE = "LIGHTBOX";
    public static final String DEFAULT_BIND = "127.0.0.1";
    public static final int DEFAULT_DICOM_PORT = 11112;
    public static final int DEFAULT_HTTP_PORT = 8080;
    public static final String DEFAULT_DATA = "lightbox-data";
    public static final int DEFAULT_MAX_ASSOCIATIONS = 64;
    public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(10);
    /** The shortest admin token accepted: guessing 16 random characters is out of reach, fewer invite it. */
    static final int MIN_TOKEN_LENGTH = 16;

    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|min|h)?");
    private static final Pattern UID = Pattern.compile("(0|[1-9][0-9]*)(\\.(0|[1-9][0-9]*))*");
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(B|KiB|MiB|GiB|TiB)?");

    private ServerConfigReader() {}

    /**
     * @param file the YAML file, or {@code null} for defaults only
     * @param overrides values by key path ({@code "dicom-port"}, {@code "limits.max-pdu"}), as text, applied over
     *     the file's
     * @throws ConfigException naming the key at fault
     */
    public static ServerConfig read(Path file, Map<String, String> overrides) {
        ObjectNode root = file == null ? JsonNodeFactory.instance.objectNode() : load(file);
        String origin = file == null ? "the command line" : file.toString();
        overrides.forEach((key, value) -> put(root, key, value));
        return parse(new Section(origin, "", root));
    }

    /** Parses YAML text (tests, and anything not coming from a file). */
    public static ServerConfig parse(String yaml, Map<String, String> overrides) {
        ObjectNode root = tree(yaml, "the configuration");
        overrides.forEach((key, value) -> put(root, key, value));
        return parse(new Section("the configuration", "", root));
    }

    private static ObjectNode load(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException("configuration file " + file + " does not exist");
        } catch (IOException e) {
            throw new ConfigException("cannot read configuration file " + file + ": " + e.getMessage());
        }
        return tree(text, file.toString());
    }

    private static ObjectNode tree(String text, String origin) {
        YAMLMapper yaml = YAMLMapper.builder().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();
        JsonNode node;
        try {
            node = yaml.readTree(text);
        } catch (JsonProcessingException e) {
            throw new ConfigException(origin + " is not valid YAML: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")"));
        }
        if (node == null || node.isMissingNode() || node.isNull()) {
            return JsonNodeFactory.instance.objectNode();
        }
        if (!(node instanceof ObjectNode o)) {
            throw new ConfigException(origin + " must be a mapping of keys to values, not a " + node.getNodeType());
        }
        return o;
    }

    private static void put(ObjectNode root, String path, String value) {
        String[] parts = path.split("\\.");
        ObjectNode at = root;
        for (int i = 0; i < parts.length - 1; i++) {
            JsonNode next = at.get(parts[i]);
            at = next instanceof ObjectNode o ? o : at.putObject(parts[i]);
        }
        at.put(parts[parts.length - 1], value);
    }

    private static ServerConfig parse(Section root) {
        String aeTitle = root.aeTitle("ae-title", DEFAULT_AE_TITLE);
        String bind = root.string("bind", DEFAULT_BIND);
        if (bind.isBlank()) {
            throw root.error("bind", "must name an address, such as 127.0.0.1 or 0.0.0.0");
        }
        int dicomPort = root.integer("dicom-port", DEFAULT_DICOM_PORT, 0, 65535);
        int httpPort = root.integer("http-port", DEFAULT_HTTP_PORT, 0, 65535);
        Path data = Path.of(root.string("data", DEFAULT_DATA)).toAbsolutePath().normalize();
        String defaultUrl = "jdbc:sqlite:" + data.resolve("index.db");
        String indexUrl = root.string("index-url", defaultUrl);
        checkIndexUrl(root, indexUrl, data);
        DuplicatePolicy duplicates = root.enumeration("duplicates", DuplicatePolicy.class, DuplicatePolicy.KEEP_FIRST);

        Map<String, ServerConfig.RemoteAe> remotes = new LinkedHashMap<>();
        Section remoteSection = root.section("remote-aes");
        for (String ae : remoteSection.keys()) {
            remotes.put(remoteSection.checkAe(ae), remoteSection.address(ae));
        }
        remoteSection.finish();

        Map<String, Set<Permission>> permissions = new LinkedHashMap<>();
        Section perms = root.section("permissions");
        for (String ae : perms.keys()) {
            permissions.put(perms.checkAe(ae), perms.permissions(ae, null));
        }
        perms.finish();
        Set<Permission> unknown = root.permissions("unknown-peers", EnumSet.allOf(Permission.class));
        Set<String> extraStorage = root.uids("extra-storage-sop-classes");

        Section l = root.section("limits");
        NetOptions net = NetOptions.DEFAULT;
        ServerConfig.Limits limits = new ServerConfig.Limits(
                l.integer("max-associations", DEFAULT_MAX_ASSOCIATIONS, 1, 100_000),
                l.size("max-pdu", net.maxPduLength()),
                l.duration("idle-timeout", net.idleTimeout()),
                l.duration("artim-timeout", net.artimTimeout()),
                l.size("max-store-size", net.maxStoreDataSetLength()),
                l.size("max-identifier-size", net.maxCommandDataSetLength()),
                l.duration("shutdown-grace", DEFAULT_SHUTDOWN_GRACE),
                l.integer("index-pool-size", 4, 1, 64));
        if (limits.maxPduLength() != 0 && (limits.maxPduLength() < 1024 || limits.maxPduLength() > 0xFFFFFFFFL)) {
            throw l.error("max-pdu", "must be 0 (no limit) or 1024 to 4294967295, not " + limits.maxPduLength());
        }
        if (limits.artimTimeout().isZero()) {
            throw l.error("artim-timeout", "must be more than zero");
        }
        if (limits.maxCommandDataSetLength() < 1024) {
            throw l.error("max-identifier-size", "must be at least 1KiB");
        }
        l.finish();

        ServerConfig.TlsConfig tls = null;
        Section t = root.section("tls");
        if (!t.isEmpty()) {
            int port = t.integer("port", -1, 0, 65535);
            if (port < 0) {
                throw t.error("port", "is required when TLS is configured");
            }
            String keyStore = t.string("key-store", null);
            if (keyStore == null || keyStore.isBlank()) {
                throw t.error("key-store", "is required when TLS is configured (a PKCS#12 or JKS file)");
            }
            String trustStore = t.string("trust-store", null);
            tls = new ServerConfig.TlsConfig(port, Path.of(keyStore), t.string("key-store-password", ""),
                    trustStore == null ? null : Path.of(trustStore), t.string("trust-store-password", ""),
                    t.bool("require-client-cert", true));
        }
        t.finish();
        ServerConfig.Admin admin = admin(root.section("admin"), bind);
        Section web = root.section("dicomweb");
        DicomWeb.Options dicomweb = new DicomWeb.Options(web.origins("cors-origins"));
        web.finish();
        root.finish();
        return new ServerConfig(aeTitle, bind, dicomPort, httpPort, data, indexUrl, duplicates, remotes, permissions,
                unknown, limits, tls, extraStorage, admin, dicomweb);
    }

    /**
     * The admin API can delete, so it is open by default only where just this machine reaches it, and never to the
     * network without a token.
     */
    private static ServerConfig.Admin admin(Section a, String bind) {
        boolean loopback = isLoopback(bind);
        boolean enabled = a.bool("enabled", loopback);
        String token = a.string("token", "");
        if (token.startsWith("env:")) {
            String name = token.substring(4);
            String value = name.isEmpty() ? null : System.getenv(name);
            if (value == null || value.isBlank()) {
                throw a.error("token", "names the environment variable \"" + name + "\", which is not set");
            }
            token = value.strip();
        }
        if (!token.isEmpty() && token.length() < MIN_TOKEN_LENGTH) {
            throw a.error("token", "must have at least " + MIN_TOKEN_LENGTH + " characters, not " + token.length());
        }
        if (enabled && !loopback && token.isEmpty()) {
            throw a.error("enabled", "is true while bind " + bind + " is not a loopback address: set admin.token too,"
                    + " so that not everyone who reaches the HTTP port can delete");
        }
        a.finish();
        return new ServerConfig.Admin(enabled, token);
    }

    /** Whether every address the name stands for is a loopback one (an unknown name is not). */
    private static boolean isLoopback(String bind) {
        try {
            for (InetAddress address : InetAddress.getAllByName(bind)) {
                if (!address.isLoopbackAddress()) {
                    return false;
                }
            }
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static void checkIndexUrl(Section root, String url, Path data) {
        if (!url.startsWith("jdbc:sqlite:")) {
            throw root.error("index-url", "\"" + url + "\" is not supported: only SQLite (jdbc:sqlite:) is, for now");
        }
        Path file = Path.of(url.substring("jdbc:sqlite:".length()));
        if (!file.toAbsolutePath().normalize().equals(data.resolve("index.db"))) {
            throw root.error("index-url", "the SQLite index must be index.db in the data folder (jdbc:sqlite:"
                    + data.resolve("index.db") + "), not " + url);
        }
    }

    /** One mapping of the file, remembering which keys were read so that the others can be refused. */
    private static final class Section {
        private final String origin;
        private final String path;
        private final ObjectNode node;
        private final Set<String> used = new LinkedHashSet<>();

        Section(String origin, String path, ObjectNode node) {
            this.origin = origin;
            this.path = path;
            this.node = node;
        }

        ConfigException error(String key, String message) {
            return new ConfigException(origin + ": key '" + path + key + "' " + message);
        }

        boolean isEmpty() {
            return node.isEmpty();
        }

        List<String> keys() {
            List<String> keys = new ArrayList<>();
            node.fieldNames().forEachRemaining(keys::add);
            return keys;
        }

        /** The value, or null when absent or empty. */
        private JsonNode value(String key) {
            used.add(key);
            JsonNode v = node.get(key);
            return v == null || v.isNull() ? null : v;
        }

        private String scalar(String key) {
            JsonNode v = value(key);
            if (v == null) {
                return null;
            }
            if (!v.isValueNode()) {
                throw error(key, "must be a single value, not a " + v.getNodeType().toString().toLowerCase(Locale.ROOT));
            }
            return v.asText().strip();
        }

        String string(String key, String dflt) {
            String s = scalar(key);
            return s == null ? dflt : s;
        }

        String aeTitle(String key, String dflt) {
            String s = string(key, dflt);
            String why = aeTitleProblem(s);
            if (why != null) {
                throw error(key, why);
            }
            return s;
        }

        String checkAe(String key) {
            String why = aeTitleProblem(key);
            if (why != null) {
                throw new ConfigException(origin + ": key '" + path + key + "': the AE title " + why);
            }
            return key.strip();
        }

        int integer(String key, int dflt, int min, int max) {
            String s = scalar(key);
            if (s == null) {
                return dflt;
            }
            try {
                int v = Integer.parseInt(s);
                if (v < min || v > max) {
                    throw error(key, "must be between " + min + " and " + max + ", not " + v);
                }
                return v;
            } catch (NumberFormatException e) {
                throw error(key, "must be a whole number, not \"" + s + "\"");
            }
        }

        boolean bool(String key, boolean dflt) {
            String s = scalar(key);
            if (s == null) {
                return dflt;
            }
            return switch (s.toLowerCase(Locale.ROOT)) {
                case "true", "yes", "on" -> true;
                case "false", "no", "off" -> false;
                default -> throw error(key, "must be true or false, not \"" + s + "\"");
            };
        }

        long size(String key, long dflt) {
            String s = scalar(key);
            if (s == null) {
                return dflt;
            }
            Matcher m = SIZE.matcher(s);
            if (!m.matches()) {
                throw error(key, "must be a size in bytes, such as 262144, 64KiB, 16MiB or 2GiB, not \"" + s + "\"");
            }
            int shift = switch (m.group(2) == null ? "B" : m.group(2)) {
                case "KiB" -> 10;
                case "MiB" -> 20;
                case "GiB" -> 30;
                case "TiB" -> 40;
                default -> 0;
            };
            try {
                long v = Long.parseLong(m.group(1));
                if (v > (Long.MAX_VALUE >> shift)) {
                    throw error(key, "is too large: \"" + s + "\"");
                }
                return v << shift;
            } catch (NumberFormatException e) {
                throw error(key, "is too large: \"" + s + "\"");
            }
        }

        Duration duration(String key, Duration dflt) {
            String s = scalar(key);
            if (s == null) {
                return dflt;
            }
            if (s.startsWith("P") || s.startsWith("p")) {
                try {
                    return checkNonNegative(key, Duration.parse(s));
                } catch (DateTimeParseException e) {
                    throw error(key, "is not an ISO-8601 duration: \"" + s + "\"");
                }
            }
            Matcher m = DURATION.matcher(s);
            if (!m.matches()) {
                throw error(key, "must be a duration such as 500ms, 30s, 5m or 1h (a bare number is seconds), not \""
                        + s + "\"");
            }
            long n;
            try {
                n = Long.parseLong(m.group(1));
            } catch (NumberFormatException e) {
                throw error(key, "is too large: \"" + s + "\"");
            }
            return switch (m.group(2) == null ? "s" : m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "m", "min" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofSeconds(n);
            };
        }

        private Duration checkNonNegative(String key, Duration d) {
            if (d.isNegative()) {
                throw error(key, "must not be negative");
            }
            return d;
        }

        <E extends Enum<E>> E enumeration(String key, Class<E> type, E dflt) {
            String s = scalar(key);
            if (s == null) {
                return dflt;
            }
            String name = s.replace('-', '_').toUpperCase(Locale.ROOT);
            for (E e : type.getEnumConstants()) {
                if (e.name().equals(name)) {
                    return e;
                }
            }
            List<String> allowed = new ArrayList<>();
            for (E e : type.getEnumConstants()) {
                allowed.add(e.name().toLowerCase(Locale.ROOT).replace('_', '-'));
            }
            throw error(key, "must be one of " + String.join(", ", allowed) + ", not \"" + s + "\"");
        }

        /** "echo, store", or a YAML list of the same words. */
        Set<Permission> permissions(String key, Set<Permission> dflt) {
            JsonNode v = value(key);
            if (v == null) {
                if (dflt == null) {
                    return Set.of();
                }
                return dflt;
            }
            String list;
            if (v.isArray()) {
                List<String> words = new ArrayList<>();
                for (JsonNode w : v) {
                    words.add(w.asText());
                }
                list = String.join(",", words);
            } else if (v.isValueNode()) {
                list = v.asText();
            } else {
                throw error(key, "must be a list of permissions (echo, store, find, move, get, other, all, none)");
            }
            try {
                return AcceptorPolicy.parsePermissions(list);
            } catch (IllegalArgumentException e) {
                throw error(key, e.getMessage());
            }
        }

        /** The words of a YAML list, or of a string separated by commas or blanks. */
        private List<String> words(String key, JsonNode v, String expected) {
            List<String> words = new ArrayList<>();
            if (v.isArray()) {
                v.forEach(w -> words.add(w.asText().strip()));
            } else if (v.isValueNode()) {
                for (String w : v.asText().split("[,\\s]+")) {
                    if (!w.isBlank()) {
                        words.add(w);
                    }
                }
            } else {
                throw error(key, expected);
            }
            return words;
        }

        /** "1.2.3, 1.2.4", or a YAML list of UIDs; each checked (PS3.5 9.1: digits and dots, at most 64). */
        Set<String> uids(String key) {
            JsonNode v = value(key);
            if (v == null) {
                return Set.of();
            }
            List<String> words = words(key, v, "must be a list of UIDs");
            Set<String> uids = new LinkedHashSet<>();
            for (String w : words) {
                if (w.length() > 64 || !UID.matcher(w).matches()) {
                    throw error(key, "must hold UIDs (digits and dots, at most 64 characters), not \"" + w + "\"");
                }
                uids.add(w);
            }
            return uids;
        }

        /**
         * "https://a.example, http://localhost:3000", or a YAML list of origins (scheme://host[:port]), or "*";
         * each checked and normalised as browsers send it.
         */
        List<String> origins(String key) {
            JsonNode v = value(key);
            if (v == null) {
                return List.of();
            }
            List<String> words = words(key, v, "must be a list of origins such as https://viewer.example.org, or *");
            List<String> origins = new ArrayList<>();
            for (String w : words) {
                try {
                    origins.add(DicomWeb.Options.checkOrigin(w));
                } catch (IllegalArgumentException e) {
                    throw error(key, "must hold origins (or *): " + e.getMessage());
                }
            }
            return origins;
        }

        ServerConfig.RemoteAe address(String key) {
            String s = scalar(key);
            int colon = s == null ? -1 : s.lastIndexOf(':');
            if (colon <= 0 || colon == s.length() - 1) {
                throw error(key, "must be host:port, not \"" + s + "\"");
            }
            String host = s.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            int port;
            try {
                port = Integer.parseInt(s.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw error(key, "must be host:port with a numeric port, not \"" + s + "\"");
            }
            if (port < 1 || port > 65535) {
                throw error(key, "has port " + port + ", outside 1 to 65535");
            }
            return new ServerConfig.RemoteAe(host, port);
        }

        Section section(String key) {
            JsonNode v = value(key);
            if (v == null) {
                return new Section(origin, path + key + ".", JsonNodeFactory.instance.objectNode());
            }
            if (!(v instanceof ObjectNode o)) {
                throw error(key, "must be a mapping of keys to values");
            }
            return new Section(origin, path + key + ".", o);
        }

        /** Refuses keys that nothing read. */
        void finish() {
            Set<String> unknown = new TreeSet<>();
            for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                if (!used.contains(k)) {
                    unknown.add(path + k);
                }
            }
            if (!unknown.isEmpty()) {
                throw new ConfigException(origin + ": unknown key" + (unknown.size() > 1 ? "s '" : " '")
                        + String.join("', '", unknown) + "' (known here: " + knownKeys() + ")");
            }
        }

        private String knownKeys() {
            List<String> known = new ArrayList<>();
            for (String k : used) {
                known.add(path + k);
            }
            return String.join(", ", known);
        }
    }

    /** Why a string is not an AE title (PS3.5 AE: 1 to 16 characters of ISO 646, no backslash), or null. */
    static String aeTitleProblem(String title) {
        String t = title.strip();
        if (t.isEmpty() || t.length() > 16) {
            return "\"" + title + "\" must have 1 to 16 characters";
        }
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            if (c < 0x20 || c > 0x7E || c == '\\') {
                return "\"" + title + "\" contains a character AE titles forbid";
            }
        }
        return null;
    }
}
