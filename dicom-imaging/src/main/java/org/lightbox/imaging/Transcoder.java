// SPDX-License-Identifier: Apache-2.0
package org.lightbox.imaging;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Element;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.TransferSyntax;
import org.lightbox.dicom.Uid;
import org.lightbox.dicom.Value;
import org.lightbox.dicom.Vr;
import org.lightbox.dicom.io.DicomFile;
import org.lightbox.dicom.io.DicomWriter;
import org.lightbox.imaging.internal.NativeLayout;

/**
 * Rewrites a file in another transfer syntax, frame by frame: each frame is decoded, encoded and spooled to a
 * temporary file that the writer then streams from, so memory holds one frame at a time. The attributes that
 * describe the pixels follow (Photometric Interpretation, Planar Configuration, Lossy Image Compression with its
 * Ratio and Method, PS3.3 C.7.6.1.1.5); a lossy source stays marked lossy, a lossless one is marked lossy only when
 * a lossy syntax is chosen.
 */
public final class Transcoder {
    private Transcoder() {}

    /** Writes {@code in} in {@code target} to {@code out}. */
    public static void transcode(DicomFile in, TransferSyntax target, PixelCodec.EncodeOptions options,
            OutputStream out) throws IOException {
        Dataset ds = in.dataset();
        boolean hasPixels = ds.contains(Tag.PixelData);
        boolean sourceNative = !in.transferSyntax().isEncapsulated();
        if (!hasPixels || sourceNative && target.isNative()) {
            DicomWriter.write(DicomWriter.convert(in, target), out);
            return;
        }
        if (in.transferSyntax().uid().equals(target.uid())) {
            DicomWriter.write(in, out);
            return;
        }
        Path spool = Files.createTempFile("lightbox-transcode", ".frames");
        try {
            Dataset converted = convertPixels(in, target, options, spool);
            DicomFile result = DicomWriter.newFile(converted, target);
            DicomWriter.write(new DicomFile(in.preamble(), mergeMeta(in.fileMetaInformation(), result), converted,
                    target, List.of()), out);
        } finally {
            Files.deleteIfExists(spool);
        }
    }

    private static Dataset mergeMeta(Dataset original, DicomFile fresh) {
        if (original.isEmpty()) {
            return fresh.fileMetaInformation();
        }
        Dataset.Builder b = original.toBuilder();
        fresh.fileMetaInformation().forEach(e -> {
            if (e.tag() != Tag.FileMetaInformationGroupLength) {
                b.add(e);
            }
        });
        return b.build();
    }

    private static Dataset convertPixels(DicomFile in, TransferSyntax target, PixelCodec.EncodeOptions options,
            Path spool) throws IOException {
        Frames frames = Frames.of(in.dataset());
        // Chosen for the image as its frames decode (the bits and samples do not change from frame to frame).
        PixelCodec encoder = target.isNative() ? null : PixelData.encoder(target.uid(), frames.image())
                .orElseThrow(() -> new CodecException(target.keyword(), 0, "no encoder here for transfer syntax " + target.uid()));
        List<Value> fragments = new ArrayList<>();
        ImageDescription last = frames.image();
        long offset = 0;
        long rawBytes = 0;
        long encodedBytes = 0;
        try (OutputStream spoolOut = new BufferedOutputStream(Files.newOutputStream(spool), 1 << 16)) {
            for (int i = 0; i < frames.count(); i++) {
                Encoded e = encode(frames, in.transferSyntax(), i, target, encoder, options);
                PixelCodec.Decoded d = e.decoded();
                last = d.image();
                byte[] bytes = e.bytes();
                rawBytes += d.pixels().length;
                encodedBytes += bytes.length;
                spoolOut.write(bytes);
                if ((bytes.length & 1) == 1 && encoder != null) {
                    spoolOut.write(0); // fragments have even length (PS3.5 A.4)
                }
                long stored = bytes.length + (encoder != null ? bytes.length & 1 : 0);
                fragments.add(new Value.Bulk(spool, offset, stored));
                offset += stored;
            }
            if (encoder == null && (offset & 1) == 1) {
                spoolOut.write(0); // native Pixel Data of odd length is padded to even (PS3.5 7.1.1, 8.1.1)
                offset++;
            }
        }
        Dataset.Builder b = in.dataset().toBuilder().remove(Tag.ExtendedOffsetTable)
                .remove(Tag.ExtendedOffsetTableLengths);
        if (last.samplesPerPixel() > 1) {
            b.setNumbers(Tag.PlanarConfiguration, Vr.US, 0);
        }
        String photometric = encoder == null ? last.photometricInterpretation()
                : encodedPhotometric(last, target.uid());
        b.setStrings(Tag.PhotometricInterpretation, Vr.CS, photometric);
        if (encoder == null) {
            b.add(new Element(Tag.PixelData, last.bitsAllocated() > 8 ? Vr.OW : Vr.OB,
                    new Value.Bulk(spool, 0, offset), false, false));
        } else {
            List<Value> all = new ArrayList<>();
            all.add(basicOffsetTable(fragments));
            all.addAll(fragments);
            b.add(new Element(Tag.PixelData, Vr.OB, new Value.Fragments(all), false, true));
        }
        if (isLossy(target, options)) {
            lossy(b, in.dataset(), target, rawBytes, encodedBytes);
        }
        return b.build();
    }

