package io.famfsrocks.it;

import io.famfsrocks.cli.rocks.ViewChecker;
import io.famfsrocks.cli.rocks.WorkloadModel;
import io.famfsrocks.famfs.ErrorKind;
import io.famfsrocks.famfs.fs.FamfsVolume;
import io.famfsrocks.famfs.fs.MasterVolume;
import io.famfsrocks.rocks.BridgeException;
import io.famfsrocks.rocks.TestDevice;
import io.famfsrocks.rocks.publish.FamfsPublisher;
import io.famfsrocks.rocks.publish.PublisherConfig;
import io.famfsrocks.rocks.replica.ExportedSharedFiles;
import io.famfsrocks.rocks.replica.FamfsReplica;
import io.famfsrocks.rocks.replica.Freshness;
import io.famfsrocks.rocks.replica.ReplicaConfig;
import io.famfsrocks.rocks.replica.SharedFiles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A replica whose shared files are not visible yet (the MANIFEST bytes of a version are
 * published but an SST it names cannot be seen through this host's mount) must not claim
 * to be current, must keep serving the last verified version, and must reach the version
 * once the SST appears, without waiting for another publication.
 */
class ReplicaRecoveryIT {
    Path tmp;

    /** Shared files that hide every SST not seen before while {@code hidden} is set. */
    static final class HidingSharedFiles implements SharedFiles {
        final SharedFiles inner;
        final java.util.Set<String> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
        volatile boolean hidden;
        volatile int refused;

        HidingSharedFiles(SharedFiles inner) {
            this.inner = inner;
        }

        @Override
        public Path pathOf(String famfsPath) {
            if (hidden && !seen.contains(famfsPath)) {
                refused++;
                throw new BridgeException(ErrorKind.NOT_FOUND, famfsPath + " is not visible (test)");
            }
            seen.add(famfsPath);
            return inner.pathOf(famfsPath);
        }
    }

    /**
     * Shared files that, while {@code garbled} is set, hand out new SSTs as files of the right
     * size holding zeros (a view of the bytes that is not there yet); {@link #repair} puts the
     * real bytes in place.
     */
    static final class GarblingSharedFiles implements SharedFiles {
        final SharedFiles inner;
        final Path dir;
        final java.util.Map<String, Path> garbled = new java.util.concurrent.ConcurrentHashMap<>();
        final java.util.Set<String> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
        volatile boolean garbling;

        GarblingSharedFiles(SharedFiles inner, Path dir) {
            this.inner = inner;
            this.dir = dir;
        }

        @Override
        public Path pathOf(String famfsPath) {
            Path real = inner.pathOf(famfsPath);
            if (!garbling || seen.contains(famfsPath)) {
                seen.add(famfsPath);
                return garbled.getOrDefault(famfsPath, real);
            }
            return garbled.computeIfAbsent(famfsPath, p -> {
                try {
                    Path g = dir.resolve(p.replace('/', '_'));
                    Files.createDirectories(dir);
                    try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(g.toFile(), "rw")) {
                        f.setLength(Files.size(real));
                    }
                    return g;
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
        }

        void repair() throws java.io.IOException {
            garbling = false;
            for (var e : garbled.entrySet()) {
                Files.copy(inner.pathOf(e.getKey()), e.getValue(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    @BeforeEach
    void setUp() throws Exception {
        RocksDB.loadLibrary();
        tmp = Files.createTempDirectory(Path.of("/dev/shm"), "rocks-env-recovery");
    }

    @AfterEach
    void tearDown() throws Exception {
        try (Stream<Path> s = Files.walk(tmp)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void aVersionWhoseSstsAreNotVisibleYetIsNeverClaimedAndIsAppliedOnceTheyAppear() throws Exception {
        withPublishingPrimary((client, db, pub, model, checker, c1) -> {
            HidingSharedFiles shared = new HidingSharedFiles(new ExportedSharedFiles(client, tmp.resolve("export")));
            List<Freshness> applied = new CopyOnWriteArrayList<>();
            try (FamfsReplica replica = FamfsReplica.open(client, "db1", shared, tmp.resolve("replica"),
                    ReplicaConfig.defaults())) {
                replica.onApplied(applied::add);
                assertThat(checker.check(replica)).isEqualTo(c1);

                shared.hidden = true;
                PublishAndFollowIT.writeAndFlush(db, model, 2000);
                long v2 = pub.publishNow(10_000);
                long deadline = System.currentTimeMillis() + 10_000;
                while (shared.refused < 3 && System.currentTimeMillis() < deadline) {
                    Thread.sleep(5);
                }
                assertThat(shared.refused).as("the replica tried the hidden SST").isGreaterThanOrEqualTo(1);
                for (int i = 0; i < 20; i++) {
                    Freshness f = replica.freshness();
                    assertThat(f.current()).as("never current on the old view: " + f).isFalse();
                    assertThat(f.appliedVersion()).as(f.toString()).isLessThan(v2);
                    assertThat(f.newestVersion()).as(f.toString()).isGreaterThanOrEqualTo(v2);
                    assertThat(checker.check(replica)).as("keeps serving the last verified view").isEqualTo(c1);
                    Thread.sleep(10);
                }

                // The SST appears; no new publication: the replica must get there on its own.
                shared.hidden = false;
                long c2 = model.counter();
                PublishAndFollowIT.await(replica, v2);
                assertThat(checker.check(replica)).isEqualTo(c2);
                deadline = System.currentTimeMillis() + 10_000;
                while (!replica.freshness().current() && System.currentTimeMillis() < deadline) {
                    Thread.sleep(5);
                }
                assertThat(replica.freshness().current()).as(replica.freshness().toString()).isTrue();

                // And it keeps following afterwards.
                long c3 = PublishAndFollowIT.writeAndFlush(db, model, 2000);
                long v3 = pub.publishNow(10_000);
                PublishAndFollowIT.await(replica, v3);
                assertThat(checker.check(replica)).isEqualTo(c3);
            }
            for (int i = 1; i < applied.size(); i++) {
                assertThat(applied.get(i).appliedVersion()).isGreaterThan(applied.get(i - 1).appliedVersion());
            }
            assertThat(applied.get(0).appliedVersion()).isGreaterThanOrEqualTo(1);
        });
    }

    /**
     * RocksDB's silent "stuck" and "empty" replicas (a secondary that catches up without
     * error yet stays on an old version; one that opens empty when its SSTs are missing or
     * swapped): new SSTs are linked but their bytes are not there
     * (right size, zeros). Catching up cannot show the version; the replica must notice
     * (live files or sequence differ from the published version), try a fresh instance, keep
     * serving the last verified view without claiming to be current, and get there by
     * reopening once the bytes are right, with no new publication.
     */
    @Test
    void aCatchUpThatCannotShowTheVersionIsDetectedAndRecoveredByReopening() throws Exception {
        withPublishingPrimary((client, db, pub, model, checker, c1) -> {
            GarblingSharedFiles shared = new GarblingSharedFiles(new ExportedSharedFiles(client, tmp.resolve("export")),
                    tmp.resolve("garbled"));
            try (FamfsReplica replica = FamfsReplica.open(client, "db1", shared, tmp.resolve("replica"),
                    ReplicaConfig.defaults().withReadAhead(false))) {
                assertThat(checker.check(replica)).isEqualTo(c1);
                long reopensBefore = replica.stats().reopens();

                shared.garbling = true;
                PublishAndFollowIT.writeAndFlush(db, model, 2000);
                long v2 = pub.publishNow(10_000);
                long deadline = System.currentTimeMillis() + 10_000;
                while (replica.stats().stuckDetected() == 0 && System.currentTimeMillis() < deadline) {
                    Thread.sleep(5);
                }
                assertThat(replica.stats().stuckDetected()).as("catch-up that cannot show v2 detected: "
                        + replica.stats() + " " + replica.freshness()).isGreaterThanOrEqualTo(1);
                for (int i = 0; i < 20; i++) {
                    Freshness f = replica.freshness();
                    assertThat(f.current()).as("never current: " + f).isFalse();
                    assertThat(f.appliedVersion()).as(f.toString()).isLessThan(v2);
                    assertThat(f.problem()).as(f.toString()).isNotNull();
                    assertThat(checker.check(replica)).as("keeps serving the last verified view").isEqualTo(c1);
                    Thread.sleep(10);
                }

                shared.repair();
                long c2 = model.counter();
                PublishAndFollowIT.await(replica, v2);
                assertThat(checker.check(replica)).isEqualTo(c2);
                assertThat(replica.stats().reopens()).as("recovered by reopening").isGreaterThan(reopensBefore);
                long c3 = PublishAndFollowIT.writeAndFlush(db, model, 2000);
                long v3 = pub.publishNow(10_000);
                PublishAndFollowIT.await(replica, v3);
                assertThat(checker.check(replica)).isEqualTo(c3);
            }
        });
    }

    /**
     * Issue 13 item 7: the device truncated under a live replica (1 GiB said, 512 MiB left).
     * Before: the follower read on (a SIGBUS past the end killed it with an InternalError,
     * without a word) and the replica stayed "current". Now it reports not current with the
     * sizes, keeps serving the last verified version, and is current again once the device's
     * size is restored.
     */
    @Test
    void aDeviceTruncatedUnderTheReplicaIsReportedWhileTheLastVersionServes() throws Exception {
        withPublishingPrimary((client, db, pub, model, checker, c1) -> {
            try (FamfsReplica replica = FamfsReplica.open(client, "db1",
                    new ExportedSharedFiles(client, tmp.resolve("export")), tmp.resolve("replica"), ReplicaConfig.defaults())) {
                assertThat(checker.check(replica)).isEqualTo(c1);
                assertThat(replica.freshness().current()).isTrue();
                try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(client.devicePath().toFile(), "rw")) {
                    f.setLength(512L << 20);
                    long deadline = System.currentTimeMillis() + 10_000;
                    while (replica.freshness().problem() == null && System.currentTimeMillis() < deadline) {
                        Thread.sleep(5);
                    }
                    Freshness f1 = replica.freshness();
                    assertThat(f1.current()).as(f1.toString()).isFalse();
                    assertThat(f1.problem()).as(f1.toString())
                            .contains("is 536870912 bytes but its superblock says 1073741824");
                    assertThat(checker.check(replica)).as("keeps serving the last verified view").isEqualTo(c1);
                    f.setLength(1L << 30);
                }
                long deadline = System.currentTimeMillis() + 10_000;
                while (!replica.freshness().current() && System.currentTimeMillis() < deadline) {
                    Thread.sleep(5);
                }
                assertThat(replica.freshness().current()).as(replica.freshness().toString()).isTrue();
            }
        });
    }

    /**
     * Issue 13 item 8: a published SST rewritten in place with other bytes of the same size
     * (what {@code creat -r} did): the replica refuses the dataset naming the file and both
     * CRC32Cs (before: RocksDB's message about a file in the replica's work directory).
     */
    @Test
    void aReplicaRefusingARewrittenSstNamesTheFile() throws Exception {
        withPublishingPrimary((client, db, pub, model, checker, c1) -> {
            client.refresh();
            io.famfsrocks.famfs.fs.Node sst = client.list("db1/sst").get(0);
            io.famfsrocks.famfs.fs.FamfsFile f = client.openFile(sst.path());
            assertThat(f.isContiguous()).isTrue();
            byte[] junk = new byte[(int) f.size()];
            new java.util.Random(13).nextBytes(junk);
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(client.devicePath(),
                    java.nio.file.StandardOpenOption.WRITE)) {
                ch.write(java.nio.ByteBuffer.wrap(junk), f.deviceOffset(0));
            }
            assertThatThrownBy(() -> FamfsReplica.open(client, "db1", new ExportedSharedFiles(client, tmp.resolve("export")),
                    tmp.resolve("replica"), ReplicaConfig.defaults().withOpenTimeout(java.time.Duration.ofSeconds(5))))
                    .isInstanceOf(BridgeException.class)
                    .hasMessageContaining("/" + sst.path() + " has CRC32C 0x")
                    .hasMessageContaining("rewritten after it was published");
        });
    }

    /** What a scenario gets: a client volume, and a primary that published 3,000 writes ({@code c1}) as version 1. */
    interface Scenario {
        void run(FamfsVolume client, RocksDB db, FamfsPublisher pub, WorkloadModel model, ViewChecker checker, long c1)
                throws Exception;
    }

    private void withPublishingPrimary(Scenario scenario) throws Exception {
        int slots = PublishAndFollowIT.SLOTS;
        try (TestDevice dev = new TestDevice(1L << 30); MasterVolume master = dev.openMaster();
             FamfsVolume client = dev.openClient(); Options opts = PublishAndFollowIT.primaryOptions()) {
            WorkloadModel model = new WorkloadModel(slots);
            FamfsPublisher pub = FamfsPublisher.attach(opts, master, "db1", PublisherConfig.defaults());
            try (RocksDB db = RocksDB.open(opts, tmp.resolve("db").toString()); FamfsPublisher p = pub) {
                long c1 = PublishAndFollowIT.writeAndFlush(db, model, 3000);
                pub.start(db);
                pub.publishNow(10_000);
                scenario.run(client, db, pub, model, new ViewChecker(slots), c1);
            }
        }
    }
}
