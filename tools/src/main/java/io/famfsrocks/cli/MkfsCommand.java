package io.famfsrocks.cli;

import io.famfsrocks.famfs.ErrorKind;
import io.famfsrocks.famfs.FamfsException;
import io.famfsrocks.famfs.fs.Famfs;
import io.famfsrocks.famfs.fs.FormatInfo;
import io.famfsrocks.famfs.fs.VolumeInfo;
import io.famfsrocks.famfs.fs.Mkfs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;

/** {@code mkfs}: format a device (creating a sparse device file on request), or kill a volume. */
@Command(name = "mkfs", description = "Make a famfs file system on DEVICE (this host becomes its master).",
        footer = {"", "Examples:",
                "  famfs-rocks mkfs --size 4g              # sparse /dev/shm/famfs0, formatted",
                "  famfs-rocks mkfs -f -l 16m /dev/dax0.0  # reformat with a 16 MiB log",
                "  famfs-rocks mkfs -k -f /dev/shm/famfs0  # kill the superblock (master only)"})
public final class MkfsCommand extends Verb {
    static final Path DEFAULT_DEVICE = Path.of("/dev/shm/famfs0");

    @Option(names = {"-f", "--force"}, description = "Overwrite an existing famfs file system owned by this host.")
    boolean force;

    @Option(names = {"-k", "--kill"}, description = "Kill (invalidate) the existing superblock instead; needs -f.")
    boolean kill;

    @Option(names = {"-l", "--loglen"}, paramLabel = "LOGLEN", converter = Sizes.SizeConverter.class,
            description = "Log length: a power of two >= 8m (default 8m; one 544-byte slot per file or directory).")
    Long logLen;

    @Option(names = "--size", paramLabel = "SIZE", converter = Sizes.SizeConverter.class,
            description = "Create DEVICE as a sparse file of SIZE bytes (k/m/g/t) if it does not exist.")
    Long size;

    @Option(names = "--mode", paramLabel = "MODE", defaultValue = "0600",
            description = "File mode of a device file --size creates, octal (default 0600: only its owner can "
                    + "read the bytes of every famfs file).")
    String mode;

    @Parameters(index = "0", arity = "0..1", paramLabel = "DEVICE",
            description = "DAX device or file to format (default: ${DEFAULT-VALUE}).", defaultValue = "/dev/shm/famfs0")
    Path device;

    @Override
    protected ExitCode run() {
        context.mounts().get().ofDevice(device).ifPresent(m -> {
            throw new FamfsException(ErrorKind.BUSY, "cannot mkfs " + device + " while it is mounted on "
                    + m.mountPoint() + "; umount it first");
        });
        if (kill) {
            if (!force) {
                throw new CliException(ExitCode.USAGE, "-k (kill) also requires -f");
            }
            Mkfs.kill(device, systemUuid);
            out().println("famfs superblock killed on " + device);
            return ExitCode.OK;
        }
        long log = logLen != null ? logLen : FormatInfo.DEFAULT_LOG_LEN;
        boolean created = false;
        if (!Files.exists(device)) {
            if (size == null) {
                throw new FamfsException(ErrorKind.NOT_FOUND, "device " + device
                        + " does not exist; add --size SIZE to create it as a sparse file");
            }
            Famfs.createDeviceFile(device, size, permissions(mode));
            created = true;
        } else if (size != null && Files.isRegularFile(device) && sizeOf(device) != size) {
            throw new FamfsException(ErrorKind.EXISTS, "device file " + device + " exists with " + sizeOf(device)
                    + " bytes; --size applies only to a new file (delete it, or drop --size)");
        }
        VolumeInfo sb;
        try {
            sb = Mkfs.create(device, Mkfs.Options.defaults().withLogLen(log).withForce(force)
                    .withSystemUuid(systemUuid));
        } catch (RuntimeException e) {
            if (created) {
                deleteQuietly(device);
            }
            throw e;
        }
        if (sb.deviceSize() < FormatInfo.REFERENCE_MIN_DEVICE_SIZE) {
            warn("note: " + device + " is under 4 GiB; the reference famfs tools refuse such devices");
        }
        out().printf("famfs file system created on %s%s%n", device, created ? " (new sparse file)" : "");
        out().printf("  device size:  %d (%s)%n", sb.deviceSize(), Sizes.human(sb.deviceSize()));
        out().printf("  log length:   %d (%d entries)%n", sb.logLen(), FormatInfo.logSlots(sb.logLen()));
        out().printf("  fs uuid:      %s%n", sb.fsUuid());
        out().printf("  master uuid:  %s%n", sb.systemUuid());
        return ExitCode.OK;
    }

    /** An octal mode of read/write bits only (no execute, setuid, sticky): 0600, 0640, 0660, 0644. */
    static java.util.Set<java.nio.file.attribute.PosixFilePermission> permissions(String octal) {
        if (!octal.matches("0?[0-7]{3}")) {
            throw new CliException(ExitCode.USAGE, "--mode must be an octal mode such as 0600, got '" + octal + "'");
        }
        int m = Integer.parseInt(octal, 8);
        if ((m & 0111) != 0) {
            throw new CliException(ExitCode.USAGE, "--mode " + octal + ": a device file is never executable");
        }
        if ((m & 0600) != 0600) {
            throw new CliException(ExitCode.USAGE, "--mode " + octal + ": the owner needs read and write");
        }
        String rwx = "rwxrwxrwx";
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 9; i++) {
            b.append((m & (1 << (8 - i))) != 0 ? rwx.charAt(i) : '-');
        }
        return java.nio.file.attribute.PosixFilePermissions.fromString(b.toString());
    }

    private static long sizeOf(Path p) {
        try {
            return Files.size(p);
        } catch (java.io.IOException e) {
            return -1;
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (java.io.IOException ignored) {
            // best effort: the error that made us clean up is the one to report
        }
    }
}
