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
 */
public record PublisherConfig(Duration publishInterval, Duration recheckInterval, long journalSize,
                              long maxManifestBytes, double warnFreeFraction, long warnSlotsLeft) {
    public static PublisherConfig defaults() {
        return new PublisherConfig(Duration.ZERO, Duration.ofSeconds(1), 64L << 20, 4L << 20, 0.10, 500);
    }

    public PublisherConfig withPublishInterval(Duration d) {
        return new PublisherConfig(d, recheckInterval, journalSize, maxManifestBytes, warnFreeFraction, warnSlotsLeft);
    }

    public PublisherConfig withJournalSize(long s) {
        return new PublisherConfig(publishInterval, recheckInterval, s, maxManifestBytes, warnFreeFraction, warnSlotsLeft);
    }

    public PublisherConfig withMaxManifestBytes(long s) {
        return new PublisherConfig(publishInterval, recheckInterval, journalSize, s, warnFreeFraction, warnSlotsLeft);
    }

    public PublisherConfig withWarnings(double freeFraction, long slotsLeft) {
        return new PublisherConfig(publishInterval, recheckInterval, journalSize, maxManifestBytes, freeFraction, slotsLeft);
    }
}
