package io.famfsrocks.rocks.epoch;

import io.famfsrocks.famfs.device.MemoryDevice;
import io.famfsrocks.famfs.format.FamfsLayout;
import io.famfsrocks.famfs.format.Superblock;
import io.famfsrocks.famfs.fs.FamfsVolume;

import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * "Is the epoch I read from still the volume I opened?" A replica runs it after every read
 * of an epoch's memory whose result it will use (a lookup, a scan batch, a journal poll):
 * the answer counts only if the check passes after it.
 *
 * <p>The check loads the superblock's magic and famfs UUID straight from this host's own
 * mapping of the device (never through a FUSE mount), after an acquire fence that keeps
 * every load of the read before it. The primary reuses a device only through {@link
 * io.famfsrocks.famfs.pool.DevicePool#format}, whose first store zeroes the magic and which
 * replaces the UUID before any byte of the new epoch is written, with a full fence after.
 * So if any load of the read saw a byte of the new epoch, the check's loads see a zero
 * magic, a zero UUID or the new UUID, never the old one (message passing: forbidden to be
 * reordered on x86-TSO and, with these fences, on ARMv8). The full argument is in {@code
 * docs/epochs.md}.
 *
 * <p>Allocation-free: three loads and a fence. Thread-safe.
 */
public final class EpochGuard {
    private final MemoryDevice device;
    private final UUID expected;
    private final long hi;
    private final long lo;

    public EpochGuard(MemoryDevice device, UUID expectedFsUuid) {
        this.device = Objects.requireNonNull(device);
        this.expected = Objects.requireNonNull(expectedFsUuid);
        // The superblock stores the UUID as 16 bytes in RFC 4122 order; the device loads
        // words in native order: compare against the words those bytes make.
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.BIG_ENDIAN);
        b.putLong(0, expectedFsUuid.getMostSignificantBits()).putLong(8, expectedFsUuid.getLeastSignificantBits());
        b.order(ByteOrder.nativeOrder());
        this.hi = b.getLong(0);
        this.lo = b.getLong(8);
    }

    /** A guard for the volume as it was opened (its superblock as decoded at open). */
    public static EpochGuard of(FamfsVolume volume) {
        return new EpochGuard(volume.device(), volume.superblock().fsUuid());
    }

    public UUID expected() {
        return expected;
    }

    /** Whether the device still holds the volume this guard was made for. Run it after the read. */
    public boolean intact() {
        VarHandle.acquireFence();
        device.invalidate(0, Superblock.OFF_FS_UUID + 16);
        return device.getLong(Superblock.OFF_FS_UUID) == hi
                && device.getLong(Superblock.OFF_FS_UUID + 8) == lo
                && device.getLong(Superblock.OFF_MAGIC) == FamfsLayout.SUPER_MAGIC;
    }

    /** Throws {@link StaleEpochException} unless {@link #intact()}. */
    public void requireIntact(String what) {
        if (!intact()) {
            throw new StaleEpochException(what + ": the volume " + expected + " on " + device.path()
                    + " was retired and its memory may be reused; the answer is dropped", expected);
        }
    }

    /** Runs {@code read}, then the check: its result, or {@link StaleEpochException} and no result. */
    public <T> T read(String what, Supplier<T> read) {
        T result = read.get();
        requireIntact(what);
        return result;
    }
}
