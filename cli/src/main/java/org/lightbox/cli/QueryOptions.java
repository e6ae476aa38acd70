// SPDX-License-Identifier: Apache-2.0
package org.lightbox.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.OptionGroup;
import org.apache.commons.cli.Options;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Element;
import org.lightbox.dicom.ElementDictionary;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.Uid;
import org.lightbox.dicom.Vr;
import org.lightbox.net.Response;
import org.lightbox.net.Status;

/**
 * What find, move and get share (PS3.4 Annex C): the information model (patient or study root), the query/retrieve
 * level, and the keys of the identifier, given as {@code -k Keyword=value}, {@code -k (gggg,eeee)=value} or
 * {@code -k Sequence.Keyword=value}; a key without a value (or with an empty one) asks for that attribute back.
 */
final class QueryOptions {
    private QueryOptions() {}

    static Options addTo(Options o, String defaultLevel) {
        OptionGroup model = new OptionGroup();
        model.addOption(Option.builder("P").longOpt("patient-root").desc("Patient Root information model.").get());
        model.addOption(Option.builder("S").longOpt("study-root")
                .desc("Study Root information model (the default).").get());
        return o.addOptionGroup(model)
                .addOption(Option.builder("L").longOpt("level").hasArg().argName("LEVEL")
                        .desc("Query/Retrieve Level: PATIENT, STUDY, SERIES or IMAGE (default " + defaultLevel
                                + ").").get())
                .addOption(Option.builder("k").longOpt("key").hasArg().argName("KEY[=VALUE]")
                        .desc("A key of the identifier, by keyword or (gggg,eeee), nested as Sequence.Keyword;"
                                + " without a value it asks for the attribute back. Repeatable.").get());
    }

    /** The SOP class of the model the options name, for "Find", "Move" or "Get". */
    static String model(CommandLine line, String operation) throws UsageException {
        boolean patientRoot = line.hasOption("patient-root");
        if (!patientRoot && level(line, "STUDY").equals("PATIENT")) {
            throw new UsageException("the PATIENT level needs the Patient Root model (-P)");
        }
        return switch (operation) {
            case "Find" -> patientRoot ? Uid.PatientRootQueryRetrieveInformationModelFind
                    : Uid.StudyRootQueryRetrieveInformationModelFind;
            case "Move" -> patientRoot ? Uid.PatientRootQueryRetrieveInformationModelMove
                    : Uid.StudyRootQueryRetrieveInformationModelMove;
            default -> patientRoot ? Uid.PatientRootQueryRetrieveInformationModelGet
                    : Uid.StudyRootQueryRetrieveInformationModelGet;
        };
    }

    static String level(CommandLine line, String defaultLevel) throws UsageException {
        String level = line.getOptionValue("level", defaultLevel).toUpperCase(Locale.ROOT);
        if (level.equals("INSTANCE")) {
            level = "IMAGE";
        }
        if (!List.of("PATIENT", "STUDY", "SERIES", "IMAGE").contains(level)) {
            throw new UsageException("-L takes PATIENT, STUDY, SERIES or IMAGE, not '" + line.getOptionValue("level")
                    + "'");
        }
        return level;
    }

    /** The identifier: Query/Retrieve Level from -L, then the keys in order (a key may override the level). */
    static Dataset identifier(CommandLine line, String defaultLevel) throws UsageException {
        Map<Integer, Object> root = new TreeMap<>(Integer::compareUnsigned);
        root.put(Tag.QueryRetrieveLevel, level(line, defaultLevel));
        String[] keys = line.getOptionValues("key");
        for (String key : keys == null ? new String[0] : keys) {
            int eq = key.indexOf('=');
            String path = eq < 0 ? key : key.substring(0, eq);
            String value = eq < 0 ? "" : key.substring(eq + 1);
            String[] names = path.strip().split("\\.");
            Map<Integer, Object> at = root;
            for (int i = 0; i < names.length - 1; i++) {
                int tag = tag(names[i], key);
                if (ElementDictionary.vrOf(tag) != Vr.SQ) {
                    throw new UsageException("-k " + key + ": " + names[i] + " is not a sequence");
                }
                Object inner = at.get(tag);
                if (!(inner instanceof Map)) {
                    inner = new TreeMap<Integer, Object>(Integer::compareUnsigned);
                    at.put(tag, inner);
                }
                @SuppressWarnings("unchecked")
                Map<Integer, Object> next = (Map<Integer, Object>) inner;
                at = next;
            }
            int tag = tag(names[names.length - 1], key);
            if (!(value.isEmpty() && at.get(tag) instanceof Map)) {
                at.put(tag, value);
            }
        }
        boolean ascii = line.getOptionValues("key") == null
                || java.util.Arrays.stream(line.getOptionValues("key"))
                        .allMatch(k -> k.chars().allMatch(c -> c < 0x80));
        if (!ascii && !root.containsKey(Tag.SpecificCharacterSet)) {
            root.put(Tag.SpecificCharacterSet, "ISO_IR 192");
        }
        return build(root, Dataset.builder());
    }

