package io.famfsrocks.cli;

import picocli.CommandLine.Option;

import java.nio.file.Path;

/**
 * {@code --device}: act on this device with volume-relative paths instead of a mount. The
 * order: {@code --device}, then a path inside a mounted famfs, then {@value #ENV}.
 */
public final class DeviceOption {
    /** Not a picocli default: a path inside a mount must win over the environment, never over the option. */
    public static final String ENV = "FAMFS_DEVICE";

    @Option(names = {"-D", "--device"}, paramLabel = "DEVICE",
            description = "famfs device (DAX device or file); paths are then relative to the volume root. "
                    + "Without it, a path inside a mounted famfs finds its device from the mount, "
                    + "and other paths use $FAMFS_DEVICE.")
    Path device;

    public Path device() {
        return device;
    }
}
