package io.famfsrocks.cli;

import io.famfsrocks.famfs.fs.OpenOptions;

import java.nio.file.Path;

/**
 * The seam between the {@code mount} verb and the FUSE adapter
 * ({@code io.famfsrocks.famfs.fuse.FamfsMount}). The adapter mounts with
 * {@code fsname=famfs:<device path>} so that {@link MountTable} finds the device of any
 * path inside the mount. Tests substitute a fake.
 */
public interface Mounter {
    /**
     * Mounts {@code device} at {@code mountPoint}. In the foreground, serves until the mount
     * ends; otherwise returns once the mount table shows the mount.
     */
    void mount(Path device, Path mountPoint, boolean foreground, boolean readOnly, OpenOptions opts);

    /** The real thing: {@link FuseMounter} over {@code FamfsMount}. */
    static Mounter fuse() {
        return new FuseMounter(MountTable::read);
    }
}
