package io.famfsrocks.cli.serve;

import java.util.ArrayList;
import java.util.List;

/** What the HTTP server needs from a replica. Implementations must be thread-safe. */
public interface ReplicaReads {
    /**
     * The answer could not be given now (its epoch's device was reused under the read, and
     * the retry on the newest epoch failed too): the server answers 503 with Retry-After.
     */
    final class BusyException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public BusyException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The value of {@code key}, or null when absent; {@link BusyException} when it cannot answer now. */
    byte[] get(byte[] key);

    /** The values of {@code keys} in their order (null for an absent key), read from one version. */
    default List<byte[]> multiGet(List<byte[]> keys) {
        List<byte[]> out = new ArrayList<>(keys.size());
        for (byte[] k : keys) {
            out.add(get(k));
        }
        return out;
    }

    /**
     * Up to {@code limit} pairs with keys in {@code [from, to)} ({@code to} null: no end), in
     * key order (unsigned bytes), from one version. With {@code keysOnly} the values are null.
     */
    List<KeyValue> scan(byte[] from, byte[] to, int limit, boolean keysOnly);

    /** The version reads begun now see at least (cheap: asked on every request). */
    Position position();

    /** Everything {@code /health}, {@code /metrics} and the status page show (may cost a little). */
    Status status();

    /** Which epoch of a pool the replica serves and what it saw of rotations; {@link Epoch#NONE} without a pool. */
    default Epoch epoch() {
        return Epoch.NONE;
    }

    record KeyValue(byte[] key, byte[] value) {}

    /**
     * @param version  the published version applied when the read began; the read reflects it or a newer one
     * @param sequence the primary's sequence number reads reflect at least (with WAL shipping,
     *                 beyond the version's: the overlay's last write)
     */
    record Position(long version, long sequence) {}

    /**
     * What a replica reports about itself. A field added here appears in {@code /health}'s
     * JSON (snake_case) and on the status page's raw view without other changes; a gauge of
     * it is one line in {@link ServeMetrics#STATUS_GAUGES}.
     *
     * @param dataset    the dataset served
     * @param current    reads reflect every write the primary is known to have acknowledged (the
     *                   view verified, no newer version known and, with WAL shipping, no gap)
     * @param version    the version served
     * @param newestVersion the newest version seen in the journal
     * @param sequence   the primary's sequence number the served version reflects
     * @param publishedAtMs when the primary published the served version (epoch ms)
     * @param lagMs      0 when current; else the age of the oldest version not yet applied
     * @param problem    why the replica is behind (a truncated device, a version it cannot show), or null
     * @param ssts       SST files in the served version (-1: unknown)
     * @param sstBytes   their bytes (-1: unknown)
     * @param spaceBytes the famfs data space the dataset lives in (-1: unknown)
     * @param freeBytes  of it, not allocated yet (-1: unknown)
     * @param readSequence the primary's sequence number reads reflect (with WAL shipping, beyond the version's)
     * @param primarySequence the primary's latest sequence number; -1 when unknown (no WAL shipped)
     */
    record Status(String dataset, boolean current, long version, long newestVersion, long sequence, long publishedAtMs,
                  long lagMs, String problem, long ssts, long sstBytes, long spaceBytes, long freeBytes,
                  long readSequence, long primarySequence) {
        /** Acknowledged writes reads do not reflect yet (0 when none, or unknown without WAL shipping). */
        public long sequencesBehind() {
            return primarySequence < 0 ? 0 : Math.max(0, primarySequence - readSequence);
        }

        /**
         * Ready to take traffic: a verified view with no problem, at most {@code maxLagMs}
         * behind the newest published version. A stuck or lagging replica is not ready but
         * still alive (it answers, from the last verified version).
         */
        public boolean readyWithin(long maxLagMs) {
            return problem == null && (current || lagMs <= maxLagMs);
        }
    }

    /**
     * @param epoch the epoch served (0: a plain volume, no pool)
     * @param rotations epoch switches seen
     * @param staleReads answers dropped because their epoch's device was reused
     * @param volumeBytes capacity of the served epoch's volume
     * @param volumeUsedBytes famfs space in use there
     */
    record Epoch(long epoch, long rotations, long staleReads, long volumeBytes, long volumeUsedBytes) {
        public static final Epoch NONE = new Epoch(0, 0, 0, 0, 0);
    }
}
