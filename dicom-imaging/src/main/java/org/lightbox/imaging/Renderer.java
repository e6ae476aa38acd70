// SPDX-License-Identifier: Apache-2.0
package org.lightbox.imaging;

import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferUShort;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Optional;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Element;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.io.DicomFile;

/**
 * Turns a frame into an image for display, through the grayscale pipeline of PS3.4 N.2 (modality LUT, VOI LUT,
 * presentation LUT; MONOCHROME1 inverted) or the colour one (RGB, YBR to RGB, palette colour, segmented palettes
 * too), then scaled to fit a viewport. Stored values map through one precomputed table, so a frame costs a pass.
 */
public final class Renderer {

    /**
     * @param frame from 0
     * @param window a window centre and width that override the file's, or empty to use the file's (or compute one)
     * @param maxWidth the viewport, 0 for none
     * @param sixteenBit grayscale output of 16 bits (PNG), else 8
     * @param windowFunction the VOI LUT Function of the window given ({@code LINEAR}, {@code LINEAR_EXACT} or
     *     {@code SIGMOID}, PS3.3 C.11.2.1.3); ignored without one
     */
    public record Options(int frame, Optional<double[]> window, int maxWidth, int maxHeight, boolean sixteenBit,
            String windowFunction) {
        public static final Options DEFAULT = new Options(0, Optional.empty(), 0, 0, false);

        public Options {
            if (!VOI_FUNCTIONS.contains(windowFunction)) {
                throw new IllegalArgumentException("a VOI LUT Function is LINEAR, LINEAR_EXACT or SIGMOID, not "
                        + windowFunction);
            }
        }

        /** A linear window, if any. */
        public Options(int frame, Optional<double[]> window, int maxWidth, int maxHeight, boolean sixteenBit) {
            this(frame, window, maxWidth, maxHeight, sixteenBit, "LINEAR");
        }
    }

    private static final List<String> VOI_FUNCTIONS = List.of("LINEAR", "LINEAR_EXACT", "SIGMOID");

    private Renderer() {}

    public static BufferedImage render(DicomFile file, Options options) throws IOException {
        Frames frames = Frames.of(file.dataset());
        if (options.frame() < 0 || options.frame() >= frames.count()) {
            throw new IllegalArgumentException("frame " + (options.frame() + 1) + " of " + frames.count());
        }
        PixelCodec.Decoded d = PixelData.decode(frames, file.transferSyntax(), options.frame());
        ImageDescription image = d.image();
        String pi = image.photometricInterpretation();
        BufferedImage out;
        if (image.samplesPerPixel() == 1 && pi.startsWith("MONOCHROME")) {
            out = grayscale(file.dataset(), d, options);
        } else if (image.samplesPerPixel() == 1 && pi.equals("PALETTE COLOR")) {
            out = palette(file.dataset(), d);
        } else if (image.samplesPerPixel() == 3) {
            out = colour(d);
        } else {
            throw new IOException("cannot render " + image.samplesPerPixel() + " samples of " + pi);
        }
        return fit(out, options.maxWidth(), options.maxHeight());
    }

