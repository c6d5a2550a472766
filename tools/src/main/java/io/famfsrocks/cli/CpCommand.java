package io.famfsrocks.cli;

import io.famfsrocks.famfs.ErrorKind;
import io.famfsrocks.famfs.FamfsException;
import io.famfsrocks.famfs.fs.CreateOptions;
import io.famfsrocks.famfs.fs.MasterVolume;
import io.famfsrocks.famfs.fs.Node;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code cp}: copy host files (or trees, with {@code -r}) into famfs. Every destination
 * file is created with its source's size. On an error the copy goes on with the next
 * source, as cp does, and the first error's code is the exit code.
 */
@Command(name = "cp", description = "Copy files (and with -r, directories) into famfs (master only).",
        footer = {"", "Sources are host paths; DEST is a famfs path. With several sources DEST must",
                "be an existing directory. New files take the source's mode unless -m is given.",
                "Empty files are refused (famfs files have a fixed, non-zero size).", "", "Examples:",
                "  famfs-rocks cp big.sst /mnt/famfs/",
                "  famfs-rocks cp -r ./db --device /dev/shm/famfs0 /db",
                "  famfs-rocks cp -m 444 a b c /mnt/famfs/dir"})
public final class CpCommand extends Verb {
    /** Files at least this large get a progress bar when run from a terminal. */
    static final long PROGRESS_THRESHOLD = 64L << 20;

    @Option(names = {"-r", "-R", "--recursive"}, description = "Copy directories recursively.")
    boolean recursive;

    @Option(names = "--progress", negatable = true,
            description = "Show a progress bar on stderr for files of 64 MiB or more (default: when run from a terminal).")
    Boolean progress;

    @Mixin
    OwnerOptions owner;

    @Mixin
    DeviceOption deviceOption;

    // 1..* rather than 2..*: picocli would otherwise refuse options between the arguments
    @Parameters(arity = "1..*", paramLabel = "SRC... DEST", hideParamSyntax = true, description = "Host sources, then the famfs destination.")
    List<String> args;

    private final List<FamfsException> errors = new ArrayList<>();

    @Override
    protected ExitCode run() {
        if (args.size() < 2) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "cp needs at least one SRC and a DEST");
        }
        List<Path> sources = new ArrayList<>();
        for (String s : args.subList(0, args.size() - 1)) {
            sources.add(Path.of(s));
        }
        Target dest = target(deviceOption, args.get(args.size() - 1));
        try (MasterVolume v = openMaster(dest.device())) {
            Node d = v.lookup(dest.relative());
            boolean intoDir = d instanceof Node.Dir;
            boolean slash = args.get(args.size() - 1).endsWith("/");
            if ((sources.size() > 1 || slash) && !intoDir) {
                throw new FamfsException(d == null ? ErrorKind.NOT_FOUND : ErrorKind.NOT_A_DIRECTORY,
                        (slash ? "DEST ends with '/'" : "copying several sources") + " but is not an existing directory: "
                                + dest.display());
            }
            for (Path src : sources) {
                String to = intoDir ? join(dest.relative(), src.toAbsolutePath().normalize().getFileName().toString())
                        : dest.relative();
                copy(v, src, to, true);
            }
        }
        if (errors.size() == 1) {
            throw errors.get(0);
        }
        if (!errors.isEmpty()) {
            errors.forEach(e -> warn(e.getMessage()));
            throw new FamfsException(errors.get(0).kind(), "cp: " + errors.size() + " of the copies failed (see above)");
        }
        return ExitCode.OK;
    }

    /**
     * Copies {@code src}. Like GNU {@code cp -r}: symbolic links are followed only for a
     * source named on the command line without {@code -r}; inside a tree (and for any source
     * with {@code -r}) a link is not followed, and as famfs has no links it is reported and
     * not copied (a loop {@code sub/up -> ..} recursed until the names were too long, and a
     * link out of the tree copied files from elsewhere). FIFOs, sockets and devices are
     * refused instead of blocking on them.
     */
    private void copy(MasterVolume v, Path src, String to, boolean operand) {
        try {
            java.nio.file.attribute.BasicFileAttributes a = operand && !recursive
                    ? Files.readAttributes(src, java.nio.file.attribute.BasicFileAttributes.class)
                    : Files.readAttributes(src, java.nio.file.attribute.BasicFileAttributes.class,
                            java.nio.file.LinkOption.NOFOLLOW_LINKS);
            if (a.isSymbolicLink()) {
                throw new FamfsException(ErrorKind.NOT_PERMITTED, "not copying symbolic link " + src
                        + " (cp -r does not follow links, and famfs has none)");
            }
            if (a.isOther()) {
                throw new FamfsException(ErrorKind.NOT_PERMITTED, "not copying " + src
                        + ": not a regular file or directory (a FIFO, socket or device)");
            }
            if (a.isDirectory()) {
                if (!recursive) {
                    throw new FamfsException(ErrorKind.IS_A_DIRECTORY, "omitting directory " + src + " (use -r)");
                }
                Node n = v.lookup(to);
                if (n == null) {
                    v.mkdir(to, owner.apply(CreateOptions.dir(), mode(src, 0755)));
                } else if (!(n instanceof Node.Dir)) {
                    throw new FamfsException(ErrorKind.NOT_A_DIRECTORY, "not a directory: /" + to);
                }
                List<Path> children = new ArrayList<>();
                try (DirectoryStream<Path> ds = Files.newDirectoryStream(src)) {
                    ds.forEach(children::add);
                }
                children.sort(null);
                for (Path c : children) {
                    copy(v, c, join(to, c.getFileName().toString()), false);
                }
            } else {
                copyFile(v, src, to);
            }
        } catch (FamfsException e) {
            report(e);
        } catch (NoSuchFileException e) {
            report(new FamfsException(ErrorKind.NOT_FOUND, "no such file: " + src));
        } catch (IOException e) {
            report(new FamfsException(ErrorKind.IO, "cannot copy " + src + ": " + e.getMessage(), e));
        }
    }

    private void copyFile(MasterVolume v, Path src, String to) throws IOException {
        long size = Files.size(src);
        boolean show = progress != null ? progress : size >= PROGRESS_THRESHOLD && System.console() != null;
        try (Progress bar = new Progress(err(), src.getFileName().toString(), size, show && size > 0)) {
            v.copyIn(src, to, owner.apply(CreateOptions.file(), mode(src, 0644)), bar::advance);
        }
        if (verbose()) {
            out().printf("%s -> /%s (%d bytes)%n", src, to, size);
        }
    }

    private void report(FamfsException e) {
        errors.add(e);
    }

    private static int mode(Path src, int dflt) {
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(src);
            int m = 0;
            for (PosixFilePermission p : perms) {
                m |= 0400 >> p.ordinal();
            }
            return m;
        } catch (IOException | UnsupportedOperationException e) {
            return dflt;
        }
    }

    private static String join(String dir, String name) {
        return dir.isEmpty() ? name : dir + "/" + name;
    }
}
