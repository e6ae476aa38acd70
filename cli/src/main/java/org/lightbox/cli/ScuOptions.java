// SPDX-License-Identifier: Apache-2.0
package org.lightbox.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.net.SocketFactory;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.lightbox.net.Association;
import org.lightbox.net.DimseService;
import org.lightbox.net.NetOptions;
import org.lightbox.net.Proposal;
import org.lightbox.net.Tls;

/**
 * What every network command shares: the peer ({@code AET@host:port}), the calling AE title, timeouts, the maximum
 * PDU length and TLS. Options are named after their DCMTK counterparts' meaning, in long form.
 *
 * @param peerAeTitle the called AE title
 */
record ScuOptions(String peerAeTitle, String host, int port, String callingAeTitle, NetOptions net,
        SocketFactory sockets) {

    static final String DEFAULT_AE_TITLE = "LIGHTBOX";

    /** Adds the shared options to a command's own. */
    static Options addTo(Options o) {
        return o.addOption(Option.builder("v").longOpt("verbose")
                        .desc("Log the association's events (accepted, released, aborted) on standard error.").get())
                .addOption(Option.builder().longOpt("aet").hasArg().argName("AET")
                        .desc("Calling AE title (default " + DEFAULT_AE_TITLE + ").").get())
                .addOption(Option.builder().longOpt("connect-timeout").hasArg().argName("SECONDS")
                        .desc("Give up connecting after this long (default 10).").get())
                .addOption(Option.builder().longOpt("artim-timeout").hasArg().argName("SECONDS")
                        .desc("Wait this long for the association to be accepted or released (default 30).").get())
                .addOption(Option.builder().longOpt("response-timeout").hasArg().argName("SECONDS")
                        .desc("Abort when a DIMSE response takes longer (default: wait as long as it takes).").get())
                .addOption(Option.builder().longOpt("max-pdu").hasArg().argName("BYTES")
                        .desc("Maximum PDU length to receive, 1024 to 4294967295, or 0 for no limit"
                                + " (default 262144).").get())
                .addOption(Option.builder().longOpt("tls").desc("Use TLS 1.3 or 1.2 (BCP 195 profiles).").get())
                .addOption(Option.builder().longOpt("tls-key-store").hasArg().argName("FILE")
                        .desc("PKCS#12 (or .jks) store with this side's key and certificate, for peers that want"
                                + " a client certificate.").get())
                .addOption(Option.builder().longOpt("tls-key-store-password").hasArg().argName("PASSWORD")
                        .desc("Its password; env:NAME reads it from the environment variable NAME.").get())
                .addOption(Option.builder().longOpt("tls-trust-store").hasArg().argName("FILE")
                        .desc("Store of the certificates (or CAs) to trust (default: the JDK's).").get())
                .addOption(Option.builder().longOpt("tls-trust-store-password").hasArg().argName("PASSWORD")
                        .desc("Its password; env:NAME reads it from the environment variable NAME.").get());
    }

    /** Reads the shared options and the peer, the first argument. */
    static ScuOptions parse(CommandLine line, String peer) throws UsageException, IOException {
        int at = peer.lastIndexOf('@');
        int colon = peer.lastIndexOf(':');
        if (at <= 0 || colon < at) {
            throw new UsageException("'" + peer + "' is not AET@host:port");
        }
        String aet = peer.substring(0, at);
        String host = peer.substring(at + 1, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1); // [::1]
        }
        if (host.isEmpty()) {
            throw new UsageException("'" + peer + "' names no host");
        }
        int port = (int) number(peer.substring(colon + 1), "the port in '" + peer + "'", 1, 65535);
        String calling = line.getOptionValue("aet", DEFAULT_AE_TITLE);
        checkAeTitle(aet, "called AE title");
        checkAeTitle(calling, "--aet");
        NetOptions net = NetOptions.DEFAULT;
        try {
            if (line.hasOption("connect-timeout")) {
                net = net.withConnectTimeout(seconds(line, "connect-timeout"));
            }
            if (line.hasOption("artim-timeout")) {
                net = net.withArtimTimeout(seconds(line, "artim-timeout"));
            }
            if (line.hasOption("response-timeout")) {
                net = net.withResponseTimeout(seconds(line, "response-timeout"));
            }
            if (line.hasOption("max-pdu")) {
                net = net.withMaxPduLength(number(line.getOptionValue("max-pdu"), "--max-pdu", 0, 0xFFFFFFFFL));
            }
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        return new ScuOptions(aet, host, port, calling, net, tls(line));
    }

    private static SocketFactory tls(CommandLine line) throws UsageException, IOException {
        boolean any = List.of("tls-key-store", "tls-key-store-password", "tls-trust-store", "tls-trust-store-password")
                .stream().anyMatch(line::hasOption);
        if (!line.hasOption("tls")) {
            if (any) {
                throw new UsageException("the --tls-... options need --tls");
            }
            return null;
        }
        Path keyStore = store(line, "tls-key-store");
        Path trustStore = store(line, "tls-trust-store");
        return Tls.of(keyStore, password(line, "tls-key-store-password"), trustStore,
                password(line, "tls-trust-store-password"), false).socketFactory();
    }

    private static Path store(CommandLine line, String option) throws UsageException {
        if (!line.hasOption(option)) {
            return null;
        }
        Path p = Path.of(line.getOptionValue(option));
        if (!Files.isReadable(p)) {
            throw new UsageException("--" + option + " " + p + ": no such readable file");
        }
        return p;
    }

    private static char[] password(CommandLine line, String option) throws UsageException {
        String v = line.getOptionValue(option);
        if (v == null) {
            return null;
        }
        if (v.startsWith("env:")) {
            String value = System.getenv(v.substring(4));
            if (value == null) {
                throw new UsageException("--" + option + " " + v + ": the environment variable is not set");
            }
            return value.toCharArray();
        }
        return v.toCharArray();
    }

    private static void checkAeTitle(String title, String what) throws UsageException {
        String t = title.strip();
        if (t.isEmpty() || t.length() > 16 || !t.chars().allMatch(c -> c >= 0x20 && c <= 0x7E && c != '\\')) {
            throw new UsageException(what + " '" + title + "' is not an AE title (1 to 16 characters, no backslash)");
        }
    }

    static Duration seconds(CommandLine line, String option) throws UsageException {
        String v = line.getOptionValue(option);
        try {
            double s = Double.parseDouble(v);
            if (s < 0 || Double.isNaN(s) || s > 1e9) {
                throw new NumberFormatException();
            }
            return Duration.ofMillis(Math.round(s * 1000));
        } catch (NumberFormatException e) {
            throw new UsageException("--" + option + " needs a number of seconds, not '" + v + "'");
        }
    }

    static long number(String v, String what, long min, long max) throws UsageException {
        try {
            long n = Long.parseLong(v.strip());
            if (n < min || n > max) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new UsageException(what + " needs a whole number from " + min + " to " + max + ", not '" + v + "'");
        }
    }

    /** "QRSCP@127.0.0.1:11112", for messages. */
    String peer() {
        return peerAeTitle + "@" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    Proposal proposal() {
        return new Proposal(callingAeTitle, peerAeTitle);
    }

    /** Opens an association; {@code services} answer what the peer sends back on it (C-GET's C-STOREs). */
    Association connect(Proposal proposal, Map<String, DimseService> services) throws IOException {
        return Association.connect(host, port, proposal, net, sockets, services);
    }
}
