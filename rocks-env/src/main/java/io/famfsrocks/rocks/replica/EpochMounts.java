package io.famfsrocks.rocks.replica;

import io.famfsrocks.famfs.fs.FamfsVolume;

/**
 * How a replica over a pool sees each epoch volume's files by path on this host: one mount
 * per epoch, made when the replica opens the epoch and closed (unmounted) when it releases
 * it. The tool's implementation mounts through a supervised FUSE server process ({@code
 * ChildMount}); this process never serves a mount it reads. Implementations are
 * thread-safe.
 */
public interface EpochMounts {
    /**
     * Mounts {@code volume} read-only.
     *
     * @param onRestart run when the mount had to be re-established (its server died and was
     *                  restarted): files opened through the old one are dead, the replica
     *                  reopens its instance on that epoch
     */
    Mounted mount(FamfsVolume volume, Runnable onRestart);

    /** One epoch's mount. {@link #close} unmounts; idempotent. */
    interface Mounted extends AutoCloseable {
        SharedFiles files();

        @Override
        void close();
    }
}
