package io.famfsrocks.cli;

import picocli.CommandLine.Option;

import java.nio.file.Path;

/** {@code --device}: act on this device with volume-relative paths instead of a mount. */
public final class DeviceOption {
    @Option(names = {"-D", "--device"}, paramLabel = "DEVICE", defaultValue = "${env:FAMFS_DEVICE}",
            description = "famfs device (DAX device or file); paths are then relative to the volume root. "
                    + "Default: $FAMFS_DEVICE; without either, paths must be inside a mounted famfs.")
    Path device;

    public Path device() {
        return device;
    }
}
