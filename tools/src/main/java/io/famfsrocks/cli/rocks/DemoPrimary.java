package io.famfsrocks.cli.rocks;

import io.famfsrocks.cli.Progress;
import io.famfsrocks.cli.Sizes;
import io.famfsrocks.rocks.publish.FamfsPublisher;
import io.famfsrocks.rocks.publish.PublisherMetrics;
import org.rocksdb.Checkpoint;
import org.rocksdb.FlushOptions;
import org.rocksdb.LiveFileMetaData;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The demo's primary as the demo drives it: a RocksDB written from the deterministic workload
 * model (WAL off) and published into famfs. It writes batches, loads with a progress line,
 * flushes, waits for compactions to settle, publishes and checkpoints.
 * It owns none of the handles it is given: the demo opens and closes them. Not thread-safe:
 * the demo's main thread drives it (the shutdown hook only raises {@code stopping}).
 */
final class DemoPrimary {
    private final RocksDB db;
    private final FamfsPublisher pub;
    private final WriteOptions wo;
    private final FlushOptions fo;
    private final WorkloadModel model;
    private final BooleanSupplier stopping;

    DemoPrimary(RocksDB db, FamfsPublisher pub, WriteOptions wo, FlushOptions fo, WorkloadModel model,
                BooleanSupplier stopping) {
        this.db = db;
        this.pub = pub;
        this.wo = wo;
        this.fo = fo;
        this.model = model;
        this.stopping = stopping;
    }

    /** Options sized for {@code keys}: small memtables and levels, so that flushes and compactions run while loading. */
    static Options options(int keys) {
        long wb = Math.max(1L << 20, Math.min(4L << 20, keys * 2L));
        return new Options().setCreateIfMissing(true).setWriteBufferSize(wb).setMaxWriteBufferNumber(3)
                .setTargetFileSizeBase(wb).setMaxBytesForLevelBase(4 * wb).setLevel0FileNumCompactionTrigger(4)
                .setMaxBackgroundJobs(2);
    }

    /** A first batch of 1000 writes, flushed, then the publisher started and a first version published. */
    void start() throws RocksDBException, InterruptedException {
        write(1000);
        flush();
        pub.start(db);
        pub.publishNow(60_000);
    }

    /** The model's next {@code n} writes as one batch; returns the model's counter after them. */
    long write(int n) throws RocksDBException {
        try (WriteBatch b = new WriteBatch()) {
            model.nextBatch(b, n);
            db.write(wo, b);
        }
        return model.counter();
    }

    /**
     * Writes {@code n} writes with the WAL on (the load writes without it), so that the WAL
     * shipper sends them to the replicas at once; returns the counter.
     */
    long writeLogged(int n, WriteOptions logged) throws RocksDBException {
        try (WriteBatch b = new WriteBatch()) {
            model.nextBatch(b, n);
            db.write(logged, b);
        }
        return model.counter();
    }

    /** Flushes the memtables and waits for the flush. */
    void flush() throws RocksDBException {
        db.flush(fo);
    }

    long counter() {
        return model.counter();
    }

    /** Writes until the model's counter reaches {@code writes}, showing it on {@code progress} (which it closes). */
    void load(long writes, Progress progress) throws RocksDBException {
        try (Progress p = progress.totals(writes, 0)) {
            while (model.counter() < writes) {
                if (stopping.getAsBoolean()) {
                    throw DemoCommand.interrupted();
                }
                write((int) Math.min(1000, writes - model.counter()));
                p.update(model.counter(), 0);
            }
        }
    }

    /** After loading: flush, let compactions finish (at most 120 s), publish; returns the version published. */
    long finishLoad() throws RocksDBException, InterruptedException {
        flush();
        settle(120);
        return pub.publishNow(120_000);
    }

    /**
     * Waits until RocksDB has no compaction running or pending, so that the version the
     * replicas check is the last one and the lookups are measured on a quiet primary
     * (a compaction still running would slow whichever host is measured first).
     */
    private void settle(int seconds) throws RocksDBException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (db.getLongProperty("rocksdb.compaction-pending") > 0 || db.getLongProperty("rocksdb.num-running-compactions") > 0
                || db.getLongProperty("rocksdb.num-running-flushes") > 0) {
            if (stopping.getAsBoolean() || System.nanoTime() > deadline) {
                return;
            }
            Thread.sleep(50);
        }
    }

    /** A checkpoint of the DB (hard links) in {@code dir}. */
    void checkpoint(Path dir) throws RocksDBException {
        try (Checkpoint c = Checkpoint.create(db)) {
            c.createCheckpoint(dir.toString());
        }
    }

    List<LiveFileMetaData> liveFiles() {
        return db.getLiveFilesMetaData();
    }

    /**
     * The soak's writes: batches of the model's writes (overwrites and deletes) until
     * {@code endNanos}, a short pause between batches so that flushes and compactions keep up.
     */
    void writeUntil(long endNanos) throws RocksDBException, InterruptedException {
        while (System.nanoTime() - endNanos < 0) {
            if (stopping.getAsBoolean()) {
                throw DemoCommand.interrupted();
            }
            write(1000);
            Thread.sleep(2);
        }
    }

    PublisherMetrics metrics() {
        return pub.metrics();
    }
}
