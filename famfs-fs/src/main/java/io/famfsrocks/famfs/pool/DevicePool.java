package io.famfsrocks.famfs.pool;

import io.famfsrocks.famfs.ErrorKind;
import io.famfsrocks.famfs.FamfsException;
import io.famfsrocks.famfs.device.MemoryDevice;
import io.famfsrocks.famfs.format.Superblock;
import io.famfsrocks.famfs.fs.Famfs;
import io.famfsrocks.famfs.fs.Mkfs;
import io.famfsrocks.famfs.fs.OpenOptions;

import java.io.IOException;
import java.lang.invoke.VarHandle;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * A set of memory devices that together hold one dataset's epochs: each device is blank
 * or carries one plain famfs volume, recognised by its famfs UUID (paths differ from host
 * to host). The pool only knows devices and volumes; which volume holds which epoch is the
 * dataset layer's business (rocks-env {@code epoch}).
 *
 * <p>{@link #scan} refuses a device list that cannot be a pool, with a typed
 * {@link PoolException}: fewer than two devices, one device listed twice, two volumes with
 * one UUID, a device whose superblock is damaged. {@link #format} turns a device the caller
 * has decided is free into a new, empty volume with a new UUID, but only if the device
 * still holds what the caller decided about.
 *
 * <p>Immutable snapshot of one scan; thread-safe. Nothing stays open between calls.
 */
public final class DevicePool {
    private final List<PoolDevice> devices;
    private final OpenOptions opts;

    private DevicePool(List<PoolDevice> devices, OpenOptions opts) {
        this.devices = List.copyOf(devices);
        this.opts = opts;
    }

    /** Reads every device's superblock and checks the set can be a pool. */
    public static DevicePool scan(List<Path> paths, OpenOptions opts) {
        Objects.requireNonNull(opts);
        if (paths == null || paths.size() < 2) {
            throw new PoolException(PoolException.Reason.TOO_FEW_DEVICES, "a pool needs at least two devices, got "
                    + (paths == null ? 0 : paths.size()) + ": one holds the active epoch, another the next");
        }
        List<PoolDevice> found = new ArrayList<>();
        Map<Object, Path> byIdentity = new HashMap<>();
        Map<UUID, Path> byUuid = new HashMap<>();
        for (Path p : paths) {
            PoolDevice d = inspect(p, opts);
            Path seen = byIdentity.putIfAbsent(identity(d.realPath()), p);
            if (seen != null) {
                throw new PoolException(PoolException.Reason.DUPLICATE_DEVICE, "device " + p + " is listed twice (also as "
                        + seen + "; both name the same " + (Files.isRegularFile(d.realPath()) ? "file" : "device")
                        + ", " + d.realPath() + ")");
            }
            if (d.fsUuid() != null) {
                Path twin = byUuid.putIfAbsent(d.fsUuid(), p);
                if (twin != null) {
                    throw new PoolException(PoolException.Reason.DUPLICATE_VOLUME, "devices " + twin + " and " + p
                            + " both hold famfs volume " + d.fsUuid() + " (a copied image?); kill one of them");
                }
            }
            found.add(d);
        }
        return new DevicePool(found, opts);
    }

    /**
     * What makes two paths one device: the same inode for files (a hard link, a bind
     * mount), the same device number for device nodes (two /dev nodes of one dax device),
     * else the path with symlinks resolved.
     */
    private static Object identity(Path real) {
        try {
            if (Files.isRegularFile(real)) {
                Object key = Files.readAttributes(real, BasicFileAttributes.class).fileKey();
                if (key != null) {
                    return key;
                }
            } else if (Files.exists(real)) {
                Object rdev = Files.getAttribute(real, "unix:rdev");
                if (rdev instanceof Long r && r != 0) {
                    return "rdev:" + r;
                }
            }
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            // no inode or device number here: the resolved path is all there is
        }
        return real;
    }

    /** What one device holds now. */
    public static PoolDevice inspect(Path path, OpenOptions opts) {
        Path real;
        try {
            real = path.toRealPath();
        } catch (NoSuchFileException e) {
            throw new FamfsException(ErrorKind.NOT_FOUND, "device " + path + " does not exist");
        } catch (IOException e) {
            throw new FamfsException(ErrorKind.IO, "cannot resolve device " + path + ": " + e.getMessage(), e);
        }
        try (MemoryDevice d = MemoryDevice.open(path, false, opts.coherence())) {
            d.invalidate(0, Math.min(d.size(), Superblock.SIZE));
            if (d.size() < Superblock.SIZE || !Superblock.hasMagic(d.window(0, 8))) {
                refuseForeign(d, path);
                return new PoolDevice(path, real, d.size(), PoolDevice.State.BLANK, null);
            }
            try {
                Superblock sb = Superblock.decode(d.window(0, Superblock.SIZE), opts.version());
                return new PoolDevice(path, real, d.size(), PoolDevice.State.FAMFS, sb);
            } catch (FamfsException e) {
                throw new PoolException(PoolException.Reason.DAMAGED_DEVICE, "device " + path
                        + " has a famfs magic but its superblock does not decode (" + e.getMessage()
                        + "); the pool never reuses it silently: check it with fsck, or kill it with mkfs -k");
            }
        }
    }

    /**
     * A device without the famfs magic is free only if it holds nothing: zeros, a killed
     * famfs volume (mkfs -k), or a format of ours that stopped after zeroing the magic
     * (non-zero bytes only inside the old superblock). Anything else (a file system, an
     * image, a mistyped path to data) is refused, never formatted: mkfs without -f refuses
     * the same ({@code Mkfs.foreignContent}).
     */
    private static void refuseForeign(MemoryDevice d, Path path) {
        d.invalidate(0, Math.min(d.size(), Mkfs.CHECKED_PREFIX));
        String foreign = Mkfs.foreignContent(d);
        if (foreign == null || interruptedFormat(d)) {
            return;
        }
        throw new PoolException(PoolException.Reason.FOREIGN_DEVICE, "device " + path + " holds " + foreign
                + ", not a famfs volume or a blank device; a pool never overwrites it (zero its first 64 KiB if it is "
                + "yours to reuse)");
    }

    /** Magic zero and nothing but the remains of a superblock in the checked prefix. */
    private static boolean interruptedFormat(MemoryDevice d) {
        if (d.size() < Superblock.SIZE || d.getLong(0) != 0) {
            return false;
        }
        int n = (int) Math.min(d.size(), Mkfs.CHECKED_PREFIX);
        java.nio.ByteBuffer b = d.window(0, n);
        for (int i = Superblock.SIZE; i < n; i++) {
            if (b.get(i) != 0) {
                return false;
            }
        }
        return true;
    }

    public List<PoolDevice> devices() {
        return devices;
    }

    public OpenOptions options() {
        return opts;
    }

    /** The device that holds famfs volume {@code fsUuid}, if any. */
    public Optional<PoolDevice> byFsUuid(UUID fsUuid) {
        return devices.stream().filter(d -> fsUuid.equals(d.fsUuid())).findFirst();
    }

    /** The same devices scanned again (after a format, or to see what another process did). */
    public DevicePool rescan() {
        return scan(devices.stream().map(PoolDevice::path).toList(), opts);
    }

    /**
     * Formats {@code device} as a new, empty famfs volume with a new UUID. Refuses with
     * {@link PoolException.Reason#DEVICE_CHANGED} when the device no longer holds what
     * {@code device} says (blank, or the volume with that UUID): the caller decided it was
     * free from that state, and any other state may be somebody's live epoch.
     *
     * <p>Ends with a full fence: every store the caller makes into the new volume comes
     * after the new superblock (and so after the old UUID is gone) in this thread's order,
     * which is what a reader's epoch check relies on.
     *
     * @param o the pool's format options (log length, version, master identity); {@code
     *          force} is set here, since the caller has decided the old volume is dead
     */
    public Superblock format(PoolDevice device, Mkfs.Options o) {
        PoolDevice now = inspect(device.path(), opts);
        if (!Objects.equals(now.fsUuid(), device.fsUuid())) {
            throw new PoolException(PoolException.Reason.DEVICE_CHANGED, "device " + device.path() + " changed since "
                    + "it was chosen: it held " + (device.isBlank() ? "nothing" : "volume " + device.fsUuid())
                    + ", now " + (now.isBlank() ? "nothing" : "volume " + now.fsUuid()) + "; not formatting it");
        }
        UUID fresh;
        do {
            fresh = o.fsUuid() != null ? o.fsUuid() : UUID.randomUUID();
        } while (fresh.equals(device.fsUuid()) && o.fsUuid() == null);
        if (fresh.equals(device.fsUuid())) {
            throw new FamfsException(ErrorKind.INVALID_ARGUMENT, "a reformatted volume needs a new UUID, got the old one "
                    + fresh);
        }
        Superblock sb = Mkfs.format(device.path(), o.withForce(true).withIdentity(fresh, o.devUuid(), o.deviceName()));
        VarHandle.fullFence();
        return sb;
    }

    /** Opens a scanned device's volume in this host's role (master or client), as {@link Famfs#open} does. */
    public io.famfsrocks.famfs.fs.FamfsVolume open(PoolDevice device) {
        if (device.isBlank()) {
            throw new FamfsException(ErrorKind.NOT_FAMFS, "device " + device.path() + " is blank");
        }
        var v = Famfs.open(device.path(), opts);
        if (!v.superblock().fsUuid().equals(device.fsUuid())) {
            UUID found = v.superblock().fsUuid();
            v.close();
            throw new PoolException(PoolException.Reason.DEVICE_CHANGED, "device " + device.path() + " now holds volume "
                    + found + ", not " + device.fsUuid());
        }
        return v;
    }
}
