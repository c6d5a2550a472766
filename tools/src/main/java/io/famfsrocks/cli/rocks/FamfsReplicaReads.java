package io.famfsrocks.cli.rocks;

import io.famfsrocks.cli.serve.ReplicaReads;
import io.famfsrocks.rocks.epoch.StaleEpochException;
import io.famfsrocks.rocks.replica.EpochStatus;
import io.famfsrocks.rocks.replica.FamfsReplica;
import io.famfsrocks.rocks.replica.Freshness;
import io.famfsrocks.rocks.replica.ReplicaIterator;

import java.util.ArrayList;
import java.util.List;

/**
 * Adapts a {@link FamfsReplica} to what {@link io.famfsrocks.cli.serve.ReplicaHttpServer}
 * needs. Ready means {@link Freshness#current()}: the newest published version is applied
 * and verified. A read whose epoch was reused under it ({@link StaleEpochException}, after
 * the replica's own retry) is a {@link ReplicaReads.BusyException}. Thread-safe (the replica is).
 */
public final class FamfsReplicaReads implements ReplicaReads {
    /** /health answers 200 while reads are less stale than this (with WAL shipping they trail by milliseconds). */
    public static final long READY_LAG_MS = 1000;

    private final java.util.function.Supplier<FamfsReplica> replicas;

    public FamfsReplicaReads(FamfsReplica replica) {
        this(() -> replica);
    }

    /** Reads whichever replica {@code replicas} gives now (a session reopens it when its mount server restarts). */
    public FamfsReplicaReads(java.util.function.Supplier<FamfsReplica> replicas) {
        this.replicas = replicas;
    }

    @Override
    public byte[] get(byte[] key) {
        try {
            return replicas.get().get(key);
        } catch (StaleEpochException e) {
            throw new BusyException(e.getMessage(), e);
        }
    }

    /**
     * Checked batches ({@link ReplicaIterator#nextBatch}); a scan whose epoch's device was
     * reused under it starts once more on the replica's newest instance, else fails BUSY.
     */
    @Override
    public List<KeyValue> scan(byte[] from, int limit) {
        try {
            return scanOnce(from, limit);
        } catch (StaleEpochException e) {
            try {
                return scanOnce(from, limit);
            } catch (StaleEpochException again) {
                throw new BusyException(again.getMessage(), again);
            }
        }
    }

    private List<KeyValue> scanOnce(byte[] from, int limit) {
        List<KeyValue> rows = new ArrayList<>(Math.min(limit, 1024));
        try (ReplicaIterator it = replicas.get().newIterator()) {
            it.seek(from);
            for (byte[][] kv : it.nextBatch(limit)) {
                rows.add(new KeyValue(kv[0], kv[1]));
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
    public Status status() {
        Freshness f = replicas.get().freshness();
        // Ready: serving the newest version with no gap, reads less than READY_LAG_MS stale.
        boolean ready = f.versionCurrent() && f.problem() == null && f.lagMs() < READY_LAG_MS;
        return new Status(ready, f.appliedVersion(), f.sequence(), f.lagMs(), f.problem(), f.current(),
                f.readSequence(), f.primarySequence());
    }

    @Override
    public long readSequence() {
        return replicas.get().freshness().readSequence();
    }
}
