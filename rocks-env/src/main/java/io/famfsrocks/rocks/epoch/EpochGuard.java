package io.famfsrocks.rocks.epoch;

import io.famfsrocks.famfs.fs.FamfsVolume;
import io.famfsrocks.famfs.pool.VolumeGuard;

import java.util.Objects;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * "Is the epoch I read from still the volume I opened?" A replica runs it after every read
 * of an epoch's memory whose result it will use (a lookup, a scan batch, a journal poll):
 * the answer counts only if the check passes after it.
 *
 * <p>The check is the pool's {@link VolumeGuard}: the superblock's magic and famfs UUID,
 * loaded from this host's own mapping of the device (never through a FUSE mount) after an
 * acquire fence that keeps every load of the read before them. The primary reuses a
 * device only through {@code DevicePool.format}, whose first store zeroes the magic and
 * which replaces the UUID before any byte of the new epoch is written, with a full fence
 * after. So if any load of the read saw a byte of the new epoch, the check sees a zero
 * magic, a zero UUID or the new UUID, never the old one. The full argument, and what it
 * assumes, is in {@code docs/epochs.md}.
 *
 * <p>Allocation-free: three loads and a fence. Thread-safe.
 */
public final class EpochGuard {
    private final VolumeGuard guard;

    private EpochGuard(VolumeGuard guard) {
        this.guard = Objects.requireNonNull(guard);
    }

    /** A guard for the volume as it was opened (its superblock as decoded at open). */
    public static EpochGuard of(FamfsVolume volume) {
        return new EpochGuard(VolumeGuard.of(volume));
    }

    public UUID expected() {
        return guard.expected();
    }

    /** Whether the device still holds the volume this guard was made for. Run it after the read. */
    public boolean intact() {
        return guard.intact();
    }

    /** Throws {@link StaleEpochException} unless {@link #intact()}. */
    public void requireIntact(String what) {
        if (!guard.intact()) {
            throw new StaleEpochException(what + ": the volume " + guard.expected() + " on " + guard.devicePath()
                    + " was retired and its memory may be reused; the answer is dropped", guard.expected());
        }
    }

    /** Runs {@code read}, then the check: its result, or {@link StaleEpochException} and no result. */
    public <T> T read(String what, Supplier<T> read) {
        T result = read.get();
        requireIntact(what);
        return result;
    }
}
