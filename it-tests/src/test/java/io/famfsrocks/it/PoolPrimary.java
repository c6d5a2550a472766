package io.famfsrocks.it;

import io.famfsrocks.cli.rocks.WorkloadModel;
import io.famfsrocks.famfs.fs.Famfs;
import io.famfsrocks.famfs.fs.MasterVolume;
import io.famfsrocks.famfs.fs.Mkfs;
import io.famfsrocks.famfs.fs.OpenOptions;
import io.famfsrocks.famfs.pool.DevicePool;
import io.famfsrocks.famfs.pool.PoolDevice;
import io.famfsrocks.famfs.pool.VolumeId;
import io.famfsrocks.rocks.epoch.DrainWatch;
import io.famfsrocks.rocks.epoch.EpochFile;
import io.famfsrocks.rocks.epoch.EpochHeader;
import io.famfsrocks.rocks.epoch.EpochPool;
import io.famfsrocks.rocks.epoch.SealRecord;
import io.famfsrocks.rocks.publish.FamfsPublisher;
import io.famfsrocks.rocks.publish.PublisherConfig;
import org.rocksdb.FlushOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/**
 * Test code only: a primary over a pool that rotates epochs with the landed building blocks
 * ({@code DevicePool.format}, {@code EpochFile.create}, a publisher started on the new
 * volume, which copies the live SSTs and writes the new journal's first record with the
 * whole MANIFEST, {@code writeSeal}, {@code DrainWatch}, {@code markDrained}), standing in
 * for the publisher's own rotation while replica tests need one. The DB is closed and
 * reopened around each rotation (publishing pauses meanwhile). Writes the {@link
 * WorkloadModel} workload. Not thread-safe.
 */
final class PoolPrimary implements AutoCloseable {
    static final String DATASET = "db1";
    final List<Path> devices;
    final String master;
    final UUID poolId = UUID.randomUUID();
    final WorkloadModel model;
    private final OpenOptions opts;
    private final Path dbDir;
    private MasterVolume volume;
    private EpochFile control;
    private Options dbOptions;
    private RocksDB db;
    private FamfsPublisher pub;
    private long epoch;
    /** The sealed epoch's volume, open until it drained. */
    private MasterVolume retired;

    PoolPrimary(List<Path> devices, String master, Path dbDir, int slots) {
        RocksDB.loadLibrary();
        this.devices = devices;
        this.master = master;
        this.opts = OpenOptions.defaults().withSystemUuid(master);
        this.dbDir = dbDir;
        this.model = new WorkloadModel(slots);
    }

    /** Epoch 1 on the first free device, the DB opened and its first version published. */
    PoolPrimary start() throws Exception {
        newEpoch(EpochHeader.NIL);
        openDb();
        return this;
    }

    long epoch() {
        return epoch;
    }

    /** This host's path of the active epoch's device. */
    Path activeDevice() {
        return volume.devicePath();
    }

    UUID volumeUuid() {
        return VolumeId.of(volume);
    }

    long lastVersion() {
        return pub.metrics().lastVersion();
    }

    /** {@code batches} batches of {@code size} writes, each flushed, then a publication waited for. */
    void write(int batches, int size) throws Exception {
        try (WriteOptions wo = new WriteOptions(); FlushOptions fo = new FlushOptions().setWaitForFlush(true)) {
            for (int i = 0; i < batches; i++) {
                try (WriteBatch b = new WriteBatch()) {
                    model.nextBatch(b, size);
                    db.write(wo, b);
                }
                db.flush(fo);
            }
        }
        pub.publishNow(30_000);
    }

    /**
     * One rotation: the next epoch on a free device (reformatting a retired one), the live SSTs
     * published there, the current epoch sealed towards it. Returns the sealed epoch's control
     * file reader, for {@link #drain}.
     */
    EpochFile rotate() throws Exception {
        long last = pub.metrics().lastVersion();
        closeRetired();
        closeDb();
        MasterVolume old = volume;
        EpochFile oldControl = control;
        newEpoch(VolumeId.of(old));
        openDb();
        oldControl.writeSeal(new SealRecord(epoch, VolumeId.of(volume), last, System.currentTimeMillis()));
        retired = old;
        return oldControl;
    }

    /** Waits (at most {@code max}) until every replica let go of the sealed epoch; marks it drained. True if drained. */
    boolean drain(EpochFile sealed, Duration lease, Duration max) throws InterruptedException {
        DrainWatch w = new DrainWatch(sealed, lease);
        long deadline = System.nanoTime() + max.toNanos();
        while (System.nanoTime() < deadline) {
            if (w.poll().drained()) {
                sealed.markDrained(); // its volume stays open until the next rotation reformats the device
                return true;
            }
            Thread.sleep(20);
        }
        return false;
    }

    /** The pool as the devices say now. */
    EpochPool pool() {
        return EpochPool.read(DevicePool.scan(devices, opts), DATASET, poolId);
    }

    /** Formats the pool's free device (a new UUID) and creates the next epoch's control file there, first. */
    private void newEpoch(UUID previous) {
        DevicePool devs = DevicePool.scan(devices, opts);
        PoolDevice d = EpochPool.read(devs, DATASET, poolId).pickFree();
        devs.format(d, Mkfs.Options.defaults().withSystemUuid(master));
        MasterVolume v = Famfs.openMaster(d.path(), opts);
        control = EpochFile.create(v, new EpochHeader(EpochFile.DEFAULT_SLOTS, poolId, VolumeId.of(v), previous,
                epoch + 1, System.currentTimeMillis(), DATASET));
        volume = v;
        epoch++;
    }

    private void openDb() throws Exception {
        dbOptions = new Options().setCreateIfMissing(true).setWriteBufferSize(256 << 10)
                .setLevel0FileNumCompactionTrigger(2).setTargetFileSizeBase(256 << 10).setMaxBytesForLevelBase(1 << 20);
        pub = FamfsPublisher.attach(dbOptions, volume, DATASET, PublisherConfig.defaults().withJournalSize(4L << 20));
        db = RocksDB.open(dbOptions, dbDir.toString());
        model.advanceTo(WorkloadModel.decodeCounter(db.get(WorkloadModel.COUNTER_KEY)));
        pub.start(db);
    }

    private void closeDb() {
        if (pub != null) {
            pub.close();
            pub = null;
        }
        if (db != null) {
            db.close();
            db = null;
        }
        if (dbOptions != null) {
            dbOptions.close();
            dbOptions = null;
        }
    }

    private void closeRetired() {
        if (retired != null) {
            retired.close();
            retired = null;
        }
    }

    @Override
    public void close() {
        closeDb();
        closeRetired();
        if (volume != null) {
            volume.close();
            volume = null;
        }
    }
}
