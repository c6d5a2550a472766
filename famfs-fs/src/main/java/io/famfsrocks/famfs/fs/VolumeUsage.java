package io.famfsrocks.famfs.fs;

/**
 * How much of a volume is in use: space from the allocation bitmap, log slots from the log
 * header. The one place this arithmetic lives ({@code df}, statfs, the publisher and
 * {@code sst-publish}'s plan all read it here). Immutable.
 *
 * @param capacity     usable bytes: the device size the superblock records, capped by what is mapped
 * @param dataCapacity bytes of the data area (capacity minus superblock and log)
 * @param freeBytes    free bytes of the data area
 * @param logSlots     entries the log can hold
 * @param logSlotsUsed entries appended so far
 */
public record VolumeUsage(long capacity, long dataCapacity, long freeBytes, long logSlots, long logSlotsUsed) {
    /** Bytes not free, counting the superblock and the log (what {@code df} shows). */
    public long usedBytes() {
        return capacity - freeBytes;
    }

    /** Allocated bytes of the data area (files only). */
    public long dataUsedBytes() {
        return dataCapacity - freeBytes;
    }

    public long logSlotsLeft() {
        return Math.max(0, logSlots - logSlotsUsed);
    }
}
