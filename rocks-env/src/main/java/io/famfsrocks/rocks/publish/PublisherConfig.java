package io.famfsrocks.rocks.publish;

import java.time.Duration;

/**
 * Settings of a {@link FamfsPublisher}. Immutable.
 *
 * @param publishInterval  least time between two publications: SSTs created and made
 *                         obsolete inside one interval are never copied (0 publishes after
 *                         every flush or compaction)
 * @param recheckInterval  how often to look for a new version without any event (trivial
 *                         moves, option changes)
 * @param journalSize      size of each preallocated journal file
 * @param maxManifestBytes cap applied to the DB's max_manifest_file_size so that the whole
 *                         MANIFEST always fits in one journal record
 * @param warnFreeFraction warn when free famfs space falls below this fraction of capacity
 * @param warnSlotsLeft    warn when fewer famfs log slots than this remain
 * @param rotation         when a publisher over a pool of devices starts a new epoch, and how
 *                         long it waits for replicas to let go of the old one
 * @param walRingBytes     size of the dataset's WAL ring (write batches shipped as they are
 *                         acknowledged, so replicas see unflushed writes); 0 ships no WAL.
 *                         Segments are a 64th of it: the largest batch shipped is a segment.
 * @param walPoll          how long the WAL shipper waits when the WAL had nothing new
 * @param walTtl           WAL_ttl_seconds set on a DB that keeps no archived WAL, so that the
 *                         files outlive the shipper's lag
 */
public record PublisherConfig(Duration publishInterval, Duration recheckInterval, long journalSize,
                              long maxManifestBytes, double warnFreeFraction, long warnSlotsLeft, Rotation rotation,
                              long walRingBytes, Duration walPoll, Duration walTtl) {
    /** The WAL ring size {@link #withWalShipping} gives: 16 MiB of batches, segments of 256 KiB. */
    public static final long WAL_RING_BYTES = (16L << 20) + 4096;

    /**
     * Epoch rotation over a pool (ignored by a publisher on one volume; see docs/epochs.md).
     *
     * @param usedFraction rotate once the active volume's allocated data bytes reach this
     *                     fraction of its data area
     * @param logFraction  rotate once the active volume's log entries reach this fraction of
     *                     its log
     * @param lease        a replica whose ack slot has not changed for this long no longer
     *                     holds a sealed epoch (it is dead or paused; its reads check the epoch)
     * @param drainPoll    how often the publisher thread polls the sealed epoch's ack slots
     * @param maxDrain     the longest wait for a sealed epoch to drain: after it, a replica
     *                     that beats but never releases no longer holds it (its reads of the
     *                     reused device fail their epoch check; they never answer wrongly)
     * @param slots        ack slots in each new epoch's control file (replica hosts)
     */
    public record Rotation(double usedFraction, double logFraction, Duration lease, Duration drainPoll,
                           Duration maxDrain, int slots) {
        public static Rotation defaults() {
            return new Rotation(0.75, 0.75, Duration.ofSeconds(5), Duration.ofMillis(20), Duration.ofSeconds(60), 64);
        }

        public Rotation withThresholds(double used, double log) {
            return new Rotation(used, log, lease, drainPoll, maxDrain, slots);
        }

        public Rotation withDrain(Duration lease, Duration maxDrain) {
            return new Rotation(usedFraction, logFraction, lease, drainPoll, maxDrain, slots);
        }
    }

    /** Defaults: no WAL shipping yet (replicas see flushed writes only); see {@link #withWalShipping}. */
    public static PublisherConfig defaults() {
        return new PublisherConfig(Duration.ZERO, Duration.ofSeconds(1), 64L << 20, 4L << 20, 0.10, 500,
                Rotation.defaults(), 0, Duration.ofMillis(1), Duration.ofMinutes(10));
    }

    /** Ships the WAL into a ring of {@link #WAL_RING_BYTES}. */
    public PublisherConfig withWalShipping() {
        return withWalRing(WAL_RING_BYTES);
    }

    /** Segment size of the WAL ring. */
    public int walSegmentBytes() {
        return (int) ((walRingBytes - 4096) / 64);
    }

    public PublisherConfig withWalRing(long bytes) {
        return new PublisherConfig(publishInterval, recheckInterval, journalSize, maxManifestBytes, warnFreeFraction,
                warnSlotsLeft, rotation, bytes, walPoll, walTtl);
    }

    public PublisherConfig withPublishInterval(Duration d) {
        return new PublisherConfig(d, recheckInterval, journalSize, maxManifestBytes, warnFreeFraction, warnSlotsLeft,
                rotation, walRingBytes, walPoll, walTtl);
    }

    public PublisherConfig withRecheckInterval(Duration d) {
        return new PublisherConfig(publishInterval, d, journalSize, maxManifestBytes, warnFreeFraction, warnSlotsLeft,
                rotation, walRingBytes, walPoll, walTtl);
    }

    public PublisherConfig withJournalSize(long s) {
        return new PublisherConfig(publishInterval, recheckInterval, s, maxManifestBytes, warnFreeFraction, warnSlotsLeft,
                rotation, walRingBytes, walPoll, walTtl);
    }

    public PublisherConfig withMaxManifestBytes(long s) {
        return new PublisherConfig(publishInterval, recheckInterval, journalSize, s, warnFreeFraction, warnSlotsLeft,
                rotation, walRingBytes, walPoll, walTtl);
    }

    public PublisherConfig withWarnings(double freeFraction, long slotsLeft) {
        return new PublisherConfig(publishInterval, recheckInterval, journalSize, maxManifestBytes, freeFraction, slotsLeft,
                rotation, walRingBytes, walPoll, walTtl);
    }

    public PublisherConfig withRotation(Rotation r) {
        return new PublisherConfig(publishInterval, recheckInterval, journalSize, maxManifestBytes, warnFreeFraction,
                warnSlotsLeft, r, walRingBytes, walPoll, walTtl);
    }
}