    public static void writePng(BufferedImage image, OutputStream out) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("png").next();
        ImageWriteParam param = writer.getDefaultWriteParam();
        // A light deflate level: the default level takes most of the time of a render and saves little on images.
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(0.75f);
        try (ImageOutputStream ios = new MemoryCacheImageOutputStream(out)) { // never a temporary file
            writer.setOutput(ios);
            writer.write(null, new IIOImage(image, null, null), param);
        } finally {
            writer.dispose();
        }
    }

    public static void writeJpeg(BufferedImage image, OutputStream out) throws IOException {
        BufferedImage rgb = eightBit(image);
        if (!ImageIO.write(rgb, "jpeg", out)) {
            throw new IOException("no JPEG writer for this image type");
        }
    }

    /** Writes JPEG with a quality from 1 (smallest) to 100 (best). */
    public static void writeJpeg(BufferedImage image, int quality, OutputStream out) throws IOException {
        if (quality < 1 || quality > 100) {
            throw new IllegalArgumentException("JPEG quality is 1 to 100, not " + quality);
        }
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ImageWriteParam param = writer.getDefaultWriteParam();
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(quality / 100f);
        try (ImageOutputStream ios = new MemoryCacheImageOutputStream(out)) {
            writer.setOutput(ios);
            writer.write(null, new IIOImage(eightBit(image), null, null), param);
        } finally {
            writer.dispose();
        }
    }

    /** Writes GIF (grayscale as is, colour reduced to a palette by the JDK's writer). */
    public static void writeGif(BufferedImage image, OutputStream out) throws IOException {
        if (!ImageIO.write(eightBit(image), "gif", out)) {
            throw new IOException("no GIF writer for this image type");
        }
    }

    private static BufferedImage eightBit(BufferedImage image) {
        if (image.getType() != BufferedImage.TYPE_USHORT_GRAY) {
            return image;
        }
        BufferedImage gray = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_BYTE_GRAY);
        gray.getGraphics().drawImage(image, 0, 0, null);
        return gray;
    }

    /**
     * The region {@code (x, y, width, height)} of an image, in its pixels, clipped to the image: a view sharing the
     * image's pixels.
     *
     * @throws IllegalArgumentException when the region lies wholly outside the image
     */
    public static BufferedImage region(BufferedImage image, int x, int y, int width, int height) {
        int x0 = Math.max(0, x);
        int y0 = Math.max(0, y);
        int x1 = Math.min(image.getWidth(), x + width);
        int y1 = Math.min(image.getHeight(), y + height);
        if (width <= 0 || height <= 0 || x1 <= x0 || y1 <= y0) {
            throw new IllegalArgumentException("the region " + x + "," + y + "," + width + "," + height
                    + " lies outside the " + image.getWidth() + " x " + image.getHeight() + " image");
        }
        return image.getSubimage(x0, y0, x1 - x0, y1 - y0);
    }

    /** The image scaled, larger or smaller, to the largest size within {@code width x height} of the same aspect. */
    public static BufferedImage scaleToFit(BufferedImage image, int width, int height) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("a viewport of " + width + " x " + height);
        }
        double scale = Math.min((double) width / image.getWidth(), (double) height / image.getHeight());
        return scaled(image, scale);
    }

    /** Stored values as signed or unsigned integers, Bits Stored wide (PS3.5 8.1.1: bits above High Bit ignored). */
    static int[] samples(PixelCodec.Decoded d) {
        ImageDescription image = d.image();
        byte[] p = d.pixels();
        int n = image.pixels() * image.samplesPerPixel();
        int bytes = Math.max(1, image.bitsAllocated() / 8);
        int shift = 32 - image.bitsStored();
        int lowBit = image.highBit() + 1 - image.bitsStored();
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            int v;
            switch (bytes) {
                case 1 -> v = p[i] & 0xFF;
                case 2 -> v = p[2 * i] & 0xFF | (p[2 * i + 1] & 0xFF) << 8;
                default -> v = p[bytes * i] & 0xFF | (p[bytes * i + 1] & 0xFF) << 8 | (p[bytes * i + 2] & 0xFF) << 16
                        | (p[bytes * i + 3] & 0xFF) << 24;
            }
            if (image.floatBits() == 0 && image.bitsAllocated() > 1) {
                v >>>= lowBit;
                // Keep Bits Stored bits, then sign-extend them when Pixel Representation says signed.
                v = image.signed() ? v << shift >> shift : (int) ((v & 0xFFFFFFFFL) << shift >>> shift);
            }
            out[i] = v;
        }
        return out;
    }

    private static BufferedImage grayscale(Dataset ds, PixelCodec.Decoded d, Options options) {
        ImageDescription image = d.image();
        int[] stored = samples(d);
        int min = Integer.MAX_VALUE;
        int max = Integer.MIN_VALUE;
        for (int v : stored) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        ModalityLut modality = ModalityLut.of(ds);
        VoiLut voi = VoiLut.of(ds, options.window(), options.windowFunction(), modality, min, max);
        boolean invert = image.photometricInterpretation().equals("MONOCHROME1")
                ^ ds.string(Tag.PresentationLUTShape).orElse("IDENTITY").equals("INVERSE");
        int outMax = options.sixteenBit() ? 0xFFFF : 0xFF;
        // One table over the stored values present: each pixel is then a lookup.
        int[] table = new int[max - min + 1];
        for (int v = min; v <= max; v++) {
            double y = voi.apply(modality.apply(v)); // 0..1
            int o = (int) Math.round(Math.max(0, Math.min(1, y)) * outMax);
            table[v - min] = invert ? outMax - o : o;
        }
        int w = image.columns();
        int h = image.rows();
        if (options.sixteenBit()) {
            BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_USHORT_GRAY);
            short[] px = ((DataBufferUShort) out.getRaster().getDataBuffer()).getData();
            for (int i = 0; i < px.length; i++) {
                px[i] = (short) table[stored[i] - min];
            }
            return out;
        }
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        byte[] px = ((DataBufferByte) out.getRaster().getDataBuffer()).getData();
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) table[stored[i] - min];
        }
        return out;
    }

    private static BufferedImage colour(PixelCodec.Decoded d) {
        ImageDescription image = d.image();
        int[] s = samples(d);
        int scale = image.bitsStored() > 8 ? image.bitsStored() - 8 : 0;
        String pi = image.photometricInterpretation();
        boolean ybr = pi.startsWith("YBR_FULL");
        BufferedImage out = new BufferedImage(image.columns(), image.rows(), BufferedImage.TYPE_3BYTE_BGR);
        byte[] px = ((DataBufferByte) out.getRaster().getDataBuffer()).getData();
        for (int i = 0; i < image.pixels(); i++) {
            int a = s[3 * i] >> scale;
            int b = s[3 * i + 1] >> scale;
            int c = s[3 * i + 2] >> scale;
            if (ybr) {
                // PS3.3 C.7.6.3.1.2: YBR_FULL to RGB with full-range Y, Cb and Cr.
                double r = a + 1.402 * (c - 128);
                double g = a - 0.344136 * (b - 128) - 0.714136 * (c - 128);
                double bl = a + 1.772 * (b - 128);
                a = clamp(r);
                b = clamp(g);
                c = clamp(bl);
            }
            px[3 * i] = (byte) c;
            px[3 * i + 1] = (byte) b;
            px[3 * i + 2] = (byte) a;
        }
        return out;
    }

    private static int clamp(double v) {
        return (int) Math.max(0, Math.min(255, Math.round(v)));
    }

    private static BufferedImage palette(Dataset ds, PixelCodec.Decoded d) throws IOException {
        ImageDescription image = d.image();
        Lut red = Lut.palette(ds, Tag.RedPaletteColorLookupTableDescriptor, Tag.RedPaletteColorLookupTableData,
                Tag.SegmentedRedPaletteColorLookupTableData);
        Lut green = Lut.palette(ds, Tag.GreenPaletteColorLookupTableDescriptor, Tag.GreenPaletteColorLookupTableData,
                Tag.SegmentedGreenPaletteColorLookupTableData);
        Lut blue = Lut.palette(ds, Tag.BluePaletteColorLookupTableDescriptor, Tag.BluePaletteColorLookupTableData,
                Tag.SegmentedBluePaletteColorLookupTableData);
        int[] s = samples(d);
        BufferedImage out = new BufferedImage(image.columns(), image.rows(), BufferedImage.TYPE_3BYTE_BGR);
        byte[] px = ((DataBufferByte) out.getRaster().getDataBuffer()).getData();
        for (int i = 0; i < image.pixels(); i++) {
            px[3 * i] = (byte) blue.to8(s[i]);
            px[3 * i + 1] = (byte) green.to8(s[i]);
            px[3 * i + 2] = (byte) red.to8(s[i]);
        }
        return out;
    }

    private static BufferedImage fit(BufferedImage in, int maxWidth, int maxHeight) {
        if (maxWidth <= 0 || maxHeight <= 0 || in.getWidth() <= maxWidth && in.getHeight() <= maxHeight) {
            return in;
        }
        return scaled(in, Math.min((double) maxWidth / in.getWidth(), (double) maxHeight / in.getHeight()));
    }

    private static BufferedImage scaled(BufferedImage in, double scale) {
        int w = Math.max(1, (int) Math.round(in.getWidth() * scale));
        int h = Math.max(1, (int) Math.round(in.getHeight() * scale));
        if (w == in.getWidth() && h == in.getHeight()) {
            return in;
        }
        BufferedImage out = new BufferedImage(w, h, in.getType());
        var g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(in, 0, 0, w, h, null);
        g.dispose();
        return out;
    }

    /** Stored value to modality value: a Modality LUT Sequence, else Rescale Slope and Intercept. */
    record ModalityLut(double slope, double intercept, Lut lut) {
        static ModalityLut of(Dataset ds) {
            List<Dataset> seq = ds.items(Tag.ModalityLUTSequence);
            if (!seq.isEmpty()) {
                Optional<Lut> lut = Lut.of(seq.getFirst());
                if (lut.isPresent()) {
                    return new ModalityLut(1, 0, lut.get());
                }
            }
            return new ModalityLut(ds.doubleValue(Tag.RescaleSlope).orElse(1.0),
                    ds.doubleValue(Tag.RescaleIntercept).orElse(0.0), null);
        }

        double apply(int stored) {
            return lut != null ? lut.lookup(stored) : stored * slope + intercept;
        }
    }

    /** Modality value to 0..1 (PS3.3 C.11.2): a window with its function, or a VOI LUT. */
    record VoiLut(double center, double width, String function, Lut lut) {
        static VoiLut of(Dataset ds, Optional<double[]> override, String overrideFunction, ModalityLut modality,
                int min, int max) {
            if (override.isPresent()) {
                // PS3.3 C.11.2.1.2: a LINEAR width is at least 1; the other functions take any width above 0.
                double width = overrideFunction.equals("LINEAR") ? Math.max(1, override.get()[1])
                        : Math.max(Double.MIN_NORMAL, override.get()[1]);
                return new VoiLut(override.get()[0], width, overrideFunction, null);
            }
            List<Dataset> seq = ds.items(Tag.VOILUTSequence);
            if (!seq.isEmpty() && !ds.contains(Tag.WindowCenter)) {
                Optional<Lut> lut = Lut.of(seq.getFirst());
                if (lut.isPresent()) {
                    return new VoiLut(0, 0, "LUT", lut.get());
                }
            }
            double[] c = ds.get(Tag.WindowCenter).map(Element::doubles).orElse(new double[0]);
            double[] w = ds.get(Tag.WindowWidth).map(Element::doubles).orElse(new double[0]);
            String function = ds.string(Tag.VOILUTFunction).orElse("LINEAR");
            if (c.length > 0 && w.length > 0 && w[0] > 0) {
                return new VoiLut(c[0], w[0], function, null);
            }
            // No window: the range of the values in the frame.
            double lo = Math.min(modality.apply(min), modality.apply(max));
            double hi = Math.max(modality.apply(min), modality.apply(max));
            return new VoiLut((lo + hi) / 2 + 0.5, Math.max(1, hi - lo + 1), "LINEAR", null);
        }

        double apply(double x) {
            if (lut != null) {
                return lut.lookup((int) Math.round(x)) / lut.maxOutput();
            }
            return switch (function) {
                case "SIGMOID" -> 1 / (1 + Math.exp(-4 * (x - center) / width));
                case "LINEAR_EXACT" -> x <= center - width / 2 ? 0 : x > center + width / 2 ? 1
                        : (x - center) / width + 0.5;
                default -> {
                    if (width <= 1) {
                        yield x <= center - 0.5 ? 0 : 1;
                    }
                    yield x <= center - 0.5 - (width - 1) / 2 ? 0 : x > center - 0.5 + (width - 1) / 2 ? 1
                            : (x - (center - 0.5)) / (width - 1) + 0.5;
                }
            };
        }
    }
}
