// SPDX-License-Identifier: Apache-2.0
package org.lightbox.imaging.internal.j2k;

import com.github.jaiimageio.jpeg2000.J2KImageWriteParam;
import com.github.jaiimageio.jpeg2000.impl.J2KImageReader;
import com.github.jaiimageio.jpeg2000.impl.J2KImageReaderSpi;
import com.github.jaiimageio.jpeg2000.impl.J2KImageWriter;
import com.github.jaiimageio.jpeg2000.impl.J2KImageWriterSpi;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.PixelInterleavedSampleModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Set;
import javax.imageio.IIOImage;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.lightbox.dicom.Uid;
import org.lightbox.imaging.CodecException;
import org.lightbox.imaging.ImageDescription;
import org.lightbox.imaging.PixelCodec;
import org.lightbox.imaging.internal.jpeg.Samples;

/**
 * JPEG 2000 Part 1, lossless (5/3 reversible) and lossy (9/7), through jai-imageio-jpeg2000 (JJ2000), in pure Java.
 * A codestream with a multiple component transform decodes to RGB, which the returned description says, whatever
 * YBR_RCT or YBR_ICT the data set named (PS3.3 C.7.6.3.1.2). Encoding writes a bare codestream (no JP2 boxes, as
 * PS3.5 A.4.4 wants) with the component transform for three samples, so the data set's Photometric Interpretation
 * becomes YBR_RCT (lossless) or YBR_ICT (lossy): {@link org.lightbox.imaging.Transcoder#encodedPhotometric}.
 */
public final class J2kCodec implements PixelCodec {
    private static final String NAME = "JPEG 2000 (jai-imageio)";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Set<String> decodes() {
        return Set.of(Uid.JPEG2000Lossless, Uid.JPEG2000);
    }

    @Override
    public Set<String> encodes() {
        return Set.of(Uid.JPEG2000Lossless, Uid.JPEG2000);
    }

    @Override
    public Decoded decode(byte[] frame, ImageDescription image, int frameIndex) throws CodecException {
        Siz siz = Siz.parse(frame);
        if (siz == null) {
            throw new CodecException(NAME, frameIndex, "no JPEG 2000 codestream (SOC and SIZ markers) in the frame");
        }
        if (siz.components != image.samplesPerPixel() || siz.width != image.columns() || siz.height != image.rows()) {
            throw new CodecException(NAME, frameIndex, "the codestream holds " + siz.width + " x " + siz.height
                    + " pixels of " + siz.components + " components; the data set says " + image.columns() + " x "
                    + image.rows() + " of " + image.samplesPerPixel());
        }
        if (siz.precision > (image.bitsAllocated() == 8 ? 8 : 16) || image.bitsAllocated() > 16) {
            throw new CodecException(NAME, frameIndex, siz.precision + "-bit samples do not fit Bits Allocated "
                    + image.bitsAllocated());
        }
        if (!endsWithEoc(frame)) {
            // JPEG 2000 decoders render a cut codestream at lower quality without complaint: refuse it instead.
            throw new CodecException(NAME, frameIndex, "the codestream does not end with an EOC marker (FF D9):"
                    + " truncated");
        }
        Raster raster;
        try {
            // Only the codestream: a JP2 wrapper's colour boxes are not DICOM's business (PS3.5 A.4.4).
            raster = read(siz.soc == 0 ? frame : java.util.Arrays.copyOfRange(frame, siz.soc, frame.length));
        } catch (IOException | RuntimeException e) {
            throw new CodecException(NAME, frameIndex, "cannot decode the JPEG 2000 codestream: " + e, e);
        } catch (Error e) {
            // JJ2000 reports a corrupt bitstream with java.lang.Error and sizes its buffers from the codestream:
            // neither may take the server down. Other failures of the virtual machine itself go on up.
            if (e instanceof VirtualMachineError && !(e instanceof OutOfMemoryError || e instanceof StackOverflowError)) {
                throw e;
            }
            throw new CodecException(NAME, frameIndex, "cannot decode the JPEG 2000 codestream: " + e, e);
        }
        if (raster.getWidth() != image.columns() || raster.getHeight() != image.rows()
                || raster.getNumBands() != image.samplesPerPixel()) {
            throw new CodecException(NAME, frameIndex, "decoded " + raster.getWidth() + " x " + raster.getHeight()
                    + " x " + raster.getNumBands() + " samples; the data set describes " + image.columns() + " x "
                    + image.rows() + " x " + image.samplesPerPixel());
        }
        // A signed raster is already sign-extended; extend from Bits Stored only an unsigned one the data set
        // calls signed.
        ImageDescription layout = image;
        if (raster.getDataBuffer().getDataType() == DataBuffer.TYPE_SHORT || siz.signed) {
            layout = new ImageDescription(image.rows(), image.columns(), image.samplesPerPixel(),
                    image.bitsAllocated(), image.bitsAllocated(), image.bitsAllocated() - 1, image.signed(), 0,
                    image.photometricInterpretation(), image.frames(), 0);
        }
        byte[] pixels = Samples.fromRaster(raster, layout);
        String pi = image.samplesPerPixel() == 3 && siz.mct ? "RGB" : image.photometricInterpretation();
        return new Decoded(pixels, image.withPlanarConfiguration(0).withPhotometricInterpretation(pi));
    }

