package io.famfsrocks.it;

import io.famfsrocks.cli.rocks.ViewChecker;
import io.famfsrocks.famfs.device.MemoryDevice;
import io.famfsrocks.famfs.fs.Fsck;
import io.famfsrocks.famfs.fs.OpenOptions;
import io.famfsrocks.rocks.epoch.AckSlot;
import io.famfsrocks.rocks.epoch.StaleEpochException;
import io.famfsrocks.rocks.replica.ChildEpochMounts;
import io.famfsrocks.rocks.replica.EpochStatus;
import io.famfsrocks.rocks.replica.FamfsReplica;
import io.famfsrocks.rocks.replica.ReplicaIterator;
import io.famfsrocks.rocks.replica.ReplicaConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A replica over a pool of two devices follows rotations by itself (issue 12, the replica's
 * state machine in docs/epochs.md): the primary ({@link PoolPrimary}, the publisher's own
 * rotation) seals each epoch towards a new volume on the other device; the replica, in this
 * JVM with each epoch mounted through its own FUSE server process, opens the next epoch,
 * switches, releases the old one (unmounted, last beat {@code releasedThrough = e}) so that
 * the primary's drain ends by release and the device is reformatted for the rotation after
 * next. A checker thread compares the replica's whole view with the workload model the whole
 * time.
 */
class EpochFollowIT {
    private static final int SLOTS = 2000;
    private Path dir;
    private List<Path> devices;
    private final String master = UUID.randomUUID().toString();
    private final String replicaHost = UUID.randomUUID().toString();
    private final AtomicInteger mounts = new AtomicInteger();

    @BeforeEach
    void setUp() throws Exception {
        FuseAvailable.require();
        dir = Files.createTempDirectory(Path.of("/dev/shm"), "epoch-follow-it");
        devices = List.of(dir.resolve("pool-a"), dir.resolve("pool-b"));
        for (Path d : devices) {
            MemoryDevice.createFile(d, 128L << 20);
        }
    }

