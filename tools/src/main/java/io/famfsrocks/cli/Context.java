package io.famfsrocks.cli;

import java.nio.file.Path;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * What the commands need from the world outside the engine: the mount table, the
 * mount seam, {@code $FAMFS_DEVICE} and the umask. Tests substitute them; {@link #system()} is the real thing. Immutable.
 */
public record Context(Supplier<MountTable> mounts, Mounter mounter, String defaultDevice, IntSupplier umask) {
    public static Context system() {
        return new Context(MountTable::read, Mounter.fuse(), System.getenv(DeviceOption.ENV), Umask::current);
    }

    public Context(Supplier<MountTable> mounts, Mounter mounter, String defaultDevice) {
        this(mounts, mounter, defaultDevice, Umask::current);
    }

    /** The umask creat and cp apply to their mode, as the reference does. */
    public Context withUmask(int mask) {
        return new Context(mounts, mounter, defaultDevice, () -> mask);
    }

    public Context withMounts(Supplier<MountTable> m) {
        return new Context(m, mounter, defaultDevice, umask);
    }

    public Context withMounter(Mounter m) {
        return new Context(mounts, m, defaultDevice, umask);
    }

    /** The device for paths outside any mount ({@code $FAMFS_DEVICE}), or null. */
    public Context withDefaultDevice(String d) {
        return new Context(mounts, mounter, d, umask);
    }

    Path defaultDevicePath() {
        return defaultDevice == null || defaultDevice.isBlank() ? null : Path.of(defaultDevice);
    }
}
