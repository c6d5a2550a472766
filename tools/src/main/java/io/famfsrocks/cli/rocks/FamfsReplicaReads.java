package io.famfsrocks.cli.rocks;

import io.famfsrocks.cli.serve.ReplicaReads;
import io.famfsrocks.famfs.fs.FamfsVolume;
import io.famfsrocks.famfs.fs.VolumeUsage;
import io.famfsrocks.rocks.epoch.StaleEpochException;
import io.famfsrocks.rocks.journal.JournalReader;
import io.famfsrocks.rocks.journal.JournalRecord;
import io.famfsrocks.rocks.journal.SstEntry;
import io.famfsrocks.rocks.replica.EpochStatus;
import io.famfsrocks.rocks.replica.FamfsReplica;
import io.famfsrocks.rocks.replica.Freshness;
import io.famfsrocks.rocks.replica.ReplicaIterator;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Adapts a {@link FamfsReplica} to what {@link io.famfsrocks.cli.serve.ReplicaHttpServer}
 * needs. {@code current} is {@link Freshness#current()}: the newest published version is
 * applied and verified. A read whose epoch was reused under it ({@link StaleEpochException},
 * after the replica's own retry) is a {@link ReplicaReads.BusyException}. On one volume the
 * SSTs of the served version come from the dataset's journal (read incrementally) and the
 * space from the volume's bitmap; over a pool the space is the served epoch's volume's.
 * Thread-safe (the replica is; the journal reader is used under this object's lock).
 */
public final class FamfsReplicaReads implements ReplicaReads {
    private final String dataset;
    private final FamfsVolume volume;
    private final Supplier<FamfsReplica> replicas;
    private final JournalReader journal;
    /** SST count and bytes of the newest versions seen in the journal (the served one is among them). */
    private final Map<Long, long[]> sstsByVersion = new LinkedHashMap<>() {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, long[]> eldest) {
            return size() > 256;
        }
    };

    /**
     * Reads whichever replica {@code replicas} gives now (a session reopens it when its mount
     * server restarts); {@code volume} is the one volume it reads, null over a pool.
     */
    public FamfsReplicaReads(String dataset, FamfsVolume volume, Supplier<FamfsReplica> replicas) {
        this.dataset = dataset;
        this.volume = volume;
        this.replicas = replicas;
        this.journal = volume == null ? null : new JournalReader(volume, dataset);
    }

    @Override
    public byte[] get(byte[] key) {
        try {
            return replicas.get().get(key);
        } catch (StaleEpochException e) {
            throw new BusyException(e.getMessage(), e);
        }
    }

    @Override
    public List<byte[]> multiGet(List<byte[]> keys) {
        try {
            return replicas.get().multiGet(keys);
        } catch (StaleEpochException e) {
            throw new BusyException(e.getMessage(), e);
        }
    }

    /**
     * Checked batches ({@link ReplicaIterator#nextBatch}); a scan whose epoch's device was
     * reused under it starts once more on the replica's newest instance, else fails BUSY.
     */
    @Override
    public List<KeyValue> scan(byte[] from, byte[] to, int limit, boolean keysOnly) {
        try {
            return scanOnce(from, to, limit, keysOnly);
        } catch (StaleEpochException e) {
            try {
                return scanOnce(from, to, limit, keysOnly);
            } catch (StaleEpochException again) {
                throw new BusyException(again.getMessage(), again);
            }
        }
    }

    private List<KeyValue> scanOnce(byte[] from, byte[] to, int limit, boolean keysOnly) {
        List<KeyValue> rows = new ArrayList<>(Math.min(limit, 1024));
        try (ReplicaIterator it = replicas.get().newIterator()) {
            it.seek(from);
            for (byte[][] kv : it.nextBatch(limit)) {
                if (to != null && Arrays.compareUnsigned(kv[0], to) >= 0) {
                    break;
                }
                rows.add(new KeyValue(kv[0], keysOnly ? null : kv[1]));
            }
        }
        return rows;
    }

    @Override
    public Epoch epoch() {
        EpochStatus e = replicas.get().epochStatus();
        return new Epoch(e.epoch(), e.rotations(), e.staleReads(), e.volumeBytes(), e.volumeUsedBytes());
    }

    @Override
    public Position position() {
        Freshness f = replicas.get().freshness();
        return new Position(f.appliedVersion(), f.readSequence());
    }

    @Override
    public Status status() {
        Freshness f = replicas.get().freshness();
        long[] ssts = ssts(f.appliedVersion());
        long space = -1;
        long free = -1;
        if (volume == null) {
            EpochStatus e = replicas.get().epochStatus();
            if (e.volumeBytes() > 0) {
                space = e.volumeBytes();
                free = e.volumeBytes() - e.volumeUsedBytes();
            }
        } else if (!volume.isClosed()) {
            VolumeUsage u = volume.usage();
            space = u.dataCapacity();
            free = u.freeBytes();
        }
        return new Status(dataset, f.current(), f.appliedVersion(), f.newestVersion(), f.sequence(), f.publishedAtMs(),
                f.lagMs(), f.problem(), ssts[0], ssts[1], space, free, f.readSequence(), f.primarySequence());
    }

    /** {count, bytes} of the SSTs of {@code version}, or {-1, -1} when unknown (a pool, or no longer in the journal). */
    private synchronized long[] ssts(long version) {
        if (journal != null && !sstsByVersion.containsKey(version) && !volume.isClosed()) {
            try {
                for (JournalRecord r : journal.poll()) {
                    if (r instanceof JournalRecord.Version v) {
                        long bytes = 0;
                        for (SstEntry e : v.ssts()) {
                            bytes += e.size();
                        }
                        sstsByVersion.put(v.version(), new long[] {v.ssts().size(), bytes});
                    }
                }
            } catch (RuntimeException e) {
                return new long[] {-1, -1}; // a journal being rewritten under us: the figure is for the page only
            }
        }
        return sstsByVersion.getOrDefault(version, new long[] {-1, -1});
    }
}
