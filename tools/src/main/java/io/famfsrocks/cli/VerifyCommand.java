package io.famfsrocks.cli;

import io.famfsrocks.famfs.fs.FamfsFile;
import io.famfsrocks.famfs.fs.FamfsVolume;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.ByteBuffer;

/** {@code verify}: check a file against the seeded pattern {@code creat -r -S} wrote. */
@Command(name = "verify", description = "Verify that FILE holds the pattern of 'creat -r -S SEED'.",
        footer = {"", "Exit code 1 (CHECK_FAILED) names the first offset that differs.", "", "Examples:",
                "  famfs-rocks verify -S 42 /mnt/famfs/rnd",
                "  famfs-rocks verify -S 42 --device /dev/shm/famfs0 rnd",
                "  famfs-rocks verify -S 42 -f /mnt/famfs/rnd     # the reference's spelling"})
public final class VerifyCommand extends Verb {
    @Option(names = {"-S", "--seed"}, required = true, paramLabel = "SEED", description = "The seed given to creat -r -S.")
    long seed;

    @Option(names = {"-q", "--quiet"}, description = "Print nothing on success.")
    boolean quiet;

    @Mixin
    DeviceOption deviceOption;

    @Option(names = {"-f", "--filename"}, paramLabel = "FILE", description = "The file, as the reference spells it.")
    String fileOption;

    @Parameters(index = "0", arity = "0..1", paramLabel = "FILE", description = "The file to check.")
    String file;

    @Override
    protected ExitCode run() {
        if ((file == null) == (fileOption == null)) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "name one FILE (or -f FILE)");
        }
        Target t = target(deviceOption, file != null ? file : fileOption);
        try (FamfsVolume v = openReadOnly(t.device())) {
            FamfsFile f = v.openFile(t.relative());
            f.invalidate();
            Pattern p = new Pattern(seed);
            ByteBuffer want = ByteBuffer.allocateDirect(1 << 20);
            ByteBuffer got = ByteBuffer.allocateDirect(1 << 20);
            long pos = 0;
            while (pos < f.size()) {
                int n = (int) Math.min(want.capacity(), f.size() - pos);
                want.clear().limit(n);
                p.fill(want);
                want.flip();
                got.clear().limit(n);
                f.read(pos, got);
                got.flip();
                int at = want.mismatch(got);
                if (at >= 0) {
                    throw new CliException(ExitCode.CHECK_FAILED, String.format(
                            "verify failed: %s differs at offset %d of %d bytes (seed %d)", t.display(), pos + at,
                            f.size(), seed));
                }
                pos += n;
            }
            if (!quiet) {
                out().printf("Success: verified %d bytes in file %s%n", f.size(), t.display());
            }
        }
        return ExitCode.OK;
    }
}
