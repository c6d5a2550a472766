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
                "  famfs-rocks cp -m 444 a b c /mnt/famfs/dir",
                "  famfs-rocks cp -N 4 -B 8 big.sst /mnt/famfs/   # striped, as creat -N -B -C",
                "", "-m is masked by the umask, as in the reference. Copying onto an existing file",
                "with the same size and bytes succeeds and writes nothing."})
public final class CpCommand extends Verb {
    /** Files at least this large show their progress unless asked otherwise (smaller ones are quick). */
    static final long PROGRESS_THRESHOLD = 64L << 20;

    @Option(names = {"-r", "-R", "--recursive"}, description = "Copy directories recursively.")
    boolean recursive;

    @Option(names = "--progress", negatable = true,
            description = "Progress on stderr, for files of 64 MiB or more by default: a bar on a terminal, "
                    + "else a line a second; --progress shows it for every file.")
    Boolean progress;

    @Option(names = "--json", description = "For scripts: progress and the summary as JSON objects, one a line, on stdout.")
    boolean json;

    private long filesCopied;
    private long bytesCopied;
    private long filesSame;
    private final long started = System.nanoTime();

    @Mixin
    OwnerOptions owner;

    @picocli.CommandLine.ArgGroup(exclusive = false)
    CreatCommand.InterleaveOptions interleave;

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
        owner.maskMode(this); // as the reference: the umask applies to -m (the sources' modes are kept)
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
        if (json) {
            Progress p = new Progress(Progress.Mode.JSON, out(), err(), "cp", "cp", "copied", "files");
            java.util.Map<String, Object> e = p.event("done");
            e.put("files_copied", filesCopied);
            e.put("bytes_copied", bytesCopied);
            e.put("files_already_there", filesSame);
            e.put("failed", errors.size());
            e.put("seconds", Math.round((System.nanoTime() - started) / 1e6) / 1000.0);
            p.line(e);
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
        Progress.Mode mode = Progress.Mode.of(progress, json, size >= PROGRESS_THRESHOLD);
        if (v.lookup(to) instanceof Node.File f && f.size() == size && size > 0) {
            // The reference copies into an existing file of the right size; we never rewrite bytes
            // other hosts may be reading, but the same bytes are already there: success.
            if (!SameBytes.check(v.openFile(to), src)) {
                throw new FamfsException(ErrorKind.EXISTS, "/" + to + " exists with the same size but other bytes"
                        + " (famfs files are never rewritten)");
            }
            if (verbose() && !json) {
                out().printf("%s -> /%s: already there, same bytes%n", src, to);
            }
            filesSame++;
            return;
        }
        CreateOptions opts = owner.apply(CreateOptions.file(), mode(src, 0644));
        if (interleave != null) {
            opts = opts.withInterleave(interleave.nbuckets, interleave.nstrips, interleave.chunk);
        }
        try (Progress p = new Progress(size > 0 ? mode : Progress.Mode.OFF, out(), err(), "cp",
                src.getFileName().toString(), "copied", null).totals(0, size)) {
            long[] done = {0};
            v.copyIn(src, to, opts, n -> p.update(0, done[0] += n));
        }
        filesCopied++;
        bytesCopied += size;
        if (verbose() && !json) {
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
