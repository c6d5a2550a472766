package io.famfsrocks.it;

import io.famfsrocks.cli.rocks.ViewChecker;
import io.famfsrocks.cli.rocks.WorkloadModel;
import io.famfsrocks.famfs.ErrorKind;
import io.famfsrocks.famfs.fs.FamfsVolume;
import io.famfsrocks.famfs.fs.MasterVolume;
import io.famfsrocks.rocks.TestDevice;
import io.famfsrocks.rocks.publish.FamfsPublisher;
import io.famfsrocks.rocks.publish.PublisherConfig;
import io.famfsrocks.rocks.publish.PublisherMetrics;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Comparator;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class PublisherLimitsIT {
    Path tmp;

    @BeforeEach
    void setUp() throws Exception {
        RocksDB.loadLibrary();
        tmp = Files.createTempDirectory(Path.of("/dev/shm"), "rocks-env-limits");
    }

    @AfterEach
    void tearDown() throws Exception {
        try (Stream<Path> s = Files.walk(tmp)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void sstsCreatedAndCompactedAwayBetweenPublicationsAreNeverCopied() throws Exception {
        try (TestDevice dev = new TestDevice(2L << 30); MasterVolume master = dev.openMaster();
             Options opts = PublishAndFollowIT.primaryOptions()) {
            FamfsPublisher pub = FamfsPublisher.attach(opts, master, "batch", PublisherConfig.defaults()
                    .withPublishInterval(Duration.ofSeconds(10)));
            try (RocksDB db = RocksDB.open(opts, tmp.resolve("db").toString()); FamfsPublisher p = pub) {
                pub.start(db);
                assertThat(pub.metrics().versionsPublished()).isEqualTo(1);
                WorkloadModel model = new WorkloadModel(2000);
                for (int i = 0; i < 12; i++) {
                    PublishAndFollowIT.writeAndFlush(db, model, 2000);
                }
                db.compactRange();
                pub.publishNow(30_000);
                PublisherMetrics m = pub.metrics();
                assertThat(m.sstsSkipped()).as(m.toString()).isPositive();
                assertThat(m.bytesSkipped()).isPositive();
                assertThat(m.sstsCopied()).isEqualTo(db.getLiveFilesMetaData().size());
            }
        }
    }

    /**
     * Fills a small device: the publisher warns, then stops; the primary keeps serving
     * writes and reads; a replica opened on another volume handle keeps serving the last
     * published version (every key equal to the model at that version's counter, before
     * and after the primary writes on); fsck is clean.
     */
    @Test
    void runningOutOfFamfsSpaceStopsPublishingButNotTheDatabase() throws Exception {
        // 160 MiB device: about 140 MiB of data area, 70 allocation units of 2 MiB.
        try (TestDevice dev = new TestDevice(160L << 20); MasterVolume master = dev.openMaster();
             FamfsVolume client = dev.openClient(); Options opts = PublishAndFollowIT.primaryOptions()) {
            FamfsPublisher pub = FamfsPublisher.attach(opts, master, "full", PublisherConfig.defaults()
                    .withJournalSize(1 << 20).withWarnings(0.5, 100));
            int slots = 20000;
            ViewChecker checker = new ViewChecker(slots);
            FamfsReplica replica = null;
            try (RocksDB db = RocksDB.open(opts, tmp.resolve("db").toString()); FamfsPublisher p = pub) {
                pub.start(db);
                WorkloadModel model = new WorkloadModel(slots);
                // The counter of every flushed batch: the last version reflects one of them.
                List<Long> flushed = new ArrayList<>(List.of(0L));
                long lastPublishedCounter = 0;
                boolean warned = false;
                for (int i = 0; i < 400 && !pub.metrics().stopped(); i++) {
                    flushed.add(PublishAndFollowIT.writeAndFlush(db, model, 3000));
                    pub.publishNow(10_000);
                    if (!pub.metrics().stopped()) {
                        lastPublishedCounter = model.counter();
                    }
                    warned |= pub.metrics().state().equals("WARNING");
                    if (replica == null) {
                        replica = FamfsReplica.open(client, "full", new ExportedSharedFiles(client, tmp.resolve("export")),
                                tmp.resolve("replica"), ReplicaConfig.defaults());
                    }
                }
                PublisherMetrics m = pub.metrics();
                assertThat(warned).isTrue();
                assertThat(m.stopped()).as(m.toString()).isTrue();
                assertThat(m.error()).contains("famfs space exhausted");
                assertThat(m.errorKind()).as("sst-publish picks its exit code from the kind").isEqualTo(ErrorKind.NO_SPACE);
                long stoppedAt = m.lastVersion();
                assertThat(stoppedAt).isGreaterThan(1);

                // The replica reaches the last published version and serves it whole.
                PublishAndFollowIT.await(replica, stoppedAt);
                long seen = checker.check(replica);
                assertThat(seen).as("counter of the last version").isIn(flushed).isGreaterThanOrEqualTo(lastPublishedCounter);
                assertThat(replica.get(WorkloadModel.COUNTER_KEY)).isEqualTo(WorkloadModel.encodeCounter(seen));

                // The DB keeps serving reads and writes; the journal is not touched again.
                long c = PublishAndFollowIT.writeAndFlush(db, model, 3000);
                assertThat(WorkloadModel.decodeCounter(db.get(WorkloadModel.COUNTER_KEY))).isEqualTo(c);
                assertThat(pub.metrics().lastVersion()).isEqualTo(stoppedAt);
                // ...and the replica still serves that version, unchanged, 200 polls later (it polls every ms).
                Thread.sleep(200);
                assertThat(replica.freshness().appliedVersion()).isEqualTo(stoppedAt);
                assertThat(checker.check(replica)).isEqualTo(seen);
            } finally {
                if (replica != null) {
                    replica.close();
                }
            }
            // The famfs volume is still consistent.
            var report = io.famfsrocks.famfs.fs.Fsck.check(dev.path,
                    io.famfsrocks.famfs.fs.OpenOptions.defaults().withSystemUuid(dev.master));
            assertThat(report.defects()).isEmpty();
        }
    }
}
