package io.famfsrocks.cli;

import io.famfsrocks.famfs.fs.CreateOptions;
import io.famfsrocks.famfs.fs.MasterVolume;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.List;

/** {@code mkdir}: create directories (master only). */
@Command(name = "mkdir", description = "Create famfs directories (master only).",
        footer = {"", "Each directory takes one log slot for the life of the file system.", "", "Examples:",
                "  famfs-rocks mkdir /mnt/famfs/db",
                "  famfs-rocks mkdir -p -m 700 --device /dev/shm/famfs0 a/b/c"})
public final class MkdirCommand extends Verb {
    @Option(names = {"-p", "--parents"}, description = "Make missing parents; an existing directory is not an error.")
    boolean parents;

    @Mixin
    OwnerOptions owner;

    @Mixin
    DeviceOption deviceOption;

    @Parameters(arity = "1..*", paramLabel = "DIR", description = "Directories to create.")
    List<String> dirs;

    @Override
    protected ExitCode run() {
        Path device = null;
        MasterVolume v = null;
        try {
            for (String d : dirs) {
                Target t = target(deviceOption, d);
                if (v == null || !t.device().equals(device)) {
                    if (v != null) {
                        v.close();
                    }
                    device = t.device();
                    v = openMaster(device);
                }
                CreateOptions o = owner.apply(CreateOptions.dir());
                if (parents) {
                    v.mkdirs(t.relative(), o);
                } else {
                    v.mkdir(t.relative(), o);
                }
                if (verbose()) {
                    out().println("created directory " + t.display());
                }
            }
        } finally {
            if (v != null) {
                v.close();
            }
        }
        return ExitCode.OK;
    }
}
