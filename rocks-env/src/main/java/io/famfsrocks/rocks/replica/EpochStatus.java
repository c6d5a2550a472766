package io.famfsrocks.rocks.replica;

/**
 * Which epoch a replica serves and what it has seen of rotations. Immutable.
 *
 * @param epoch          the epoch of the volume the replica reads now (0: a plain volume, no pool)
 * @param rotations      epoch switches made (rotations followed, and jumps after a reused device)
 * @param recoveries     of those, switches made because the served epoch's device had been reused
 *                       (this host was paused past its lease)
 * @param staleReads     reads dropped because their epoch check failed after them
 * @param slot           this host's ack slot index (-1 without a pool)
 * @param volumeBytes    capacity of the served epoch's volume
 * @param volumeUsedBytes famfs space in use on the served epoch's volume
 */
public record EpochStatus(long epoch, long rotations, long recoveries, long staleReads, int slot, long volumeBytes,
                          long volumeUsedBytes) {}
