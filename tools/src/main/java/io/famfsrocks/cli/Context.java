package io.famfsrocks.cli;

import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * What the commands need from the world outside the engine: the mount table, the
 * mount seam and {@code $FAMFS_DEVICE}. Tests substitute both; {@link #system()} is the real thing. Immutable.
 */
public record Context(Supplier<MountTable> mounts, Mounter mounter, String defaultDevice) {
    public static Context system() {
        return new Context(MountTable::read, Mounter.fuse(), System.getenv(DeviceOption.ENV));
    }

    public Context withMounts(Supplier<MountTable> m) {
        return new Context(m, mounter, defaultDevice);
    }

    public Context withMounter(Mounter m) {
        return new Context(mounts, m, defaultDevice);
    }

    /** The device for paths outside any mount ({@code $FAMFS_DEVICE}), or null. */
    public Context withDefaultDevice(String d) {
        return new Context(mounts, mounter, d);
    }

    Path defaultDevicePath() {
        return defaultDevice == null || defaultDevice.isBlank() ? null : Path.of(defaultDevice);
    }
}
