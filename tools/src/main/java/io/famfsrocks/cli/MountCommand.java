package io.famfsrocks.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;

/** {@code mount}: serve a volume through FUSE (via the {@link Mounter} seam). */
@Command(name = "mount", description = "Mount the famfs on DEVICE at MOUNTPOINT (FUSE).",
        footer = {"", "The mount's fsname is famfs:<device>: that is how the other verbs find the",
                "device of a path inside the mount. Without -f, the FUSE server runs in a",
                "detached child process.", "", "Examples:",
                "  famfs-rocks mount /dev/shm/famfs0 /mnt/famfs",
                "  famfs-rocks mount -r /dev/shm/famfs0 /mnt/famfs  # read-only, even on master"})
public final class MountCommand extends Verb {
    @Option(names = {"-f", "--foreground"}, description = "Stay in the foreground until unmounted.")
    boolean foreground;

    @Option(names = {"-r", "--read-only"}, description = "Mount read-only.")
    boolean readOnly;

    @Parameters(index = "0", paramLabel = "DEVICE", description = "The famfs device.")
    Path device;

    @Parameters(index = "1", paramLabel = "MOUNTPOINT", description = "An existing empty directory.")
    Path mountPoint;

    @Override
    protected ExitCode run() {
        if (!Files.exists(device)) {
            throw new CliException(ExitCode.NOT_FOUND, "device " + device + " does not exist");
        }
        if (!Files.isDirectory(mountPoint)) {
            throw new CliException(ExitCode.NOT_FOUND, "mount point " + mountPoint + " is not a directory");
        }
        context.mounts().get().ofDevice(device).ifPresent(m -> {
            // A server killed with SIGKILL leaves its mount behind, answering ENOTCONN: clear it.
            if (io.famfsrocks.famfs.fuse.FamfsMount.clearIfStale(m.mountPoint())) {
                err().println(Main.NAME + ": cleared the stale mount of " + device + " on " + m.mountPoint()
                        + " (its server had died)");
                return;
            }
            throw new CliException(ExitCode.BUSY, device + " is already mounted on " + m.mountPoint());
        });
        Path dev = Target.canonical(device);
        Path mp = Target.canonical(mountPoint);
        context.mounter().mount(dev, mp, foreground, readOnly, openOptions());
        if (!foreground) {
            out().println("mounted " + dev + " on " + mp + (readOnly ? " (read-only)" : ""));
        }
        return ExitCode.OK;
    }
}
