package io.famfsrocks.it;

import io.famfsrocks.cli.rocks.WorkloadModel;
import io.famfsrocks.famfs.fs.Famfs;
import io.famfsrocks.famfs.fs.FamfsVolume;
import io.famfsrocks.famfs.fs.OpenOptions;
import io.famfsrocks.rocks.epoch.AckSlot;
import io.famfsrocks.rocks.epoch.EpochFile;
import io.famfsrocks.rocks.publish.FamfsPublisher;
import io.famfsrocks.rocks.publish.PoolMetrics;
import io.famfsrocks.rocks.publish.PublisherConfig;
import org.rocksdb.FlushOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Test code: a primary in the test's JVM over a pool of devices, publishing the {@link
 * WorkloadModel} workload (small memtables, compactions on) with the publisher's own epoch
 * rotation ({@code FamfsPublisher.attach} over the pool, {@code requestRotation}). Not
 * thread-safe: one test thread drives it.
 */
public final class PoolPrimary implements AutoCloseable {
    public static final String DATASET = "db1";
    final List<Path> devices;
    final String master;
    public final WorkloadModel model;
    private final OpenOptions opts;
    private final Options dbOptions;
    private final RocksDB db;
    private final FamfsPublisher pub;

    public PoolPrimary(List<Path> devices, String master, Path dbDir, int slots, Duration lease, Duration maxDrain)
            throws Exception {
        RocksDB.loadLibrary();
        this.devices = devices;
        this.master = master;
        this.opts = OpenOptions.defaults().withSystemUuid(master);
        this.model = new WorkloadModel(slots);
        dbOptions = new Options().setCreateIfMissing(true).setWriteBufferSize(256 << 10)
                .setLevel0FileNumCompactionTrigger(2).setTargetFileSizeBase(256 << 10).setMaxBytesForLevelBase(1 << 20);
        PublisherConfig cfg = PublisherConfig.defaults().withJournalSize(4L << 20)
                .withRotation(PublisherConfig.Rotation.defaults().withThresholds(0.95, 0.95).withDrain(lease, maxDrain));
        pub = FamfsPublisher.attach(dbOptions, devices, opts, DATASET, cfg);
        db = RocksDB.open(dbOptions, dbDir.toString());
        pub.start(db);
    }

    public long epoch() {
        return pub.epoch();
    }

    public PoolMetrics pool() {
        return pub.metrics().pool();
    }

    /** {@code batches} batches of {@code size} writes, each flushed, then a publication waited for. */
    public void write(int batches, int size) throws Exception {
        try (WriteOptions wo = new WriteOptions(); FlushOptions fo = new FlushOptions().setWaitForFlush(true)) {
            for (int i = 0; i < batches; i++) {
                try (WriteBatch b = new WriteBatch()) {
                    model.nextBatch(b, size);
                    db.write(wo, b);
                }
                db.flush(fo);
            }
        }
        pub.publishNow(60_000);
    }

    /** Asks for a rotation and waits (at most {@code max}) until the next epoch is active. Returns the sealed epoch. */
    public long rotate(Duration max) throws Exception {
        long e = pub.epoch();
        pub.requestRotation();
        long deadline = System.nanoTime() + max.toNanos();
        while (pub.epoch() == e) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no rotation from epoch " + e + " within " + max + ": " + pub.metrics());
            }
            pub.publishNow(60_000);
            Thread.sleep(10);
        }
        return e;
    }

    /** Waits (at most {@code max}) until no epoch drains; returns the last drain's length in ms. */
    public long awaitDrained(Duration max) throws Exception {
        long deadline = System.nanoTime() + max.toNanos();
        while (pool().drainingEpoch() != 0) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("epoch " + pool().drainingEpoch() + " still drains after " + max);
            }
            pub.publishNow(60_000); // the publisher thread polls the drain between publications
            Thread.sleep(20);
        }
        return pool().lastDrainMs();
    }

    /** Slot {@code i} of the control file on {@code device} now (an epoch sealed but not yet reformatted). */
    AckSlot slot(Path device, int i) {
        try (FamfsVolume v = Famfs.openReadOnly(device, opts)) {
            return EpochFile.open(v, DATASET).slot(i);
        }
    }

    @Override
    public void close() {
        pub.close();
        db.close();
        dbOptions.close();
    }
}
