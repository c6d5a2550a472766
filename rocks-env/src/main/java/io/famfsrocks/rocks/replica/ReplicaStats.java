package io.famfsrocks.rocks.replica;

/**
 * Counters of a replica's follower. Immutable.
 *
 * @param versionsApplied switches to a newer version (several journal versions may be applied at once)
 * @param catchUps        tryCatchUpWithPrimary calls
 * @param reopens         secondary instances opened after the first (stuck or empty views, option changes)
 * @param stuckDetected   switches whose live files differed from the published set after catch-up
 * @param lastSwitchMicros time of the last switch: links, read-ahead, MANIFEST, catch-up and verification
 * @param readAheadBytes  bytes of new SSTs read through the shared path before switching
 */
public record ReplicaStats(long versionsApplied, long catchUps, long reopens, long stuckDetected,
                           long lastSwitchMicros, long readAheadBytes) {}
