package io.famfsrocks.cli;

import io.famfsrocks.famfs.ErrorKind;
import io.famfsrocks.famfs.FamfsException;
import io.famfsrocks.famfs.fs.CreateOptions;
import io.famfsrocks.famfs.fs.MasterVolume;
import io.famfsrocks.famfs.fs.Node;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.ByteBuffer;
import java.util.concurrent.ThreadLocalRandom;

/** {@code creat}: create a file of a fixed size, optionally filled with a seeded pattern. */
@Command(name = "creat", description = "Create a famfs file of exactly SIZE bytes (master only).",
        footer = {"", "famfs files never grow: the size is fixed here. Re-creating an existing file",
                "of the same size succeeds and changes nothing; -r refills it only with",
                "--overwrite, and never a file without write bits (dataset files are 0444).", "",
                "Examples:",
                "  famfs-rocks creat -s 64m /mnt/famfs/data",
                "  famfs-rocks creat -s 1g -m 600 -u 1000 -g 1000 -D /dev/shm/famfs0 /data/a",
                "  famfs-rocks creat -s 256m -r -S 42 /mnt/famfs/rnd   # check: verify -S 42",
                "  famfs-rocks creat -s 4g -N 4 -B 8 -C 2m /mnt/famfs/striped",
                "  famfs-rocks creat -M /mnt/famfs/a,1m -M /mnt/famfs/b,2m,42  # b: seed 42",
                "", "The umask applies to the mode (-m and the 0644 default), as in the reference."})
public final class CreatCommand extends Verb {
    @Option(names = {"-s", "--size"}, paramLabel = "SIZE", converter = Sizes.SizeConverter.class,
            description = "File size in bytes (k/m/g/t suffixes); required without -M.")
    Long size;

    @Option(names = {"-M", "--multi"}, paramLabel = "FILE,SIZE[,SEED]",
            description = "Create several files in one call (repeat -M); a SEED fills that file as -r -S would.")
    java.util.List<String> multi;

    @Mixin
    OwnerOptions owner;

    @ArgGroup(exclusive = false)
    InterleaveOptions interleave;

    @Option(names = {"-r", "--randomize"}, description = "Fill the file with the seeded pattern that verify -S checks.")
    boolean randomize;

    @Option(names = "--overwrite", description = "With -r on an existing file: rewrite its bytes (never a file without write bits).")
    boolean overwrite;

    @Option(names = {"-S", "--seed"}, paramLabel = "SEED", description = "Seed for -r (default: random, printed).")
    Long seed;

    @Mixin
    DeviceOption deviceOption;

    @Parameters(index = "0", arity = "0..1", paramLabel = "FILE", description = "The file to create (not with -M).")
    String file;

    @Override
    protected ExitCode run() {
        if (seed != null && !randomize) {
            throw new CliException(ExitCode.USAGE, "seed (-S) without randomize (-r)");
        }
        CreateOptions opts = options();
        if (multi != null) {
            return runMulti(opts);
        }
        if (file == null || size == null) {
            throw new CliException(ExitCode.USAGE, file == null ? "missing FILE (or -M FILE,SIZE[,SEED])"
                    : "missing -s SIZE");
        }
        refuseDirectoryName(file);
        long size = this.size;
        Target t = target(deviceOption, file);
        try (MasterVolume v = openMaster(t.device())) {
            Node existing = v.lookup(t.relative());
            if (existing instanceof Node.File f) {
                if (f.size() != size) {
                    throw new FamfsException(ErrorKind.EXISTS, "file " + t.display() + " exists with size "
                            + f.size() + ", not " + size + " (famfs files cannot be resized)");
                }
                if (randomize && (f.mode() & 0222) == 0) {
                    throw new FamfsException(ErrorKind.NOT_PERMITTED, "file " + t.display() + " has no write bits (mode "
                            + String.format("%04o", f.mode()) + "); its bytes are never rewritten (a dataset's files are 0444)");
                }
                if (randomize && !overwrite) {
                    throw new FamfsException(ErrorKind.EXISTS, "file " + t.display() + " exists; -r would rewrite its "
                            + "bytes: add --overwrite to do so");
                }
            } else if (existing != null) {
                throw new FamfsException(ErrorKind.EXISTS, "a directory exists at " + t.display());
            } else {
                v.create(t.relative(), size, opts);
                out().printf("created %s (%d bytes)%n", t.display(), size);
            }
            if (randomize) {
                long s = seed != null ? seed : ThreadLocalRandom.current().nextInt(1, Integer.MAX_VALUE);
                fill(v.openWritable(t.relative()), s);
                out().printf("randomized %d bytes: %s (seed %d)%n", size, t.display(), s);
            }
        }
        return ExitCode.OK;
    }

    /** Mode, owner and layout; the umask applies to the mode (default 0644 included), as in the reference. */
    private CreateOptions options() {
        int mask = owner.maskMode(this);
        CreateOptions opts = owner.apply(CreateOptions.file(), 0644 & ~mask);
        if (interleave != null) {
            opts = opts.withInterleave(interleave.nbuckets, interleave.nstrips, interleave.chunk);
        }
        return opts;
    }

