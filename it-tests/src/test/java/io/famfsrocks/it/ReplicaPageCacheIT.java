package io.famfsrocks.it;

import io.famfsrocks.cli.rocks.ViewChecker;
import io.famfsrocks.cli.rocks.WorkloadModel;
import io.famfsrocks.famfs.fs.FamfsVolume;
import io.famfsrocks.famfs.fs.MasterVolume;
import io.famfsrocks.rocks.TestDevice;
import io.famfsrocks.rocks.journal.DatasetPaths;
import io.famfsrocks.rocks.publish.FamfsPublisher;
import io.famfsrocks.rocks.publish.PublisherConfig;
import io.famfsrocks.rocks.replica.FamfsReplica;
import io.famfsrocks.rocks.replica.ReplicaConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.rocksdb.LiveFileMetaData;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A replica reading the shared SSTs through a real FUSE mount (served by another process)
 * leaves each SST it read in that mount's page cache; once a compaction on the primary makes
 * SSTs obsolete and the replica has switched past them, their pages are dropped
 * ({@code FamfsReplica} through {@code PageCache.drop}) while the live SSTs stay cached and
 * readable. Page cache measured with {@code fincore} (mmap + mincore) through the mount.
 */
class ReplicaPageCacheIT {
    Path tmp;

    @BeforeEach
    void setUp() throws Exception {
        RocksDB.loadLibrary();
        tmp = Files.createTempDirectory(Path.of("/dev/shm"), "rocks-env-pagecache");
    }

    @AfterEach
    void tearDown() throws Exception {
        try (Stream<Path> s = Files.walk(tmp)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void obsoleteSstsLeaveTheMountsPageCacheAfterACompactionWhileLiveOnesStayReadable() throws Exception {
        int slots = 50_000;
        try (TestDevice dev = new TestDevice(1L << 30); MasterVolume master = dev.openMaster();
             FamfsVolume client = dev.openClient();
             Options opts = PublishAndFollowIT.primaryOptions().setDisableAutoCompactions(true)) {
            WorkloadModel model = new WorkloadModel(slots);
            ViewChecker checker = new ViewChecker(slots);
            FamfsPublisher pub = FamfsPublisher.attach(opts, master, "db1", PublisherConfig.defaults());
            try (RocksDB db = RocksDB.open(opts, tmp.resolve("db").toString()); FamfsPublisher p = pub;
                 MountProcess mount = MountProcess.start(dev.path, Files.createDirectories(tmp.resolve("mnt")),
                         UUID.randomUUID().toString(), tmp.resolve("mount.log"))) {
                for (int i = 0; i < 4; i++) {
                    PublishAndFollowIT.writeAndFlush(db, model, 20_000);
                }
                pub.start(db);
                assertThat(PublishAndFollowIT.allLiveShared(db, client, pub)).isTrue();
                long v1 = pub.publishNow(10_000);
                Set<Long> before = live(db);
                assertThat(before).as("4 flushes, no compaction").hasSize(4);
                try (FamfsReplica replica = FamfsReplica.open(client, "db1", mount.mountPoint(),
                        tmp.resolve("replica"), ReplicaConfig.defaults())) {
                    PublishAndFollowIT.await(replica, v1);
                    assertThat(checker.check(replica)).isEqualTo(model.counter());
                    long cachedBefore = fincore(mount.mountPoint(), before);
                    assertThat(cachedBefore).as("the replica read its SSTs through the mount")
                            .isGreaterThan(sstBytes(db, before) / 2);

                    db.compactRange();
                    assertThat(PublishAndFollowIT.allLiveShared(db, client, pub)).isTrue();
                    long v2 = pub.publishNow(10_000);
                    Set<Long> after = live(db);
                    Set<Long> obsolete = new HashSet<>(before);
                    obsolete.removeAll(after);
                    assertThat(obsolete).as("the compaction replaced the flushed SSTs").isEqualTo(before);
                    PublishAndFollowIT.await(replica, v2);
                    assertThat(checker.check(replica)).isEqualTo(model.counter());

                    // The drop waits for no mapping to be left: allow the follower a few retries.
                    long deadline = System.currentTimeMillis() + 10_000;
                    long obsoleteCached = fincore(mount.mountPoint(), obsolete);
                    while (obsoleteCached > 0 && System.currentTimeMillis() < deadline) {
                        Thread.sleep(50);
                        obsoleteCached = fincore(mount.mountPoint(), obsolete);
                    }
                    assertThat(obsoleteCached).as("page cache of the obsolete SSTs (%d bytes before) through the mount",
                            cachedBefore).isZero();
                    long liveBytes = sstBytes(db, after);
                    assertThat(fincore(mount.mountPoint(), after)).as("the live SSTs stay cached")
                            .isGreaterThan(liveBytes / 2);
                    assertThat(checker.check(replica)).as("and readable").isEqualTo(model.counter());
                }
            }
        }
    }

    private static Set<Long> live(RocksDB db) {
        Set<Long> s = new HashSet<>();
        for (LiveFileMetaData m : db.getLiveFilesMetaData()) {
            s.add(DatasetPaths.sstNumber(m.fileName()));
        }
        return s;
    }

    private static long sstBytes(RocksDB db, Set<Long> numbers) {
        long sum = 0;
        for (LiveFileMetaData m : db.getLiveFilesMetaData()) {
            if (numbers.contains(DatasetPaths.sstNumber(m.fileName()))) {
                sum += m.size();
            }
        }
        return sum;
    }

    /** Bytes of the mount's page cache for these SSTs, from {@code fincore} in another process. */
    private static long fincore(Path mount, Set<Long> numbers) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("fincore", "--bytes", "--noheadings", "--output", "RES"));
        for (long n : numbers) {
            cmd.add(mount.resolve(DatasetPaths.sst("db1", n)).toString());
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("fincore: %s", out).isZero();
        long sum = 0;
        int lines = 0;
        for (String l : out.split("\n")) {
            if (!l.isBlank()) {
                sum += Long.parseLong(l.trim());
                lines++;
            }
        }
        assertThat(lines).as("one line per file: %s", out).isEqualTo(numbers.size());
        return sum;
    }
}
