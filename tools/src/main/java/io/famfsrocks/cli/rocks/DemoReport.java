package io.famfsrocks.cli.rocks;

import io.famfsrocks.cli.Sizes;
import io.famfsrocks.rocks.publish.PublisherMetrics;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The demo's table on stdout: what was loaded and shared, each host's check, the lookup rates
 * against the baseline, memory (private copies, famfs, each host's RSS and page cache) and
 * each replica's lag. Text only: it measures nothing. Immutable, so thread-safe; the figures
 * it is handed must not change while it prints.
 */
final class DemoReport {
    /**
     * The pool's figures: rotations the publisher completed, the most famfs space in use
     * across the pool at any moment against the pool's size, and the answers that differed
     * from the model (full checks after the load and, with {@code --soak}, during it).
     */
    record Epochs(long rotated, long peakBytes, long capacity, long wrong, String soak) {}


    private final Path dev;
    private final long size;
    private final int keys;
    private final int rounds;
    private final int benchOps;

    DemoReport(Path dev, long size, int keys, int rounds, int benchOps) {
        this.dev = dev;
        this.size = size;
        this.keys = keys;
        this.rounds = rounds;
        this.benchOps = benchOps;
    }

    /** Prints the table after {@code secs} seconds of demo, for the last {@code version} at {@code counter} writes. */
    void print(PrintWriter o, double secs, long version, long counter, DemoMemory mem, List<DemoHostFigures> replicas,
               DemoHostFigures baseline, Epochs epochs) {
        PublisherMetrics m = mem.publisher();
        o.println();
        o.printf(Locale.ROOT, "famfs-rocks demo: a primary and two replica hosts on a pool of two devices, %s and "
                + "%s.2 (%s each), %.0f s%n", dev, dev.getFileName(), Sizes.human(size), secs);
        row(o, "keys loaded", String.format(Locale.ROOT, "%,d (%,d writes, last version %d)", keys, counter, version));
        row(o, "SSTs shared (live)", String.format(Locale.ROOT, "%d SSTs, %s", mem.liveSsts(),
                Sizes.human(mem.liveBytes())));
        row(o, "SSTs copied in total", String.format(Locale.ROOT, "%d SSTs, %s (%d created and gone unpublished)",
                m.sstsCopied(), Sizes.human(m.bytesCopied()), m.sstsSkipped()));
        for (DemoHostFigures r : replicas) {
            row(o, "replica " + r.host.name(), r.checked.startsWith("CHECKED")
                    ? String.format(Locale.ROOT, "all %,d keys match the model (full scan)", keys) : "CHECK FAILED");
        }
        lookups(o, replicas, baseline);
        memory(o, mem, replicas, baseline);
        for (DemoHostFigures r : replicas) {
            row(o, "lag, replica " + r.host.name(), DemoLag.lagLine(r.lagNanos)
                    + " (write flushed on the primary -> returned by the replica)");
        }
        row(o, "epochs rotated", Long.toString(epochs.rotated()));
        row(o, "space peak", Sizes.human(epochs.peakBytes()) + " of " + Sizes.human(epochs.capacity()));
        row(o, "wrong answers", Long.toString(epochs.wrong()));
        if (epochs.soak() != null) {
            row(o, "soak", epochs.soak());
        }
        if (replicas.get(0).writeNanos != null) {
            row(o, "write visible", DemoLag.lagLine(DemoLag.allWrites(replicas))
                    + " (10 writes/s, never flushed: put returned on the primary -> returned by each replica, WAL ring)");
        } else {
            row(o, "write visible", "not measured: WAL shipping does not run over a pool of devices yet (issue 14)");
        }
        o.flush();
    }

    private void lookups(PrintWriter o, List<DemoHostFigures> replicas, DemoHostFigures baseline) {
        double base = baseline.median();
        long checkedValues = 0;
        for (DemoHostFigures r : replicas) {
            checkedValues += (long) (rounds + 1) * (benchOps / rounds);
            row(o, "lookups, replica " + r.host.name(), String.format(Locale.ROOT, "%s, %.2f of the baseline",
                    rates(r), r.median() / base));
        }
        checkedValues += (long) (rounds + 1) * (benchOps / rounds);
        row(o, "lookups, local baseline", rates(baseline) + ": read-only RocksDB of a tmpfs checkpoint, same options");
        row(o, "", String.format(Locale.ROOT, "(single-threaded random keys; all %,d values returned matched the model)",
                checkedValues));
    }

    private static void memory(PrintWriter o, DemoMemory mem, List<DemoHostFigures> replicas,
                               DemoHostFigures baseline) {
        PublisherMetrics m = mem.publisher();
        long liveBytes = mem.liveBytes();
        row(o, "memory, private copies", String.format(Locale.ROOT, "%s if each of the 2 replicas held its own copy "
                + "of the %s of live SSTs", Sizes.human(2 * liveBytes), Sizes.human(liveBytes)));
        row(o, "memory, famfs", String.format(Locale.ROOT, "one shared copy: %s of live SSTs in %s of SST space (%.2fx: "
                        + "%d SST files, obsolete ones never freed, whole %s units); all famfs files %s allocated "
                        + "(%s of data) of %s; %d log entries", Sizes.human(liveBytes), Sizes.human(mem.sstAllocated()),
                (double) mem.sstAllocated() / Math.max(1, liveBytes), mem.sstFiles(), Sizes.human(mem.allocUnit()),
                Sizes.human(mem.famfsAllocated()), Sizes.human(mem.famfsFiles()), Sizes.human(m.famfsCapacity()),
                m.logSlotsTotal() - m.logSlotsLeft()));
        for (DemoHostFigures r : replicas) {
            row(o, "memory, replica " + r.host.name(), rssText(r.rss) + String.format(Locale.ROOT,
                    "; its mount's page cache holds %s of the %d SST files (FUSE copies what it reads)",
                    human(r.pageCache), mem.sstFiles()));
        }
        row(o, "memory, baseline", rssText(baseline.rss));
    }

    private String rates(DemoHostFigures m) {
        double[] r = m.rates.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return String.format(Locale.ROOT, "%,.0f lookups/s (median of %d rounds of %,d; %,.0f-%,.0f)", m.median(),
                r.length, benchOps / rounds, r[0], r[r.length - 1]);
    }

    private static String rssText(long[] rss) {
        if (rss == null) {
            return "RSS unknown";
        }
        return String.format(Locale.ROOT, "RSS %s (anon %s, file %s, shmem %s)", human(rss[0]), human(rss[1]),
                human(rss[2]), human(rss[3]));
    }

    private static String human(long bytes) {
        return bytes < 0 ? "unknown" : Sizes.human(bytes);
    }

    private static void row(PrintWriter o, String name, String value) {
        o.printf("  %-24s %s%n", name, value);
    }
}
