// SPDX-License-Identifier: Apache-2.0
package org.lightbox.imaging.jpegls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.lightbox.dicom.io.DicomReader;
import org.lightbox.imaging.CodecException;
import org.lightbox.imaging.Frames;
import org.lightbox.imaging.ImageDescription;
import org.lightbox.imaging.PixelCodec.EncodeOptions;
import org.lightbox.imaging.internal.jpegls.JpegLsCodec;
import org.lightbox.testkit.SharedData;

/** Damaged codestreams fail with a CodecException naming the frame; restart markers are honoured. */
class JpegLsMalformedTest {
    private static final String LOSSLESS = "1.2.840.10008.1.2.4.80";
    private static final String NEAR = "1.2.840.10008.1.2.4.81";
    private final JpegLsCodec codec = new JpegLsCodec();

    @Test
    void truncatedCodestreamsFailNamingTheFrame() throws Exception {
        ImageDescription image = JlsImages.image(40, 50, 1, 12);
        byte[] good = codec.encode(JlsImages.pixels(image, JlsImages.Kind.NOISE, 3), image, LOSSLESS,
                EncodeOptions.DEFAULT, 0);
        for (int length : new int[] {0, 1, 2, 10, 30, good.length / 2, good.length - 40}) {
            byte[] cut = Arrays.copyOf(good, length);
            assertThatThrownBy(() -> codec.decode(cut, image, 6)).as("%d bytes", length)
                    .isInstanceOf(CodecException.class).hasMessageContaining("frame 7")
                    .hasMessageContaining("JPEG-LS");
        }
    }

    @Test
    void wrongGeometryAndForeignCodestreamsAreRefused() throws Exception {
        ImageDescription image = JlsImages.image(16, 16, 1, 8);
        byte[] good = codec.encode(JlsImages.pixels(image, JlsImages.Kind.SMOOTH, 1), image, LOSSLESS,
                EncodeOptions.DEFAULT, 0);
        assertThatThrownBy(() -> codec.decode(good, JlsImages.image(16, 17, 1, 8), 0))
                .isInstanceOf(CodecException.class).hasMessageContaining("16 x 16");
        assertThatThrownBy(() -> codec.decode(good, JlsImages.image(16, 16, 3, 8), 0))
                .isInstanceOf(CodecException.class);
        byte[] baseline = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xC0, 0, 11, 8, 0, 16, 0, 16, 1, 1, 0x11, 0};
        assertThatThrownBy(() -> codec.decode(baseline, image, 0)).isInstanceOf(CodecException.class)
                .hasMessageContaining("not JPEG-LS");
    }

    @Test
    void randomDamageNeverEscapesAsAnotherException() throws Exception {
        Random r = new Random(11);
        for (int round = 0; round < 6; round++) {
            int samples = round % 2 == 0 ? 1 : 3;
            ImageDescription image = JlsImages.image(24, 31, samples, round < 3 ? 8 : 16);
            JlsImages.Kind kind = JlsImages.Kind.values()[round % 3];
            byte[] good = codec.encode(JlsImages.pixels(image, kind, round), image, round % 3 == 2 ? NEAR : LOSSLESS,
                    EncodeOptions.DEFAULT, 0);
            for (int i = 0; i < 400; i++) {
                byte[] bad = good.clone();
                for (int k = 0; k < 1 + r.nextInt(4); k++) {
                    int at = r.nextInt(bad.length);
                    bad[at] = r.nextBoolean() ? (byte) (bad[at] ^ 1 << r.nextInt(8)) : (byte) r.nextInt(256);
                }
                if (r.nextInt(4) == 0) {
                    bad = Arrays.copyOf(bad, r.nextInt(bad.length));
                }
                try {
                    assertThat(codec.decode(bad, image, 2).pixels()).hasSize(image.frameBytes());
                } catch (CodecException expected) {
                    assertThat(expected.frame()).isEqualTo(2);
                }
            }
        }
    }

    @Test
    void theDamagedSharedFileFailsCleanly() throws Exception {
        assumeTrue(SharedData.dataDir().isPresent(), "no shared test data (../shared/data)");
        Path file = SharedData.dataDir().orElseThrow().resolve("malformed/MR_small_jpeg_ls.corrupt-codestream.dcm");
        assumeTrue(Files.isRegularFile(file), "no " + file);
        Frames frames = Frames.of(DicomReader.read(file).dataset());
        try {
            codec.decode(frames.frame(0), frames.image(), 0);
        } catch (CodecException expected) {
            assertThat(expected).hasMessageContaining("frame 1");
        }
    }

    /**
     * A stream with restart markers, built from strips encoded on their own: after RSTm the coder starts afresh
     * with a zero line above (T.87 C.2.5), exactly like the first line of an image.
     */
    @Test
    void restartIntervalsDecode() throws Exception {
        for (int samples : new int[] {1, 3}) {
            int rows = 23;
            int interval = 5;
            ImageDescription image = JlsImages.image(rows, 19, samples, 16);
            byte[] pixels = JlsImages.pixels(image, JlsImages.Kind.BLOCKS, 8);
            int rowBytes = image.frameBytes() / rows;
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (int strip = 0; strip * interval < rows; strip++) {
                int lines = Math.min(interval, rows - strip * interval);
                ImageDescription part = JlsImages.image(lines, 19, samples, 16);
                byte[] encoded = codec.encode(Arrays.copyOfRange(pixels, strip * interval * rowBytes,
                        (strip * interval + lines) * rowBytes), part, LOSSLESS, EncodeOptions.DEFAULT, 0);
                int sos = indexOf(encoded, 0xDA);
                int dataStart = sos + 2 + ((encoded[sos + 2] & 0xFF) << 8 | encoded[sos + 3] & 0xFF);
                int dataEnd = encoded.length - 2;
                while ((encoded[dataEnd - 1] & 0xFF) == 0xFF) {
                    dataEnd--; // fill byte before EOI
                }
                if (strip == 0) {
                    // Headers of the first strip, with the full height and a DRI segment before SOS.
                    byte[] head = Arrays.copyOf(encoded, sos);
                    int sof = indexOf(head, 0xF7);
                    head[sof + 5] = (byte) (rows >> 8);
                    head[sof + 6] = (byte) rows;
                    out.writeBytes(head);
                    out.writeBytes(new byte[] {(byte) 0xFF, (byte) 0xDD, 0, 4, 0, (byte) interval});
                    out.write(encoded, sos, dataStart - sos);
                } else {
                    out.write(0xFF);
                    out.write(0xD0 + (strip - 1) % 8);
                }
                out.write(encoded, dataStart, dataEnd - dataStart);
            }
            out.writeBytes(new byte[] {(byte) 0xFF, (byte) 0xD9});
            assertThat(codec.decode(out.toByteArray(), image, 0).pixels()).as("%d samples", samples)
                    .isEqualTo(pixels);
        }
    }

    private static int indexOf(byte[] b, int marker) {
        for (int i = 0; i + 1 < b.length; i++) {
            if ((b[i] & 0xFF) == 0xFF && (b[i + 1] & 0xFF) == marker) {
                return i;
            }
        }
        throw new AssertionError("no marker FF" + Integer.toHexString(marker));
    }
}
