package io.famfsrocks.rocks.publish;

import io.famfsrocks.famfs.ErrorKind;
import io.famfsrocks.famfs.FaultPoint;
import io.famfsrocks.famfs.fs.MasterVolume;
import io.famfsrocks.rocks.BridgeException;
import io.famfsrocks.rocks.journal.JournalRecord;
import io.famfsrocks.rocks.journal.JournalWriter;
import io.famfsrocks.rocks.journal.SstEntry;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The repack of one rotation: the DB's current version copied whole into the new epoch's
 * volume (every SST opened from the DB directory; those published before were verified
 * then and must copy to the CRC32C the old journal gave them) and appended as the first
 * version of the new epoch's journal, numbered after the old one's last. One use, on the
 * publisher thread.
 */
final class EpochRepack implements EpochRotation.Repack {
    /** Crash point (docs/reliability.md, "Fault points"): an SST of the repack copied into the new epoch, no record names it. */
    public static final FaultPoint SST_REPACKED = FaultPoint.named("rotation.repack-sst");

    private final RocksDB db;
    private final Path dbDir;
    private final long sequenceFloor;
    private final SstCopier old;
    private final String dataset;
    private final PublisherConfig cfg;
    private final PublisherStats stats;

    EpochRepack(RocksDB db, Path dbDir, long sequenceFloor, SstCopier old, String dataset, PublisherConfig cfg,
                PublisherStats stats) {
        this.db = db;
        this.dbDir = dbDir;
        this.sequenceFloor = sequenceFloor;
        this.old = old;
        this.dataset = dataset;
        this.cfg = cfg;
        this.stats = stats;
    }

    @Override
    public Result into(MasterVolume into, JournalWriter previous) throws IOException, RocksDBException {
        long t0 = System.nanoTime();
        try (LiveVersion live = LiveVersion.take(db, dbDir, sequenceFloor, n -> true, old::needsCopy)) {
            long t1 = System.nanoTime();
            long au = into.allocUnit();
            long need = 0;
            for (long size : live.sizes.values()) {
                need += SpaceBudget.allocated(size, au);
            }
            SpaceBudget.check(need + cfg.journalSize(), live.sizes.size() + 1, into.usage(), cfg, au);
            JournalWriter nj = JournalWriter.nextEpoch(into, dataset, cfg.journalSize(), previous);
            SstCopier nc = new SstCopier(into, dataset, stats);
            nc.counting(false);
            nc.shareOptions(live);
            List<SstEntry> entries = new ArrayList<>();
            long oldestCreated = Long.MAX_VALUE;
            long sstBytes = 0;
            for (Map.Entry<Long, Long> e : live.sizes.entrySet()) {
                SstEntry was = old.shared(e.getKey());
                SstEntry s = nc.copy(e.getKey(), e.getValue(), live.channel(e.getKey()));
                SST_REPACKED.hit();
                if (was != null && (was.crc32c() != s.crc32c() || was.size() != s.size())) {
                    throw new BridgeException(ErrorKind.CORRUPT_MEDIA, "repacking SST " + e.getKey() + " into the new "
                            + "epoch gave CRC32C " + Integer.toHexString(s.crc32c()) + " over " + s.size()
                            + " bytes, but it was published with " + Integer.toHexString(was.crc32c()) + " over "
                            + was.size());
                }
                if (was == null) {
                    oldestCreated = Math.min(oldestCreated, stats.createdAtMs(e.getKey()));
                }
                sstBytes += e.getValue();
                entries.add(s);
            }
            JournalRecord.Version v = nj.append(live.sequence, oldestCreated, live.optionsName, entries,
                    live.manifestNumber, live.manifestSize, live::readManifest);
            stats.published(v, live, (t1 - t0) / 1000, (System.nanoTime() - t1) / 1000);
            nc.retain(live.sizes.keySet());
            nc.counting(true);
            long optionsBytes = Files.size(live.dir.resolve(live.optionsName));
            return new Result(nc, nj, sstBytes + optionsBytes + live.manifestSize, sstBytes);
        }
    }
}
