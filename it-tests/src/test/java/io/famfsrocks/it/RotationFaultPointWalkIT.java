package io.famfsrocks.it;

import io.famfsrocks.cli.rocks.ViewChecker;
import io.famfsrocks.cli.rocks.WorkloadModel;
import io.famfsrocks.famfs.FaultPoint;
import io.famfsrocks.famfs.device.MemoryDevice;
import io.famfsrocks.famfs.fs.Famfs;
import io.famfsrocks.famfs.fs.FamfsVolume;
import io.famfsrocks.famfs.fs.Fsck;
import io.famfsrocks.famfs.fs.OpenOptions;
import io.famfsrocks.famfs.pool.DevicePool;
import io.famfsrocks.rocks.epoch.EpochPool;
import io.famfsrocks.rocks.epoch.EpochPool.Role;
import io.famfsrocks.rocks.publish.FamfsPublisher;
import io.famfsrocks.rocks.publish.PoolMetrics;
import io.famfsrocks.rocks.publish.PublisherConfig;
import io.famfsrocks.rocks.replica.ExportedSharedFiles;
import io.famfsrocks.rocks.replica.FamfsReplica;
import io.famfsrocks.rocks.replica.ReplicaConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every crash point of an epoch rotation, hit exactly: a primary process publishing over a
 * pool of two devices, armed with {@code FAMFS_FAULT=POINT@N}, writes, publishes and asks
 * for a rotation after every third batch, printing what it was told; it halts at the point
 * (exit code {@value FaultPoint#EXIT_CODE} and the marker line, or the test fails). Then, in
 * this process: fsck clean on every device that holds a volume; {@link EpochPool} reads a
 * legal state, the one the crash table of docs/epochs.md gives for that point; a fresh
 * replica on the active epoch shows every key equal to the model at a counter at or beyond
 * the newest reported; a restarted publisher resumes there (a version after the newest
 * reported), rotates on request onto the other device (reformatting what the crash left),
 * and a fresh replica on the new epoch shows the model at the last counter written; fsck
 * clean on both devices again.
 */
class RotationFaultPointWalkIT {
    static final String DS = "db1";
    static final int SLOTS = 2000;
    static final Pattern PUBLISHED = Pattern.compile("published (\\d+) counter (\\d+)");
    private final String master = UUID.randomUUID().toString();
    private Path tmp;
    private Path a;
    private Path b;

    @BeforeEach
    void setUp() throws Exception {
        RocksDB.loadLibrary();
        tmp = Files.createTempDirectory(Path.of("/dev/shm"), "rotation-fault-test");
        a = tmp.resolve("pool-a");
        b = tmp.resolve("pool-b");
        MemoryDevice.createFile(a, 4L << 30); // sparse: only what famfs writes takes memory
        MemoryDevice.createFile(b, 4L << 30);
    }

    @AfterEach
    void tearDown() throws Exception {
        try (Stream<Path> s = Files.walk(tmp)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    static PublisherConfig config() {
        return PublishFaultPointWalkIT.config().withJournalSize(1 << 20).withRotation(PublisherConfig.Rotation.defaults()
                .withThresholds(2.0, 2.0).withDrain(Duration.ofMillis(500), Duration.ofSeconds(20)));
    }

    /**
     * Child: {@code DEVICE_A DEVICE_B DB}. A batch and the first version, then three rotations,
     * each after three more batches published one by one; waits for each drain.
     */
    public static void main(String[] args) throws Exception {
        RocksDB.loadLibrary();
        WorkloadModel model = new WorkloadModel(SLOTS);
        try (Options opts = PublishFaultPointWalkIT.options()) {
            FamfsPublisher pub = FamfsPublisher.attach(opts, List.of(Path.of(args[0]), Path.of(args[1])),
                    OpenOptions.defaults(), DS, config());
            try (RocksDB db = RocksDB.open(opts, args[2]); FamfsPublisher p = pub) {
                long counter = PublishFaultPointWalkIT.writeAndFlush(db, model, 1000);
                pub.start(db);
                report(pub.publishNow(30_000), counter);
                for (int r = 1; r <= 3; r++) {
                    for (int i = 0; i < 3; i++) {
                        counter = PublishFaultPointWalkIT.writeAndFlush(db, model, 300);
                        report(pub.publishNow(30_000), counter);
                    }
                    pub.requestRotation();
                    int want = r;
                    await(() -> pub.metrics().pool().rotations() == want && pub.metrics().pool().drainingEpoch() == 0,
                            "rotation " + r + " drained");
                    System.out.println("rotated " + r + " epoch " + pub.epoch());
                }
            }
        }
        System.out.println("finished");
    }

    private static void report(long version, long counter) {
        System.out.println("published " + version + " counter " + counter);
        System.out.flush();
    }

    static void await(BooleanSupplier c, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!c.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what).isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    record Death(long reportedVersion, long reportedCounter) {}

    private Death runToDeath(String spec) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), RotationFaultPointWalkIT.class.getName(),
                a.toString(), b.toString(), tmp.resolve("db").toString()).redirectErrorStream(true);
        pb.environment().put("FAMFS_SYSTEM_UUID", master);
        pb.environment().put(FaultPoint.ENV, spec);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError("child armed at " + spec + " did not exit: " + out);
        }
        String point = spec.substring(0, spec.indexOf('@'));
        String hit = spec.substring(spec.indexOf('@') + 1);
        assertThat(out).as("child output").contains(FaultPoint.MARKER + point + " (hit " + hit + ")");
        assertThat(p.exitValue()).as("exit code of a child armed at %s: %s", spec, out).isEqualTo(FaultPoint.EXIT_CODE);
        long v = 0;
        long c = 0;
        Matcher m = PUBLISHED.matcher(out);
        while (m.find()) {
            v = Math.max(v, Long.parseLong(m.group(1)));
            c = Math.max(c, Long.parseLong(m.group(2)));
        }
        assertThat(v).as("versions reported before dying at %s", spec).isPositive();
        return new Death(v, c);
    }

    private OpenOptions masterOpts() {
        return OpenOptions.defaults().withSystemUuid(master);
    }

    private EpochPool pool() {
        return EpochPool.read(DevicePool.scan(List.of(a, b), masterOpts()), DS, null);
    }

    /** fsck, no defect and no warning, on every device that holds a volume (a format cut short leaves none). */
    private void fsckClean(String when) {
        for (Path d : List.of(a, b)) {
            if (DevicePool.inspect(d, masterOpts()).isBlank()) {
                continue;
            }
            Fsck.Report r = Fsck.check(d, OpenOptions.defaults().withSystemUuid(UUID.randomUUID().toString()));
            assertThat(r.defects()).as("fsck %s %s", d, when).isEmpty();
            assertThat(r.warnings()).as("fsck warnings %s %s", d, when).isEmpty();
        }
    }

    /** A fresh replica on {@code device}: every key equal to the model at its counter; returns that counter. */
    private long replicaCounter(Path device, long atLeastVersion) throws Exception {
        try (FamfsVolume client = Famfs.open(device, OpenOptions.defaults().withSystemUuid(UUID.randomUUID().toString()))) {
            Path work = tmp.resolve("replica-" + UUID.randomUUID());
            try (FamfsReplica r = FamfsReplica.open(client, DS, new ExportedSharedFiles(client, work.resolve("export")),
                    work.resolve("work"), ReplicaConfig.defaults())) {
                await(() -> r.freshness().appliedVersion() >= atLeastVersion, "replica on " + device + " reaches "
                        + atLeastVersion);
                return new ViewChecker(SLOTS).check(r);
            }
        }
    }

    /**
     * Walks one point: dies at {@code spec}; the pool then reads {@code activeEpoch} active and
     * the other device in role {@code other}; a replica and a restarted publisher carry on.
     */
    private void walk(String spec, long activeEpoch, Role other) throws Exception {
        Death d = runToDeath(spec);
        fsckClean("after dying at " + spec);
        EpochPool pool = pool();
        EpochPool.Member active = pool.active().orElseThrow();
        assertThat(active.epoch()).as("active epoch after dying at %s", spec).isEqualTo(activeEpoch);
        Path activeDevice = active.device().path();
        Path otherDevice = activeDevice.equals(a) ? b : a;
        assertThat(pool.members().stream().filter(m -> m.device().path().equals(otherDevice)).findFirst().orElseThrow()
                .role()).as("the other device after dying at %s", spec).isEqualTo(other);
        assertThat(replicaCounter(activeDevice, d.reportedVersion)).as("replica's counter after %s", spec)
                .isGreaterThanOrEqualTo(d.reportedCounter);

        WorkloadModel model = new WorkloadModel(SLOTS);
        try (Options opts = PublishFaultPointWalkIT.options()) {
            FamfsPublisher pub = FamfsPublisher.attach(opts, List.of(a, b), masterOpts(), DS, config());
            try (RocksDB db = RocksDB.open(opts, tmp.resolve("db").toString()); FamfsPublisher p = pub) {
                model.advanceTo(WorkloadModel.decodeCounter(db.get(WorkloadModel.COUNTER_KEY)));
                pub.start(db);
                assertThat(pub.epoch()).isEqualTo(activeEpoch);
                PublishFaultPointWalkIT.writeAndFlush(db, model, 300);
                assertThat(pub.publishNow(30_000)).as("the restarted publisher's version after %s", spec)
                        .isGreaterThan(d.reportedVersion);
                pub.requestRotation();
                await(() -> pub.metrics().pool().rotations() == 1 && pub.metrics().pool().drainingEpoch() == 0,
                        "the restarted publisher's rotation after " + spec);
                PoolMetrics pm = pub.metrics().pool();
                assertThat(pm.epoch()).isEqualTo(activeEpoch + 1);
                assertThat(Path.of(pm.activeDevice())).as("the new epoch takes the other device").isEqualTo(otherDevice);
                long counter = PublishFaultPointWalkIT.writeAndFlush(db, model, 300);
                long v = pub.publishNow(30_000);
                assertThat(pub.metrics().stopped()).isFalse();
                assertThat(replicaCounter(otherDevice, v)).as("replica on the new epoch after %s", spec).isEqualTo(counter);
            }
        }
        EpochPool after = pool();
        assertThat(after.active().orElseThrow().device().path()).isEqualTo(otherDevice);
        assertThat(after.members().stream().filter(m -> m.device().path().equals(activeDevice)).findFirst().orElseThrow()
                .role()).isEqualTo(Role.RETIRED);
        fsckClean("after the restarted publisher's rotation (" + spec + ")");
    }

    @Test
    void formattedBeforeTheControlFile() throws Exception {
        walk("rotation.formatted@2", 1, Role.FREE); // hit 1 formats epoch 1 of the new pool
    }

    @Test
    void controlFileCreatedBeforeTheRepack() throws Exception {
        walk("rotation.control-created@2", 1, Role.ABANDONED);
    }

    @Test
    void repackCutShortAfterItsSecondSst() throws Exception {
        walk("rotation.repack-sst@2", 1, Role.ABANDONED);
    }

    @Test
    void repackedBeforeTheSeal() throws Exception {
        walk("rotation.repacked@1", 1, Role.ABANDONED);
    }

    @Test
    void sealedBeforeThePublisherSwapped() throws Exception {
        walk("rotation.sealed@1", 2, Role.DRAINING);
    }

    @Test
    void drainedMarkWrittenBeforeTheOldVolumeClosed() throws Exception {
        walk("rotation.drained@1", 2, Role.RETIRED);
    }

    @Test
    void reformatOfTheFirstEpochsDeviceCutShort() throws Exception {
        // Formats: epoch 1 (hit 1), rotation 1 (2), rotation 2 reformats epoch 1's device (3).
        walk("mkfs.magic-cleared@3", 2, Role.FREE);
    }
}
