package io.famfsrocks.cli.rocks;

import io.famfsrocks.cli.CliException;
import io.famfsrocks.cli.ExitCode;
import io.famfsrocks.cli.MountTable;
import io.famfsrocks.rocks.replica.ReplicaConfig;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a replica verb finds its dataset: {@code --dataset}, and the device from
 * {@code --device}, else from the famfs mount named by {@code --mount}, else
 * {@code $FAMFS_DEVICE}. Without {@code --mount} the verb mounts the device itself
 * (read-only, at a temporary directory) and unmounts when done. {@code --device} given two
 * or more times names a pool: the replica opens the dataset's active epoch and follows its
 * rotations, mounting each epoch itself.
 */
public final class ReplicaOptions {
    @Option(names = "--dataset", required = true, paramLabel = "NAME", description = "The dataset to read.")
    String dataset;

    @Option(names = {"-D", "--device"}, paramLabel = "DEVICE",
            description = "famfs device (default: the device of --mount, else $FAMFS_DEVICE). Repeat it to name "
                    + "a pool of devices (this host's paths, in any order): the replica follows the dataset's epochs.")
    List<Path> devices = new ArrayList<>();

    @Option(names = "--mount", paramLabel = "MOUNTPOINT",
            description = "An existing famfs mount of the device to read the SSTs through "
                    + "(default: mount the device read-only for the duration of the command; not with a pool).")
    Path mount;

    @Option(names = "--replica-slot", paramLabel = "N",
            description = "This host's ack slot in every epoch of a pool (default: derived from the host's system "
                    + "UUID, the first slot from hash(UUID) mod slots that no other host holds).")
    Integer slot;

    /** Whether the verb names a pool (two or more devices). */
    boolean isPool() {
        return devices.size() >= 2;
    }

    /** The pool's devices; USAGE with {@code --mount} (each epoch is mounted by the replica). */
    List<Path> pool() {
        if (mount != null) {
            throw new CliException(ExitCode.USAGE, "--mount names one volume's mount; a pool's replica mounts each "
                    + "epoch itself: drop --mount, or give one --device");
        }
        return List.copyOf(devices);
    }

    /** The replica settings with this host's slot, if one was given. */
    ReplicaConfig config(ReplicaConfig cfg) {
        if (slot == null) {
            return cfg;
        }
        if (slot < 0 || slot >= 1024) {
            throw new CliException(ExitCode.USAGE, "--replica-slot must be from 0 to 1023, got " + slot);
        }
        return cfg.withSlot(slot);
    }

    Path device(String envDefault) {
        if (!devices.isEmpty()) {
            return devices.get(0);
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
