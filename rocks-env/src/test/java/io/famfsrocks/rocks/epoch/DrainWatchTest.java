package io.famfsrocks.rocks.epoch;

import io.famfsrocks.famfs.fs.Famfs;
import io.famfsrocks.famfs.fs.FamfsVolume;
import io.famfsrocks.famfs.fs.MasterVolume;
import io.famfsrocks.famfs.fs.Mkfs;
import io.famfsrocks.famfs.fs.OpenOptions;
import io.famfsrocks.famfs.pool.DevicePool;
import io.famfsrocks.rocks.TestDevice;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The primary's lease judgement against real replica processes that beat, release, stop or die. */
class DrainWatchTest {
    static final Duration LEASE = Duration.ofMillis(600);
    static final int SLOT = 3;

    /**
     * Child replica of epoch 1: beats into its slot every 20 ms (serving 1, released 0);
     * on "release" writes released-through 1 and exits; if its epoch was reformatted, says
     * "stale" and exits.
     */
    public static void main(String[] args) throws Exception {
        Path dev = Path.of(args[0]);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        try (FamfsVolume v = Famfs.open(dev, OpenOptions.defaults())) {
            EpochFile f = EpochFile.open(v, "ds");
            UUID me = UUID.fromString(System.getenv("FAMFS_SYSTEM_UUID"));
            try (AckSlotWriter w = AckSlotWriter.open(dev, f, EpochGuard.of(v), me, SLOT)) {
                while (true) {
                    if (in.ready() && "release".equals(in.readLine())) {
                        w.write(2, 1);
                        System.out.println("released");
                        return;
                    }
                    w.write(1, 0);
                    if (w.beats() == 5) {
                        System.out.println("beating");
                    }
                    Thread.sleep(20);
                }
            } catch (StaleEpochException e) {
                System.out.println("stale: " + e.getMessage());
            }
        }
    }

    private static EpochFile epochOne(TestDevice dev, MasterVolume m) {
        return EpochFile.create(m, EpochFileTest.header(m, 1));
    }

    /** Polls until drained; returns how long it took. */
    private static long drainMillis(DrainWatch w, long limitMs) throws InterruptedException {
        long t0 = System.nanoTime();
        while (!w.poll().drained()) {
            if ((System.nanoTime() - t0) / 1_000_000 > limitMs) {
                throw new AssertionError("not drained after " + limitMs + " ms: " + w.poll().pending());
            }
            Thread.sleep(10);
        }
        return (System.nanoTime() - t0) / 1_000_000;
    }

    @Test
    void aBeatingReplicaHoldsTheEpochUntilItReleasesIt() throws Exception {
        try (TestDevice dev = new TestDevice(64L << 20); MasterVolume m = dev.openMaster()) {
            EpochFile f = epochOne(dev, m);
            try (Child c = Child.start(UUID.randomUUID().toString(), DrainWatchTest.class, dev.path.toString())) {
                c.await("beating", 60);
                DrainWatch w = new DrainWatch(f, LEASE);
                long until = System.nanoTime() + 3 * LEASE.toNanos();
                int decoded = 0;
                while (System.nanoTime() < until) {
                    DrainWatch.Verdict v = w.poll();
                    assertThat(v.drained()).isFalse();
                    assertThat(v.pending()).singleElement().satisfies(p -> {
                        assertThat(p.slot()).isEqualTo(SLOT);
                        // a read that meets the replica mid-beat is torn: still pending, for that reason
                        assertThat(p.why()).containsAnyOf("serves epoch 1", "unreadable and still changing");
                    });
                    decoded += v.pending().get(0).why().contains("serves epoch 1") ? 1 : 0;
                    Thread.sleep(20);
                }
                assertThat(decoded).as("polls that decoded the beating slot").isPositive();
                c.send("release");
                c.await("released", 30);
                assertThat(w.poll().drained()).isTrue();
                assertThat(f.slot(SLOT).hasReleased(1)).isTrue();
            }
        }
    }

