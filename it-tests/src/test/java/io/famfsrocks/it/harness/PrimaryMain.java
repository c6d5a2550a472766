package io.famfsrocks.it.harness;

import io.famfsrocks.famfs.fs.Famfs;
import io.famfsrocks.cli.rocks.WorkloadModel;
import io.famfsrocks.famfs.fs.MasterVolume;
import io.famfsrocks.famfs.fs.OpenOptions;
import io.famfsrocks.rocks.publish.FamfsPublisher;
import io.famfsrocks.rocks.publish.PublisherConfig;
import io.famfsrocks.rocks.publish.PublisherMetrics;
import org.rocksdb.FlushOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

import java.nio.file.Path;
import java.time.Duration;

/**
 * A primary for end-to-end tests: writes {@link WorkloadModel} batches continuously (small
 * memtables, compactions on), flushes every few batches, and publishes to famfs. Resumes
 * the counter from the DB on restart. Prints {@code PRIMARY ...} status lines.
 *
 * <pre>
 * java -cp ... io.famfsrocks.it.harness.PrimaryMain --device /dev/shm/dev --db /dev/shm/db
 *      --dataset db1 [--slots 5000] [--batch 500] [--flush-every 4] [--pause-ms 5]
 *      [--interval-ms 0] [--duration-s 0 (forever)] [--stop-file PATH] [--publish false]
 *      [--wal true [--wal-ring-bytes N]]  (--flush-every 0: never flush)
 * </pre>
 * With {@code --publish false} it is a plain RocksDB owner that never touches famfs (no
 * {@code --device}): the DB a sidecar ({@code sst-publish --follow}) publishes.
 * The host identity comes from {@code FAMFS_SYSTEM_UUID} (or {@code --uuid}).
 */
public final class PrimaryMain {
    private PrimaryMain() {}

    /** {@code --wal true} ships the WAL ({@code --wal-ring-bytes N} sizes the ring). */
    private static PublisherConfig walConfig(Args a, PublisherConfig cfg) {
        if (!Boolean.parseBoolean(a.get("wal", "false"))) {
            return cfg;
        }
        return cfg.withWalRing(a.getLong("wal-ring-bytes", PublisherConfig.WAL_RING_BYTES));
    }

    public static void main(String[] argv) throws Exception {
        Args a = new Args(argv);
        RocksDB.loadLibrary();
        int slots = (int) a.getLong("slots", 5000);
        int batch = (int) a.getLong("batch", 500);
        long flushEvery = a.getLong("flush-every", 4);
        long pauseMs = a.getLong("pause-ms", 5);
        long durationMs = a.getLong("duration-s", 0) * 1000;
        Path stopFile = a.get("stop-file", null) == null ? null : Path.of(a.get("stop-file", null));
        OpenOptions oo = OpenOptions.defaults().withSystemUuid(a.get("uuid", null));
        boolean publish = Boolean.parseBoolean(a.get("publish", "true"));
        try (MasterVolume volume = publish ? Famfs.openMaster(Path.of(a.get("device")), oo) : null;
             Options opts = new Options().setCreateIfMissing(true).setWriteBufferSize(256 << 10)
                     .setLevel0FileNumCompactionTrigger(2).setTargetFileSizeBase(256 << 10)
                     .setMaxBytesForLevelBase(1 << 20)) {
            FamfsPublisher pub = !publish ? null : FamfsPublisher.attach(opts, volume, a.get("dataset"),
                    walConfig(a, PublisherConfig.defaults().withPublishInterval(Duration.ofMillis(a.getLong("interval-ms", 0)))));
            try (RocksDB db = RocksDB.open(opts, a.get("db")); FamfsPublisher p = pub;
                 WriteOptions wo = new WriteOptions(); FlushOptions fo = new FlushOptions().setWaitForFlush(true)) {
                WorkloadModel model = new WorkloadModel(slots);
                model.advanceTo(WorkloadModel.decodeCounter(db.get(WorkloadModel.COUNTER_KEY)));
                System.out.println("PRIMARY start counter=" + model.counter());
                if (pub != null) {
                    pub.start(db);
                }
                long start = System.currentTimeMillis();
                long lastReport = 0;
                for (long n = 1; (durationMs == 0 || System.currentTimeMillis() - start < durationMs)
                        && (stopFile == null || !java.nio.file.Files.exists(stopFile)); n++) {
                    try (WriteBatch b = new WriteBatch()) {
                        model.nextBatch(b, batch);
                        db.write(wo, b);
                    }
                    if (flushEvery > 0 && n % flushEvery == 0) {
                        db.flush(fo);
                    }
                    if (pub == null && System.currentTimeMillis() - lastReport > 1000) {
                        lastReport = System.currentTimeMillis();
                        System.out.println("PRIMARY counter=" + model.counter() + " sequence=" + db.getLatestSequenceNumber());
                    } else if (System.currentTimeMillis() - lastReport > 1000) {
                        lastReport = System.currentTimeMillis();
                        PublisherMetrics m = pub.metrics();
                        System.out.println("PRIMARY counter=" + model.counter() + " version=" + m.lastVersion()
                                + " state=" + m.state() + " copied=" + m.sstsCopied() + " skipped=" + m.sstsSkipped()
                                + " reused=" + m.sstsReused() + " lagP50=" + m.lagP50Ms() + " slotsLeft=" + m.logSlotsLeft()
                                + (m.error() == null ? "" : " error=" + m.error()));
                    }
                    if (pauseMs > 0) {
                        Thread.sleep(pauseMs);
                    }
                }
                if (pub == null) {
                    db.flush(fo); // a sidecar publishes only what is flushed: all of it, for the test's last check
                }
                System.out.println("PRIMARY done counter=" + model.counter());
            }
        }
    }
}