    private static Dataset build(Map<Integer, Object> keys, Dataset.Builder b) throws UsageException {
        // Specific Character Set sorts first, so the values after it are encoded in it.
        for (Map.Entry<Integer, Object> e : keys.entrySet()) {
            int tag = e.getKey();
            Vr vr = ElementDictionary.vrOf(tag);
            if (e.getValue() instanceof Map<?, ?> m) {
                @SuppressWarnings("unchecked")
                Map<Integer, Object> item = (Map<Integer, Object>) m;
                b.setItems(tag, List.of(build(item, Dataset.builder().inheritCharset(b.charset()))));
                continue;
            }
            String value = (String) e.getValue();
            String what = org.lightbox.dicom.Tags.format(tag);
            if (vr == Vr.SQ) {
                if (!value.isEmpty()) {
                    throw new UsageException(what + " is a sequence: give its keys as Sequence.Keyword=value");
                }
                b.setItems(tag, List.of());
            } else if (value.isEmpty()) {
                b.add(Element.of(tag, vr, new byte[0]));
            } else if (vr.isText()) {
                b.setStrings(tag, vr, vr.isMultiValuedText() ? value.split("\\\\", -1) : new String[] {value});
            } else if (vr.unitSize() > 0 && vr != Vr.OB && vr != Vr.UN && vr != Vr.AT) {
                try {
                    b.setNumbers(tag, vr, java.util.Arrays.stream(value.split("\\\\"))
                            .mapToDouble(Double::parseDouble).toArray());
                } catch (NumberFormatException ex) {
                    throw new UsageException(what + " (" + vr + ") takes numbers, not '" + value + "'");
                }
            } else {
                throw new UsageException(what + " (" + vr + ") can only be a return key (no value)");
            }
        }
        return b.build();
    }

    /** A keyword, (gggg,eeee), gggg,eeee or ggggeeee. */
    static int tag(String name, String key) throws UsageException {
        String n = name.strip();
        String hex = n.startsWith("(") && n.endsWith(")") ? n.substring(1, n.length() - 1) : n;
        if (hex.matches("[0-9A-Fa-f]{4},[0-9A-Fa-f]{4}")) {
            return Integer.parseUnsignedInt(hex.replace(",", ""), 16);
        }
        if (hex.matches("[0-9A-Fa-f]{8}")) {
            return Integer.parseUnsignedInt(hex, 16);
        }
        OptionalInt t = ElementDictionary.tagOf(n);
        if (t.isEmpty()) {
            throw new UsageException("-k " + key + ": '" + n + "' is no keyword of the dictionary nor a tag"
                    + " (gggg,eeee)");
        }
        return t.getAsInt();
    }

    /** Sub-operation counts of a C-MOVE or C-GET response, and whether any failed. */
    record Counts(int remaining, int completed, int failed, int warning) {
        static Counts of(Response r) {
            return new Counts(r.command().integer(Tag.NumberOfRemainingSuboperations, -1),
                    r.command().integer(Tag.NumberOfCompletedSuboperations, -1),
                    r.command().integer(Tag.NumberOfFailedSuboperations, -1),
                    r.command().integer(Tag.NumberOfWarningSuboperations, -1));
        }

        String describe() {
            List<String> parts = new ArrayList<>();
            if (remaining >= 0) {
                parts.add("remaining " + remaining);
            }
            parts.add("completed " + Math.max(completed, 0));
            parts.add("failed " + Math.max(failed, 0));
            parts.add("warning " + Math.max(warning, 0));
            return String.join(", ", parts);
        }
    }

    /**
     * Prints the final response of a C-MOVE or C-GET: status, counts, failed instances; returns the exit status (1
     * on a failure status or any failed sub-operation).
     */
    static int report(String command, String operation, Response r, PrintStream out, PrintStream err) {
        Counts c = Counts.of(r);
        out.println(operation + " " + r.describe() + ": " + c.describe());
        out.flush();
        if (r.dataset() != null) {
            List<String> failed = r.dataset().strings(Tag.FailedSOPInstanceUIDList);
            if (!failed.isEmpty()) {
                err.println("lightbox " + command + ": failed SOP instances: " + String.join(", ", failed));
            }
        }
        if (Status.isFailure(r.status()) || c.failed() > 0) {
            err.println("lightbox " + command + ": " + operation + " "
                    + (Status.isFailure(r.status()) ? "failed: " + r.describe()
                    : c.failed() + " sub-operation" + (c.failed() == 1 ? "" : "s") + " failed"));
            return 1;
        }
        return 0;
    }
}
