package io.famfsrocks.famfs.pool;

import io.famfsrocks.famfs.format.Superblock;

import java.nio.file.Path;
import java.util.Objects;
import java.util.UUID;

/**
 * One device of a pool as a scan found it. The path is this host's name for it; the famfs
 * UUID of the volume on it ({@link #fsUuid()}) is the name every host shares, since the
 * same memory may be {@code /dev/dax0.0} here and {@code /dev/dax1.0} there.
 *
 * @param path       as given by the caller
 * @param realPath   the path with symlinks resolved (two entries naming one file are one device)
 * @param size       the device's size in bytes
 * @param superblock the decoded superblock, or null when the device is {@link State#BLANK}
 */
public record PoolDevice(Path path, Path realPath, long size, State state, Superblock superblock) {
    /** What a scan found on a device. */
    public enum State {
        /** No famfs magic: never formatted, killed, or a format that stopped before its last step. */
        BLANK,
        /** A valid famfs superblock. */
        FAMFS
    }

    public PoolDevice {
        Objects.requireNonNull(path);
        Objects.requireNonNull(realPath);
        Objects.requireNonNull(state);
        if ((state == State.FAMFS) != (superblock != null)) {
            throw new IllegalArgumentException("a FAMFS device has a superblock and a BLANK one has none");
        }
    }

    /** The famfs UUID of the volume on the device, or null when it is blank. */
    public UUID fsUuid() {
        return superblock == null ? null : superblock.fsUuid();
    }

    public boolean isBlank() {
        return state == State.BLANK;
    }

    @Override
    public String toString() {
        return path + (isBlank() ? " (blank)" : " (famfs " + fsUuid() + ")");
    }
}
