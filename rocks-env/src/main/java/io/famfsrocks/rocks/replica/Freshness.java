package io.famfsrocks.rocks.replica;

/**
 * How current a replica's view is. Immutable.
 *
 * @param appliedVersion the journal version the view reflects (0 before the first)
 * @param sequence       the primary's sequence number that version reflects
 * @param publishedAtMs  when the primary published it
 * @param appliedAtMs    when this replica switched to it
 * @param newestVersion  the newest version seen in the journal
 * @param lagMs          how stale reads are: 0 only when nothing acknowledged is known to be
 *                       missing; with WAL shipping, the time since the primary had a write
 *                       reads do not show yet; without it, the age of the oldest version not
 *                       yet applied (or of the applied one while there is a problem)
 * @param current        true only when the view is verified, nothing newer is published, and
 *                       (with WAL shipping) reads reflect the primary's latest sequence number
 * @param problem        why the replica is behind (stuck, failed reopen, a gap in the WAL), or null
 * @param readSequence   the primary's sequence number reads reflect (the WAL overlay's last
 *                       applied one when it stands above the version, else the version's)
 * @param primarySequence the primary's latest sequence number as its WAL shipper last
 *                       reported it; -1 without WAL shipping (unknown)
 * @param walShipping    whether the dataset ships its WAL (a ring exists)
 * @param versionCurrent the newest published version is applied and verified (whatever the
 *                       unflushed writes)
 */
public record Freshness(long appliedVersion, long sequence, long publishedAtMs, long appliedAtMs,
                        long newestVersion, long lagMs, boolean current, String problem,
                        long readSequence, long primarySequence, boolean walShipping, boolean versionCurrent) {
    /** Acknowledged writes reads do not show yet (0 when none, or when unknown without WAL shipping). */
    public long sequencesBehind() {
        return primarySequence < 0 ? 0 : Math.max(0, primarySequence - readSequence);
    }

    /** This view with what the WAL ring adds: what reads reflect, the primary's latest, and the staleness. */
    Freshness withWal(long read, long primary, long staleMs, String walProblem) {
        boolean caughtUp = read >= primary;
        return new Freshness(appliedVersion, sequence, publishedAtMs, appliedAtMs, newestVersion,
                caughtUp && walProblem == null ? lagMs : Math.max(lagMs, Math.max(1, staleMs)),
                current && caughtUp && walProblem == null, problem != null ? problem : walProblem,
                read, primary, true, versionCurrent);
    }
}
