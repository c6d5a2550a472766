package io.famfsrocks.rocks.publish;

import io.famfsrocks.famfs.device.MemoryDevice;
import io.famfsrocks.famfs.fs.Famfs;
import io.famfsrocks.famfs.fs.FamfsVolume;
import io.famfsrocks.famfs.fs.Fsck;
import io.famfsrocks.famfs.fs.OpenOptions;
import io.famfsrocks.famfs.pool.DevicePool;
import io.famfsrocks.rocks.epoch.EpochFile;
import io.famfsrocks.rocks.epoch.EpochPool;
import io.famfsrocks.rocks.epoch.EpochPool.Role;
import io.famfsrocks.rocks.journal.JournalReader;
import io.famfsrocks.rocks.journal.JournalRecord;
import io.famfsrocks.rocks.replica.ExportedSharedFiles;
import io.famfsrocks.rocks.replica.FamfsReplica;
import io.famfsrocks.rocks.replica.ReplicaConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.rocksdb.FlushOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A publisher over a pool of two real devices with a real RocksDB primary: rotations on
 * request, on the space threshold and when a version does not fit; the previous device
 * reused after its drain; a fresh replica on the active epoch reads every key; every epoch
 * volume passes fsck; a restart resumes in the active epoch with version numbers going on.
 */
class EpochRotationTest {
    static final String DS = "db1";
    private final String master = UUID.randomUUID().toString();
    private final OpenOptions opts = OpenOptions.defaults().withSystemUuid(master);
    private final TreeMap<String, String> model = new TreeMap<>();
    private Path tmp;
    private Path a;
    private Path b;
    private long round;

    @BeforeEach
    void setUp() throws Exception {
        RocksDB.loadLibrary();
        tmp = Files.createTempDirectory(Path.of("/dev/shm"), "epoch-rotation-test");
        a = tmp.resolve("pool-a");
        b = tmp.resolve("pool-b");
        MemoryDevice.createFile(a, 64L << 20);
        MemoryDevice.createFile(b, 64L << 20);
    }

