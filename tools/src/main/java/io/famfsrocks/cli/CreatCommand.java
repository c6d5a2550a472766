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
                "  famfs-rocks creat -s 4g -N 4 -B 8 -C 2m /mnt/famfs/striped"})
public final class CreatCommand extends Verb {
    @Option(names = {"-s", "--size"}, required = true, paramLabel = "SIZE", converter = Sizes.SizeConverter.class,
            description = "File size in bytes (k/m/g/t suffixes).")
    long size;

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

    @Parameters(index = "0", paramLabel = "FILE", description = "The file to create.")
    String file;

    @Override
    protected ExitCode run() {
        if (seed != null && !randomize) {
            throw new CliException(ExitCode.USAGE, "seed (-S) without randomize (-r)");
        }
        if (file.endsWith("/")) {
            throw new FamfsException(ErrorKind.NOT_A_DIRECTORY, "cannot create file " + file
                    + ": a name ending in '/' is a directory");
        }
        Target t = target(deviceOption, file);
        CreateOptions opts = owner.apply(CreateOptions.file());
        if (interleave != null) {
            opts = opts.withInterleave(interleave.nbuckets, interleave.nstrips, interleave.chunk);
        }
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
