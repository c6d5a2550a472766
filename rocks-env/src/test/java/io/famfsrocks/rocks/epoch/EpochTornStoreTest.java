package io.famfsrocks.rocks.epoch;

import io.famfsrocks.famfs.device.CacheCoherence;
import io.famfsrocks.famfs.device.TornWalk;
import io.famfsrocks.famfs.fs.Famfs;
import io.famfsrocks.famfs.fs.FamfsVolume;
import io.famfsrocks.famfs.fs.Fsck;
import io.famfsrocks.famfs.fs.MasterVolume;
import io.famfsrocks.famfs.fs.OpenOptions;
import io.famfsrocks.rocks.TestDevice;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The epoch control file's in-place writes survive a crash of their writer at every step,
 * with any subset of its unfenced cache lines in memory ({@link TornWalk} on the cache
 * model): the master's create (header, magic last), seal and drained mark, and a replica
 * host's beats into its own slot. Every state decodes (never CORRUPT_MEDIA), each write
 * that returned is there, and nothing is seen that was not written whole.
 */
class EpochTornStoreTest {
    static final UUID POOL = UUID.fromString("00000000-0000-0000-0000-0000000000e1");
    static final UUID NEXT = UUID.fromString("00000000-0000-0000-0000-0000000000e2");
    static final UUID HOST = UUID.fromString("00000000-0000-0000-0000-0000000000e3");
    static final int SLOT = 3;

    private static OpenOptions coherent(String uuid) {
        return OpenOptions.defaults().withSystemUuid(uuid).withCoherence(CacheCoherence.COHERENT);
    }

    static EpochHeader header(FamfsVolume v) {
        return new EpochHeader(EpochFile.DEFAULT_SLOTS, POOL, v.superblock().fsUuid(), EpochHeader.NIL, 1, 1_000, "ds");
    }

    static final SealRecord SEAL = new SealRecord(2, NEXT, 17, 2_000);

    @Test
    void createSealAndDrainedMarkSurviveEveryTornSubsetAtEveryStep() throws Exception {
        try (TestDevice dev = new TestDevice(16L << 20)) {
            TornWalk.Result r = TornWalk.walk(dev.path, (work, model, progress) -> {
                try (MasterVolume m = Famfs.openMaster(work, coherent(dev.master).withCoherence(model))) {
                    EpochFile f = EpochFile.create(m, header(m));
                    progress.add("created");
                    f.writeSeal(SEAL);
                    progress.add("sealed");
                    f.markDrained();
                    progress.add("drained");
                }
            }, (work, progress, where) -> {
                assertThat(Fsck.check(work, coherent(dev.master)).defects()).as("fsck, " + where).isEmpty();
                try (FamfsVolume c = Famfs.open(work, coherent(UUID.randomUUID().toString()))) {
                    EpochFile f = EpochFile.open(c, "ds");
                    if (f == null || !f.ready()) {
                        assertThat(progress).as("not ready, " + where).isEmpty();
                        return;
                    }
                    assertThat(f.header()).as("header, " + where).isEqualTo(header(c));
                    SealRecord s = f.seal();
                    assertThat(s == null || s.equals(SEAL)).as("seal " + s + ", " + where).isTrue();
                    if (progress.contains("sealed")) {
                        assertThat(s).as("a seal that returned, " + where).isEqualTo(SEAL);
                    }
                    boolean drained = f.drained();
                    if (progress.contains("drained")) {
                        assertThat(drained).as("a drained mark that returned, " + where).isTrue();
                    }
                    if (drained) {
                        assertThat(s).as("drained only once sealed, " + where).isEqualTo(SEAL);
                    }
                }
            });
            System.out.println("EpochTornStoreTest: create, seal, drained: " + r);
            assertThat(r.steps()).isGreaterThan(10);
        }
    }

    @Test
    void aReplicasBeatsIntoItsSlotSurviveEveryTornSubsetAtEveryStep() throws Exception {
        try (TestDevice dev = new TestDevice(16L << 20)) {
            try (MasterVolume m = Famfs.openMaster(dev.path, coherent(dev.master))) {
                EpochFile.create(m, header(m));
            }
            String replica = UUID.randomUUID().toString();
            TornWalk.Result r = TornWalk.walk(dev.path, (work, model, progress) -> {
                try (FamfsVolume v = Famfs.open(work, coherent(replica).withCoherence(model))) {
                    EpochFile f = EpochFile.open(v, "ds");
                    try (AckSlotWriter w = AckSlotWriter.open(work, f, EpochGuard.of(v), HOST, SLOT)) {
                        for (int beat = 1; beat <= 3; beat++) {
                            w.write(1, 0);
                            progress.add("beat" + beat);
                        }
                    }
                }
            }, (work, progress, where) -> {
                try (FamfsVolume c = Famfs.open(work, coherent(UUID.randomUUID().toString()))) {
                    AckSlot s = EpochFile.open(c, "ds").slot(SLOT);
                    long reported = progress.size();
                    if (s == null) {
                        assertThat(reported).as("an empty slot, " + where).isZero();
                        return;
                    }
                    assertThat(s.host()).isEqualTo(HOST);
                    assertThat(s.beat()).as("beat, " + where).isBetween(Math.max(1, reported), 3L);
                    assertThat(s.epochTag()).isEqualTo(1);
                    assertThat(s.servingEpoch()).isEqualTo(1);
                }
            });
            System.out.println("EpochTornStoreTest: 3 beats: " + r);
            assertThat(r.steps()).isGreaterThan(3);
        }
    }
}
