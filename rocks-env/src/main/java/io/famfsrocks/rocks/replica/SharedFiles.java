package io.famfsrocks.rocks.replica;

import java.nio.file.Path;

/**
 * Where this host sees famfs files by path, for RocksDB (which can only open real paths).
 * Normally a FUSE mount of the volume ({@link MountedSharedFiles}). Implementations are
 * thread-safe.
 */
public interface SharedFiles {
    /**
     * The local path of the famfs file {@code famfsPath} (relative to the volume root),
     * ready to be opened: the file exists there with its full size.
     */
    Path pathOf(String famfsPath);
}
