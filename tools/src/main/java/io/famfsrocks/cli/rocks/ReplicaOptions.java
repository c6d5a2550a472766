package io.famfsrocks.cli.rocks;

import io.famfsrocks.cli.CliException;
import io.famfsrocks.cli.ExitCode;
import io.famfsrocks.cli.MountTable;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/**
 * Where a replica verb finds its dataset: {@code --dataset}, and the device from
 * {@code --device}, else from the famfs mount named by {@code --mount}, else
 * {@code $FAMFS_DEVICE}. Without {@code --mount} the verb mounts the device itself
 * (read-only, at a temporary directory) and unmounts when done.
 */
public final class ReplicaOptions {
    @Option(names = "--dataset", required = true, paramLabel = "NAME", description = "The dataset to read.")
    String dataset;

    @Option(names = {"-D", "--device"}, paramLabel = "DEVICE",
            description = "famfs device (default: the device of --mount, else $FAMFS_DEVICE).")
    Path device;

    @Option(names = "--mount", paramLabel = "MOUNTPOINT",
            description = "An existing famfs mount of the device to read the SSTs through "
                    + "(default: mount the device read-only for the duration of the command).")
    Path mount;

    Path device(String envDefault) {
        if (device != null) {
            return device;
        }
        if (mount != null) {
            Path abs = mount.toAbsolutePath().normalize();
            return MountTable.read().mounts().stream().filter(m -> m.mountPoint().equals(abs)).findFirst()
                    .map(MountTable.Mount::device).orElseThrow(() -> new CliException(ExitCode.NOT_FAMFS,
                            mount + " is not a famfs mount point; pass --device DEVICE"));
        }
        if (envDefault != null && !envDefault.isBlank()) {
            return Path.of(envDefault);
        }
        throw new CliException(ExitCode.USAGE, "name the device: --device DEVICE, --mount MOUNTPOINT or $FAMFS_DEVICE");
    }
}
