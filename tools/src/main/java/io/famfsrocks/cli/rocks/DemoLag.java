package io.famfsrocks.cli.rocks;

import io.famfsrocks.cli.CliException;
import io.famfsrocks.cli.ExitCode;
import org.rocksdb.RocksDBException;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.BooleanSupplier;

/**
 * The demo's lag phase and its figure: {@code samples} times a batch of 100 writes on the
 * primary, both replicas told to wait for its counter, then the flush; a sample runs from the
 * start of the flush to the moment the replica's lookup of the counter key returned it
 * ({@code System.nanoTime()} in the host: CLOCK_MONOTONIC on Linux, one clock for every
 * process). Compactions keep running: each sample flushes a tiny SST, and over the demo's
 * pool the space compactions make obsolete comes back at the next epoch rotation, while 200
 * uncompacted level-0 SSTs (a 2 MiB allocation unit each) would not fit one small device.
 * {@link #lagLine} turns the samples into the report's text. Stateless; the
 * figures it fills are not thread-safe (the demo's main thread runs it).
 */
final class DemoLag {
    /** Below this many samples a "p99" is only the largest few: the demo says "max" instead. */
    static final int LAG_P99_MIN_SAMPLES = 200;

    private DemoLag() {
    }

    /** Takes {@code samples} lag samples into each replica's {@code lagNanos}. */
    static void sample(DemoPrimary primary, List<DemoHostFigures> replicas, int samples, BooleanSupplier stopping)
            throws RocksDBException, InterruptedException {
        for (DemoHostFigures r : replicas) {
            r.lagNanos = new long[samples];
        }
        for (int i = 0; i < samples; i++) {
            if (stopping.getAsBoolean()) {
                throw DemoCommand.interrupted();
            }
            long c = primary.write(100);
            for (DemoHostFigures r : replicas) {
                r.host.send("await " + c);
            }
            long t0 = System.nanoTime();
            primary.flush();
            for (DemoHostFigures r : replicas) {
                String l = r.host.ask(null, 120);
                if (!l.startsWith("SEEN")) {
                    throw new CliException(ExitCode.CHECK_FAILED, "replica host " + r.host.name() + " did not return "
                            + "counter " + c + ": " + l);
                }
                r.lagNanos[i] = Long.parseLong(DemoHosts.field(l, "nanos")) - t0;
            }
        }
    }

    /**
     * The write-visible phase: {@code samples} single writes, one every {@code periodMs}, with
     * the WAL and never flushed; a sample runs from the primary's write returning to a
     * replica's lookup of the counter key returning it (through the WAL ring).
     */
    static void sampleWrites(DemoPrimary primary, List<DemoHostFigures> replicas, int samples, long periodMs,
                             BooleanSupplier stopping) throws RocksDBException, InterruptedException {
        for (DemoHostFigures r : replicas) {
            r.writeNanos = new long[samples];
        }
        try (org.rocksdb.WriteOptions logged = new org.rocksdb.WriteOptions()) {
            for (int i = 0; i < samples; i++) {
                if (stopping.getAsBoolean()) {
                    throw DemoCommand.interrupted();
                }
                long start = System.nanoTime();
                long c = primary.writeLogged(1, logged);
                long t0 = System.nanoTime();
                for (DemoHostFigures r : replicas) {
                    r.host.send("await " + c);
                }
                for (DemoHostFigures r : replicas) {
                    String l = r.host.ask(null, 120);
                    if (!l.startsWith("SEEN")) {
                        throw new CliException(ExitCode.CHECK_FAILED, "replica host " + r.host.name() + " did not return "
                                + "counter " + c + ": " + l);
                    }
                    r.writeNanos[i] = Long.parseLong(DemoHosts.field(l, "nanos")) - t0;
                }
                long left = periodMs * 1_000_000L - (System.nanoTime() - start);
                if (left > 0) {
                    Thread.sleep(left / 1_000_000L, (int) (left % 1_000_000L));
                }
            }
        }
    }

    /** Both replicas' write-visible samples together. */
    static long[] allWrites(List<DemoHostFigures> replicas) {
        return replicas.stream().flatMapToLong(r -> Arrays.stream(r.writeNanos)).toArray();
    }

    /** Nearest-rank percentile of sorted values. */
    static long percentile(long[] sorted, double q) {
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    /** "p50 X ms, p99 Y ms over N samples", with "max" instead of "p99" below {@link #LAG_P99_MIN_SAMPLES}. */
    static String lagLine(long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        String tail = s.length >= LAG_P99_MIN_SAMPLES
                ? String.format(Locale.ROOT, "p99 %.1f ms", percentile(s, 0.99) / 1e6)
                : String.format(Locale.ROOT, "max %.1f ms", s[s.length - 1] / 1e6);
        return String.format(Locale.ROOT, "p50 %.1f ms, %s over %d sample%s", percentile(s, 0.50) / 1e6, tail, s.length,
                s.length == 1 ? "" : "s");
    }
}
