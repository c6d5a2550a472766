package io.famfsrocks.cli;

import io.famfsrocks.famfs.fs.OpenOptions;

import java.nio.file.Path;

/**
 * The seam between the {@code mount} verb and the FUSE adapter
 * ({@code io.famfsrocks.famfs.fuse.FamfsMount}), which lives on another branch until it
 * is merged. The adapter must mount with {@code fsname=famfs:<absolute device path>} so
 * that {@link MountTable} can find the device of any path inside the mount.
 */
public interface Mounter {
    /**
     * Mounts {@code device} at {@code mountPoint}; returns when mounted (or, in the
     * foreground, when unmounted).
     */
    void mount(Path device, Path mountPoint, boolean foreground, boolean readOnly, OpenOptions opts);

    /** Until the FUSE adapter is merged: says so, with exit code UNSUPPORTED. */
    static Mounter fuseOrUnavailable() {
        return (device, mountPoint, foreground, readOnly, opts) -> {
            // TODO(issue 4): call FamfsMount.mount(volume, mountPoint, options) once the FUSE
            // adapter (io.famfsrocks.famfs.fuse) is on main.
            throw new CliException(ExitCode.UNSUPPORTED, "mount is not available in this build: the FUSE "
                    + "adapter is not merged yet; use --device DEVICE with the other verbs meanwhile");
        };
    }
}
