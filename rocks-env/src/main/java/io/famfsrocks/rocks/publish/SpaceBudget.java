package io.famfsrocks.rocks.publish;

import io.famfsrocks.famfs.ErrorKind;
import io.famfsrocks.famfs.fs.VolumeUsage;
import io.famfsrocks.rocks.BridgeException;

import java.util.ArrayList;
import java.util.List;

/**
 * The famfs space and log slots a version needs, and the reserve kept so that a version is
 * never left half-published: room for a chained journal and a new OPTIONS file. The
 * publisher checks each version against it, and {@code sst-publish}'s plan counts the same
 * reserve before it starts, so the two cannot disagree. Stateless, thread-safe.
 */
public final class SpaceBudget {
    /** Log slots held back: a chained journal and a new OPTIONS file. */
    public static final long RESERVE_SLOTS = 2;

    private SpaceBudget() {}

    /** Bytes held back: a chained journal and two allocation units (OPTIONS). */
    public static long reserveBytes(PublisherConfig cfg, long allocUnit) {
        return cfg.journalSize() + 2 * allocUnit;
    }

    /** {@code n} bytes rounded up to whole allocation units, as famfs allocates them. */
    public static long allocated(long n, long allocUnit) {
        return (n + allocUnit - 1) / allocUnit * allocUnit;
    }

    /**
     * Throws NO_SPACE or LOG_FULL when {@code bytes} (allocated) and {@code slots} for
     * {@code ssts} new SSTs, plus the reserve, do not fit in what {@code usage} has left.
     */
    static void check(long bytes, long slots, VolumeUsage usage, PublisherConfig cfg, long allocUnit) {
        long reserveBytes = reserveBytes(cfg, allocUnit);
        if (bytes + reserveBytes > usage.freeBytes()) {
            throw new BridgeException(ErrorKind.NO_SPACE, String.format(
                    "famfs space exhausted: the next version needs %d bytes for %d new SSTs plus a %d-byte reserve, "
                            + "%d bytes are free", bytes, slots, reserveBytes, usage.freeBytes()));
        }
        if (slots + RESERVE_SLOTS > usage.logSlotsLeft()) {
            throw new BridgeException(ErrorKind.LOG_FULL, String.format(
                    "famfs log slots exhausted: the next version needs %d slots plus %d in reserve, %d are left",
                    slots, RESERVE_SLOTS, usage.logSlotsLeft()));
        }
    }

    /** The thresholds of {@code cfg} that this version would cross, as warning lines. */
    static List<String> warnings(long bytes, long slots, VolumeUsage usage, PublisherConfig cfg) {
        List<String> w = new ArrayList<>(2);
        long free = usage.freeBytes() - bytes;
        if (free < usage.dataCapacity() * cfg.warnFreeFraction()) {
            w.add(String.format("famfs space low: %d of %d bytes free", free, usage.dataCapacity()));
        }
        if (usage.logSlotsLeft() - slots < cfg.warnSlotsLeft()) {
            w.add(String.format("famfs log slots low: %d of %d left", usage.logSlotsLeft() - slots, usage.logSlots()));
        }
        return w;
    }
}
