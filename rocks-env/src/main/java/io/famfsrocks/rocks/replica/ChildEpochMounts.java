package io.famfsrocks.rocks.replica;

import io.famfsrocks.famfs.fs.FamfsVolume;
import io.famfsrocks.famfs.fuse.ChildMount;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Each epoch's read-only FUSE mount served by a supervised child process ({@link
 * ChildMount}: a process never reads through a mount it serves itself), at a mount point
 * and with a log that {@link Places} makes; closing a mount stops its server, clears the
 * mount and deletes its mount point and log. Thread-safe.
 */
public final class ChildEpochMounts implements EpochMounts {
    /** Where a new mount goes: a fresh empty directory and a log file (the caller's naming, so it can sweep them). */
    public interface Places {
        Path newMountPoint() throws IOException;

        Path newLog() throws IOException;
    }

    private final String systemUuid;
    private final Places places;

    /** @param systemUuid the host identity for the mount servers (null: inherited from the environment) */
    public ChildEpochMounts(String systemUuid, Places places) {
        this.systemUuid = systemUuid;
        this.places = places;
    }

    @Override
    public Mounted mount(FamfsVolume volume, Runnable onRestart) {
        Path mp;
        Path log;
        try {
            mp = places.newMountPoint();
            log = places.newLog();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make a mount point for " + volume.devicePath(), e);
        }
        ChildMount m;
        try {
            m = ChildMount.start(volume.devicePath().toAbsolutePath(), mp, systemUuid, true, log, onRestart);
        } catch (RuntimeException e) {
            deleteQuietly(log);
            deleteQuietly(mp);
            throw e;
        }
        SharedFiles files = new MountedSharedFiles(m.mountPoint(), volume, 5_000);
        return new Mounted() {
            private boolean closed;

            @Override
            public SharedFiles files() {
                return files;
            }

            @Override
            public synchronized void close() {
                if (closed) {
                    return;
                }
                closed = true;
                m.close();
                deleteQuietly(log);
                deleteQuietly(mp);
            }

            @Override
            public String toString() {
                return m.toString();
            }
        };
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // a busy mount point is cleared by the next mount there; a leftover log is harmless
        }
    }
}
