package io.famfsrocks.cli.serve;

import java.util.List;

/** What the HTTP server needs from a replica. Implementations must be thread-safe. */
public interface ReplicaReads {
    /** The value of {@code key}, or null when absent. */
    byte[] get(byte[] key);

    /** Up to {@code limit} pairs with keys {@code >= from}, in key order. */
    List<KeyValue> scan(byte[] from, int limit);

    Status status();

    record KeyValue(byte[] key, byte[] value) {}

    /**
     * @param ready the replica has applied the newest published version
     * @param appliedVersion the version it serves
     * @param sequence the primary's sequence number that version reflects
     * @param lagMillis how far behind the newest published version it is
     * @param problem why it is not ready (a truncated device, a version it cannot show), or null
     */
    record Status(boolean ready, long appliedVersion, long sequence, long lagMillis, String problem) {}
}
