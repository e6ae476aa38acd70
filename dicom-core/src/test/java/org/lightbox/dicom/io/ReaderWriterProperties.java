// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicom.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.lightbox.dicom.Dataset;
import org.lightbox.dicom.Element;
import org.lightbox.dicom.SpecificCharacterSet;
import org.lightbox.dicom.TransferSyntax;
import org.lightbox.testkit.OneByteInputStream;
import org.lightbox.testkit.RandomSplitInputStream;

/** Random data sets survive writing and reading in every uncompressed transfer syntax, however the bytes arrive. */
class ReaderWriterProperties {

    @Property(tries = 300)
    void randomDatasetsSurviveEveryUncompressedTransferSyntax(@ForAll long seed) throws IOException {
        Dataset ds = RandomDatasets.dataset(new Random(seed));
        for (TransferSyntax ts : RoundTripTest.UNCOMPRESSED) {
            for (DicomWriter.Lengths lengths : DicomWriter.Lengths.values()) {
                byte[] bytes = write(ds, ts, lengths);
                DicomFile back = DicomReader.read(new ByteArrayInputStream(bytes), ReadOptions.DEFAULT);
                assertThat(Equivalence.difference(ds, back.dataset())).as("%s %s", ts.keyword(), lengths).isEmpty();
                assertThat(back.problems()).isEmpty();
                assertSameText(ds, back.dataset());
            }
        }
    }

    @Property(tries = 200)
    void splittingTheInputAnywhereGivesTheSameResult(@ForAll long seed) throws IOException {
        Random r = new Random(seed);
        Dataset ds = RandomDatasets.dataset(r);
        TransferSyntax ts = RoundTripTest.UNCOMPRESSED.get(r.nextInt(RoundTripTest.UNCOMPRESSED.size()));
        byte[] bytes = write(ds, ts, DicomWriter.Lengths.AS_READ);
        DicomFile whole = DicomReader.read(new ByteArrayInputStream(bytes), ReadOptions.DEFAULT);
        DicomFile oneByte = DicomReader.read(new OneByteInputStream(new ByteArrayInputStream(bytes)), ReadOptions.DEFAULT);
        DicomFile split = DicomReader.read(new RandomSplitInputStream(new ByteArrayInputStream(bytes), seed),
                ReadOptions.DEFAULT);
        assertThat(oneByte.dataset()).isEqualTo(whole.dataset());
        assertThat(split.dataset()).isEqualTo(whole.dataset());
        assertThat(oneByte.fileMetaInformation()).isEqualTo(whole.fileMetaInformation());
    }

    /** Text decodes to the same strings: the character set round trip. */
    private static void assertSameText(Dataset a, Dataset b) {
        for (Element e : a) {
            // Private elements come back from implicit VR as UN, whose bytes only their creator can read.
            boolean opaque = b.get(e.tag()).map(x -> x.vr() == org.lightbox.dicom.Vr.UN).orElse(false);
            if (e.vr().usesCharacterSet() && !opaque) {
                assertThat(b.strings(e.tag())).as("text of %s", e.tag()).isEqualTo(a.strings(e.tag()));
            }
            for (int i = 0; i < e.items().size(); i++) {
                assertSameText(e.items().get(i), b.items(e.tag()).get(i));
            }
        }
    }

    private static byte[] write(Dataset ds, TransferSyntax ts, DicomWriter.Lengths lengths) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DicomWriter.write(DicomWriter.newFile(ds, ts), out, lengths);
        return out.toByteArray();
    }

    @Property(tries = 50)
    void charsetSurvivesInItems(@ForAll long seed) throws IOException {
        Dataset ds = RandomDatasets.dataset(new Random(seed));
        byte[] bytes = write(ds, TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN, DicomWriter.Lengths.AS_READ);
        Dataset back = DicomReader.read(new ByteArrayInputStream(bytes), ReadOptions.DEFAULT).dataset();
        for (Element e : back) {
            for (Dataset item : e.items()) {
                assertThat(item.charset()).isEqualTo(back.charset().equals(SpecificCharacterSet.ASCII)
                        ? SpecificCharacterSet.ASCII : back.charset());
            }
        }
    }
}
