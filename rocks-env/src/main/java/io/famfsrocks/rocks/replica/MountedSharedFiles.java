package io.famfsrocks.rocks.replica;

import io.famfsrocks.famfs.ErrorKind;
import io.famfsrocks.famfs.fs.FamfsVolume;
import io.famfsrocks.famfs.fs.Node;
import io.famfsrocks.rocks.BridgeException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Files seen through a mount of the volume (FUSE, or a kernel famfs mount): a famfs path
 * maps to {@code mountPoint/famfsPath}. A name that the mount does not show yet (its own
 * view of the log lags ours) is waited for briefly. Thread-safe.
 */
public final class MountedSharedFiles implements SharedFiles {
    private final Path mountPoint;
    private final FamfsVolume volume;
    private final long waitMs;

    /** @param volume used to know the size a file must have; may be null to skip the check */
    public MountedSharedFiles(Path mountPoint, FamfsVolume volume, long waitMs) {
        this.mountPoint = mountPoint;
        this.volume = volume;
        this.waitMs = waitMs;
    }

    @Override
    public Path pathOf(String famfsPath) {
        Path p = mountPoint.resolve(famfsPath);
        long expected = volume != null && volume.lookup(famfsPath) instanceof Node.File f ? f.size() : -1;
        long deadline = System.currentTimeMillis() + waitMs;
        while (true) {
            try {
                if (Files.exists(p) && (expected < 0 || Files.size(p) == expected)) {
                    return p;
                }
            } catch (IOException ignored) {
                // not visible yet
            }
            if (System.currentTimeMillis() > deadline) {
                throw new BridgeException(ErrorKind.NOT_FOUND, p + " is not visible through the mount "
                        + mountPoint + " after " + waitMs + " ms");
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BridgeException(ErrorKind.IO, "interrupted waiting for " + p);
            }
        }
    }

    @Override
    public String toString() {
        return "mount " + mountPoint;
    }
}
