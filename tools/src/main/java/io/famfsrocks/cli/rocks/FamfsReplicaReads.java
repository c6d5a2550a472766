package io.famfsrocks.cli.rocks;

import io.famfsrocks.cli.serve.ReplicaReads;
import io.famfsrocks.rocks.replica.FamfsReplica;
import io.famfsrocks.rocks.replica.Freshness;
import io.famfsrocks.rocks.replica.ReplicaIterator;

import java.util.ArrayList;
import java.util.List;

/**
 * Adapts a {@link FamfsReplica} to what {@link io.famfsrocks.cli.serve.ReplicaHttpServer}
 * needs. Ready means {@link Freshness#current()}: the newest published version is applied
 * and verified. Thread-safe (the replica is).
 */
public final class FamfsReplicaReads implements ReplicaReads {
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
        return replicas.get().get(key);
    }

    @Override
    public List<KeyValue> scan(byte[] from, int limit) {
        List<KeyValue> rows = new ArrayList<>(Math.min(limit, 1024));
        try (ReplicaIterator it = replicas.get().newIterator()) {
            it.seek(from);
            for (; it.isValid() && rows.size() < limit; it.next()) {
                rows.add(new KeyValue(it.key(), it.value()));
            }
        }
        return rows;
    }

    @Override
    public Status status() {
        Freshness f = replicas.get().freshness();
        return new Status(f.current(), f.appliedVersion(), f.sequence(), f.lagMs(), f.problem());
    }
}
