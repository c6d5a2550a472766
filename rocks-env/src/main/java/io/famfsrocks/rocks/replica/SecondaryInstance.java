package io.famfsrocks.rocks.replica;

import io.famfsrocks.famfs.ErrorKind;
import io.famfsrocks.famfs.fs.FamfsVolume;
import io.famfsrocks.rocks.BridgeException;
import io.famfsrocks.rocks.RocksHandle;
import io.famfsrocks.rocks.journal.DatasetPaths;
import io.famfsrocks.rocks.journal.JournalRecord;
import io.famfsrocks.rocks.journal.SstEntry;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.LiveFileMetaData;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One RocksDB secondary instance over an epoch's replica directory, reference-counted so
 * that a reopen or an epoch switch never closes it under a reader: the replica holds one
 * reference, each read or iterator another, and the last {@link #release} closes its
 * {@link RocksHandle} (its table files, mappings and its own block cache: an instance never
 * shares blocks with another epoch's, rule 2 of docs/epochs.md). It knows the {@link
 * EpochVolume} it reads, whose check every read runs after itself. Thread-safe.
 */
final class SecondaryInstance {
    final RocksDB db;
    final EpochVolume epoch;
    private final RocksHandle rocks;
    private final AtomicInteger refs = new AtomicInteger(1);
    /** Family id to the sequence number up to which the last verified version holds its writes. */
    private volatile Map<Integer, Long> contained = Map.of();
    /** What readers may assume: every write up to {@code flushed} is in the view, none past {@code upper}. */
    private volatile View view = new View(-1, Long.MAX_VALUE);

    /** Bounds of the view for the WAL overlay. Immutable. */
    record View(long flushed, long upper) {}

    private SecondaryInstance(RocksHandle rocks, EpochVolume epoch) {
        this.rocks = rocks;
        this.db = rocks.db();
        this.epoch = epoch;
        epoch.liveInstances.incrementAndGet();
    }

    /**
     * Opens a secondary of {@code dir} with the dataset's OPTIONS file {@code optionsName}
     * (fetched once from famfs into {@code workDir/options}).
     */
    static SecondaryInstance open(EpochVolume ev, String optionsName, ReplicaConfig cfg) {
        FamfsVolume volume = ev.volume;
        String dataset = ev.dataset;
        ReplicaDirectory dir = ev.dir;
        Path secondaryDir = ev.secondaryDir;
        Path workDir = ev.workDir;
        Path local = workDir.resolve("options").resolve(optionsName);
        try {
            if (!Files.exists(local)) {
                Path tmp = local.resolveSibling(optionsName + ".part");
                try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        StandardOpenOption.TRUNCATE_EXISTING)) {
                    volume.refresh();
                    volume.openFile(DatasetPaths.options(dataset, optionsName)).transferTo(out);
                }
                Files.move(tmp, local);
            }
            return new SecondaryInstance(RocksHandle.open(RocksHandle.OptionsSource.FILE, local, dbo -> {
                dbo.setCreateIfMissing(false);
                dbo.setMaxOpenFiles(-1);
                dbo.setDbLogDir(secondaryDir.toString());
                dbo.setWalDir(dir.path().toString());
                dbo.setAllowMmapReads(cfg.mmapReads());
                dbo.setSkipStatsUpdateOnDbOpen(true);
            }, cf -> { }, (dbo, cfs, handles) -> RocksDB.openAsSecondary(dbo, dir.path().toString(),
                    secondaryDir.toString(), cfs, handles)), ev);
        } catch (RocksDBException e) {
            throw BridgeException.rocks("open the secondary of " + dataset + " in " + dir.path(), e);
        } catch (IOException e) {
            throw new BridgeException(ErrorKind.IO, "cannot fetch " + optionsName + ": " + e.getMessage(), e);
        }
    }

    /**
     * Null when the instance shows exactly {@code target}; else what differs. On success also
     * notes, per column family, the largest sequence number its SSTs hold ({@link #contained}).
     */
    String verify(JournalRecord.Version target) {
        Set<Long> live = new HashSet<>();
        Map<String, Long> byName = new HashMap<>();
        for (LiveFileMetaData m : db.getLiveFilesMetaData()) {
            live.add(DatasetPaths.sstNumber(m.fileName()));
            byName.merge(new String(m.columnFamilyName(), StandardCharsets.UTF_8), m.largestSeqno(), Math::max);
        }
        Set<Long> want = new HashSet<>();
        for (SstEntry s : target.ssts()) {
            want.add(s.fileNumber());
        }
        if (!live.equals(want)) {
            return "live files " + (live.isEmpty() ? "(none: empty view)" : live.size() + " differ") + " from the "
                    + want.size() + " published in version " + target.version();
        }
        if (db.getLatestSequenceNumber() < target.sequence()) {
            return "sequence " + db.getLatestSequenceNumber() + " is behind the published " + target.sequence();
        }
        List<ColumnFamilyHandle> cfs = rocks.columnFamilies();
        Map<Integer, Long> byId = new HashMap<>();
        for (ColumnFamilyHandle h : cfs) {
            try {
                long c = byName.getOrDefault(new String(h.getName(), StandardCharsets.UTF_8), 0L);
                // One family: the version's sequence is exactly what its flushes hold (a bottommost
                // compaction zeroes SSTs' sequence numbers, so they alone may under-report).
                byId.put(h.getID(), cfs.size() == 1 ? Math.max(c, target.sequence()) : c);
            } catch (RocksDBException e) {
                throw BridgeException.rocks("name a column family", e);
            }
        }
        contained = Map.copyOf(byId);
        return null;
    }

    /** Per family id, the sequence number up to which the last verified version holds its writes. */
    Map<Integer, Long> contained() {
        return contained;
    }

    /** The smallest of {@link #contained}: every write up to it, in any family, is in the view. */
    long containedAll() {
        long min = Long.MAX_VALUE;
        for (long c : contained.values()) {
            min = Math.min(min, c);
        }
        return min == Long.MAX_VALUE ? -1 : min;
    }

    View view() {
        return view;
    }

    void view(View v) {
        view = v;
    }

    /** The handle of column family {@code name}, or null. */
    ColumnFamilyHandle family(String name) {
        return rocks.columnFamily(name);
    }

    /** Takes a reference unless the instance is already closed. */
    boolean tryAcquire() {
        while (true) {
            int r = refs.get();
            if (r == 0) {
                return false;
            }
            if (refs.compareAndSet(r, r + 1)) {
                return true;
            }
        }
    }

    /** Whether the last reference is gone and the RocksDB instance closed. */
    boolean isClosed() {
        return refs.get() == 0;
    }

    void release() {
        if (refs.decrementAndGet() == 0) {
            try {
                rocks.close();
            } finally {
                epoch.liveInstances.decrementAndGet();
            }
        }
    }
}
