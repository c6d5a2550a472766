package io.famfsrocks.rocks.replica;

/**
 * How current a replica's view is. Immutable.
 *
 * @param appliedVersion the journal version the view reflects (0 before the first)
 * @param sequence       the primary's sequence number that version reflects
 * @param publishedAtMs  when the primary published it
 * @param appliedAtMs    when this replica switched to it
 * @param newestVersion  the newest version seen in the journal
 * @param lagMs          0 when no newer version is pending and the view is healthy; else
 *                       the age of the oldest version not yet applied (or of the applied one)
 * @param current        true only when the view is verified and nothing newer is known
 * @param problem        why the replica is behind (stuck, failed reopen), or null
 */
public record Freshness(long appliedVersion, long sequence, long publishedAtMs, long appliedAtMs,
                        long newestVersion, long lagMs, boolean current, String problem) {}
