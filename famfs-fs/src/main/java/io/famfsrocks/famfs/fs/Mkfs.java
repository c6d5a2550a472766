package io.famfsrocks.famfs.fs;

import io.famfsrocks.famfs.ErrorKind;
import io.famfsrocks.famfs.FamfsException;
import io.famfsrocks.famfs.FaultPoint;
import io.famfsrocks.famfs.device.MemoryDevice;
import io.famfsrocks.famfs.format.FamfsLayout;
import io.famfsrocks.famfs.format.LogHeader;
import io.famfsrocks.famfs.format.Superblock;
import io.famfsrocks.famfs.log.FamfsLog;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.UUID;

/**
 * Making and killing file systems. The checks run before anything is written: a valid
 * file system is overwritten only with {@code force}, and never one whose master is
 * another host (kill it first, as with the reference). Stateless, thread-safe.
 */
public final class Mkfs {
    /**
     * Crash point (docs/reliability.md, "Fault points"): the old superblock's magic zeroed and
     * flushed, the log and the new superblock not written yet (a reformat cut short).
     */
    public static final FaultPoint MAGIC_CLEARED = FaultPoint.named("mkfs.magic-cleared");

    private Mkfs() {}

    /**
     * @param logLen log length: a power of two, at least 8 MiB
     * @param fsUuid null for a random one (tests pass fixed UUIDs to reproduce images)
     * @param devUuid null for a random one
     * @param deviceName recorded in the superblock; null for the device path
     */
    public record Options(long logLen, boolean force, long version, String systemUuid,
                          UUID fsUuid, UUID devUuid, String deviceName) {
        public static Options defaults() {
            return new Options(FamfsLayout.DEFAULT_LOG_LEN, false, FamfsLayout.CURRENT_VERSION, null, null, null, null);
        }

        public Options withLogLen(long l) {
            return new Options(l, force, version, systemUuid, fsUuid, devUuid, deviceName);
        }

        public Options withForce(boolean f) {
            return new Options(logLen, f, version, systemUuid, fsUuid, devUuid, deviceName);
        }

        public Options withVersion(long v) {
            return new Options(logLen, force, v, systemUuid, fsUuid, devUuid, deviceName);
        }

        public Options withSystemUuid(String u) {
            return new Options(logLen, force, version, u, fsUuid, devUuid, deviceName);
        }

        public Options withIdentity(UUID fs, UUID dev, String name) {
            return new Options(logLen, force, version, systemUuid, fs, dev, name);
        }
    }

    /** Formats {@code device} and returns what its new superblock says. */
    public static VolumeInfo create(Path device, Options o) {
        return VolumeInfo.of(format(device, o));
    }

    /** Formats {@code device} and returns the new superblock. */
    public static Superblock format(Path device, Options o) {
        if (!FamfsLayout.isPowerOfTwo(o.logLen()) || o.logLen() < FamfsLayout.MIN_LOG_LEN) {
            throw new FamfsException(ErrorKind.INVALID_ARGUMENT, "log length " + o.logLen()
                    + " must be a power of two and at least 8 MiB");
        }
        if (o.version() != 47 && o.version() != 48) {
            throw new FamfsException(ErrorKind.INVALID_ARGUMENT, "famfs version must be 47 or 48, got " + o.version());
        }
        UUID host = SystemUuid.resolve(o.systemUuid());
        try (MemoryDevice d = MemoryDevice.open(device, true)) {
            long minSize = FamfsLayout.LOG_OFFSET + o.logLen() + FamfsLayout.ALLOC_UNIT;
            if (d.size() < minSize) {
                throw new FamfsException(ErrorKind.NO_SPACE, String.format(
                        "device %s is %d bytes; a %d MiB log needs at least %d bytes", device, d.size(),
                        o.logLen() >> 20, minSize));
            }
            refuseExisting(d, o, host);
            String name = o.deviceName() != null ? o.deviceName() : device.toString();
            if (name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > FamfsLayout.DEVICE_NAME_LEN - 1) {
                name = device.getFileName().toString();
            }
            Superblock sb = new Superblock(o.version(), o.logLen(), FamfsLayout.ALLOC_UNIT,
                    o.fsUuid() != null ? o.fsUuid() : UUID.randomUUID(),
                    o.devUuid() != null ? o.devUuid() : UUID.randomUUID(),
                    host, d.size(), new UUID(0, 0), name);
            // Invalidate first so a crash midway leaves no valid-looking old volume.
            d.putLong(0, 0);
            d.flush(0, 8);
            MAGIC_CLEARED.hit();
            d.zero(FamfsLayout.LOG_OFFSET, o.logLen());
            new FamfsLog(d, o.logLen()).format();
            d.zero(0, FamfsLayout.LOG_OFFSET);
            sb.encodeTo(d.window(0, Superblock.SIZE));
            d.flush(0, FamfsLayout.LOG_OFFSET);
            return sb;
        }
    }

