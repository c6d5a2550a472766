package io.famfsrocks.famfs.fuse;

import java.nio.file.Path;

/**
 * A FUSE library binding that serves a {@link FamfsFuseOps}: it translates the library's
 * callbacks and structs and nothing else. jnr-fuse (libfuse2) is {@link JnrFuseBinding};
 * a jfuse (libfuse3) binding would implement this beside it. Implementations serve one
 * mount once.
 */
public interface FuseBinding {
    /**
     * Mounts at {@code mountPoint} and serves requests on the library's threads until the
     * file system is unmounted; calls {@link FamfsFuseOps#init()} once the kernel has
     * accepted the mount.
     *
     * @throws RuntimeException when the library cannot mount
     */
    void serve(Path mountPoint, FamfsMount.Options options, String fsName);
}
