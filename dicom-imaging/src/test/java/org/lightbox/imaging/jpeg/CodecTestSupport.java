// SPDX-License-Identifier: Apache-2.0
package org.lightbox.imaging.jpeg;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Element;
import org.lightbox.dicom.Tag;
import org.lightbox.dicom.TransferSyntax;
import org.lightbox.dicom.Value;
import org.lightbox.dicom.Vr;
import org.lightbox.dicom.io.DicomReader;
import org.lightbox.dicom.io.DicomWriter;
import org.lightbox.imaging.Frames;
import org.lightbox.imaging.ImageDescription;
import org.lightbox.imaging.PixelCodec;
import org.lightbox.testkit.ProcessResult;
import org.lightbox.testkit.SharedData;
import org.lightbox.testkit.Tools;

/** Helpers the JPEG and JPEG 2000 codec tests share: corpus rows, synthetic images, files for external tools. */
public final class CodecTestSupport {
    private CodecTestSupport() {}

    /** Manifest rows with a pixel MD5 in one of {@code syntaxes}. */
    public static List<Map<String, String>> rows(java.util.Set<String> syntaxes) {
        if (SharedData.dataDir().isEmpty()) {
            return List.of();
        }
        return SharedData.manifest().stream().filter(r -> syntaxes.contains(r.get("transfer_syntax_uid")))
                .filter(r -> !r.get("pixel_md5").isEmpty()).toList();
    }

    /** All frames of a file decoded by {@code codec}, concatenated. */
    public static byte[] decodeAll(PixelCodec codec, Path file) throws IOException {
        Frames frames = Frames.of(DicomReader.read(file).dataset());
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < frames.count(); i++) {
            out.writeBytes(codec.decode(frames.frame(i), frames.image(), i).pixels());
        }
        return out.toByteArray();
    }

    public static String md5(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Samples of native pixels as ints (little endian, 1 or 2 bytes, sign as the image says). */
    public static int[] ints(byte[] pixels, ImageDescription image) {
        int bytes = image.bitsAllocated() / 8;
        int[] out = new int[pixels.length / bytes];
        for (int i = 0; i < out.length; i++) {
            int v = bytes == 1 ? pixels[i] & 0xFF : pixels[2 * i] & 0xFF | (pixels[2 * i + 1] & 0xFF) << 8;
            out[i] = !image.signed() ? v : bytes == 1 ? (byte) v : (short) v;
        }
        return out;
    }

    /** The samples with the bits above High Bit cleared (which native DICOM leaves undefined). */
    public static int[] storedBits(byte[] pixels, ImageDescription image) {
        int[] s = ints(pixels, image);
        int mask = (int) ((1L << image.bitsStored()) - 1);
        for (int i = 0; i < s.length; i++) {
            s[i] &= mask;
        }
        return s;
    }

    /** Largest absolute difference and PSNR (dB, peak 2^bitsStored - 1) of two frames of the same image. */
    public record Error(int max, double psnr) {}

    public static Error error(byte[] a, byte[] b, ImageDescription image) {
        int[] x = ints(a, image);
        int[] y = ints(b, image);
        if (x.length != y.length) {
            throw new IllegalArgumentException(x.length + " samples against " + y.length);
        }
        int max = 0;
        double se = 0;
        for (int i = 0; i < x.length; i++) {
            int e = Math.abs(x[i] - y[i]);
            max = Math.max(max, e);
            se += (double) e * e;
        }
        double peak = (1 << image.bitsStored()) - 1;
        double psnr = se == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(peak * peak / (se / x.length));
        return new Error(max, psnr);
    }

    /** A smooth gradient with a little noise and some edges, in the image's range, native layout. */
    public static byte[] synthetic(ImageDescription image, long seed) {
        Random random = new Random(seed);
        int bytes = image.bitsAllocated() / 8;
        int n = image.samplesPerPixel();
        long lo = image.signed() ? -(1L << (image.bitsStored() - 1)) : 0;
        long range = (1L << image.bitsStored()) - 1;
        byte[] out = new byte[image.frameBytes()];
        int o = 0;
        for (int y = 0; y < image.rows(); y++) {
            for (int x = 0; x < image.columns(); x++) {
                for (int c = 0; c < n; c++) {
                    double t = (double) (x + 2 * y + 17 * c) / (image.columns() + 2 * image.rows() + 40);
                    double v = t * range + random.nextGaussian() * range / 200;
                    if ((x / 16 + y / 16) % 5 == 0) {
                        v = range - v; // hard edges
                    }
                    long s = lo + Math.clamp(Math.round(v), 0, range);
                    out[o++] = (byte) s;
                    if (bytes == 2) {
                        out[o++] = (byte) (s >> 8);
                    }
                }
            }
        }
        return out;
    }

    public static ImageDescription image(int rows, int columns, int samples, int allocated, int stored,
            boolean signed, String pi) {
        return new ImageDescription(rows, columns, samples, allocated, stored, stored - 1, signed, 0, pi, 1, 0);
    }

    /** A Part 10 file with one encapsulated frame. */
    public static void writeEncapsulated(Path file, ImageDescription image, String pi, String ts, byte[] frame)
            throws IOException {
        Dataset.Builder b = Dataset.builder()
                .setStrings(Tag.SOPClassUID, Vr.UI, "1.2.840.10008.5.1.4.1.1.7")
                .setStrings(Tag.SOPInstanceUID, Vr.UI, "2.25.1234567890123456789")
                .setStrings(Tag.Modality, Vr.CS, "OT")
                .setNumbers(Tag.SamplesPerPixel, Vr.US, image.samplesPerPixel())
                .setStrings(Tag.PhotometricInterpretation, Vr.CS, pi)
                .setNumbers(Tag.Rows, Vr.US, image.rows())
                .setNumbers(Tag.Columns, Vr.US, image.columns())
                .setNumbers(Tag.BitsAllocated, Vr.US, image.bitsAllocated())
                .setNumbers(Tag.BitsStored, Vr.US, image.bitsStored())
                .setNumbers(Tag.HighBit, Vr.US, image.highBit())
                .setNumbers(Tag.PixelRepresentation, Vr.US, image.signed() ? 1 : 0);
        if (image.samplesPerPixel() == 3) {
            b.setNumbers(Tag.PlanarConfiguration, Vr.US, 0);
        }
        byte[] even = frame.length % 2 == 0 ? frame : java.util.Arrays.copyOf(frame, frame.length + 1);
        b.add(new Element(Tag.PixelData, Vr.OB, new Value.Fragments(List.of(Value.Bytes.EMPTY, new Value.Bytes(even))),
                false, true));
        try (OutputStream out = Files.newOutputStream(file)) {
            DicomWriter.write(DicomWriter.newFile(b.build(), TransferSyntax.of(ts)), out);
        }
    }

    /**
     * Runs an external decoder, its arguments with "IN" and "OUT" standing for the two files, and reads the
     * native result's first frame.
     */
    public static byte[] decodeWith(List<String> command, Path in, Path out) throws IOException {
        List<String> full = command.stream()
                .map(a -> a.equals("IN") ? in.toString() : a.equals("OUT") ? out.toString() : a).toList();
        ProcessResult r = Tools.run(full, Duration.ofSeconds(60));
        if (!r.isSuccess()) {
            throw new IOException(full + " failed (" + r.exitCode() + "): " + r.stderr() + r.stdout());
        }
        Frames f = Frames.of(DicomReader.read(out).dataset());
        return org.lightbox.imaging.PixelData.decode(f, TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN, 0).pixels();
    }
}
