package io.famfsrocks.rocks.publish;

import io.famfsrocks.famfs.fs.FamfsVolume;
import io.famfsrocks.famfs.fs.MasterVolume;
import io.famfsrocks.rocks.TestDevice;
import io.famfsrocks.rocks.replica.ExportedSharedFiles;
import io.famfsrocks.rocks.replica.FamfsReplica;
import io.famfsrocks.rocks.replica.ReplicaConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.CompactRangeOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sidecar publisher ({@link FamfsPublisher#follow}) over a DB that someone else opened
 * (here a RocksDB of this JVM that the publisher never sees; it-tests' SidecarFollowIT has
 * the owner in another process): flushes and compactions become versions whose SSTs a
 * replica opens, unflushed writes stay unpublished, and an idle DB costs no publication.
 */
class FollowedDbTest {
    static final PublisherConfig CFG = PublisherConfig.defaults().withJournalSize(1 << 20)
            .withRecheckInterval(Duration.ofMillis(10));

    @TempDir
    Path tmp;

    static byte[] key(int i) {
        return String.format("k%06d", i).getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] value(int i, int round) {
        return ("v" + i + "." + round).getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void flushesAndCompactionsOfADbOwnedElsewhereArePublishedAsVersionsAReplicaOpens() throws Exception {
        Path dbDir = tmp.resolve("owned");
        Path wal = Files.createDirectories(tmp.resolve("empty-wal"));
        try (TestDevice dev = new TestDevice(512L << 20);
             Options o = new Options().setCreateIfMissing(true).setLevel0FileNumCompactionTrigger(3);
             RocksDB owner = RocksDB.open(o, dbDir.toString());
             FlushOptions flush = new FlushOptions().setWaitForFlush(true);
             MasterVolume vol = dev.openMaster()) {
            for (int i = 0; i < 500; i++) {
                owner.put(key(i), value(i, 0));
            }
            owner.flush(flush);
            try (FamfsPublisher p = FamfsPublisher.follow(vol, "side", dbDir, wal, CFG)) {
                p.start();
                assertThat(p.metrics().lastSequence()).as("the first version holds what was flushed").isEqualTo(500);
                int round = 1;
                for (; round <= 8; round++) { // 8 flushes over the same keys: L0 compactions delete SSTs meanwhile
                    for (int i = 0; i < 500; i += 2) {
                        owner.put(key(i), value(i, round));
                    }
                    owner.flush(flush);
                }
                owner.compactRange(); // everything rewritten: every earlier SST deleted by the owner
                long seq = owner.getLatestSequenceNumber();
                awaitSequence(p, seq);
                p.publishNow(30_000); // a look taken after the compaction: its version is published by now
                owner.put(key(1), "unflushed".getBytes(StandardCharsets.US_ASCII));
                long published = p.metrics().versionsPublished();
                Thread.sleep(300); // 30 rechecks of an owner that flushed nothing
                assertThat(p.metrics().versionsPublished()).as("nothing flushed, nothing published").isEqualTo(published);
                assertThat(p.metrics().stopped()).as(String.valueOf(p.metrics().error())).isFalse();
                assertThat(p.metrics().lagMaxMs()).as("lag is measured from the SSTs' modification times").isPositive();

                try (FamfsVolume client = dev.openClient();
                     FamfsReplica r = FamfsReplica.open(client, "side", new ExportedSharedFiles(client, tmp.resolve("x")),
                             tmp.resolve("replica"), ReplicaConfig.defaults())) {
                    assertThat(r.freshness().sequence()).isGreaterThanOrEqualTo(seq);
                    for (int i = 0; i < 500; i++) {
                        assertThat(r.get(key(i))).as("key %d", i).isEqualTo(value(i, i % 2 == 0 ? 8 : 0));
                    }
                }
            }
        }
    }

    private static void awaitSequence(FamfsPublisher p, long seq) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 60_000;
        while (p.metrics().lastSequence() < seq && !p.metrics().stopped() && System.currentTimeMillis() < deadline) {
            Thread.sleep(5);
        }
        assertThat(p.metrics().lastSequence()).as(String.valueOf(p.metrics().error())).isGreaterThanOrEqualTo(seq);
    }
}
