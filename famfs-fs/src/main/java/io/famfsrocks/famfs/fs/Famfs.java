package io.famfsrocks.famfs.fs;

import io.famfsrocks.famfs.ErrorKind;
import io.famfsrocks.famfs.FamfsException;
import io.famfsrocks.famfs.device.MemoryDevice;
import io.famfsrocks.famfs.format.FamfsLayout;
import io.famfsrocks.famfs.format.Superblock;

import java.nio.file.Path;
import java.util.UUID;

/** Opening volumes: the entry point of the engine. Thread-safe (stateless). */
public final class Famfs {
    private Famfs() {}

    /**
     * Opens {@code device} in the role this host has: a {@link MasterVolume} when its
     * system UUID is the superblock's, else a read-only {@link FamfsVolume}.
     */
    public static FamfsVolume open(Path device, OpenOptions opts) {
        UUID host = SystemUuid.resolve(opts.systemUuid());
        Superblock sb = readSuperblock(device, opts);
        if (sb.systemUuid().equals(host)) {
            return openMapped(device, opts, host, true);
        }
        return openMapped(device, opts, host, false);
    }

    /** Opens read-only whatever this host's role (fsck, logplay, read-only mounts). */
    public static FamfsVolume openReadOnly(Path device, OpenOptions opts) {
        UUID host = SystemUuid.resolveForReading(opts.systemUuid());
        return openMapped(device, opts, host, false);
    }

    /** Opens as master, or fails with NOT_MASTER naming both UUIDs. */
    public static MasterVolume openMaster(Path device, OpenOptions opts) {
        UUID host = SystemUuid.resolve(opts.systemUuid());
        Superblock sb = readSuperblock(device, opts);
        if (!sb.systemUuid().equals(host)) {
            throw new FamfsException(ErrorKind.NOT_MASTER, "this host (" + host + ") is a client of " + device
                    + "; only its master (" + sb.systemUuid() + ") can create or write");
        }
        return (MasterVolume) openMapped(device, opts, host, true);
    }

    /**
     * Creates a sparse file of {@code size} bytes to serve as a device (the default under
     * {@code /dev/shm}), mode 0600 (whoever reads it reads every famfs file); refuses an
     * existing file.
     */
    public static void createDeviceFile(Path path, long size) {
        MemoryDevice.createFile(path, size);
    }

    /** As {@link #createDeviceFile(Path, long)} with the file mode {@code mode} (default 0600). */
    public static void createDeviceFile(Path path, long size,
                                        java.util.Set<java.nio.file.attribute.PosixFilePermission> mode) {
        MemoryDevice.createFile(path, size, mode);
    }

    /** Decodes the superblock without keeping the device open. */
    public static Superblock readSuperblock(Path device, OpenOptions opts) {
        try (MemoryDevice d = MemoryDevice.open(device, false, opts.coherence())) {
            return readSuperblock(d, opts.version());
        }
    }

    static Superblock readSuperblock(MemoryDevice d, long version) {
        if (d.size() < Superblock.SIZE) {
            throw new FamfsException(ErrorKind.NOT_FAMFS, "not a famfs volume: " + d.path() + " is only "
                    + d.size() + " bytes");
        }
        d.invalidate(0, Superblock.SIZE);
        return Superblock.decode(d.window(0, Superblock.SIZE), version);
    }

    private static FamfsVolume openMapped(Path device, OpenOptions opts, UUID host, boolean master) {
        MemoryDevice d = MemoryDevice.open(device, master, opts.coherence());
        try {
            Superblock sb = readSuperblock(d, opts.version());
            if (master && !sb.systemUuid().equals(host)) {
                throw new FamfsException(ErrorKind.NOT_MASTER, "the master of " + device + " changed under us");
            }
            if (FamfsLayout.LOG_OFFSET + sb.logLen() > d.size()) {
                throw new FamfsException(ErrorKind.CORRUPT_MEDIA, String.format(
                        "corrupt superblock at device offset 0x18: the log (0x%x bytes) does not fit in %s (0x%x bytes)",
                        sb.logLen(), device, d.size()));
            }
            return master ? new MasterVolume(d, sb, host) : new FamfsVolume(d, sb, host);
        } catch (RuntimeException e) {
            d.close();
            throw e;
        }
    }
}