    /** Zeroes the superblock magic (mkfs -k). Refuses a volume whose master is another host. */
    public static void kill(Path device, String systemUuid) {
        UUID host = SystemUuid.resolve(systemUuid);
        try (MemoryDevice d = MemoryDevice.open(device, true)) {
            if (!Superblock.hasMagic(d.window(0, 8))) {
                throw new FamfsException(ErrorKind.NOT_FAMFS, "not a famfs volume: " + device + " (nothing to kill)");
            }
            try {
                Superblock sb = Superblock.decode(d.window(0, Superblock.SIZE), d.getLong(Superblock.OFF_VERSION));
                if (!sb.systemUuid().equals(host)) {
                    throw new FamfsException(ErrorKind.NOT_MASTER, "device " + device + " belongs to host "
                            + sb.systemUuid() + "; only it can kill the file system");
                }
            } catch (FamfsException e) {
                if (e.kind() == ErrorKind.NOT_MASTER) {
                    throw e;
                }
                // a corrupt superblock may be killed by anyone
            }
            d.putLong(0, 0);
            d.flush(0, 8);
        }
    }

    private static void refuseExisting(MemoryDevice d, Options o, UUID host) {
        if (!Superblock.hasMagic(d.window(0, 8))) {
            String foreign = o.force() ? null : foreignContent(d);
            if (foreign != null) {
                throw new FamfsException(ErrorKind.EXISTS, "device " + d.path() + " holds " + foreign
                        + ", not a famfs volume; use -f to overwrite it");
            }
            return;
        }
        Superblock old;
        try {
            old = Superblock.decode(d.window(0, Superblock.SIZE), d.getLong(Superblock.OFF_VERSION));
        } catch (FamfsException e) {
            if (!o.force()) {
                throw new FamfsException(ErrorKind.EXISTS, "device " + d.path()
                        + " has a damaged famfs superblock (" + e.getMessage() + "); use -f to overwrite it");
            }
            return;
        }
        if (!old.systemUuid().equals(host)) {
            throw new FamfsException(ErrorKind.NOT_MASTER, "device " + d.path() + " has a famfs file system owned by host "
                    + old.systemUuid() + "; refusing even with -f (the master must kill it first: mkfs -k)");
        }
        if (!o.force()) {
            throw new FamfsException(ErrorKind.EXISTS, "device " + d.path()
                    + " already has a famfs file system; use -f to overwrite it");
        }
    }

    /** How many leading bytes must be zero (or a killed famfs superblock) for mkfs without -f. */
    public static final int CHECKED_PREFIX = 64 << 10;

    /**
     * What the device holds if it is neither empty nor a killed famfs volume, else null
     * (issue 13 item 11: an ext4 image was overwritten without -f). Known signatures are
     * named; any other non-zero byte in the first 64 KiB is reported by its offset.
     */
    public static String foreignContent(MemoryDevice d) {
        int n = (int) Math.min(d.size(), CHECKED_PREFIX);
        ByteBuffer b = d.window(0, n).order(ByteOrder.LITTLE_ENDIAN);
        if (n >= 1082 && (b.getShort(1080) & 0xffff) == 0xef53) {
            return "an ext2/ext3/ext4 file system (magic 0xef53 at offset 1080)";
        }
        if (startsWith(b, 0, "XFSB")) {
            return "an XFS file system (magic XFSB at offset 0)";
        }
        if (startsWith(b, 0, "LUKS\u00ba\u00be")) {
            return "a LUKS volume (magic at offset 0)";
        }
        if (startsWith(b, 4086, "SWAPSPACE2") || startsWith(b, 4086, "SWAP-SPACE")) {
            return "a swap area (signature at offset 4086)";
        }
        if (d.size() >= 0x10048 && startsWith(d.window(0x10040, 8), 0, "_BHRfS_M")) {
            return "a btrfs file system (magic at offset 0x10040)";
        }
        if (isKilledFamfs(b)) {
            return null;
        }
        for (int i = 0; i < n; i++) {
            if (b.get(i) != 0) {
                return String.format("data (a non-zero byte at offset %d, no file system mkfs knows)", i);
            }
        }
        return null;
    }

    /** A superblock whose magic mkfs -k zeroed: with the magic put back, it decodes (CRC included). */
    private static boolean isKilledFamfs(ByteBuffer b) {
        if (b.capacity() < Superblock.SIZE || b.getLong(0) != 0) {
            return false;
        }
        byte[] a = new byte[Superblock.SIZE];
        b.get(0, a);
        ByteBuffer copy = ByteBuffer.wrap(a).order(ByteOrder.LITTLE_ENDIAN).putLong(0, FamfsLayout.SUPER_MAGIC);
        try {
            Superblock.decode(copy, copy.getLong(Superblock.OFF_VERSION));
            return true;
        } catch (FamfsException e) {
            return false;
        }
    }

    private static boolean startsWith(ByteBuffer b, int at, String sig) {
        byte[] s = sig.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        if (b.capacity() < at + s.length) {
            return false;
        }
        for (int i = 0; i < s.length; i++) {
            if (b.get(at + i) != s[i]) {
                return false;
            }
        }
        return true;
    }
}
