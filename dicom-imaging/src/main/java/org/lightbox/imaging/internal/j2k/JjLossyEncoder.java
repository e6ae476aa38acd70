// SPDX-License-Identifier: Apache-2.0
package org.lightbox.imaging.internal.j2k;

import com.github.jaiimageio.jpeg2000.impl.J2KImageWriteParamJava;
import com.github.jaiimageio.jpeg2000.impl.J2KImageWriter;
import com.github.jaiimageio.jpeg2000.impl.J2KImageWriterSpi;
import com.github.jaiimageio.jpeg2000.impl.RenderedImageSrc;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Locale;
import jj2000.j2k.codestream.writer.FileCodestreamWriter;
import jj2000.j2k.codestream.writer.HeaderEncoder;
import jj2000.j2k.entropy.encoder.EntropyCoder;
import jj2000.j2k.entropy.encoder.PostCompRateAllocator;
import jj2000.j2k.image.ImgDataConverter;
import jj2000.j2k.image.Tiler;
import jj2000.j2k.image.forwcomptransf.ForwCompTransf;
import jj2000.j2k.quantization.quantizer.Quantizer;
import jj2000.j2k.roi.encoder.ROIScaler;
import jj2000.j2k.wavelet.analysis.ForwardWT;

/**
 * Lossy (9/7) JPEG 2000 through JJ2000's encoding chain, driven here rather than through jai-imageio's
 * {@code J2KImageWriter}, for one reason: the writer keeps JJ2000's default base quantisation step (2^-7 of the
 * nominal range), which throws away everything below about 1/128 of full scale before the rate allocator runs. On a
 * 12-bit CT frame that capped the output at about 59:1 whatever rate was asked for (quality 100 gave the same 9 KB as
 * quality 50). With a step below half a grey level the rate allocator, as in OpenJPEG, decides the size. It also
 * writes into memory where the writer spools each frame through a temporary file.
 */
final class JjLossyEncoder {
    private JjLossyEncoder() {}

    /**
     * A bare codestream of {@code image} at about {@code bitsPerPixel} bits a pixel (all components together), one
     * quality layer, with the irreversible component transform when {@code mct}.
     */
    static byte[] encode(BufferedImage image, int bitsStored, boolean mct, double bitsPerPixel) throws IOException {
        J2KImageWriteParamJava wp = new J2KImageWriteParamJava(image, Locale.ROOT);
        wp.setLossless(false);
        wp.setFilters("w9x7");
        wp.setQuantizationType("expounded");
        // Half a grey level of Bits Stored, relative to the nominal range as JJ2000 counts it.
        wp.setQuantizationStep(Double.toString(Math.scalb(0.5, -bitsStored)));
        wp.setComponentTransformation(Boolean.toString(mct));
        wp.setEncodingRate(bitsPerPixel);
        int n = image.getSampleModel().getNumBands();
        // The source asks its writer whether to stop; a writer no one aborts never says so.
        J2KImageWriter neverAborted = (J2KImageWriter) new J2KImageWriterSpi().createWriterInstance();
        try {
            RenderedImageSrc source = new RenderedImageSrc(image, wp, neverAborted);
            boolean[] signed = new boolean[n];
            for (int c = 0; c < n; c++) {
                signed[c] = source.isOrigSigned(c);
            }
            Tiler tiler = new Tiler(source, 0, 0, 0, 0, image.getWidth(), image.getHeight());
            ForwardWT wavelets = ForwardWT.createInstance(new ImgDataConverter(new ForwCompTransf(tiler, wp)), wp);
            ROIScaler roi = ROIScaler.createInstance(Quantizer.createInstance(wavelets, wp), wp);
            EntropyCoder coder = EntropyCoder.createInstance(roi, wp, wp.getCodeBlockSize(),
                    wp.getPrecinctPartition(), wp.getBypass(), wp.getResetMQ(), wp.getTerminateOnByte(),
                    wp.getCausalCXInfo(), wp.getCodeSegSymbol(), wp.getMethodForMQLengthCalc(),
                    wp.getMethodForMQTermination());
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            FileCodestreamWriter out = new FileCodestreamWriter(bytes, Integer.MAX_VALUE);
            PostCompRateAllocator rates = PostCompRateAllocator.createInstance(coder, (float) bitsPerPixel, out, wp);
            HeaderEncoder header = new HeaderEncoder(source, signed, wavelets, tiler, wp, roi, rates);
            rates.setHeaderEncoder(header);
            header.encodeMainHeader();
            rates.initialize();
            // The allocator's initialisation settles what the main header says: encode it again, then the packets.
            header.reset();
            header.encodeMainHeader();
            out.commitBitstreamHeader(header);
            rates.runAndWrite();
            out.close();
            return bytes.toByteArray();
        } finally {
            neverAborted.dispose();
        }
    }
}
