package io.famfsrocks.cli.serve;

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

    /** Up to {@code limit} pairs with keys {@code >= from}, in key order. */
    List<KeyValue> scan(byte[] from, int limit);

    Status status();

    /**
     * The primary's sequence number reads reflect now (a read that starts after this call
     * reflects at least it); {@code /get} and {@code /scan} report it and wait on it for
     * {@code min_seq}.
     */
    default long readSequence() {
        return status().readSequence();
    }

    /** Which epoch of a pool the replica serves and what it saw of rotations; {@link Epoch#NONE} without a pool. */
    default Epoch epoch() {
        return Epoch.NONE;
    }

    record KeyValue(byte[] key, byte[] value) {}

    /**
     * @param ready the replica has applied the newest published version
     * @param appliedVersion the version it serves
     * @param sequence the primary's sequence number that version reflects
     * @param lagMillis how far behind the newest published version it is
     * @param problem why it is not ready (a truncated device, a version it cannot show), or null
     * @param current reads reflect every write the primary is known to have acknowledged
     * @param readSequence the primary's sequence number reads reflect (with WAL shipping, beyond the version's)
     * @param primarySequence the primary's latest sequence number; -1 when unknown (no WAL shipped)
     */
    record Status(boolean ready, long appliedVersion, long sequence, long lagMillis, String problem,
                  boolean current, long readSequence, long primarySequence) {
        /** A status without WAL shipping: current when ready, reads at the version's sequence. */
        public Status(boolean ready, long appliedVersion, long sequence, long lagMillis, String problem) {
            this(ready, appliedVersion, sequence, lagMillis, problem, ready, sequence, -1);
        }

        public long sequencesBehind() {
            return primarySequence < 0 ? 0 : Math.max(0, primarySequence - readSequence);
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
