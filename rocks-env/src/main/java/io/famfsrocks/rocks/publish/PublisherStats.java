package io.famfsrocks.rocks.publish;

import io.famfsrocks.famfs.ErrorKind;
import io.famfsrocks.famfs.fs.VolumeUsage;
import io.famfsrocks.rocks.journal.DatasetPaths;
import io.famfsrocks.rocks.journal.JournalRecord;
import io.famfsrocks.rocks.journal.JournalWriter;
import io.famfsrocks.rocks.journal.SstEntry;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A publisher's statistics: what it copied, reused and skipped, and the lag from an SST's
 * creation to the version naming it (over the last {@value #LAG_WINDOW} SSTs).
 *
 * <p>Thread-safe: RocksDB's threads record creations lock-free ({@link #fileCreated}, so a
 * flush never waits); everything else is under this object's monitor.
 */
final class PublisherStats {
    static final int LAG_WINDOW = 1024;

    private final Map<Long, Long> createdAtMs = new ConcurrentHashMap<>();
    private final Map<Long, Long> createdSizes = new ConcurrentHashMap<>();
    private final long[] lags = new long[LAG_WINDOW];
    private final List<String> warnings = new ArrayList<>();
    private long lagCount;
    private long lagMax;
    private long versionsPublished;
    private long sstsCopied;
    private long bytesCopied;
    private long copyNanos;
    private long sstsSkipped;
    private long bytesSkipped;
    private long sstsReused;
    private long snapshotMicros;
    private long publishMicros;
    private long epoch;
    private long rotations;
    private long bytesRepacked;
    private long lastRepackBytes;
    private long lastLiveBytes;
    private long lastRotationMs;
    private long lastDrainMs;
    private long poolUsedPeak;

    /** RocksDB created SST {@code number} (called on its flush and compaction threads). */
    void fileCreated(long number, long size) {
        createdSizes.put(number, size);
        createdAtMs.put(number, System.currentTimeMillis());
    }

    /** SST {@code number} was created at {@code atMs} (a followed DB's file, by its modification time). */
    void fileCreatedAt(long number, long size, long atMs) {
        createdSizes.put(number, size);
        createdAtMs.putIfAbsent(number, atMs);
    }

    /** When SST {@code number} was created, or now when we did not see it created. */
    long createdAtMs(long number) {
        Long c = createdAtMs.get(number);
        return c == null ? System.currentTimeMillis() : c;
    }

    synchronized void reused() {
        sstsReused++;
    }

    synchronized void copied(long bytes, long nanos) {
        sstsCopied++;
        bytesCopied += bytes;
        copyNanos += nanos;
    }

    synchronized void epoch(long e) {
        epoch = e;
    }

    /** A rotation sealed the old epoch: {@code bytes} copied into {@code newEpoch} for {@code liveBytes} of live SSTs. */
    synchronized void rotated(long newEpoch, long bytes, long liveBytes, long ms) {
        epoch = newEpoch;
        rotations++;
        bytesRepacked += bytes;
        lastRepackBytes = bytes;
        lastLiveBytes = liveBytes;
        lastRotationMs = ms;
    }

    synchronized void drained(long ms) {
        lastDrainMs = ms;
    }

    /** A sample of the pool's space in use (the peak is the largest sample). */
    synchronized void poolUsed(long bytes) {
        poolUsedPeak = Math.max(poolUsedPeak, bytes);
    }

    synchronized PoolMetrics poolMetrics(int devices, long capacity, long used, long drainingEpoch, String activeDevice) {
        return new PoolMetrics(epoch, rotations, bytesRepacked, lastRepackBytes, lastLiveBytes, lastRotationMs,
                lastDrainMs, drainingEpoch, devices, activeDevice, capacity, used, Math.max(poolUsedPeak, used));
    }

    synchronized void warnings(List<String> w) {
        warnings.clear();
        warnings.addAll(w);
    }

    /**
     * Version {@code v} of {@code live} is published: records the lag of each SST it names,
     * and counts as skipped the SSTs created since the last publication that are gone already
     * (never copied).
     */
    synchronized void published(JournalRecord.Version v, LiveVersion live, long snapshotMicros, long publishMicros) {
        versionsPublished++;
        this.snapshotMicros = snapshotMicros;
        this.publishMicros = publishMicros;
        for (SstEntry s : v.ssts()) {
            createdSizes.remove(s.fileNumber());
            Long c = createdAtMs.remove(s.fileNumber());
            if (c != null) {
                long lag = Math.max(0, v.publishedAtMs() - c);
                lags[(int) (lagCount++ % LAG_WINDOW)] = lag;
                lagMax = Math.max(lagMax, lag);
            }
        }
        for (Long n : List.copyOf(createdAtMs.keySet())) {
            if (!live.sizes.containsKey(n) && n < live.maxFileNumberSeen
                    && !Files.exists(live.dir.resolve(DatasetPaths.sstName(n)))) {
                createdAtMs.remove(n);
                sstsSkipped++;
                Long size = createdSizes.remove(n);
                bytesSkipped += size == null ? 0 : size;
            }
        }
    }

    synchronized PublisherMetrics metrics(PublisherState state, String error, ErrorKind errorKind, JournalWriter journal,
                                          VolumeUsage u, PoolMetrics pool) {
        long[] sorted = Arrays.copyOf(lags, (int) Math.min(lagCount, LAG_WINDOW));
        Arrays.sort(sorted);
        long p50 = sorted.length == 0 ? 0 : sorted[sorted.length / 2];
        long p99 = sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) (sorted.length * 0.99))];
        JournalRecord.Version last = journal == null ? null : journal.lastVersion();
        return new PublisherMetrics(state, error, errorKind, List.copyOf(warnings), versionsPublished,
                last == null ? 0 : last.version(), last == null ? 0 : last.sequence(),
                sstsCopied, bytesCopied, copyNanos == 0 ? 0 : bytesCopied / 1e6 / (copyNanos / 1e9),
                sstsSkipped, bytesSkipped, sstsReused, p50, p99, lagMax, u.dataCapacity(), u.dataUsedBytes(),
                u.freeBytes(), u.logSlots(), u.logSlotsLeft(),
                journal == null ? -1 : journal.journalIndex(), journal == null ? 0 : journal.remaining(),
                snapshotMicros, publishMicros, pool);
    }
}
