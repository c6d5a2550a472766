package io.famfsrocks.cli.rocks;

import io.famfsrocks.cli.CliException;
import io.famfsrocks.cli.ExitCode;
import io.famfsrocks.cli.Sizes;
import io.famfsrocks.famfs.fs.FamfsVolume;
import io.famfsrocks.famfs.fs.Node;
import io.famfsrocks.famfs.fs.VolumeUsage;
import io.famfsrocks.rocks.journal.DatasetPaths;
import io.famfsrocks.rocks.journal.JournalReader;
import io.famfsrocks.rocks.publish.PublisherConfig;
import io.famfsrocks.rocks.publish.SpaceBudget;

import java.util.Locale;
import java.util.Map;

/**
 * What one {@code sst-publish} run needs from famfs, computed before anything is changed:
 * space (whole allocation units) and log entries for the SSTs not shared yet, the dataset's
 * files when it is new, and the same reserve the publisher keeps (a chained journal and an
 * OPTIONS file, {@link SpaceBudget}) so that the publisher's own check cannot fail later. SSTs already in famfs
 * with the same size count as reusable (the publisher verifies them by CRC). Immutable.
 */
record PublishPlan(int totalSsts, long totalBytes, int newSsts, long newBytes, long neededBytes, long neededSlots,
                   long freeBytes, long slotsLeft, boolean newDataset) {

    /** @param ssts file number to size of every SST the version will list ({@code -n} for not yet numbered) */
    static PublishPlan of(FamfsVolume volume, String dataset, Map<Long, Long> ssts, long extraBytes,
                          PublisherConfig cfg) {
        volume.refresh();
        long au = volume.allocUnit();
        boolean fresh = JournalReader.newestJournal(volume, dataset) < 0;
        int newCount = 0;
        long newBytes = 0;
        long alloc = 0;
        long total = 0;
        for (Map.Entry<Long, Long> e : ssts.entrySet()) {
            total += e.getValue();
            boolean shared = e.getKey() >= 0 && !fresh
                    && volume.lookup(DatasetPaths.sst(dataset, e.getKey())) instanceof Node.File f
                    && f.size() == e.getValue();
            if (!shared) {
                newCount++;
                newBytes += e.getValue();
                alloc += SpaceBudget.allocated(e.getValue(), au);
            }
        }
        if (extraBytes > 0) { // a WAL that opening the DB will flush into one more SST
            newCount++;
            newBytes += extraBytes;
            alloc += SpaceBudget.allocated(extraBytes, au);
        }
        long bytes = alloc + au /* OPTIONS */ + SpaceBudget.reserveBytes(cfg, au);
        long slots = newCount + 1 + SpaceBudget.RESERVE_SLOTS;
        if (fresh) {
            bytes += cfg.journalSize();
            slots += 4; // dataset, sst and opt directories, journal.0000
        }
        VolumeUsage usage = volume.usage();
        return new PublishPlan(ssts.size() + (extraBytes > 0 ? 1 : 0), total + Math.max(0, extraBytes), newCount,
                newBytes, bytes, slots, usage.freeBytes(), usage.logSlotsLeft(), fresh);
    }

    /**
     * The counts of a version published over a pool, with nothing to check up front: which
     * epoch takes it, and whether a rotation makes room first, is the publisher's decision.
     */
    static PublishPlan ofPool(Map<Long, Long> ssts) {
        long total = ssts.values().stream().mapToLong(Long::longValue).sum();
        return new PublishPlan(ssts.size(), total, ssts.size(), total, 0, 0, Long.MAX_VALUE, Long.MAX_VALUE, false);
    }

    String describe(String dataset) {
        return String.format(Locale.ROOT, "dataset %s (%s): %d SSTs, %s; %d to copy (%s), %d already shared%n"
                        + "needs %s (%d bytes) and %d log entries; famfs has %s (%d bytes) free and %d log entries left",
                dataset, newDataset ? "new" : "existing", totalSsts, Sizes.human(totalBytes), newSsts,
                Sizes.human(newBytes), totalSsts - newSsts, Sizes.human(neededBytes), neededBytes, neededSlots,
                Sizes.human(freeBytes), freeBytes, slotsLeft);
    }

    /** Throws NO_SPACE or LOG_FULL, naming what is missing, when famfs cannot take this version. */
    void check() {
        if (neededBytes > freeBytes) {
            throw new CliException(ExitCode.NO_SPACE, String.format(Locale.ROOT,
                    "famfs lacks space for this version: it needs %s (%d bytes, including a %s reserve), %s (%d bytes) "
                            + "are free; nothing was changed", Sizes.human(neededBytes), neededBytes,
                    "journal", Sizes.human(freeBytes), freeBytes));
        }
        if (neededSlots > slotsLeft) {
            throw new CliException(ExitCode.LOG_FULL, "famfs log lacks entries for this version: it needs "
                    + neededSlots + ", " + slotsLeft + " are left (mkfs -l makes a bigger log); nothing was changed");
        }
    }
}