    @Test
    void aStoppedReplicaHoldsTheEpochForOneLeaseThenNeverWritesIntoTheReformattedDevice() throws Exception {
        try (TestDevice dev = new TestDevice(64L << 20); TestDevice spare = new TestDevice(64L << 20)) {
            OpenOptions opts = OpenOptions.defaults().withSystemUuid(dev.master);
            long slotAt;
            try (MasterVolume m = dev.openMaster()) {
                slotAt = epochOne(dev, m).slotDeviceOffset(SLOT);
            }
            try (Child c = Child.start(UUID.randomUUID().toString(), DrainWatchTest.class, dev.path.toString())) {
                c.await("beating", 60);
                try (FamfsVolume primaryView = Famfs.open(dev.path, opts)) {
                    DrainWatch w = new DrainWatch(EpochFile.open(primaryView, "ds"), LEASE);
                    assertThat(w.poll().drained()).isFalse();
                    c.signal("STOP");
                    long ms = drainMillis(w, 10_000);
                    assertThat(ms).as("drained only once a lease passed without a beat")
                            .isGreaterThanOrEqualTo(LEASE.toMillis() - 50);
                }
                DevicePool pool = DevicePool.scan(List.of(dev.path, spare.path), opts);
                pool.format(pool.devices().get(0), Mkfs.Options.defaults().withSystemUuid(dev.master));
                try (MasterVolume m = dev.openMaster()) {
                    EpochFile e3 = EpochFile.create(m, EpochFileTest.header(m, 3));
                    assertThat(e3.slotDeviceOffset(SLOT)).isEqualTo(slotAt);
                    c.signal("CONT");
                    assertThat(c.await("stale", 30)).contains("was retired");
                    assertThat(c.waitFor(30)).isZero();
                    // At most one store raced the reformat; it could only have hit this host's own
                    // slot with epoch tag 1, which the new epoch's watch ignores.
                    AckSlot s = e3.slot(SLOT);
                    assertThat(s == null || s.epochTag() == 1).isTrue();
                    assertThat(new DrainWatch(e3, LEASE).poll().drained()).isTrue();
                }
            }
        }
    }

    @Test
    void aKilledReplicaHoldsTheEpochForOneLease() throws Exception {
        try (TestDevice dev = new TestDevice(64L << 20); MasterVolume m = dev.openMaster()) {
            EpochFile f = epochOne(dev, m);
            try (Child c = Child.start(UUID.randomUUID().toString(), DrainWatchTest.class, dev.path.toString())) {
                c.await("beating", 60);
                DrainWatch w = new DrainWatch(f, LEASE);
                for (int i = 0; i < 10; i++) { // the watch sees the beats up to the kill
                    assertThat(w.poll().drained()).isFalse();
                    Thread.sleep(10);
                }
                long killedAt = System.nanoTime();
                c.signal("KILL");
                c.waitFor(30);
                drainMillis(w, 10_000);
                long ms = (System.nanoTime() - killedAt) / 1_000_000;
                // The lease runs from the last beat seen, at most a beat period (20 ms) and a poll (10 ms) before the kill.
                assertThat(ms).isGreaterThanOrEqualTo(LEASE.toMillis() - 30).isLessThan(LEASE.toMillis() + 5_000);
            }
        }
    }

    @Test
    void aStrayStoreWithAnotherEpochsTagHoldsNothing() throws Exception {
        try (TestDevice dev = new TestDevice(64L << 20); MasterVolume m = dev.openMaster()) {
            EpochFile f = EpochFile.create(m, EpochFileTest.header(m, 5));
            DrainWatch w = new DrainWatch(f, Duration.ofHours(1));
            ByteBuffer line = ByteBuffer.allocate(AckSlot.SIZE).order(ByteOrder.LITTLE_ENDIAN);
            new AckSlot(17, UUID.randomUUID(), 3, 3, 2, 0, SLOT).encodeTo(line);
            m.device().write(f.slotDeviceOffset(SLOT), line);
            assertThat(w.poll().drained()).isTrue();
            // The same host writing for this epoch holds it (a fresh change, far inside the lease).
            line.clear();
            new AckSlot(18, UUID.randomUUID(), 5, 5, 4, 0, SLOT).encodeTo(line);
            m.device().write(f.slotDeviceOffset(SLOT), line);
            assertThat(w.poll().pending()).extracting(DrainWatch.Pending::slot).containsExactly(SLOT);
            // Garbage that keeps changing holds it too; garbage that stops changing does not, after the lease.
            long[] now = {0};
            DrainWatch fake = new DrainWatch(f, Duration.ofSeconds(1), () -> now[0]);
            line.clear();
            line.putLong(0, 99).putLong(8, 12345);
            m.device().write(f.slotDeviceOffset(SLOT + 1), line);
            now[0] = 500_000_000L;
            assertThat(fake.poll().pending()).extracting(DrainWatch.Pending::why)
                    .contains("unreadable and still changing");
            now[0] = 1_600_000_000L;
            assertThat(fake.poll().pending()).extracting(DrainWatch.Pending::slot).doesNotContain(SLOT + 1);
        }
    }
}
