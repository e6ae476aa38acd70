// SPDX-License-Identifier: Apache-2.0
package org.lightbox.cli;

import java.awt.image.BufferedImage;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.lightbox.dicom.io.DicomReader;
import org.lightbox.imaging.Renderer;

/** {@code lightbox render}: one frame as a PNG or JPEG image for display. */
final class RenderCommand implements Subcommand {
    @Override
    public String name() {
        return "render";
    }

    @Override
    public String summary() {
        return "render a frame to PNG or JPEG through the modality, VOI and presentation LUTs";
    }

    @Override
    public String arguments() {
        return "IN OUT.png|OUT.jpg";
    }

    @Override
    public String description() {
        return "Renders a frame for display: grayscale through the modality LUT (Rescale Slope and Intercept or a"
                + " Modality LUT Sequence), the VOI LUT (Window Center and Width with VOI LUT Function LINEAR,"
                + " LINEAR_EXACT or SIGMOID, a VOI LUT Sequence, or a window computed from the frame) and the"
                + " Presentation LUT Shape, MONOCHROME1 inverted; colour from RGB, YBR or a palette. The file name"
                + " of OUT chooses PNG or JPEG.";
    }

    @Override
    public Options options() {
        return new Options()
                .addOption(Option.builder().longOpt("frame").hasArg().argName("N").desc("The frame, from 1 (default 1).").get())
                .addOption(Option.builder().longOpt("window").hasArg().argName("C,W")
                        .desc("Window centre and width in modality units, overriding the file's.").get())
                .addOption(Option.builder().longOpt("size").hasArg().argName("WxH")
                        .desc("Scale down to fit W x H pixels, keeping the aspect ratio.").get())
                .addOption(Option.builder().longOpt("16bit").desc("Grayscale PNG of 16 bits instead of 8.").get());
    }

    @Override
    public int run(CommandLine line, PrintStream out, PrintStream err) {
        List<String> args = line.getArgList();
        if (args.size() != 2) {
            err.println("lightbox render: needs IN and OUT (try lightbox render --help)");
            return 2;
        }
        Renderer.Options options;
        try {
            int frame = Integer.parseInt(line.getOptionValue("frame", "1")) - 1;
            Optional<double[]> window = Optional.empty();
            if (line.hasOption("window")) {
                String[] cw = line.getOptionValue("window").split(",");
                window = Optional.of(new double[] {Double.parseDouble(cw[0]), Double.parseDouble(cw[1])});
            }
            int w = 0;
            int h = 0;
            if (line.hasOption("size")) {
                String[] wh = line.getOptionValue("size").toLowerCase(Locale.ROOT).split("x");
                w = Integer.parseInt(wh[0]);
                h = Integer.parseInt(wh[1]);
            }
            if (frame < 0 || w < 0 || h < 0) {
                throw new NumberFormatException();
            }
            options = new Renderer.Options(frame, window, w, h, line.hasOption("16bit"));
        } catch (RuntimeException e) {
            err.println("lightbox render: --frame takes a number from 1, --window C,W and --size WxH");
            return 2;
        }
        Path in = Path.of(args.get(0));
        Path target = Path.of(args.get(1));
        String name = target.getFileName().toString().toLowerCase(Locale.ROOT);
        boolean jpeg = name.endsWith(".jpg") || name.endsWith(".jpeg");
        try {
            BufferedImage image = Renderer.render(DicomReader.read(in), options);
            Path dir = target.toAbsolutePath().getParent();
            Path tmp = Files.createTempFile(dir, ".lightbox-", ".part");
            try {
                try (OutputStream o = new BufferedOutputStream(Files.newOutputStream(tmp))) {
                    if (jpeg) {
                        Renderer.writeJpeg(image, o);
                    } else {
                        Renderer.writePng(image, o);
                    }
                }
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
            return 0;
        } catch (IOException | RuntimeException e) {
            err.println("lightbox render: " + in + ": " + e.getMessage());
            return 1;
        }
    }
}
