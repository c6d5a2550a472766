package io.famfsrocks.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/** {@code umount}: {@code fusermount -u} on a famfs mount point. */
@Command(name = "umount", description = "Unmount the famfs mounted at MOUNTPOINT (fusermount -u).",
        footer = {"", "Examples:", "  famfs-rocks umount /mnt/famfs"})
public final class UmountCommand extends Verb {
    @Parameters(index = "0", paramLabel = "MOUNTPOINT", description = "Where a famfs is mounted.")
    Path mountPoint;

    @Override
    protected ExitCode run() throws IOException, InterruptedException {
        Path mp = Target.canonical(mountPoint);
        boolean famfs = context.mounts().get().mounts().stream().anyMatch(m -> m.mountPoint().equals(mp));
        if (!famfs) {
            throw new CliException(ExitCode.NOT_FAMFS, mp + " is not a famfs mount point");
        }
        Process p;
        try {
            p = new ProcessBuilder(List.of("fusermount", "-u", mp.toString())).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new CliException(ExitCode.IO, "cannot run fusermount (install fuse): " + e.getMessage());
        }
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        int rc = p.waitFor();
        if (rc != 0) {
            boolean busy = output.contains("busy");
            throw new CliException(busy ? ExitCode.BUSY : ExitCode.IO, "fusermount -u " + mp + " failed"
                    + (output.isEmpty() ? " (exit " + rc + ")" : ": " + output));
        }
        out().println("unmounted " + mp);
        return ExitCode.OK;
    }
}