    private static boolean endsWithEoc(byte[] b) {
        int end = b.length;
        while (end > 0 && (b[end - 1] == 0 || b[end - 1] == (byte) 0xFF) && b.length - end < 8) {
            end--; // fragments are padded to an even length, with 00 or (by some encoders) FF
        }
        return end >= 2 && (b[end - 2] & 0xFF) == 0xFF && (b[end - 1] & 0xFF) == 0xD9;
    }

    private static Raster read(byte[] frame) throws IOException {
        J2KImageReader reader = (J2KImageReader) new J2KImageReaderSpi().createReaderInstance();
        // In memory: ImageIO.createImageInputStream would cache through a temporary file.
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(frame))) {
            reader.setInput(in, true, true);
            return reader.readRaster(0, null);
        } finally {
            reader.dispose();
        }
    }

    @Override
    public byte[] encode(byte[] pixels, ImageDescription image, String transferSyntax, EncodeOptions options,
            int frameIndex) throws CodecException {
        boolean lossless = Uid.JPEG2000Lossless.equals(transferSyntax);
        if (!lossless && !Uid.JPEG2000.equals(transferSyntax)) {
            throw new CodecException(NAME, frameIndex, "cannot encode transfer syntax " + transferSyntax);
        }
        if (pixels.length != image.frameBytes()) {
            throw new CodecException(NAME, frameIndex, "the frame holds " + pixels.length + " bytes, not "
                    + image.frameBytes());
        }
        if (image.samplesPerPixel() == 4 || image.floatBits() != 0 || image.bitsAllocated() > 16
                || image.bitsAllocated() == 1 || image.samplesPerPixel() == 3 && image.bitsAllocated() != 8) {
            throw new CodecException(NAME, frameIndex, "JPEG 2000 encoding here takes 1 sample of 8 or 16 bits or 3"
                    + " of 8, not " + image.samplesPerPixel() + " of " + image.bitsAllocated());
        }
        try {
            return write(pixels, image, lossless, options);
        } catch (IOException | RuntimeException e) {
            throw new CodecException(NAME, frameIndex, "cannot encode JPEG 2000: " + e, e);
        }
    }

    private static byte[] write(byte[] pixels, ImageDescription image, boolean lossless, EncodeOptions options)
            throws IOException {
        int[] samples = Samples.toInts(pixels, image);
        int bits = image.bitsAllocated() == 8 ? 8 : 16;
        int type = image.signed() ? (bits == 8 ? DataBuffer.TYPE_BYTE : DataBuffer.TYPE_SHORT)
                : Samples.dataType(bits);
        if (image.signed() && bits == 8) {
            throw new IOException("signed 8-bit samples are not supported by the JPEG 2000 writer");
        }
        int n = image.samplesPerPixel();
        int[] offsets = n == 3 ? new int[] {0, 1, 2} : new int[] {0};
        // createInterleavedRaster refuses TYPE_SHORT, so build the sample model by hand.
        WritableRaster raster = Raster.createWritableRaster(new PixelInterleavedSampleModel(type, image.columns(),
                image.rows(), n, image.columns() * n, offsets), null);
        raster.setPixels(0, 0, image.columns(), image.rows(), samples);
        // The colour model's bit depth becomes the codestream's precision (Bits Stored, not Allocated).
        int precision = Math.clamp(image.bitsStored(), 1, bits);
        int[] sizes = new int[n];
        java.util.Arrays.fill(sizes, precision);
        ColorSpace cs = ColorSpace.getInstance(n == 3 ? ColorSpace.CS_sRGB : ColorSpace.CS_GRAY);
        ComponentColorModel cm = new ComponentColorModel(cs, sizes, false, false, Transparency.OPAQUE, type);
        BufferedImage bi = new BufferedImage(cm, raster, false, null);

        J2KImageWriter writer = (J2KImageWriter) new J2KImageWriterSpi().createWriterInstance();
        try (ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                ImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            J2KImageWriteParam param = (J2KImageWriteParam) writer.getDefaultWriteParam();
            param.setWriteCodeStreamOnly(true);
            param.setComponentTransformation(n == 3);
            param.setLossless(lossless);
            if (lossless) {
                param.setFilter(J2KImageWriteParam.FILTER_53);
                writer.write(null, new IIOImage(bi, null, null), param);
                out.flush();
                return bytes.toByteArray();
            }
            // At least 1 KB: below that JJ2000 refuses the rate ("too low, given the header overhead").
            double rate = Math.max(bitsPerPixel(image, options.quality()), 8192.0 / image.pixels());
            return JjLossyEncoder.encode(bi, precision, n == 3, rate);
        } finally {
            writer.dispose();
        }
    }

    /**
     * The target rate for a quality of 1 to 100: Bits Stored times samples over {@link #compressionRatio}, the rate
     * OpenJPEG is given for the same quality (its rates are ratios to Bits Stored too).
     */
    static double bitsPerPixel(ImageDescription image, int quality) {
        return image.bitsStored() * image.samplesPerPixel() / compressionRatio(quality);
    }

    /**
     * The compression ratio to Bits Stored for a quality of 1 to 100, the one mapping of both JPEG 2000 codecs (the
     * native one calls this): 2:1 at 100, doubling every 12 points down (about 3.5:1 at 90, 36:1 at 50).
     */
    public static double compressionRatio(int quality) {
        return 2 * Math.pow(2, (100 - Math.clamp(quality, 1, 100)) / 12.0);
    }

    /** What the SIZ and COD markers of a codestream say (null when there is no codestream). */
    record Siz(int soc, int width, int height, int components, int precision, boolean signed, boolean mct) {
        static Siz parse(byte[] b) {
            int soc = -1;
            for (int i = 0; i + 1 < b.length && i < 4096; i++) {
                // A JP2 file wraps the codestream in boxes: the codestream starts at SOC followed by SIZ.
                if ((b[i] & 0xFF) == 0xFF && (b[i + 1] & 0xFF) == 0x4F && i + 3 < b.length
                        && (b[i + 2] & 0xFF) == 0xFF && (b[i + 3] & 0xFF) == 0x51) {
                    soc = i;
                    break;
                }
            }
            if (soc < 0 || soc + 4 + 38 + 3 > b.length) {
                return null;
            }
            int s = soc + 4; // Lsiz
            int lsiz = u16(b, s);
            int xsiz = u32(b, s + 4);
            int ysiz = u32(b, s + 8);
            int xo = u32(b, s + 12);
            int yo = u32(b, s + 16);
            int csiz = u16(b, s + 36);
            if (csiz < 1 || s + 38 + 3 * csiz > b.length || lsiz != 38 + 3 * csiz) {
                return null;
            }
            int ssiz = b[s + 38] & 0xFF;
            boolean mct = false;
            int at = s + lsiz;
            // The main header's COD marker, if it comes before the first tile part.
            while (at + 4 <= b.length && (b[at] & 0xFF) == 0xFF && (b[at + 1] & 0xFF) != 0x90) {
                int marker = b[at + 1] & 0xFF;
                if (marker == 0x52 && at + 8 < b.length) {
                    mct = (b[at + 8] & 0xFF) == 1;
                    break;
                }
                at += 2 + u16(b, at + 2);
            }
            return new Siz(soc, xsiz - xo, ysiz - yo, csiz, (ssiz & 0x7F) + 1, (ssiz & 0x80) != 0, mct);
        }

        private static int u16(byte[] b, int at) {
            return (b[at] & 0xFF) << 8 | b[at + 1] & 0xFF;
        }

        private static int u32(byte[] b, int at) {
            return (b[at] & 0xFF) << 24 | (b[at + 1] & 0xFF) << 16 | (b[at + 2] & 0xFF) << 8 | b[at + 3] & 0xFF;
        }
    }
}
