package io.famfsrocks.rocks.publish;

import io.famfsrocks.famfs.ErrorKind;
import io.famfsrocks.famfs.fs.MasterVolume;
import io.famfsrocks.rocks.TestDevice;
import io.famfsrocks.rocks.tools.WorkloadModel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class PublisherLimitsTest {
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
             Options opts = PublishAndFollowTest.primaryOptions()) {
            FamfsPublisher pub = FamfsPublisher.attach(opts, master, "batch", PublisherConfig.defaults()
                    .withPublishInterval(Duration.ofSeconds(10)));
            try (RocksDB db = RocksDB.open(opts, tmp.resolve("db").toString()); FamfsPublisher p = pub) {
                pub.start(db);
                assertThat(pub.metrics().versionsPublished()).isEqualTo(1);
                WorkloadModel model = new WorkloadModel(2000);
                for (int i = 0; i < 12; i++) {
                    PublishAndFollowTest.writeAndFlush(db, model, 2000);
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

    @Test
    void runningOutOfFamfsSpaceStopsPublishingButNotTheDatabase() throws Exception {
        // 160 MiB device: about 140 MiB of data area, 70 allocation units of 2 MiB.
        try (TestDevice dev = new TestDevice(160L << 20); MasterVolume master = dev.openMaster();
             Options opts = PublishAndFollowTest.primaryOptions()) {
            FamfsPublisher pub = FamfsPublisher.attach(opts, master, "full", PublisherConfig.defaults()
                    .withJournalSize(1 << 20).withWarnings(0.5, 100));
            try (RocksDB db = RocksDB.open(opts, tmp.resolve("db").toString()); FamfsPublisher p = pub) {
                pub.start(db);
                WorkloadModel model = new WorkloadModel(20000);
                boolean warned = false;
                for (int i = 0; i < 400 && !pub.metrics().stopped(); i++) {
                    PublishAndFollowTest.writeAndFlush(db, model, 3000);
                    pub.publishNow(10_000);
                    warned |= pub.metrics().state().equals("WARNING");
                }
                PublisherMetrics m = pub.metrics();
                assertThat(warned).isTrue();
                assertThat(m.stopped()).as(m.toString()).isTrue();
                assertThat(m.error()).contains("famfs space exhausted");
                assertThat(m.errorKind()).as("sst-publish picks its exit code from the kind").isEqualTo(ErrorKind.NO_SPACE);
                long stoppedAt = m.lastVersion();
                // The DB keeps serving reads and writes; the journal is not touched again.
                long c = PublishAndFollowTest.writeAndFlush(db, model, 3000);
                assertThat(WorkloadModel.decodeCounter(db.get(WorkloadModel.COUNTER_KEY))).isEqualTo(c);
                assertThat(pub.metrics().lastVersion()).isEqualTo(stoppedAt);
            }
            // The famfs volume is still consistent.
            var report = io.famfsrocks.famfs.fs.Fsck.check(dev.path,
                    io.famfsrocks.famfs.fs.OpenOptions.defaults().withSystemUuid(dev.master));
            assertThat(report.defects()).isEmpty();
        }
    }
}
