package io.famfsrocks.rocks.publish;

import io.famfsrocks.famfs.ErrorKind;

import java.util.List;

/**
 * A snapshot of a publisher's progress and of the famfs resources it consumes. Immutable.
 *
 * @param phase            where the publisher is ({@link #state()} is its name)
 * @param error            why publishing stopped, or null
 * @param errorKind        the kind of that failure (NO_SPACE, LOG_FULL, IO, ...), or null
 * @param lagP50Ms         creation of an SST to the publication of the version naming it,
 *                         over the last 1024 SSTs
 * @param sstsSkipped      SSTs created and gone before any publication named them (never copied)
 * @param sstsReused       SSTs found already shared (restart) and verified by CRC, not copied
 * @param famfsUsedBytes   allocated bytes of the whole volume
 * @param lastSnapshotMicros the last publication's pinned listing
 * @param lastPublishMicros  the last publication's copies, checksums and journal append
 * @param pool             epochs and pool space of a publisher over a pool of devices; null
 *                         for one on a single volume (the famfs figures above are then the
 *                         whole story; over a pool they are the active epoch's volume)
 */
public record PublisherMetrics(PublisherState phase, String error, ErrorKind errorKind, List<String> warnings,
                               long versionsPublished, long lastVersion, long lastSequence,
                               long sstsCopied, long bytesCopied, double copyMBps,
                               long sstsSkipped, long bytesSkipped, long sstsReused,
                               long lagP50Ms, long lagP99Ms, long lagMaxMs,
                               long famfsCapacity, long famfsUsedBytes, long famfsFreeBytes,
                               long logSlotsTotal, long logSlotsLeft, int journalIndex, long journalBytesLeft,
                               long lastSnapshotMicros, long lastPublishMicros, PoolMetrics pool) {
    public boolean stopped() {
        return phase == PublisherState.STOPPED;
    }

    /** The phase's name (RUNNING, WARNING, STOPPED, CLOSED), as logs and JSON show it. */
    public String state() {
        return phase.name();
    }
}
