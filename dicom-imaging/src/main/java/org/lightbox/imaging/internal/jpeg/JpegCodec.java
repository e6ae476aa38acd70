// SPDX-License-Identifier: Apache-2.0
package org.lightbox.imaging.internal.jpeg;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.lightbox.dicom.Uid;
import org.lightbox.imaging.CodecException;
import org.lightbox.imaging.ImageDescription;
import org.lightbox.imaging.PixelCodec;
import org.w3c.dom.Node;

/**
 * JPEG Baseline (process 1), Extended (processes 2 and 4) and Lossless (process 14, any predictor, and SV1).
 *
 * <p>8-bit DCT and lossless frames go through ImageIO with TwelveMonkeys' reader, read as a raster so nothing is
 * colour converted; 12-bit DCT frames, which the JDK's reader refuses, go through {@link DctDecoder}. Decoded
 * colour stays in the codestream's colour space, as DCMTK's {@code dcmdjpeg +cn}, GDCM and pydicom leave it:
 * YCbCr comes back as YBR_FULL (PS3.3 C.7.6.3.1.2: YBR_FULL_422 describes the subsampled compressed form only),
 * RGB as RGB. Encoding writes 8-bit Baseline through the JDK's writer (monochrome, or colour as YBR_FULL_422),
 * 12-bit Extended monochrome through {@link DctEncoder} and Lossless SV1 / process 14 through
 * {@link LosslessEncoder}.
 */
public final class JpegCodec implements PixelCodec {
    private static final String NAME = "JPEG (TwelveMonkeys ImageIO + Lightbox)";
    private static final String TWELVEMONKEYS = "com.twelvemonkeys.imageio.plugins.jpeg.";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Set<String> decodes() {
        return Set.of(Uid.JPEGBaseline8Bit, Uid.JPEGExtended12Bit, Uid.JPEGLossless, Uid.JPEGLosslessSV1);
    }

    @Override
    public Set<String> encodes() {
        return Set.of(Uid.JPEGBaseline8Bit, Uid.JPEGExtended12Bit, Uid.JPEGLossless, Uid.JPEGLosslessSV1);
    }

