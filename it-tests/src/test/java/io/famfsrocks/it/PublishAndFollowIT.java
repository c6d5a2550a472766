package io.famfsrocks.it;

import io.famfsrocks.cli.rocks.ViewChecker;
import io.famfsrocks.cli.rocks.WorkloadModel;
import io.famfsrocks.famfs.fs.FamfsVolume;
import io.famfsrocks.famfs.fs.MasterVolume;
import io.famfsrocks.famfs.fs.Node;
import io.famfsrocks.rocks.TestDevice;
import io.famfsrocks.rocks.journal.DatasetPaths;
import io.famfsrocks.rocks.publish.FamfsPublisher;
import io.famfsrocks.rocks.publish.PublisherConfig;
import io.famfsrocks.rocks.publish.PublisherMetrics;
import io.famfsrocks.rocks.replica.ExportedSharedFiles;
import io.famfsrocks.rocks.replica.FamfsReplica;
import io.famfsrocks.rocks.replica.Freshness;
import io.famfsrocks.rocks.replica.ReplicaConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.rocksdb.FlushOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class PublishAndFollowIT {
    static final int SLOTS = 5000;
    Path tmp;

    @BeforeEach
    void setUp() throws Exception {
        RocksDB.loadLibrary();
        tmp = Files.createTempDirectory(Path.of("/dev/shm"), "rocks-env-test");
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

    /** Writes one batch of {@code n} writes and flushes it; returns the counter. */
    static long writeAndFlush(RocksDB db, WorkloadModel model, int n) throws Exception {
        try (WriteBatch b = new WriteBatch(); WriteOptions wo = new WriteOptions(); FlushOptions fo = new FlushOptions().setWaitForFlush(true)) {
            model.nextBatch(b, n);
            db.write(wo, b);
            db.flush(fo);
        }
        return model.counter();
    }

    static boolean allLiveShared(RocksDB db, FamfsVolume client, FamfsPublisher pub) throws Exception {
        for (int attempt = 0; attempt < 50; attempt++) {
            pub.publishNow(10_000);
            client.refresh();
            boolean all = true;
            for (var lf : db.getLiveFilesMetaData()) {
                Node n = client.lookup(DatasetPaths.sst("db1", DatasetPaths.sstNumber(lf.fileName())));
                all &= n instanceof Node.File f && f.size() == lf.size();
            }
            if (all) {
                return true;
            }
        }
        return false;
    }

    static void await(FamfsReplica r, long version) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 10_000;
        while (r.freshness().appliedVersion() < version) {
            assertThat(System.currentTimeMillis()).as("replica reaches version " + version + ": " + r.freshness())
                    .isLessThan(deadline);
            Thread.sleep(1);
        }
    }

    @Test
    void replicaFollowsEveryPublishedVersionAndAPrimaryRestartResumesTheDataset() throws Exception {
        try (TestDevice dev = new TestDevice(4L << 30); MasterVolume master = dev.openMaster();
             FamfsVolume client = dev.openClient()) {
            Path dbDir = tmp.resolve("db");
            WorkloadModel model = new WorkloadModel(SLOTS);
            ViewChecker checker = new ViewChecker(SLOTS);
            List<Long> appliedVersions = new ArrayList<>();
            FamfsReplica replica = null;
            try (Options opts = primaryOptions()) {
                FamfsPublisher pub = FamfsPublisher.attach(opts, master, "db1", PublisherConfig.defaults());
                try (RocksDB db = RocksDB.open(opts, dbDir.toString()); FamfsPublisher p = pub) {
                    writeAndFlush(db, model, 3000);
                    pub.start(db);
                    long v = pub.publishNow(10_000);
                    assertThat(v).isEqualTo(1);
                    replica = FamfsReplica.open(client, "db1", new ExportedSharedFiles(client, tmp.resolve("export")),
                            tmp.resolve("replica"), ReplicaConfig.defaults());
                    replica.onApplied(f -> appliedVersions.add(f.appliedVersion()));
                    assertThat(checker.check(replica)).isEqualTo(3000);
                    for (int round = 0; round < 25; round++) {
                        long c = writeAndFlush(db, model, 2000);
                        v = pub.publishNow(10_000);
                        await(replica, v);
                        assertThat(checker.check(replica)).isEqualTo(c);
                    }
                    PublisherMetrics m = pub.metrics();
                    assertThat(m.state()).isEqualTo("RUNNING");
                    assertThat(m.versionsPublished()).isGreaterThanOrEqualTo(26);
                    assertThat(m.bytesCopied()).isPositive();
                    assertThat(m.logSlotsLeft()).isLessThan(m.logSlotsTotal());
                    // Background compactions may still publish; the replica reports current once it has caught up.
                    long deadline = System.currentTimeMillis() + 10_000;
                    while (!replica.freshness().current() && System.currentTimeMillis() < deadline) {
                        Thread.sleep(5);
                    }
                    Freshness f = replica.freshness();
                    assertThat(f.current()).as(f.toString()).isTrue();
                    assertThat(f.lagMs()).isZero();
                    assertThat(f.sequence()).isPositive();
                    // every live SST is in famfs with its exact size (once a publication follows the last compaction)
                    assertThat(allLiveShared(db, client, pub)).isTrue();
                }
            }
            assertThat(appliedVersions).isSorted();

            // Primary restart: same dataset, nothing copied again, replica keeps following.
            long before = replica.freshness().appliedVersion();
            master.refresh();
            java.util.Set<String> sharedBefore = new java.util.HashSet<>();
            master.list(DatasetPaths.sstDir("db1")).forEach(n -> sharedBefore.add(n.path().substring(n.path().lastIndexOf('/') + 1)));
            try (Options opts = primaryOptions()) {
                FamfsPublisher pub = FamfsPublisher.attach(opts, master, "db1", PublisherConfig.defaults());
                try (RocksDB db = RocksDB.open(opts, dbDir.toString()); FamfsPublisher p = pub) {
                    model.advanceTo(WorkloadModel.decodeCounter(db.get(WorkloadModel.COUNTER_KEY)));
                    pub.start(db);
                    long v = pub.publishNow(10_000);
                    PublisherMetrics m = pub.metrics();
                    assertThat(m.sstsReused()).isPositive();
                    long notSharedBefore = db.getLiveFilesMetaData().stream()
                            .filter(lf -> !sharedBefore.contains(lf.fileName().replace("/", ""))).count();
                    assertThat(m.sstsCopied()).as(m.toString()).isEqualTo(notSharedBefore);
                    assertThat(v).isGreaterThan(before);
                    long c = writeAndFlush(db, model, 2000);
                    v = pub.publishNow(10_000);
                    await(replica, v);
                    assertThat(checker.check(replica)).isEqualTo(c);
                }
            }
            replica.close();
        }
    }
}
