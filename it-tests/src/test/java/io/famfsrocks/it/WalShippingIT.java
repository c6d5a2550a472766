package io.famfsrocks.it;

import io.famfsrocks.famfs.fs.FamfsVolume;
import io.famfsrocks.famfs.fs.MasterVolume;
import io.famfsrocks.rocks.TestDevice;
import io.famfsrocks.rocks.publish.FamfsPublisher;
import io.famfsrocks.rocks.publish.PublisherConfig;
import io.famfsrocks.rocks.replica.ExportedSharedFiles;
import io.famfsrocks.rocks.replica.FamfsReplica;
import io.famfsrocks.rocks.replica.ReplicaConfig;
import io.famfsrocks.rocks.replica.ReplicaIterator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * WAL shipping in one process (a primary, a replica reading SSTs from exported copies):
 * unflushed writes reach the replica through the ring, with deletes, range deletes and
 * column families, and flushes move them into versions without a wrong answer between.
 */
class WalShippingIT {
    Path tmp;

    @BeforeEach
    void setUp() throws Exception {
        RocksDB.loadLibrary();
        tmp = Files.createTempDirectory(Path.of("/dev/shm"), "wal-it");
    }

    @AfterEach
    void tearDown() throws Exception {
        try (Stream<Path> s = Files.walk(tmp)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String s(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    /** Polls {@code check} until true or 10 s pass. */
    static boolean eventually(Supplier<Boolean> check) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (check.get()) {
                return true;
            }
            Thread.sleep(1);
        }
        return check.get();
    }

    @Test
    void unflushedWritesDeletesAndColumnFamiliesReachTheReplicaAndFlushesKeepThem() throws Exception {
        try (TestDevice dev = new TestDevice(512L << 20); MasterVolume master = dev.openMaster();
             FamfsVolume client = dev.openClient();
             DBOptions o = new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true);
             ColumnFamilyOptions cfo = new ColumnFamilyOptions().setWriteBufferSize(64L << 20)) {
            FamfsPublisher pub = FamfsPublisher.attach(o, master, "db1", PublisherConfig.defaults().withWalShipping());
            List<ColumnFamilyDescriptor> cfs = List.of(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, cfo),
                    new ColumnFamilyDescriptor(b("other"), cfo));
            List<ColumnFamilyHandle> hs = new ArrayList<>();
            try (RocksDB db = RocksDB.open(o, tmp.resolve("primary").toString(), cfs, hs);
                 FamfsPublisher p = pub; WriteOptions wo = new WriteOptions();
                 FlushOptions fo = new FlushOptions().setWaitForFlush(true)) {
                p.start(db);
                try (FamfsReplica r = FamfsReplica.open(client, "db1", new ExportedSharedFiles(client, tmp.resolve("export")),
                        tmp.resolve("replica"), ReplicaConfig.defaults())) {
                    TreeMap<String, String> model = new TreeMap<>();
                    for (int i = 0; i < 50; i++) {
                        db.put(hs.get(0), wo, b("k" + (100 + i)), b("v" + i));
                        model.put("k" + (100 + i), "v" + i);
                        String key = "k" + (100 + i);
                        String want = "v" + i;
                        assertThat(eventually(() -> want.equals(s(r.get(b(key)))))).as("key %s visible", key).isTrue();
                    }
                    db.put(hs.get(1), wo, b("k100"), b("in-other"));
                    db.delete(hs.get(0), wo, b("k101"));
                    model.remove("k101");
                    try (WriteBatch wb = new WriteBatch()) {
                        wb.deleteRange(hs.get(0), b("k110"), b("k120"));
                        wb.put(hs.get(0), b("k115"), b("back"));
                        db.write(wo, wb);
                    }
                    model.subMap("k110", "k120").clear();
                    model.put("k115", "back");
                    db.singleDelete(hs.get(0), wo, b("k149"));
                    model.remove("k149");
                    assertThat(eventually(() -> r.get(b("k149")) == null)).isTrue();
                    assertThat(r.get(b("k101"))).isNull();
                    assertThat(r.get(b("k111"))).isNull();
                    assertThat(s(r.get(b("k115")))).isEqualTo("back");
                    assertThat(s(r.lookup("other", b("k100")).value())).isEqualTo("in-other");
                    assertThat(s(r.get(b("k100")))).isEqualTo("v0");
                    assertThat(scan(r)).isEqualTo(model);
                    assertThat(r.lookup(null, b("k100")).sequence()).isGreaterThanOrEqualTo(db.getLatestSequenceNumber());
                    assertThat(eventually(() -> r.freshness().current())).as("%s", r.freshness()).isTrue();
                    assertThat(r.freshness().readSequence()).isEqualTo(db.getLatestSequenceNumber());
                    assertThat(r.freshness().primarySequence()).isEqualTo(db.getLatestSequenceNumber());
                    assertThat(r.freshness().appliedVersion()).isEqualTo(1); // nothing flushed: all from the ring

                    db.flush(fo, hs.get(0));
                    p.publishNow(10_000);
                    for (int i = 0; i < 200; i++) { // across the switch: never an older answer
                        assertThat(scan(r)).isEqualTo(model);
                        assertThat(s(r.lookup("other", b("k100")).value())).isEqualTo("in-other");
                    }
                    db.flush(fo, hs.get(1));
                    p.publishNow(10_000);
                    assertThat(eventually(() -> r.freshness().current())).isTrue();
                    assertThat(scan(r)).isEqualTo(model);
                    assertThat(s(r.lookup("other", b("k100")).value())).isEqualTo("in-other");
                }
            } finally {
                hs.forEach(ColumnFamilyHandle::close);
            }
        }
    }

    @Test
    void aReplicaMissingAcknowledgedWritesIsNeverCurrentNorZeroMsStale() throws Exception {
        try (TestDevice dev = new TestDevice(256L << 20); MasterVolume master = dev.openMaster();
             FamfsVolume client = dev.openClient(); Options o = new Options().setCreateIfMissing(true)) {
            FamfsPublisher pub = FamfsPublisher.attach(o, master, "db1", PublisherConfig.defaults().withWalShipping());
            try (RocksDB db = RocksDB.open(o, tmp.resolve("primary").toString()); WriteOptions wo = new WriteOptions()) {
                pub.start(db);
                try (FamfsReplica r = FamfsReplica.open(client, "db1", new ExportedSharedFiles(client, tmp.resolve("export")),
                        tmp.resolve("replica"), ReplicaConfig.defaults())) {
                    db.put(wo, b("a"), b("1"));
                    assertThat(eventually(() -> r.freshness().current() && r.freshness().readSequence() == 1))
                            .as("%s", r.freshness()).isTrue();
                    assertThat(r.freshness().lagMs()).isZero();
                    pub.close(); // the shipper stops; then the primary says it has 5 more acknowledged writes
                    long latest = db.getLatestSequenceNumber();
                    var ring = io.famfsrocks.rocks.journal.WalRingWriter.open(master, "db1",
                            new io.famfsrocks.rocks.journal.JournalReader(master, "db1").startAt(0).header().datasetId(),
                            PublisherConfig.WAL_RING_BYTES, PublisherConfig.defaults().withWalShipping().walSegmentBytes());
                    ring.observePrimary(latest + 5, System.currentTimeMillis());
                    assertThat(eventually(() -> r.freshness().sequencesBehind() == 5)).as("%s", r.freshness()).isTrue();
                    Thread.sleep(20);
                    var f = r.freshness();
                    assertThat(f.current()).isFalse();
                    assertThat(f.versionCurrent()).isTrue();
                    assertThat(f.lagMs()).isGreaterThanOrEqualTo(20);
                    assertThat(f.readSequence()).isEqualTo(latest);
                    assertThat(f.primarySequence()).isEqualTo(latest + 5);
                }
            } finally {
                pub.close();
            }
        }
    }

    static TreeMap<String, String> scan(FamfsReplica r) {
        TreeMap<String, String> seen = new TreeMap<>();
        try (ReplicaIterator it = r.newIterator()) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                seen.put(s(it.key()), s(it.value()));
            }
        }
        return seen;
    }
}