    @AfterEach
    void tearDown() throws Exception {
        if (dir == null) {
            return;
        }
        for (String mp : RocksBridgeIT.fuseMountsUnder(dir)) {
            new ProcessBuilder("fusermount", "-u", "-z", "-q", mp.split(" ")[0]).start().waitFor();
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private ChildEpochMounts mounts() {
        return new ChildEpochMounts(replicaHost, new ChildEpochMounts.Places() {
            @Override
            public Path newMountPoint() throws IOException {
                return Files.createDirectory(dir.resolve("mnt-" + mounts.incrementAndGet()));
            }

            @Override
            public Path newLog() throws IOException {
                return Files.createFile(dir.resolve("mount-" + mounts.get() + ".log"));
            }
        });
    }

    @Test
    void aReplicaFollowsFiveRotationsReleasingEachOldEpochWhileEveryViewMatchesTheModel() throws Exception {
        int slotIndex;
        try (PoolPrimary primary = new PoolPrimary(devices, master, dir.resolve("db"), SLOTS, Duration.ofSeconds(60),
                Duration.ofSeconds(120))) {
            primary.write(4, 300);
            ReplicaConfig cfg = ReplicaConfig.defaults().withBeatInterval(Duration.ofMillis(20));
            try (FamfsReplica replica = FamfsReplica.openPool(devices, OpenOptions.defaults().withSystemUuid(replicaHost),
                    PoolPrimary.DATASET, mounts(), dir.resolve("work"), cfg)) {
                assertThat(replica.epochStatus().epoch()).isEqualTo(1);
                Checker checker = new Checker(replica);
                checker.start();
                for (int r = 1; r <= 5; r++) {
                    primary.write(3, 300);
                    Path sealedDevice = Path.of(primary.pool().activeDevice());
                    long sealedEpoch = primary.rotate(Duration.ofSeconds(60));
                    // The lease is a minute: a drain well within it can only come from the replica's release.
                    assertThat(primary.awaitDrained(Duration.ofSeconds(45))).as("rotation " + r + ": drain of epoch "
                            + sealedEpoch + " (ms)").isLessThan(45_000);
                    EpochStatus st = replica.epochStatus();
                    AckSlot slot = primary.slot(sealedDevice, st.slot());
                    assertThat(slot.hasReleased(sealedEpoch)).as("slot " + st.slot() + " of epoch " + sealedEpoch + ": "
                            + slot).isTrue();
                    assertThat(slot.servingEpoch()).isEqualTo(sealedEpoch + 1);
                    assertThat(st.epoch()).isEqualTo(sealedEpoch + 1);
                    assertThat(RocksBridgeIT.fuseMountsUnder(dir)).as("only the serving epoch stays mounted")
                            .hasSize(1);
                    assertThat(Fsck.check(Path.of(primary.pool().activeDevice()), OpenOptions.defaults()
                            .withSystemUuid(master)).clean()).as("the new epoch's volume passes fsck").isTrue();
                }
                long want = primary.model.counter();
                awaitCounter(replica, want);
                checker.stop();
                assertThat(checker.failures).isEmpty();
                assertThat(checker.checks.get()).as("views checked").isGreaterThan(10);
                assertThat(checker.maxCounter.get()).isEqualTo(want);
                assertThat(replica.epochStatus().rotations()).isEqualTo(5);
                slotIndex = replica.epochStatus().slot();
            }
            // A replica that closes lets go of its epoch with a last beat: a later drain of it waits no lease.
            AckSlot last = primary.slot(Path.of(primary.pool().activeDevice()), slotIndex);
            assertThat(last.hasReleased(primary.epoch())).as("last beat of the closed replica: " + last).isTrue();
        }
        assertThat(RocksBridgeIT.fuseMountsUnder(dir)).as("closing the replica unmounts everything").isEmpty();
    }

    /**
     * A replica that cannot let go of an epoch (a scan still open on it) is given up by the
     * primary after the drain bound; the next rotation reformats that device and writes a new
     * epoch there. The open scan then reads through the old epoch's mount and mapping: its
     * batch is dropped ({@code StaleEpochException}), never returned, while lookups go on
     * answering from the serving epoch; closing the scan lets the replica release the epoch.
     */
    @Test
    void aScanHeldOnAnEpochReusedAfterTheDrainBoundIsDroppedNeverAnswered() throws Exception {
        try (PoolPrimary primary = new PoolPrimary(devices, master, dir.resolve("db"), SLOTS, Duration.ofSeconds(60),
                Duration.ofSeconds(2))) {
            primary.write(20, 300);
            ReplicaConfig cfg = ReplicaConfig.defaults().withBeatInterval(Duration.ofMillis(20)).withReadAhead(false);
            try (FamfsReplica replica = FamfsReplica.openPool(devices, OpenOptions.defaults().withSystemUuid(replicaHost),
                    PoolPrimary.DATASET, mounts(), dir.resolve("work"), cfg)) {
                try (ReplicaIterator held = replica.newIterator()) { // pins epoch 1's instance, reads nothing yet
                    primary.rotate(Duration.ofSeconds(60));
                    primary.awaitDrained(Duration.ofSeconds(60)); // the bound, not a release: the scan holds epoch 1
                    primary.write(20, 300);
                    primary.rotate(Duration.ofSeconds(60)); // reformats epoch 1's device for epoch 3
                    primary.write(2, 300);
                    assertThat(primary.epoch()).isEqualTo(3);
                    held.seekToFirst();
                    assertThatThrownBy(() -> held.nextBatch(1_000_000)).isInstanceOf(StaleEpochException.class);
                    awaitCounter(replica, primary.model.counter()); // the serving epoch answers meanwhile
                    long until = System.currentTimeMillis() + 30_000;
                    while (RocksBridgeIT.fuseMountsUnder(dir).size() > 2 && System.currentTimeMillis() < until) {
                        Thread.sleep(20); // epoch 2 is released as soon as its last reader closed
                    }
                    assertThat(RocksBridgeIT.fuseMountsUnder(dir)).as("epoch 1 still mounted for the held scan, and "
                            + "the serving epoch 3").hasSize(2).anyMatch(m -> m.startsWith(dir.resolve("mnt-1") + " "));
                }
                awaitCounter(replica, primary.model.counter());
                long deadline = System.currentTimeMillis() + 30_000;
                while (RocksBridgeIT.fuseMountsUnder(dir).size() > 1 && System.currentTimeMillis() < deadline) {
                    Thread.sleep(20);
                }
                assertThat(RocksBridgeIT.fuseMountsUnder(dir)).as("epoch 1 released once the scan closed").hasSize(1);
                assertThat(replica.epochStatus().epoch()).isEqualTo(3);
            }
        }
    }

    private static void awaitCounter(FamfsReplica replica, long want) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 60_000;
        ViewChecker c = new ViewChecker(SLOTS);
        while (System.currentTimeMillis() < deadline) {
            try {
                if (c.check(replica) == want) {
                    return;
                }
            } catch (StaleEpochException e) {
                // moving on to the next epoch
            }
            Thread.sleep(20);
        }
        throw new AssertionError("replica did not reach counter " + want + ": " + replica.freshness());
    }

    /** Checks the replica's whole view against the model, over and over, until stopped. */
    static final class Checker {
        final FamfsReplica replica;
        final List<String> failures = new CopyOnWriteArrayList<>();
        final AtomicLong checks = new AtomicLong();
        final AtomicLong stale = new AtomicLong();
        final AtomicLong maxCounter = new AtomicLong();
        private final AtomicBoolean stop = new AtomicBoolean();
        private final Thread thread;

        Checker(FamfsReplica replica) {
            this.replica = replica;
            this.thread = new Thread(this::run, "view-checker");
            thread.setDaemon(true);
        }

        void start() {
            thread.start();
        }

        void stop() throws InterruptedException {
            stop.set(true);
            thread.join(30_000);
        }

        private void run() {
            ViewChecker c = new ViewChecker(SLOTS);
            while (!stop.get()) {
                try {
                    maxCounter.accumulateAndGet(c.check(replica), Math::max);
                    checks.incrementAndGet();
                } catch (StaleEpochException e) {
                    stale.incrementAndGet();
                } catch (AssertionError | RuntimeException e) {
                    failures.add(e.toString());
                }
            }
        }
    }
}