    /**
     * Frame {@code n} (from 0) of {@code frames}, held in {@code source}, as one frame of {@code target}: the
     * codestream a fragment of that syntax would hold, or for a native target the frame's bytes as a native data
     * set of this image holds them (little endian; planar configuration and 1-bit packing as stored when the source
     * is native, interleaved when it was decoded). What WADO-RS frames and bulk data send; {@link #transcode} writes
     * the same bytes for each frame of a whole file.
     *
     * @throws CodecException when no codec here reads the source or writes the target for this image
     */
    public static byte[] encodeFrame(Frames frames, TransferSyntax source, int n, TransferSyntax target,
            PixelCodec.EncodeOptions options) throws IOException {
        if (target.isNative()) {
            return PixelData.nativeFrame(frames, source, n);
        }
        if (source.uid().equals(target.uid())) {
            return frames.frame(n);
        }
        PixelCodec encoder = PixelData.encoder(target.uid(), frames.image()).orElseThrow(() -> new CodecException(
                target.keyword().isEmpty() ? target.uid() : target.keyword(), n, "no encoder here for transfer"
                + " syntax " + target.uid()));
        return encode(frames, source, n, target, encoder, options).bytes();
    }

    /** One frame decoded and, with an encoder, encoded; else its native bytes. */
    private record Encoded(PixelCodec.Decoded decoded, byte[] bytes) {}

    private static Encoded encode(Frames frames, TransferSyntax source, int i, TransferSyntax target,
            PixelCodec encoder, PixelCodec.EncodeOptions options) throws IOException {
        PixelCodec.Decoded d = PixelData.decode(frames, source, i);
        if (encoder != null && (target.uid().equals(Uid.JPEG2000Lossless)
                || target.uid().equals(Uid.HTJ2KLossless)) && d.image()
                .photometricInterpretation().equals("YBR_FULL")) {
            // Its encoder applies the reversible colour transform to what it takes as RGB: YBR would have to
            // be converted first, which rounds, and a lossless syntax must not carry rounded pixels.
            throw new CodecException(encoder.name(), i, "YBR_FULL colour cannot be written losslessly in"
                    + " JPEG 2000 here (its encoder takes RGB); choose another lossless syntax");
        }
        if (encoder != null && transformsColour(target) && d.image().photometricInterpretation()
                .equals("YBR_FULL")) {
            // These encoders take RGB and apply their own colour transform: YBR must not go in twice.
            d = ybrFullToRgb(d, i);
        }
        byte[] bytes = encoder == null ? nativeBytes(d) : encoder.encode(d.pixels(), d.image(), target.uid(),
                options, i);
        return new Encoded(d, bytes);
    }

    /** Native frames in the layout of a file: interleaved samples, 1-bit data packed, even length overall. */
    static byte[] nativeBytes(PixelCodec.Decoded d) {
        if (d.image().bitsAllocated() == 1) {
            byte[] p = d.pixels();
            byte[] packed = new byte[(p.length + 7) / 8];
            for (int i = 0; i < p.length; i++) {
                packed[i >>> 3] |= (byte) ((p[i] & 1) << (i & 7));
            }
            return packed;
        }
        return d.pixels();
    }

    private static Value basicOffsetTable(List<Value> fragments) {
        if (fragments.size() < 2) {
            return Value.Bytes.EMPTY;
        }
        byte[] table = new byte[4 * fragments.size()];
        long at = 0;
        for (int i = 0; i < fragments.size(); i++) {
            if (at > 0xFFFFFFFFL) {
                return Value.Bytes.EMPTY; // beyond 4 GB only an Extended Offset Table could say where frames are
            }
            for (int k = 0; k < 4; k++) {
                table[4 * i + k] = (byte) (at >>> 8 * k);
            }
            at += 8 + fragments.get(i).length();
        }
        return new Value.Bytes(table);
    }