    @Override
    public Decoded decode(byte[] frame, ImageDescription image, int frameIndex) throws CodecException {
        JpegHeader header;
        try {
            header = JpegHeader.parse(frame);
        } catch (DctDecoder.Malformed e) {
            throw new CodecException(NAME, frameIndex, e.getMessage());
        }
        if (header.rows() != image.rows() || header.columns() != image.columns()
                || header.componentIds().length != image.samplesPerPixel()) {
            throw new CodecException(NAME, frameIndex, "the codestream holds " + header.columns() + " x "
                    + header.rows() + " pixels of " + header.componentIds().length + " components; the data set says "
                    + image.columns() + " x " + image.rows() + " of " + image.samplesPerPixel());
        }
        int maxBits = image.bitsAllocated() == 8 ? 8 : 16;
        if (header.precision() > maxBits || image.bitsAllocated() > 16) {
            throw new CodecException(NAME, frameIndex, header.precision() + "-bit JPEG samples do not fit Bits"
                    + " Allocated " + image.bitsAllocated());
        }
        byte[] pixels;
        try {
            if (!header.lossless() && header.precision() > 8) {
                DctDecoder.Image d = DctDecoder.decode(frame);
                pixels = Samples.fromInts(d.samples(), image);
            } else if (header.lossless() && header.sof() == 0xC3) {
                pixels = Samples.fromInts(LosslessDecoder.decode(frame).samples(), image);
            } else {
                pixels = Samples.fromRaster(readRaster(frame), image);
            }
        } catch (DctDecoder.Malformed e) {
            throw new CodecException(NAME, frameIndex, e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            throw new CodecException(NAME, frameIndex, "cannot decode the JPEG codestream: " + e, e);
        }
        if (pixels.length != image.frameBytes()) {
            throw new CodecException(NAME, frameIndex, "decoded " + pixels.length + " bytes, expected "
                    + image.frameBytes());
        }
        return new Decoded(pixels, image.withPlanarConfiguration(0)
                .withPhotometricInterpretation(decodedPhotometric(header, image)));
    }

    /**
     * The Photometric Interpretation of {@code frame}'s decoded samples, for the native JPEG codecs to follow the
     * same rule; the data set's label when the header cannot be read.
     */
    public static String decodedPhotometric(byte[] frame, ImageDescription image) {
        try {
            return decodedPhotometric(JpegHeader.parse(frame), image);
        } catch (DctDecoder.Malformed e) {
            return image.photometricInterpretation();
        }
    }

    /** What the decoded samples are: the codestream's own marking wins over the data set's label. */
    private static String decodedPhotometric(JpegHeader header, ImageDescription image) {
        String pi = image.photometricInterpretation();
        if (image.samplesPerPixel() != 3) {
            return pi;
        }
        if (header.markedRgb()) {
            return "RGB";
        }
        if (header.markedYcc() || pi.startsWith("YBR_FULL")) {
            return "YBR_FULL";
        }
        return pi;
    }

    private static Raster readRaster(byte[] frame) throws IOException {
        ImageReader reader = reader();
        List<String> warnings = new ArrayList<>();
        // In memory: ImageIO.createImageInputStream would cache through a temporary file.
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(frame))) {
            reader.setInput(in, true, true);
            reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
            Raster r = reader.readRaster(0, null);
            // libjpeg reports truncated or corrupt entropy data only as a warning and fills in grey.
            for (String w : warnings) {
                String lower = w.toLowerCase(java.util.Locale.ROOT);
                if (lower.contains("premature") || lower.contains("corrupt") && !lower.contains("extraneous")) {
                    throw new IOException("the JPEG data is corrupt or truncated: " + w);
                }
            }
            return r;
        } finally {
            reader.dispose();
        }
    }

    /** TwelveMonkeys' reader (lossless support); readers are not thread safe, so one per call. */
    private static ImageReader reader() throws IOException {
        Iterator<ImageReader> it = ImageIO.getImageReadersByFormatName("jpeg");
        ImageReader fallback = null;
        while (it.hasNext()) {
            ImageReader r = it.next();
            if (r.getClass().getName().startsWith(TWELVEMONKEYS)) {
                if (fallback != null) {
                    fallback.dispose();
                }
                return r;
            }
            if (fallback == null) {
                fallback = r;
            } else {
                r.dispose();
            }
        }
        // Not registered (a class loader ImageIO does not scan): make it directly.
        if (fallback != null) {
            fallback.dispose();
        }
        return new com.twelvemonkeys.imageio.plugins.jpeg.JPEGImageReaderSpi().createReaderInstance();
    }

    @Override
    public byte[] encode(byte[] pixels, ImageDescription image, String transferSyntax, EncodeOptions options,
            int frameIndex) throws CodecException {
        if (pixels.length != image.frameBytes()) {
            throw new CodecException(NAME, frameIndex, "the frame holds " + pixels.length + " bytes, not "
                    + image.frameBytes());
        }
        if (image.samplesPerPixel() == 4 || image.floatBits() != 0 || image.bitsAllocated() > 16
                || image.bitsAllocated() == 1) {
            throw new CodecException(NAME, frameIndex, "JPEG holds 1 or 3 samples of up to 16 bits, not "
                    + image.samplesPerPixel() + " of " + image.bitsAllocated());
        }
        if (Uid.JPEGLossless.equals(transferSyntax) || Uid.JPEGLosslessSV1.equals(transferSyntax)) {
            return LosslessEncoder.encode(Samples.toInts(pixels, image), image);
        }
        if (!Uid.JPEGBaseline8Bit.equals(transferSyntax) && !Uid.JPEGExtended12Bit.equals(transferSyntax)) {
            throw new CodecException(NAME, frameIndex, "cannot encode transfer syntax " + transferSyntax);
        }
        if (Uid.JPEGExtended12Bit.equals(transferSyntax) && image.bitsStored() > 8 && image.bitsStored() <= 12
                && image.samplesPerPixel() == 1 && !image.signed()) {
            return DctEncoder.encode(Samples.toInts(pixels, image), image, options.quality());
        }
        if (image.bitsStored() > 8 || image.signed()) {
            throw new CodecException(NAME, frameIndex, "JPEG DCT encoding here takes unsigned samples of up to 8"
                    + " bits, or (Extended) monochrome of up to 12; the image has " + image.samplesPerPixel()
                    + " samples of " + image.bitsStored() + " bits" + (image.signed() ? ", signed" : ""));
        }
        try {
            return writeBaseline(pixels, image, options);
        } catch (IOException | RuntimeException e) {
            throw new CodecException(NAME, frameIndex, "cannot encode JPEG: " + e, e);
        }
    }

    private static byte[] writeBaseline(byte[] pixels, ImageDescription image, EncodeOptions options)
            throws IOException {
        int w = image.columns();
        int h = image.rows();
        boolean colour = image.samplesPerPixel() == 3;
        int[] samples = Samples.toInts(pixels, image);
        if (colour && image.photometricInterpretation().startsWith("YBR")) {
            samples = yccToRgb(samples);
        }
        BufferedImage bi = new BufferedImage(w, h, colour ? BufferedImage.TYPE_3BYTE_BGR : BufferedImage.TYPE_BYTE_GRAY);
        bi.getRaster().setPixels(0, 0, w, h, samples);
        ImageWriter writer = writer();
        try (ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                ImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(Math.clamp(options.quality(), 1, 100) / 100f);
            IIOMetadata meta = writer.getDefaultImageMetadata(
                    javax.imageio.ImageTypeSpecifier.createFromRenderedImage(bi), param);
            if (colour) {
                subsample422(meta);
            }
            writer.write(null, new IIOImage(bi, null, meta), param);
            out.flush();
            return bytes.toByteArray();
        } finally {
            writer.dispose();
        }
    }

    /** Luminance sampled 2x1, chroma 1x1: horizontal 4:2:2, which YBR_FULL_422 names (the JDK default is 4:2:0). */
    private static void subsample422(IIOMetadata meta) throws IOException {
        String format = "javax_imageio_jpeg_image_1.0";
        Node root = meta.getAsTree(format);
        boolean first = true;
        for (Node n : nodes(root, "componentSpec")) {
            IIOMetadataNode spec = (IIOMetadataNode) n;
            spec.setAttribute("HsamplingFactor", first ? "2" : "1");
            spec.setAttribute("VsamplingFactor", "1");
            first = false;
        }
        meta.setFromTree(format, root);
    }

    private static List<Node> nodes(Node n, String name) {
        List<Node> out = new ArrayList<>();
        if (name.equals(n.getNodeName())) {
            out.add(n);
        }
        for (Node c = n.getFirstChild(); c != null; c = c.getNextSibling()) {
            out.addAll(nodes(c, name));
        }
        return out;
    }

    /** JFIF full-range YCbCr to RGB, for re-encoding YBR_FULL input (the writer converts back). */
    private static int[] yccToRgb(int[] s) {
        int[] out = new int[s.length];
        for (int i = 0; i < s.length; i += 3) {
            double y = s[i];
            double cb = s[i + 1] - 128;
            double cr = s[i + 2] - 128;
            out[i] = Math.clamp(Math.round(y + 1.402 * cr), 0, 255);
            out[i + 1] = Math.clamp(Math.round(y - 0.344136 * cb - 0.714136 * cr), 0, 255);
            out[i + 2] = Math.clamp(Math.round(y + 1.772 * cb), 0, 255);
        }
        return out;
    }

    private static ImageWriter writer() throws IOException {
        Iterator<ImageWriter> it = ImageIO.getImageWritersByFormatName("jpeg");
        ImageWriter chosen = null;
        while (it.hasNext()) {
            ImageWriter w = it.next();
            if (chosen == null || w.getClass().getName().startsWith(TWELVEMONKEYS)) {
                if (chosen != null) {
                    chosen.dispose();
                }
                chosen = w;
            } else {
                w.dispose();
            }
        }
        if (chosen == null) {
            throw new IOException("no JPEG ImageIO writer is installed");
        }
        return chosen;
    }

}
