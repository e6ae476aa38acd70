// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicomweb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.lightbox.dicomweb.StowFixtures.Part;
import static org.lightbox.dicomweb.StowFixtures.blobs;
import static org.lightbox.dicomweb.StowFixtures.contentType;
import static org.lightbox.dicomweb.StowFixtures.instance;
import static org.lightbox.dicomweb.StowFixtures.multipart;
import static org.lightbox.dicomweb.StowFixtures.part10;
import static org.lightbox.dicomweb.StowFixtures.sha256;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lightbox.archive.Archive;
import org.lightbox.archive.ArchiveConfig;
import org.lightbox.testkit.RandomSplitInputStream;

/** The STOW-RS service without HTTP: many parts in flight, random reads, bodies cut anywhere. */
class StowServiceTest {
    @TempDir
    Path dir;

    @Test
    void manyPartsOfAnySizeThroughRandomReadsAreAllStoredExactly() throws Exception {
        Random random = new Random(7);
        List<byte[]> files = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            files.add(part10(instance("4.1", "4.1." + (i % 3), "4.1.9." + i, 2 * random.nextInt(150_000)).build()));
        }
        byte[] body = multipart(files.stream().map(Part::dicom).toList());
        try (Archive archive = Archive.open(ArchiveConfig.of(dir))) {
            StowService.Result r = new StowService(archive, new StowService.Limits(16 * 1024, 1 << 20, 1 << 20, 3))
                    .store(contentType("application/dicom"), new RandomSplitInputStream(
                            new ByteArrayInputStream(body), 11, 100_000), null);
            assertThat(r.problems()).isEmpty();
            assertThat(r.outcomes()).hasSize(40).allMatch(o -> o.kind() == StowOutcome.Kind.STORED);
            for (int i = 0; i < 40; i++) {
                assertThat(r.outcomes().get(i).part()).isEqualTo(i + 1);
                assertThat(r.outcomes().get(i).sopInstanceUid()).isEqualTo("4.1.9." + i);
                assertThat(Files.readAllBytes(archive.blobFile(archive.find("4.1.9." + i).orElseThrow())))
                        .isEqualTo(files.get(i));
            }
        }
    }

    /**
     * Cut anywhere, a body leaves stored exactly the instances whose parts were complete (each byte for byte), says
     * the body broke, and leaves no temporary file.
     */
    @Test
    void aBodyCutAnywhereStoresOnlyWholeInstances() throws Exception {
        Random random = new Random(3);
        List<byte[]> files = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            files.add(part10(instance("4.2", "4.2.1", "4.2.1." + i, 2 * (100 + random.nextInt(30_000))).build()));
        }
        byte[] body = multipart(files.stream().map(Part::dicom).toList());
        List<Integer> ends = new ArrayList<>(); // where each part's content ends in the body
        int from = 0;
        for (byte[] f : files) {
            from = StowHttpTest.indexOf(body, f, from) + f.length;
            ends.add(from);
        }
        try (Archive archive = Archive.open(ArchiveConfig.of(dir))) {
            StowService service = new StowService(archive, StowService.Limits.DEFAULT);
            Set<String> everStored = new HashSet<>();
            for (int round = 0; round < 25; round++) {
                int cut = 1 + random.nextInt(body.length - 1);
                StowService.Result r = service.store(contentType("application/dicom"),
                        new RandomSplitInputStream(new ByteArrayInputStream(Arrays.copyOf(body, cut)), round, 9000),
                        null);
                // a part is whole once its delimiter (CRLF "--" boundary) has been read after it
                long whole = ends.stream().filter(e -> e + 2 + 2 + StowFixtures.BOUNDARY.length() <= cut).count();
                assertThat(r.stored()).as("cut at %d of %d", cut, body.length).isEqualTo(whole);
                assertThat(r.badSyntax()).isTrue();
                for (StowOutcome o : r.outcomes()) {
                    if (o.stored()) {
                        everStored.add(o.sopInstanceUid());
                    } else {
                        assertThat(o.reason()).isEqualTo(StowOutcome.CANNOT_UNDERSTAND);
                    }
                }
                assertThat(Files.list(dir.resolve("blobs").resolve("tmp")).toList()).isEmpty();
                assertThat(blobs(dir).stream().filter(p -> !p.startsWith(dir.resolve("blobs/tmp")))).hasSize(
                        everStored.size());
            }
            for (String sop : everStored) {
                int i = Integer.parseInt(sop.substring(sop.lastIndexOf('.') + 1));
                assertThat(archive.find(sop).orElseThrow().sha256()).isEqualTo(sha256(files.get(i)));
            }
        }
    }
}
