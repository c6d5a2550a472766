package io.famfsrocks.rocks.journal;

import io.famfsrocks.famfs.device.CacheCoherence;
import io.famfsrocks.famfs.device.NonCoherentModel;
import io.famfsrocks.famfs.device.TornWalk;
import io.famfsrocks.famfs.fs.Famfs;
import io.famfsrocks.famfs.fs.FamfsVolume;
import io.famfsrocks.famfs.fs.MasterVolume;
import io.famfsrocks.famfs.fs.OpenOptions;
import io.famfsrocks.rocks.TestDevice;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;

import static io.famfsrocks.rocks.journal.WalRingTest.ID;
import static io.famfsrocks.rocks.journal.WalRingTest.SEG;
import static io.famfsrocks.rocks.journal.WalRingTest.SIZE;
import static io.famfsrocks.rocks.journal.WalRingTest.data;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The WAL ring on memory that is not coherent (the cache model, two hosts in this process):
 * a reader that holds lines of earlier laps gets every batch of the later ones through its
 * invalidates; and the ring's append survives a crash of the writer at every step with any
 * subset of its unfenced lines in memory ({@link TornWalk}).
 */
class WalRingCoherenceTest {
    private int checks;
    private static OpenOptions coherent(String uuid) {
        return OpenOptions.defaults().withSystemUuid(uuid).withCoherence(CacheCoherence.COHERENT);
    }

    @Test
    void aReaderHostHoldingEarlierLapsGetsEveryBatchOfTheLaterOnes() throws Exception {
        NonCoherentModel writerHost = new NonCoherentModel(1, 0.05);
        NonCoherentModel readerHost = new NonCoherentModel(2, 0);
        try (TestDevice dev = new TestDevice(64L << 20);
             MasterVolume m = Famfs.openMaster(dev.path, coherent(dev.master).withCoherence(writerHost));
             FamfsVolume c = Famfs.open(dev.path, coherent(UUID.randomUUID().toString()).withCoherence(readerHost))) {
            WalRingWriter w = WalRingTest.open(m);
            WalRingReader r = new WalRingReader(c, "ds", ID);
            SplittableRandom rnd = new SplittableRandom(7);
            long seq = 1;
            List<WalRecord> got = new ArrayList<>();
            for (int i = 0; i < 2000; i++) {
                int len = rnd.nextInt(1, 900);
                assertThat(w.append(seq, 1, 1000 + i, data(seq, len))).isTrue();
                seq++;
                if (i % 3 == 0) {
                    r.poll(got);
                }
            }
            r.poll(got);
            assertThat(w.committed()).as("laps").isGreaterThan(3 * (SIZE - WalFormat.DATA_START));
            assertThat(got).as("no record lost or torn").allMatch(x -> x instanceof WalRecord.Batch).hasSize(2000);
            long expect = 1;
            for (WalRecord x : got) {
                WalRecord.Batch b = (WalRecord.Batch) x;
                assertThat(b.sequence()).isEqualTo(expect++);
                assertThat(b.data()).isEqualTo(data(b.sequence(), b.data().length));
            }
        }
    }

    @Test
    void anAppendSurvivesEveryTornSubsetAtEveryStep() throws Exception {
        try (TestDevice dev = new TestDevice(16L << 20)) {
            try (MasterVolume m = Famfs.openMaster(dev.path, coherent(dev.master))) {
                WalRingWriter w = WalRingTest.open(m);
                for (long s = 1; s <= 40; s++) { // past the first lap: the walk's appends overwrite older records
                    w.append(s, 1, 0, data(s, 700));
                }
            }
            TornWalk.Result r = TornWalk.walk(dev.path, (work, model, progress) -> {
                try (MasterVolume m = Famfs.openMaster(work, coherent(dev.master).withCoherence(model))) {
                    WalRingWriter w = WalRingWriter.open(m, "ds", ID, SIZE, SEG);
                    for (long s = 41; s <= 43; s++) {
                        w.append(s, 1, 0, data(s, 700));
                        progress.add(Long.toString(s));
                    }
                    w.observePrimary(43, 5);
                    progress.add("observed");
                }
            }, (work, progress, where) -> {
                long reported = progress.stream().filter(p -> !p.equals("observed")).mapToLong(Long::parseLong)
                        .max().orElse(40);
                long last = readAll(work, where);
                assertThat(last).as("newest batch, " + where).isBetween(reported, 43L);
                if (checks++ % 16 != 0) {
                    return;
                }
                Path carry = TornWalk.copy(work, work.resolveSibling(work.getFileName() + ".carry"));
                try {
                    try (MasterVolume m = Famfs.openMaster(carry, coherent(dev.master))) {
                        WalRingWriter w = WalRingWriter.open(m, "ds", ID, SIZE, SEG);
                        assertThat(w.nextSequence()).as("resumed, " + where).isEqualTo(last + 1);
                        w.append(last + 1, 1, 0, data(last + 1, 700));
                    }
                    assertThat(readAll(carry, where + ", then one more")).isEqualTo(last + 1);
                } finally {
                    Files.deleteIfExists(carry);
                }
            });
            System.out.println("WalRingCoherenceTest: 3 appends past a lap: " + r);
            assertThat(r.steps()).isGreaterThan(5);
        }
    }

    /** Found by the walk above: the next sequence is published after the committed end, in another line. */
    @Test
    void aWriterThatDiedBetweenTheCommittedEndAndTheNextSequenceResumesAfterTheLastRecord() throws Exception {
        try (TestDevice dev = new TestDevice(16L << 20);
             MasterVolume m = Famfs.openMaster(dev.path, coherent(dev.master))) {
            WalRingWriter w = WalRingTest.open(m);
            w.append(1, 2, 0, data(1, 100));
            w.append(3, 4, 0, data(3, 100));
            m.openWritableRegion(DatasetPaths.walRing("ds")).putLongRelease(WalFormat.NEXT_SEQUENCE_OFFSET, 3);
            WalRingWriter again = WalRingWriter.open(m, "ds", ID, SIZE, SEG);
            assertThat(again.nextSequence()).as("after the last committed record, not the stale word").isEqualTo(7);
            assertThat(again.committed()).isEqualTo(w.committed());
        }
    }

    /** A fresh reader's batches: consecutive, each whole; returns the newest sequence. */
    private static long readAll(Path device, String where) {
        try (FamfsVolume c = Famfs.open(device, coherent(UUID.randomUUID().toString()))) {
            List<WalRecord> got = new ArrayList<>();
            new WalRingReader(c, "ds", ID).poll(got);
            assertThat(got).as("records, " + where).isNotEmpty().allMatch(x -> x instanceof WalRecord.Batch);
            long expect = ((WalRecord.Batch) got.get(0)).sequence();
            for (WalRecord x : got) {
                WalRecord.Batch b = (WalRecord.Batch) x;
                assertThat(b.sequence()).as("consecutive, " + where).isEqualTo(expect++);
                assertThat(b.data()).as("whole, " + where).isEqualTo(data(b.sequence(), 700));
            }
            return expect - 1;
        }
    }
}