    @AfterEach
    void tearDown() throws Exception {
        try (Stream<Path> s = Files.walk(tmp)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    static Options primaryOptions() {
        return new Options().setCreateIfMissing(true).setWriteBufferSize(256 << 10)
                .setLevel0FileNumCompactionTrigger(2).setTargetFileSizeBase(256 << 10)
                .setMaxBytesForLevelBase(1 << 20);
    }

    private PublisherConfig config(double used) {
        return PublisherConfig.defaults().withJournalSize(1 << 20).withWarnings(0.05, 10)
                .withRotation(PublisherConfig.Rotation.defaults().withThresholds(used, 0.9)
                        .withDrain(Duration.ofMillis(500), Duration.ofSeconds(10)));
    }

    /** Overwrites and deletes some of 3000 keys, then flushes. */
    private void writeAndFlush(RocksDB db, int n) throws Exception {
        round++;
        try (WriteBatch batch = new WriteBatch(); WriteOptions wo = new WriteOptions();
             FlushOptions fo = new FlushOptions().setWaitForFlush(true)) {
            for (int i = 0; i < n; i++) {
                String k = String.format("key%05d", (round * 7919 + i * 31) % 3000);
                if (i % 10 == 9) {
                    batch.delete(k.getBytes(StandardCharsets.UTF_8));
                    model.remove(k);
                } else {
                    String v = "v" + round + "-" + i + "-" + "x".repeat(200);
                    batch.put(k.getBytes(StandardCharsets.UTF_8), v.getBytes(StandardCharsets.UTF_8));
                    model.put(k, v);
                }
            }
            db.write(wo, batch);
            db.flush(fo);
        }
    }

    private static void await(BooleanSupplier c, String what) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!c.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what).isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    private EpochPool pool() {
        return EpochPool.read(DevicePool.scan(List.of(a, b), opts), DS, null);
    }

    private static Role role(EpochPool p, Path d) {
        return p.members().stream().filter(m -> m.device().path().equals(d)).findFirst().orElseThrow().role();
    }

    /** A fresh replica on the active epoch's device reads exactly the model. */
    private void replicaReadsTheModel(Path device, long atLeastVersion) throws Exception {
        try (FamfsVolume client = Famfs.open(device, OpenOptions.defaults().withSystemUuid(UUID.randomUUID().toString()))) {
            Path work = tmp.resolve("replica-" + UUID.randomUUID());
            try (FamfsReplica r = FamfsReplica.open(client, DS, new ExportedSharedFiles(client, work.resolve("export")),
                    work.resolve("work"), ReplicaConfig.defaults())) {
                await(() -> r.freshness().appliedVersion() >= atLeastVersion, "replica reaches version " + atLeastVersion);
                for (int i = 0; i < 3000; i++) {
                    String k = String.format("key%05d", i);
                    byte[] got = r.get(k.getBytes(StandardCharsets.UTF_8));
                    assertThat(got == null ? null : new String(got, StandardCharsets.UTF_8)).as(k).isEqualTo(model.get(k));
                }
            }
        }
    }

    private void fsckClean(Path... devices) {
        for (Path d : devices) {
            Fsck.Report r = Fsck.check(d, opts);
            assertThat(r.defects()).as("fsck " + d).isEmpty();
            assertThat(r.warnings()).as("fsck " + d).allMatch(w -> w.startsWith("device is under 4 GiB"));
        }
    }

    /** The versions of the dataset's journal on {@code device}, in order. */
    private List<Long> versions(Path device) {
        try (FamfsVolume v = Famfs.openReadOnly(device, opts)) {
            List<Long> out = new ArrayList<>();
            JournalReader r = new JournalReader(v, DS);
            for (JournalRecord rec : r.poll()) {
                if (rec instanceof JournalRecord.Version ver) {
                    out.add(ver.version());
                }
            }
            return out;
        }
    }

    @Test
    void aRequestedRotationMovesTheDatasetToTheOtherDeviceAndTheNextReusesTheFirst() throws Exception {
        try (Options o = primaryOptions()) {
            FamfsPublisher pub = FamfsPublisher.attach(o, List.of(a, b), opts, DS, config(0.99));
            try (RocksDB db = RocksDB.open(o, tmp.resolve("db").toString()); FamfsPublisher p = pub) {
                pub.start(db);
                Path first = Path.of(pub.metrics().pool().activeDevice());
                assertThat(pub.epoch()).isEqualTo(1);
                for (int i = 0; i < 4; i++) {
                    writeAndFlush(db, 500);
                }
                long before = pub.publishNow(30_000);
                pub.requestRotation();
                await(() -> pub.metrics().pool().rotations() == 1, "first rotation");
                PoolMetrics m = pub.metrics().pool();
                assertThat(m.epoch()).isEqualTo(2);
                Path second = Path.of(m.activeDevice());
                assertThat(second).isNotEqualTo(first);
                assertThat(m.lastLiveBytes()).isPositive();
                assertThat(m.lastRepackBytes()).isGreaterThanOrEqualTo(m.lastLiveBytes());
                assertThat(m.bytesRepacked()).isEqualTo(m.lastRepackBytes());
                assertThat(pub.metrics().lastVersion()).as("the repack is a version after the old epoch's last")
                        .isGreaterThan(before);
                // No replica beats in epoch 1: it drains at the first poll and its device is reusable.
                await(() -> pub.metrics().pool().drainingEpoch() == 0, "epoch 1 drained");
                EpochPool pool = pool();
                assertThat(pool.active().orElseThrow().device().path()).isEqualTo(second);
                assertThat(role(pool, first)).isEqualTo(Role.RETIRED);
                writeAndFlush(db, 500);
                long inSecond = pub.publishNow(30_000);
                replicaReadsTheModel(second, inSecond);

                pub.requestRotation();
                await(() -> pub.metrics().pool().rotations() == 2, "second rotation");
                assertThat(pub.epoch()).isEqualTo(3);
                assertThat(Path.of(pub.metrics().pool().activeDevice())).as("epoch 3 reuses epoch 1's device")
                        .isEqualTo(first);
                writeAndFlush(db, 500);
                long inThird = pub.publishNow(30_000);
                await(() -> pub.metrics().pool().drainingEpoch() == 0, "epoch 2 drained");
                List<Long> third = versions(first);
                assertThat(third.get(0)).as("epoch 3's versions continue epoch 2's").isGreaterThan(inSecond);
                assertThat(third).isSorted().contains(inThird);
                replicaReadsTheModel(first, inThird);
                assertThat(pub.metrics().stopped()).isFalse();
            }
        }
        fsckClean(a, b);
    }

    @Test
    void crossingTheSpaceThresholdRotatesAndPublishingNeverStops() throws Exception {
        long lastVersion = 0;
        try (Options o = primaryOptions()) {
            FamfsPublisher pub = FamfsPublisher.attach(o, List.of(a, b), opts, DS, config(0.6));
            try (RocksDB db = RocksDB.open(o, tmp.resolve("db").toString()); FamfsPublisher p = pub) {
                pub.start(db);
                for (int i = 0; i < 200 && pub.metrics().pool().rotations() < 3; i++) {
                    writeAndFlush(db, 400);
                    long v = pub.publishNow(30_000);
                    PublisherMetrics m = pub.metrics();
                    assertThat(m.stopped()).as(m.toString()).isFalse();
                    assertThat(v).isGreaterThanOrEqualTo(lastVersion);
                    lastVersion = v;
                    assertThat(m.pool().usedPeakBytes()).isLessThanOrEqualTo(m.pool().capacity());
                }
                PoolMetrics m = pub.metrics().pool();
                assertThat(m.rotations()).as(m.toString()).isGreaterThanOrEqualTo(3);
                await(() -> pub.metrics().pool().drainingEpoch() == 0, "the last rotation drained");
                replicaReadsTheModel(Path.of(pub.metrics().pool().activeDevice()), lastVersion);
            }
        }
        fsckClean(a, b);
    }

    @Test
    void aVersionThatDoesNotFitRotatesInsteadOfStopping() throws Exception {
        try (Options o = primaryOptions()) {
            // Thresholds never reached: only the space check can start a rotation.
            PublisherConfig cfg = config(2.0).withRotation(config(2.0).rotation().withThresholds(2.0, 2.0));
            FamfsPublisher pub = FamfsPublisher.attach(o, List.of(a, b), opts, DS, cfg);
            try (RocksDB db = RocksDB.open(o, tmp.resolve("db").toString()); FamfsPublisher p = pub) {
                pub.start(db);
                long v = 0;
                for (int i = 0; i < 300 && pub.metrics().pool().rotations() < 1; i++) {
                    writeAndFlush(db, 400);
                    v = pub.publishNow(30_000);
                    assertThat(pub.metrics().stopped()).as(pub.metrics().toString()).isFalse();
                }
                assertThat(pub.metrics().pool().rotations()).isEqualTo(1);
                writeAndFlush(db, 400);
                long after = pub.publishNow(30_000);
                assertThat(after).isGreaterThan(v);
                replicaReadsTheModel(Path.of(pub.metrics().pool().activeDevice()), after);
            }
        }
        fsckClean(a, b);
    }

    @Test
    void aRestartedPublisherResumesInTheActiveEpochWithTheNextVersion() throws Exception {
        long last;
        Path active;
        try (Options o = primaryOptions()) {
            FamfsPublisher pub = FamfsPublisher.attach(o, List.of(a, b), opts, DS, config(0.99));
            try (RocksDB db = RocksDB.open(o, tmp.resolve("db").toString()); FamfsPublisher p = pub) {
                pub.start(db);
                writeAndFlush(db, 500);
                pub.requestRotation();
                await(() -> pub.metrics().pool().rotations() == 1, "rotation");
                writeAndFlush(db, 500);
                last = pub.publishNow(30_000);
                active = Path.of(pub.metrics().pool().activeDevice());
            }
        }
        try (Options o = primaryOptions()) {
            FamfsPublisher pub = FamfsPublisher.attach(o, List.of(b, a), opts, DS, config(0.99));
            try (RocksDB db = RocksDB.open(o, tmp.resolve("db").toString()); FamfsPublisher p = pub) {
                pub.start(db);
                assertThat(pub.epoch()).isEqualTo(2);
                assertThat(Path.of(pub.metrics().pool().activeDevice())).isEqualTo(active);
                assertThat(pub.metrics().sstsReused()).as("the active epoch's SSTs verified, not copied").isPositive();
                writeAndFlush(db, 500);
                long next = pub.publishNow(30_000);
                assertThat(next).isGreaterThan(last);
                replicaReadsTheModel(active, next);
            }
        }
        fsckClean(a, b);
    }
}