    private static boolean transformsColour(TransferSyntax target) {
        return switch (target.uid()) {
            case Uid.JPEGBaseline8Bit, Uid.JPEGExtended12Bit, Uid.JPEG2000, Uid.HTJ2K -> true;
            default -> false;
        };
    }

    /** YBR_FULL to RGB (PS3.3 C.7.6.3.1.2), 8-bit samples; a lossy step, taken only on the way into a lossy or
     * already colour-transforming encoder. */
    private static PixelCodec.Decoded ybrFullToRgb(PixelCodec.Decoded d, int frame) throws CodecException {
        if (d.image().bitsAllocated() != 8) {
            throw new CodecException("YBR_FULL to RGB", frame, "only 8-bit colour is converted");
        }
        byte[] p = d.pixels().clone();
        for (int i = 0; i + 2 < p.length; i += 3) {
            int y = p[i] & 0xFF;
            int cb = (p[i + 1] & 0xFF) - 128;
            int cr = (p[i + 2] & 0xFF) - 128;
            p[i] = (byte) clamp(y + 1.402 * cr);
            p[i + 1] = (byte) clamp(y - 0.344136 * cb - 0.714136 * cr);
            p[i + 2] = (byte) clamp(y + 1.772 * cb);
        }
        return new PixelCodec.Decoded(p, d.image().withPhotometricInterpretation("RGB"));
    }

    private static int clamp(double v) {
        return (int) Math.max(0, Math.min(255, Math.round(v)));
    }

    /**
     * The Photometric Interpretation of what the encoders here write for RGB input: the one rule, for every codec.
     * Colour JPEG baseline/extended is stored as YBR_FULL_422 (PS3.5 8.2.1); JPEG 2000 and HTJ2K with their component
     * transform as YBR_RCT (lossless) or YBR_ICT (lossy) (PS3.5 8.2.4); anything else keeps its interpretation.
     */
    public static String encodedPhotometric(ImageDescription image, String transferSyntax) {
        if (image.samplesPerPixel() == 3 && image.photometricInterpretation().equals("RGB")) {
            switch (transferSyntax) {
                case Uid.JPEGBaseline8Bit, Uid.JPEGExtended12Bit -> {
                    return "YBR_FULL_422";
                }
                case Uid.JPEG2000Lossless, Uid.HTJ2KLossless, Uid.HTJ2KLosslessRPCL -> {
                    return "YBR_RCT";
                }
                case Uid.JPEG2000, Uid.HTJ2K -> {
                    return "YBR_ICT";
                }
                default -> {
                    return "RGB";
                }
            }
        }
        return image.photometricInterpretation();
    }

    static boolean isLossy(TransferSyntax target, PixelCodec.EncodeOptions options) {
        // "lossless-or-lossy" syntaxes (JPEG 2000, HTJ2K) are written lossy by their encoders here.
        String c = target.compression();
        if (target.uid().equals(Uid.JPEGLSNearLossless)) {
            return options.nearLossless() > 0;
        }
        return c.equals("lossy") || c.equals("lossless-or-lossy");
    }

    private static void lossy(Dataset.Builder b, Dataset source, TransferSyntax target, long raw, long encoded) {
        b.setStrings(Tag.LossyImageCompression, Vr.CS, "01");
        List<String> ratios = new ArrayList<>(source.strings(Tag.LossyImageCompressionRatio));
        ratios.add(String.format(Locale.ROOT, "%.2f", encoded == 0 ? 0.0 : (double) raw / encoded));
        b.setStrings(Tag.LossyImageCompressionRatio, Vr.DS, ratios.toArray(String[]::new));
        List<String> methods = new ArrayList<>(source.strings(Tag.LossyImageCompressionMethod));
        methods.add(switch (target.uid()) {
            case Uid.JPEGLSNearLossless -> "ISO_14495_1";
            case Uid.JPEG2000, Uid.JPEG2000MC -> "ISO_15444_1";
            case Uid.HTJ2K -> "ISO_15444_15";
            default -> "ISO_10918_1";
        });
        b.setStrings(Tag.LossyImageCompressionMethod, Vr.CS, methods.toArray(String[]::new));
    }
}
