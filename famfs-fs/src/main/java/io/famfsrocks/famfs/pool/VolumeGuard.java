package io.famfsrocks.famfs.pool;

import io.famfsrocks.famfs.device.MemoryDevice;
import io.famfsrocks.famfs.format.FamfsLayout;
import io.famfsrocks.famfs.format.Superblock;
import io.famfsrocks.famfs.fs.FamfsVolume;

import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;
import java.util.UUID;

/**
 * "Does the device still hold the volume I opened?", asked after reading the volume's
 * memory, so that the read counts only if the answer is yes. Loads the superblock's famfs
 * UUID and magic from this process's own mapping of the device after an acquire fence,
 * which keeps every earlier load of the read before them.
 *
 * <p>Why that suffices when the device is reused through {@link DevicePool#format}: the
 * format zeroes the magic first, then the superblock area (the UUID with it), then stores
 * the new superblock with a new UUID, and {@link DevicePool#format} ends with a full fence;
 * only then does anything of the new volume get written. A read that saw any byte of the
 * new volume is followed, past the fence, by loads that see a zero or new UUID (the
 * message-passing pattern, which x86-TSO and ARMv8 with these fences forbid to reorder).
 * The full argument is in {@code docs/epochs.md}.
 *
 * <p>Allocation-free (three loads and a fence); thread-safe. Valid while the volume is open.
 */
public final class VolumeGuard {
    private final MemoryDevice device;
    private final UUID expected;
    private final long hi;
    private final long lo;

    private VolumeGuard(MemoryDevice device, UUID expected) {
        this.device = device;
        this.expected = expected;
        // The superblock stores the UUID as 16 bytes in RFC 4122 order and the device loads
        // words in native order: compare against the words those bytes make.
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.BIG_ENDIAN);
        b.putLong(0, expected.getMostSignificantBits()).putLong(8, expected.getLeastSignificantBits());
        b.order(ByteOrder.nativeOrder());
        this.hi = b.getLong(0);
        this.lo = b.getLong(8);
    }

    /** A guard for {@code volume} as it was opened (the UUID of the superblock decoded at open). */
    public static VolumeGuard of(FamfsVolume volume) {
        Objects.requireNonNull(volume);
        return new VolumeGuard(volume.device(), volume.superblock().fsUuid());
    }

    public UUID expected() {
        return expected;
    }

    /** Where the guard looks (this host's name for the device). */
    public java.nio.file.Path devicePath() {
        return device.path();
    }

    /** Whether the device still holds the volume; run it after the read it vouches for. */
    public boolean intact() {
        VarHandle.acquireFence();
        device.invalidate(0, Superblock.OFF_FS_UUID + 16);
        return device.getLong(Superblock.OFF_FS_UUID) == hi
                && device.getLong(Superblock.OFF_FS_UUID + 8) == lo
                && device.getLong(Superblock.OFF_MAGIC) == FamfsLayout.SUPER_MAGIC;
    }
}
