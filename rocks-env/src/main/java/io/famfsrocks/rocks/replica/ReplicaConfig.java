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
 * @param slot          this host's ack slot in every epoch's control file (pools only); -1
 *                      derives it: the first slot from {@code hash(host UUID) mod slots} on
 *                      that no other host has written for the epoch, kept for later epochs
 * @param beatInterval  how often the heartbeat thread writes this host's ack slots (pools
 *                      only); well under the primary's lease
 */
public record ReplicaConfig(Duration pollInterval, Duration openTimeout, boolean readAhead, boolean mmapReads,
                            long blockCacheBytes, int slot, Duration beatInterval) {
    public static final int DERIVED_SLOT = -1;

    public ReplicaConfig {
        if (slot < DERIVED_SLOT) {
            throw new IllegalArgumentException("replica slot must be >= 0 (or -1 to derive it), got " + slot);
        }
        if (beatInterval.isNegative() || beatInterval.isZero()) {
            throw new IllegalArgumentException("beat interval must be positive, got " + beatInterval);
        }
    }

    public static ReplicaConfig defaults() {
        return new ReplicaConfig(Duration.ofMillis(1), Duration.ofSeconds(30), true, true, 0, DERIVED_SLOT,
                Duration.ofMillis(50));
    }

    public ReplicaConfig withPollInterval(Duration d) {
        return new ReplicaConfig(d, openTimeout, readAhead, mmapReads, blockCacheBytes, slot, beatInterval);
    }

    public ReplicaConfig withOpenTimeout(Duration d) {
        return new ReplicaConfig(pollInterval, d, readAhead, mmapReads, blockCacheBytes, slot, beatInterval);
    }

    public ReplicaConfig withReadAhead(boolean b) {
        return new ReplicaConfig(pollInterval, openTimeout, b, mmapReads, blockCacheBytes, slot, beatInterval);
    }

    public ReplicaConfig withMmapReads(boolean b) {
        return new ReplicaConfig(pollInterval, openTimeout, readAhead, b, blockCacheBytes, slot, beatInterval);
    }

    public ReplicaConfig withSlot(int s) {
        return new ReplicaConfig(pollInterval, openTimeout, readAhead, mmapReads, blockCacheBytes, s, beatInterval);
    }

    public ReplicaConfig withBeatInterval(Duration d) {
        return new ReplicaConfig(pollInterval, openTimeout, readAhead, mmapReads, blockCacheBytes, slot, d);
    }
}