    /** One file of {@code -M}: its path, size and seed (0: not filled). */
    private record Multi(String path, long size, long seed) {
        static Multi parse(String arg) {
            String[] p = arg.split(",", -1);
            if (p.length < 2 || p.length > 3 || p[0].isEmpty()) {
                throw new CliException(ExitCode.USAGE, "bad -M '" + arg + "': expected FILE,SIZE[,SEED]");
            }
            try {
                long size = Sizes.parse(p[1]);
                return new Multi(p[0], size, p.length == 3 ? Long.decode(p[2].trim()) : 0);
            } catch (IllegalArgumentException e) {
                throw new CliException(ExitCode.USAGE, "bad -M '" + arg + "': " + e.getMessage());
            }
        }
    }

    /**
     * {@code -M}: create each file in order, going on past a failure, then fill those given
     * a seed; the reference's summary lines. Exits with the first failure's code.
     */
    private ExitCode runMulti(CreateOptions opts) {
        if (file != null || seed != null || size != null) {
            throw new CliException(ExitCode.USAGE, "-M takes each file's name, size and seed: not with FILE, -s or -S");
        }
        java.util.List<Multi> files = new java.util.ArrayList<>();
        for (String m : multi) {
            files.add(Multi.parse(m));
        }
        java.util.List<FamfsException> errors = new java.util.ArrayList<>();
        int created = 0;
        java.util.List<Multi> ok = new java.util.ArrayList<>();
        for (Multi m : files) {
            Target t = target(deviceOption, m.path());
            try (MasterVolume v = openMaster(t.device())) {
                refuseDirectoryName(m.path());
                Node existing = v.lookup(t.relative());
                if (existing instanceof Node.File f && f.size() == m.size()) {
                    ok.add(m); // as the reference: re-creating a file of the same size is a no-op
                    continue;
                } else if (existing != null) {
                    throw new FamfsException(ErrorKind.EXISTS, t.display() + " exists" + (existing instanceof Node.File f
                            ? " with size " + f.size() + ", not " + m.size() : " and is a directory"));
                }
                v.create(t.relative(), m.size(), opts);
                out().printf("created %s (%d bytes)%n", t.display(), m.size());
                created++;
                ok.add(m);
            } catch (FamfsException e) {
                errors.add(e);
            }
        }
        out().printf("Create complete for %d of %d files with %d errs%n", created, files.size(), errors.size());
        if (errors.isEmpty()) {
            int filled = 0;
            for (Multi m : ok) {
                if (m.seed() != 0) {
                    Target t = target(deviceOption, m.path());
                    try (MasterVolume v = openMaster(t.device())) {
                        fill(v.openWritable(t.relative()), m.seed());
                        out().printf("randomized %d bytes: %s (seed %d)%n", m.size(), t.display(), m.seed());
                        filled++;
                    }
                }
            }
            out().printf("Randomize complete for %d of %d files with 0 errs%n", filled, files.size());
        }
        out().flush();
        if (errors.size() == 1) {
            throw errors.get(0);
        }
        if (!errors.isEmpty()) {
            errors.forEach(e -> warn(e.getMessage()));
            throw new FamfsException(errors.get(0).kind(), "creat: " + errors.size() + " of " + files.size()
                    + " files failed (see above)");
        }
        return ExitCode.OK;
    }

    private static void refuseDirectoryName(String name) {
        if (name.endsWith("/")) {
            throw new FamfsException(ErrorKind.NOT_A_DIRECTORY, "cannot create file " + name
                    + ": a name ending in '/' is a directory");
        }
    }

    private static void fill(MasterVolume.WritableFile w, long seed) {
        Pattern p = new Pattern(seed);
        ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
        long pos = 0;
        while (pos < w.size()) {
            buf.clear();
            buf.limit((int) Math.min(buf.capacity(), w.size() - pos));
            p.fill(buf);
            buf.flip();
            w.write(pos, buf);
            pos += buf.limit();
        }
        w.flush();
    }

    /** {@code -N -B -C}: interleave (stripe) the file across buckets of the device. */
    static final class InterleaveOptions {
        @Option(names = {"-N", "--nstrips"}, required = true, paramLabel = "NSTRIPS",
                description = "Strips per file (1..16); needs -B.")
        int nstrips;

        @Option(names = {"-B", "--nbuckets"}, required = true, paramLabel = "NBUCKETS",
                description = "Buckets the device is cut into (NSTRIPS..64, each >= 1 GiB).")
        int nbuckets;

        @Option(names = {"-C", "--chunksize"}, paramLabel = "CHUNK", converter = Sizes.SizeConverter.class,
                defaultValue = "2m", description = "Chunk size: a power of two, multiple of 2m (default ${DEFAULT-VALUE}).")
        long chunk;
    }
}
