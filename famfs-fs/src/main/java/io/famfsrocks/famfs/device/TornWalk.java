package io.famfsrocks.famfs.device;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Random;

/**
 * The torn-store walk over one operation on the cache model: for every step of the writer
 * (each store or fence, {@link NonCoherentModel#crashBefore}), the writer dies there on a
 * fresh copy of a base image, and then every subset of the lines it had stored and not
 * written back is put into memory in turn (all of them when there are at most
 * {@code torn.exhaustive} lines, default 8; else the empty and the full set and
 * {@code torn.samples} random ones, default 64; both properties multiply the walk for a
 * soak) and checked. The walk ends at the first step the operation never reaches.
 *
 * <p>What it covers: a crash between any two stores or fences of the writer, with any subset
 * of its unfenced lines in memory (each line as the cache held it at the crash). Not
 * covered: a line that reached memory early in an older state (an eviction in the middle of
 * a sequence of stores to it), and tearing inside a line (a line reaches memory whole).
 * A test tool (it lives beside the model it drives); not thread-safe.
 */
public final class TornWalk {
    /** The operation under test, run as the writer host ({@code model}) on the device at {@code device}. */
    @FunctionalInterface
    public interface Writer {
        /** Runs the operation; {@code progress} records how far it got (what it reported done). */
        void run(Path device, NonCoherentModel model, List<String> progress) throws Exception;
    }

    /** The check of what a crash left: {@code progress} is what the writer reported before it died. */
    @FunctionalInterface
    public interface Check {
        void check(Path device, List<String> progress, String where) throws Exception;
    }

    /** What a walk did. */
    public record Result(int steps, long subsets, int maxUnfenced) {
        @Override
        public String toString() {
            return steps + " crash points, " + subsets + " torn states checked, up to " + maxUnfenced
                    + " unfenced lines at once";
        }
    }

    private TornWalk() {
    }

    public static Result walk(Path base, Writer writer, Check check) throws Exception {
        int exhaustive = Integer.getInteger("torn.exhaustive", 8);
        int samples = Integer.getInteger("torn.samples", 64);
        Random random = new Random(Long.getLong("torn.seed", 1));
        Path work = base.resolveSibling(base.getFileName() + ".torn");
        long subsets = 0;
        int maxLines = 0;
        for (int step = 1; ; step++) {
            copy(base, work);
            try {
                NonCoherentModel model = new NonCoherentModel(step, 0);
                model.crashBefore(step);
                List<String> progress = new ArrayList<>();
                NonCoherentModel.Crash crash = null;
                try {
                    writer.run(work, model, progress);
                } catch (NonCoherentModel.Crash c) {
                    crash = c;
                }
                if (crash == null) {
                    return new Result(step - 1, subsets, maxLines);
                }
                int n = crash.unfenced().size();
                maxLines = Math.max(maxLines, n);
                for (BitSet reached : subsets(n, exhaustive, samples, random)) {
                    crash.leave(reached);
                    check.check(work, List.copyOf(progress), "crash before step " + step + " after " + progress
                            + ", " + reached.cardinality() + " of " + n + " unfenced lines " + reached + " reached memory");
                    subsets++;
                }
            } finally {
                Files.deleteIfExists(work);
            }
        }
    }

    private static List<BitSet> subsets(int n, int exhaustive, int samples, Random random) {
        List<BitSet> out = new ArrayList<>();
        if (n <= exhaustive) {
            for (long m = 0; m < (1L << n); m++) {
                out.add(BitSet.valueOf(new long[] {m}));
            }
            return out;
        }
        out.add(new BitSet());
        BitSet all = new BitSet();
        all.set(0, n);
        out.add(all);
        for (int i = 0; i < samples; i++) {
            BitSet b = new BitSet();
            for (int k = 0; k < n; k++) {
                if (random.nextBoolean()) {
                    b.set(k);
                }
            }
            out.add(b);
        }
        return out;
    }

    /** A copy of a device file for a check that writes (a new master carrying on); deleted by the caller. */
    public static Path copy(Path from, Path to) {
        try {
            return Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
