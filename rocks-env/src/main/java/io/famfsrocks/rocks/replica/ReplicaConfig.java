package io.famfsrocks.rocks.replica;

import java.time.Duration;

/**
 * Settings of a {@link FamfsReplica}. Immutable.
 *
 * @param pollInterval  how often the journal's committed length is read
 * @param openTimeout   how long {@code open} waits for a first published version
 * @param readAhead     read new SSTs through the mount before switching to their version
 * @param mmapReads     allow_mmap_reads for the shared SSTs (fastest through FUSE)
 * @param blockCacheBytes  0 keeps the table options from OPTIONS; else a fresh LRU cache of this size
 */
public record ReplicaConfig(Duration pollInterval, Duration openTimeout, boolean readAhead, boolean mmapReads,
                            long blockCacheBytes) {
    public static ReplicaConfig defaults() {
        return new ReplicaConfig(Duration.ofMillis(1), Duration.ofSeconds(30), true, true, 0);
    }

    public ReplicaConfig withPollInterval(Duration d) {
        return new ReplicaConfig(d, openTimeout, readAhead, mmapReads, blockCacheBytes);
    }

    public ReplicaConfig withOpenTimeout(Duration d) {
        return new ReplicaConfig(pollInterval, d, readAhead, mmapReads, blockCacheBytes);
    }

    public ReplicaConfig withReadAhead(boolean b) {
        return new ReplicaConfig(pollInterval, openTimeout, b, mmapReads, blockCacheBytes);
    }

    public ReplicaConfig withMmapReads(boolean b) {
        return new ReplicaConfig(pollInterval, openTimeout, readAhead, b, blockCacheBytes);
    }
}
