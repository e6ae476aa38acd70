// SPDX-License-Identifier: Apache-2.0
package org.lightbox.imaging;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import org.lightbox.dicom.TransferSyntax;
import org.lightbox.dicom.io.DicomFile;
import org.lightbox.imaging.internal.NativeLayout;
import org.lightbox.imaging.internal.RleCodec;
import org.lightbox.imaging.internal.j2k.J2kCodec;
import org.lightbox.imaging.internal.jpeg.JpegCodec;
import org.lightbox.imaging.internal.jpegls.JpegLsCodec;

/**
 * Pixels of a data set, frame by frame: native frames as stored, encapsulated frames through the codec for their
 * transfer syntax. Codecs found through {@link ServiceLoader} (native libraries) come before the built-in ones.
 */
public final class PixelData {
    private static final List<PixelCodec> CODECS = codecs();
    private static final CodecMetrics METRICS = new CodecMetrics();

    private PixelData() {}

    private static List<PixelCodec> codecs() {
        List<PixelCodec> all = new ArrayList<>();
        ServiceLoader.load(PixelCodec.class).forEach(all::add);
        all.add(new RleCodec());
        all.add(new JpegCodec());
        all.add(new J2kCodec());
        all.add(new JpegLsCodec());
        return List.copyOf(all);
    }

    /** Every codec, in the order they are tried. */
    public static List<PixelCodec> codecs(boolean builtInOnly) {
        return builtInOnly ? CODECS.stream().filter(c -> c.getClass().getName().startsWith("org.lightbox.imaging."))
                .toList() : CODECS;
    }

    /**
     * The first codec that reads some images of {@code transferSyntax}, for listings; to decode, ask
     * {@link #decoder(String, ImageDescription)}, since a codec may take only some images of a syntax.
     */
    public static Optional<PixelCodec> decoder(String transferSyntax) {
        return CODECS.stream().filter(c -> c.decodes().contains(transferSyntax)).findFirst().map(METRICS::counted);
    }

    /** The first codec that writes some images in {@code transferSyntax}, for listings. */
    public static Optional<PixelCodec> encoder(String transferSyntax) {
        return CODECS.stream().filter(c -> c.encodes().contains(transferSyntax)).findFirst().map(METRICS::counted);
    }

    /** The first codec that reads {@code image} in {@code transferSyntax}, counted in {@link #metrics()}. */
    public static Optional<PixelCodec> decoder(String transferSyntax, ImageDescription image) {
        return chosen("decodes", transferSyntax,
                CODECS.stream().filter(c -> c.canDecode(transferSyntax, image)).findFirst());
    }

    /** The first codec that writes {@code image} in {@code transferSyntax}, counted in {@link #metrics()}. */
    public static Optional<PixelCodec> encoder(String transferSyntax, ImageDescription image) {
        return chosen("encodes", transferSyntax,
                CODECS.stream().filter(c -> c.canEncode(transferSyntax, image)).findFirst());
    }

    /** What the codecs handed out here have done since the process started. */
    public static CodecMetrics metrics() {
        return METRICS;
    }

    /** Says once per codec and transfer syntax which codec serves it: native or pure Java is worth knowing. */
    private static Optional<PixelCodec> chosen(String verb, String ts, Optional<PixelCodec> codec) {
        if (codec.isPresent() && LOGGED.add(codec.get().name() + " " + verb + " " + ts)) {
            LOG.log(System.Logger.Level.DEBUG, "{0} {1} {2}", codec.get().name(), verb, ts);
        }
        return codec.map(METRICS::counted);
    }

    private static final System.Logger LOG = System.getLogger(PixelData.class.getName());
    private static final java.util.Set<String> LOGGED = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** Frame {@code n} (from 0) of a file's pixel data, decoded to the codecs' layout. */
    public static PixelCodec.Decoded decode(DicomFile file, int n) throws IOException {
        return decode(Frames.of(file.dataset()), file.transferSyntax(), n);
    }

    /**
     * Frame {@code n} (from 0) as native pixel data holds it in little endian: a native frame as stored (planar
     * configuration, YBR_FULL_422 and 1-bit packing as in the file), an encapsulated one decoded (samples
     * interleaved, 1-bit data packed), exactly the bytes of that frame in the file {@link Transcoder} would write in
     * Explicit VR Little Endian.
     */
    public static byte[] nativeFrame(Frames frames, TransferSyntax ts, int n) throws IOException {
        if (!frames.isEncapsulated()) {
            return frames.frame(n);
        }
        return Transcoder.nativeBytes(decode(frames, ts, n));
    }

    public static PixelCodec.Decoded decode(Frames frames, TransferSyntax ts, int n) throws IOException {
        byte[] raw = frames.frame(n);
        ImageDescription image = frames.image();
        if (!frames.isEncapsulated()) {
            ImageDescription decoded = image.isYbr422() ? image.withPhotometricInterpretation("YBR_FULL") : image;
            return new PixelCodec.Decoded(NativeLayout.toCodecLayout(raw, image),
                    decoded.withPlanarConfiguration(0));
        }
        PixelCodec codec = decoder(ts.uid(), image).orElseThrow(() -> new CodecException(ts.keyword().isEmpty()
                ? ts.uid() : ts.keyword(), n, "no decoder here for transfer syntax " + ts.uid()));
        return codec.decode(raw, image, n);
    }
}
