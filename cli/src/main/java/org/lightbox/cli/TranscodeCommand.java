// SPDX-License-Identifier: Apache-2.0
package org.lightbox.cli;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.lightbox.dicom.TransferSyntax;
import org.lightbox.dicom.UidRegistry;
import org.lightbox.dicom.io.DicomFile;
import org.lightbox.dicom.io.DicomReader;
import org.lightbox.imaging.PixelCodec;
import org.lightbox.imaging.PixelData;
import org.lightbox.imaging.Transcoder;

/** {@code lightbox transcode}: rewrites files in another transfer syntax. */
final class TranscodeCommand implements Subcommand {
    @Override
    public String name() {
        return "transcode";
    }

    @Override
    public String summary() {
        return "write DICOM files in another transfer syntax";
    }

    @Override
    public String arguments() {
        return "IN OUT";
    }

    @Override
    public String description() {
        return "Writes IN in the transfer syntax --ts names (a UID or its keyword, such as RLELossless or"
                + " ExplicitVRLittleEndian). IN and OUT may be folders: every file under IN is written to the same"
                + " place under OUT. Pixel data is decoded and encoded frame by frame; the attributes that describe it"
                + " change with it. Transfer syntaxes this build encodes: " + String.join(", ", encodable()) + ".";
    }

    private static List<String> encodable() {
        return TransferSyntax.all().stream()
                .filter(ts -> !UidRegistry.lookup(ts.uid()).map(UidRegistry.Entry::retired).orElse(false))
                .filter(ts -> ts.isNative() || PixelData.encoder(ts.uid()).isPresent())
                .map(TransferSyntax::keyword).toList();
    }

    @Override
    public Options options() {
        return new Options()
                .addOption(Option.builder().longOpt("ts").hasArg().argName("UID").required()
                        .desc("The transfer syntax to write (UID or keyword).").get())
                .addOption(Option.builder().longOpt("quality").hasArg().argName("Q")
                        .desc("Lossy quality, 1 (smallest) to 100 (best); default 90.").get())
                .addOption(Option.builder().longOpt("near").hasArg().argName("N")
                        .desc("JPEG-LS near-lossless: the largest error per sample; default 2.").get());
    }

    @Override
    public int run(CommandLine line, PrintStream out, PrintStream err) {
        List<String> args = line.getArgList();
        if (args.size() != 2) {
            err.println("lightbox transcode: needs IN and OUT (try lightbox transcode --help)");
            return 2;
        }
        Optional<TransferSyntax> ts = transferSyntax(line.getOptionValue("ts"));
        if (ts.isEmpty()) {
            err.println("lightbox transcode: '" + line.getOptionValue("ts") + "' names no transfer syntax");
            return 2;
        }
        PixelCodec.EncodeOptions options;
        try {
            int quality = Integer.parseInt(line.getOptionValue("quality", "90"));
            int near = Integer.parseInt(line.getOptionValue("near", "2"));
            if (quality < 1 || quality > 100 || near < 0) {
                throw new NumberFormatException();
            }
            options = new PixelCodec.EncodeOptions(quality, near);
        } catch (NumberFormatException e) {
            err.println("lightbox transcode: --quality takes 1 to 100 and --near a whole number of 0 or more");
            return 2;
        }
        Path in = Path.of(args.get(0));
        Path target = Path.of(args.get(1));
        if (!Files.exists(in)) {
            err.println("lightbox transcode: " + in + ": no such file or folder");
            return 1;
        }
        int status = 0;
        List<Path> files;
        try (Stream<Path> s = Files.isDirectory(in) ? Files.walk(in) : Stream.of(in)) {
            files = s.filter(Files::isRegularFile).sorted().toList();
        } catch (IOException e) {
            err.println("lightbox transcode: " + in + ": " + e.getMessage());
            return 1;
        }
        for (Path file : files) {
            Path dest = Files.isDirectory(in) ? target.resolve(in.relativize(file).toString()) : target;
            try {
                transcode(file, dest, ts.get(), options);
            } catch (IOException | RuntimeException e) {
                err.println("lightbox transcode: " + file + ": " + e.getMessage());
                status = 1;
            }
        }
        return status;
    }

    private static void transcode(Path file, Path dest, TransferSyntax ts, PixelCodec.EncodeOptions options)
            throws IOException {
        DicomFile f = DicomReader.read(file);
        if (dest.getParent() != null) {
            Files.createDirectories(dest.getParent());
        }
        // Written beside the target and renamed, so a failure never leaves half a file under the final name.
        Path tmp = Files.createTempFile(dest.toAbsolutePath().getParent(), ".lightbox-", ".part");
        try {
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
                Transcoder.transcode(f, ts, options, out);
            }
            Files.move(tmp, dest, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    static Optional<TransferSyntax> transferSyntax(String name) {
        if (name.matches("[0-9.]+")) {
            return Optional.of(TransferSyntax.of(name)).filter(TransferSyntax::known);
        }
        return TransferSyntax.all().stream().filter(t -> t.keyword().equalsIgnoreCase(name)).findFirst()
                .or(() -> UidRegistry.lookup(name).map(e -> TransferSyntax.of(e.uid())));
    }
}
