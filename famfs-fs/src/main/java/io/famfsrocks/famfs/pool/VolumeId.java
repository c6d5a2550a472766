package io.famfsrocks.famfs.pool;

import io.famfsrocks.famfs.fs.FamfsVolume;

import java.util.UUID;

/**
 * The name every host shares for an open volume: its famfs UUID, and a description for
 * messages (this host's device path with it), without the caller handling the superblock
 * or the device. Stateless.
 */
public final class VolumeId {
    private VolumeId() {}

    public static UUID of(FamfsVolume volume) {
        return volume.superblock().fsUuid();
    }

    /** "/dev/shm/a (volume 1234...)": this host's path and the shared name. */
    public static String describe(FamfsVolume volume) {
        return volume.device().path() + " (volume " + of(volume) + ")";
    }
}
