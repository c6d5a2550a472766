package io.famfsrocks.cli.rocks;

import io.famfsrocks.cli.CliException;
import io.famfsrocks.cli.ExitCode;
import io.famfsrocks.cli.MountTable;
import io.famfsrocks.cli.Sizes;
import io.famfsrocks.cli.Verb;
import io.famfsrocks.famfs.device.MemoryDevice;
import io.famfsrocks.famfs.fs.Famfs;
import io.famfsrocks.famfs.fs.MasterVolume;
import io.famfsrocks.famfs.fs.Mkfs;
import io.famfsrocks.famfs.fs.Namespace;
import io.famfsrocks.famfs.fs.Node;
import io.famfsrocks.rocks.journal.DatasetPaths;
import io.famfsrocks.famfs.fs.OpenOptions;
import io.famfsrocks.rocks.publish.FamfsPublisher;
import io.famfsrocks.rocks.publish.PublisherConfig;
import io.famfsrocks.rocks.publish.PublisherMetrics;
import io.famfsrocks.rocks.tools.WorkloadModel;
import org.rocksdb.Checkpoint;
import org.rocksdb.FlushOptions;
import org.rocksdb.LiveFileMetaData;
import org.rocksdb.MutableColumnFamilyOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * {@code demo}: the whole system on one machine. A sparse device under /dev/shm, a primary
 * RocksDB publishing into famfs while it loads keys with compactions running, and two
 * replica hosts (child JVMs with their own system UUIDs and FUSE mounts) that follow it.
 * Then it measures what it prints:
 * <ul>
 * <li>every key of both replicas against the deterministic workload model (a full scan);</li>
 * <li>lookups on each replica and on a baseline host (a read-only RocksDB of a local
 *     checkpoint of the same SSTs, same options, a JVM with the same flags), all warmed the
 *     same way (the full scan, then one unmeasured round), then measured one host at a time
 *     in rounds whose order rotates; the median round is reported, and every value looked
 *     up is compared with the model (a wrong one fails the demo);</li>
 * <li>memory: the private copies the replicas would hold against what famfs holds, each
 *     host's RSS ({@code /proc/PID/status}) and the page cache each replica's mount holds
 *     for the SST files ({@code fincore} through the mount, run by the demo, not by the host
 *     serving it);</li>
 * <li>lag: a write on the primary, flushed, until each replica returns it, over
 *     {@code --lag-samples} writes (compactions paused meanwhile, so that the samples do
 *     not fill the device with compaction output).</li>
 * </ul>
 * Prints a table; removes everything it made (children, mounts, work files, the device) on
 * success, failure or interrupt.
 */
@Command(name = "demo", description = "Run a primary and two replica hosts sharing one famfs device, and report.",
        footer = {"", "Needs FUSE (libfuse2, /dev/fuse), fincore (util-linux) and about 1 GiB of /dev/shm "
                + "(2,000,000 keys).", "",
                "Examples:", "  famfs-rocks demo", "  famfs-rocks demo --keys 200000          # a quick run",
                "  famfs-rocks demo --device /dev/shm/mydemo --size 8g"})
public final class DemoCommand extends Verb {
    private static final String DATASET = "demo";
    /** Below this many samples a "p99" is only the largest few: the demo says "max" instead. */
    static final int LAG_P99_MIN_SAMPLES = 200;

    @Option(names = {"-D", "--device"}, paramLabel = "DEVICE", defaultValue = "/dev/shm/famfs-demo",
            description = "Device file to create (default /dev/shm/famfs-demo); replaced if a previous demo left it.")
    Path device;

    @Option(names = "--size", paramLabel = "SIZE", defaultValue = "4g", converter = Sizes.SizeConverter.class,
            description = "Device size (sparse; default 4g).")
    long size;

    @Option(names = "--keys", paramLabel = "N", defaultValue = "2000000", description = "Keys to load (default 2000000).")
    int keys;

    @Option(names = "--bench-ops", paramLabel = "N", defaultValue = "300000",
            description = "Measured random lookups per host, over all rounds (default 300000).")
    int benchOps;

    @Option(names = "--rounds", paramLabel = "N", defaultValue = "5",
            description = "Measured lookup rounds per host, taken in turn (default 5; the median is reported).")
    int rounds;

    @Option(names = "--lag-samples", paramLabel = "N", defaultValue = "200",
            description = "Writes timed from flush to replica (default 200; below 200 the tail is reported as max).")
    int lagSamples;

    @Option(names = "--keep", description = "Keep the device file afterwards (replicas can then be opened by hand).")
    boolean keep;

    /** For DemoIT: the lookups are compared with the model this many writes back, so they must fail. */
    @Option(names = "--test-model-offset", hidden = true, defaultValue = "0")
    long testModelOffset;

    private final List<DemoHosts> hosts = new java.util.concurrent.CopyOnWriteArrayList<>();
    private Path dev;
    private Path work;
    private boolean cleaned;
    /** Set by the shutdown hook: the main thread stops loading and closes the DB before anything is deleted. */
    private volatile boolean stopping;
    private final java.util.concurrent.CountDownLatch finished = new java.util.concurrent.CountDownLatch(1);
    private final long start = System.nanoTime();
    private long allocUnit;

    @Override
    protected ExitCode run() throws Exception {
        if (keys < 1000) {
            throw new CliException(ExitCode.USAGE, "--keys must be at least 1000");
        }
        if (rounds < 1 || benchOps < rounds) {
            throw new CliException(ExitCode.USAGE, "--rounds must be at least 1 and --bench-ops at least --rounds");
        }
        if (lagSamples < 1) {
            throw new CliException(ExitCode.USAGE, "--lag-samples must be at least 1");
        }
        dev = device.toAbsolutePath().normalize();
        MountTable.read().ofDevice(dev).ifPresent(m -> {
            throw new CliException(ExitCode.BUSY, dev + " is mounted on " + m.mountPoint()
                    + " (another demo running?); unmount it or pass --device");
        });
        RocksDB.loadLibrary();
        Thread hook = new Thread(this::stop, "famfs-demo-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return demo();
        } catch (Exception e) {
            if (stopping) { // a host that was stopped, a wait that ended: all the signal's doing
                throw interrupted();
            }
            throw e;
        } finally {
            cleanUp();
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or has run
            }
        }
    }

    /** What one replica or baseline host measured. */
    private static final class Measured {
        final DemoHosts host;
        final Path mount; // null for the baseline
        String checked;
        final List<Double> rates = new ArrayList<>();
        long[] rss; // VmRSS, RssAnon, RssFile, RssShmem (bytes), or null
        long pageCache = -1;
        long[] lagNanos;

        Measured(DemoHosts host, Path mount) {
            this.host = host;
            this.mount = mount;
        }

        double median() {
            double[] r = rates.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            return r.length % 2 == 1 ? r[r.length / 2] : (r[r.length / 2 - 1] + r[r.length / 2]) / 2;
        }
    }

    private ExitCode demo() throws Exception {
        String primary = UUID.randomUUID().toString();
        step("creating " + dev + " (" + Sizes.human(size) + ", sparse) and formatting it");
        if (Files.exists(dev)) {
            Files.delete(dev);
        }
        MemoryDevice.createFile(dev, size);
        Mkfs.format(dev, Mkfs.Options.defaults().withSystemUuid(primary));
        // the device's name in the work directory's lets a test find every process the demo started
        String tag = dev.getFileName().toString();
        work = Files.createTempDirectory(Files.isDirectory(Path.of("/dev/shm")) ? Path.of("/dev/shm")
                : Path.of(System.getProperty("java.io.tmpdir")), "famfs-demo-work-"
                + tag.substring(0, Math.min(tag.length(), 100)) + "-");
        long wb = Math.max(1L << 20, Math.min(4L << 20, keys * 2L));
        try (MasterVolume master = Famfs.openMaster(dev, OpenOptions.defaults().withSystemUuid(primary));
             Options opts = new Options().setCreateIfMissing(true).setWriteBufferSize(wb).setMaxWriteBufferNumber(3)
                     .setTargetFileSizeBase(wb).setMaxBytesForLevelBase(4 * wb).setLevel0FileNumCompactionTrigger(4)
                     .setMaxBackgroundJobs(2)) {
            FamfsPublisher pub = FamfsPublisher.attach(opts, master, DATASET, PublisherConfig.defaults());
            try (RocksDB db = RocksDB.open(opts, work.resolve("primary").toString()); FamfsPublisher p = pub;
                 WriteOptions wo = new WriteOptions().setDisableWAL(true);
                 FlushOptions fo = new FlushOptions().setWaitForFlush(true)) {
                WorkloadModel model = new WorkloadModel(keys);
                step("starting the primary (RocksDB on " + work.resolve("primary") + ", publishing to famfs dataset '"
                        + DATASET + "')");
                try (WriteBatch b = new WriteBatch()) {
                    model.nextBatch(b, 1000);
                    db.write(wo, b);
                }
                db.flush(fo);
                pub.start(db);
                pub.publishNow(60_000);
                step("starting replica hosts A and B (own JVMs, system UUIDs and FUSE mounts)");
                for (String name : List.of("A", "B")) {
                    hosts.add(DemoHosts.start(name, UUID.randomUUID().toString(), dev, DATASET, keys,
                            work.resolve("host-" + name + ".log")));
                }
                List<Measured> replicas = new ArrayList<>();
                for (DemoHosts h : hosts) {
                    replicas.add(new Measured(h, Path.of(ready(h))));
                }
                long writes = keys + keys / 4L;
                step(String.format(Locale.ROOT, "loading %,d keys (%,d writes, every 11th a delete) with compactions "
                        + "running; replicas follow", keys, writes));
                load(db, wo, model, writes, pub);
                db.flush(fo);
                settle(db, 120);
                long version = pub.publishNow(120_000);
                long counter = model.counter();
                step(String.format(Locale.ROOT, "checking all %,d keys from both replicas (version %d)", keys, version));
                for (Measured r : replicas) {
                    r.host.send("check " + counter); // both check at once
                }
                boolean ok = true;
                for (Measured r : replicas) {
                    r.checked = r.host.ask(null, 300);
                    if (!r.checked.startsWith("CHECKED")) {
                        ok = false;
                        err().println("famfs-rocks: replica host " + r.host.name() + " check failed: " + r.checked);
                    }
                }
                step("starting the baseline host (read-only RocksDB of a checkpoint, same options) and checking "
                        + "all its keys the same way");
                Path checkpoint = work.resolve("baseline");
                try (Checkpoint c = Checkpoint.create(db)) {
                    c.createCheckpoint(checkpoint.toString());
                }
                DemoHosts bh = DemoHosts.startBaseline(checkpoint, keys, work.resolve("host-baseline.log"));
                hosts.add(bh);
                ready(bh);
                Measured baseline = new Measured(bh, null);
                baseline.checked = bh.ask("check " + counter, 300);
                if (!baseline.checked.startsWith("CHECKED")) {
                    throw new CliException(ExitCode.CHECK_FAILED, "the baseline's check failed: " + baseline.checked);
                }
                List<Measured> all = new ArrayList<>(replicas);
                all.add(baseline);
                int perRound = benchOps / rounds;
                step(String.format(Locale.ROOT, "measuring lookups: %d rounds of %,d random keys per host, one host at "
                        + "a time, after one unmeasured round; every value compared with the model", rounds, perRound));
                bench(all, perRound, counter - testModelOffset);
                step("measuring memory: RSS of each host, page cache of each replica's mount (fincore)");
                long liveBytes = 0;
                List<LiveFileMetaData> live = db.getLiveFilesMetaData();
                for (LiveFileMetaData m : live) {
                    liveBytes += m.size();
                }
                long au = master.superblock().allocUnit();
                allocUnit = au;
                long sstAllocated = 0;
                List<String> sstPaths = new ArrayList<>();
                for (Node n : master.list(DatasetPaths.sstDir(DATASET))) {
                    if (n instanceof Node.File f) {
                        sstAllocated += (f.size() + au - 1) / au * au;
                        sstPaths.add(n.path());
                    }
                }
                for (Measured m : all) {
                    m.rss = rss(m.host.pid());
                    if (m.mount != null) {
                        m.pageCache = pageCache(m.mount, sstPaths);
                    }
                }
                PublisherMetrics pm = pub.metrics();
                Namespace ns = master.namespace();
                long famfsAllocated = ns.allocatedBytes();
                long famfsFiles = ns.fileBytes();
                step(String.format(Locale.ROOT, "measuring lag: %d writes, each flushed on the primary and timed until "
                        + "both replicas return it (compactions paused)", lagSamples));
                lag(db, wo, fo, model, replicas);
                table(version, counter, live.size(), liveBytes, sstAllocated, sstPaths.size(), famfsAllocated,
                        famfsFiles, pm, replicas, baseline);
                return ok ? ExitCode.OK : ExitCode.CHECK_FAILED;
            }
        }
    }

    /** Waits for a host's READY line; returns what follows {@code mount=}. */
    private String ready(DemoHosts h) throws InterruptedException {
        String l = h.ask(null, 120);
        if (!l.startsWith("READY")) {
            throw new CliException(ExitCode.INTERNAL, "host " + h.name() + ": " + l
                    + " (see " + work.resolve("host-" + h.name() + ".log") + ")");
        }
        return field(l, "mount");
    }

    /**
     * One unmeasured round on every host, then {@code rounds} measured ones; round r asks every
     * host for the same keys (seed r), one host at a time, starting with host r mod n so that
     * no host is always first or last. A wrong value stops the demo with CHECK_FAILED.
     */
    private void bench(List<Measured> all, int perRound, long counter) throws InterruptedException {
        for (int r = 0; r <= rounds; r++) {
            for (int i = 0; i < all.size(); i++) {
                if (stopping) {
                    throw interrupted();
                }
                Measured m = all.get((r + i) % all.size());
                String l = m.host.ask("bench " + perRound + " " + r + " " + counter, 300);
                if (l.startsWith("WRONG")) {
                    throw new CliException(ExitCode.CHECK_FAILED, "WRONG VALUE from " + who(m) + ": "
                            + l.substring("WRONG ".length()));
                }
                if (!l.startsWith("BENCH")) {
                    throw new CliException(ExitCode.CHECK_FAILED, "lookups on " + who(m) + " failed: " + l);
                }
                if (r > 0) {
                    m.rates.add(Long.parseLong(field(l, "ops")) / (Long.parseLong(field(l, "nanos")) / 1e9));
                }
            }
        }
    }

    private static String who(Measured m) {
        return m.mount == null ? "the baseline host" : "replica host " + m.host.name();
    }

    /**
     * {@code lagSamples} times: a batch of 100 writes, both replicas told to wait for its
     * counter, then the flush; a sample is from the start of the flush to the moment the
     * replica's lookup of the counter key returned it ({@code System.nanoTime()} in the host:
     * CLOCK_MONOTONIC on Linux, one clock for every process). Compactions are paused: each
     * sample flushes a tiny SST, and compacting them would copy the levels into famfs over and
     * over (famfs never frees the SSTs compaction makes obsolete).
     */
    private void lag(RocksDB db, WriteOptions wo, FlushOptions fo, WorkloadModel model, List<Measured> replicas)
            throws RocksDBException, InterruptedException {
        db.setOptions(MutableColumnFamilyOptions.builder().setDisableAutoCompactions(true).build());
        for (Measured r : replicas) {
            r.lagNanos = new long[lagSamples];
        }
        for (int i = 0; i < lagSamples; i++) {
            if (stopping) {
                throw interrupted();
            }
            try (WriteBatch b = new WriteBatch()) {
                model.nextBatch(b, 100);
                db.write(wo, b);
            }
            long c = model.counter();
            for (Measured r : replicas) {
                r.host.send("await " + c);
            }
            long t0 = System.nanoTime();
            db.flush(fo);
            for (Measured r : replicas) {
                String l = r.host.ask(null, 120);
                if (!l.startsWith("SEEN")) {
                    throw new CliException(ExitCode.CHECK_FAILED, "replica host " + r.host.name() + " did not return "
                            + "counter " + c + ": " + l);
                }
                r.lagNanos[i] = Long.parseLong(field(l, "nanos")) - t0;
            }
        }
    }

    /** VmRSS, RssAnon, RssFile and RssShmem of a process, in bytes; null when /proc does not say. */
    static long[] rss(long pid) {
        long[] v = {-1, -1, -1, -1};
        String[] names = {"VmRSS:", "RssAnon:", "RssFile:", "RssShmem:"};
        try {
            for (String l : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                for (int i = 0; i < names.length; i++) {
                    if (l.startsWith(names[i])) {
                        v[i] = Long.parseLong(l.substring(names[i].length()).trim().split("\\s+")[0]) * 1024;
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return v[0] < 0 ? null : v;
    }

    /**
     * Bytes of the mount's page cache holding these famfs files: {@code fincore} (mmap and
     * mincore) on each file through the mount. Run from the demo's JVM, which serves no mount.
     * -1 when fincore is missing or fails.
     */
    static long pageCache(Path mount, List<String> famfsPaths) {
        if (famfsPaths.isEmpty()) {
            return 0;
        }
        List<String> cmd = new ArrayList<>(List.of("fincore", "--bytes", "--noheadings", "--output", "RES"));
        for (String p : famfsPaths) {
            cmd.add(mount.resolve(p.startsWith("/") ? p.substring(1) : p).toString());
        }
        try {
            Process pr = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(pr.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!pr.waitFor(60, TimeUnit.SECONDS)) {
                pr.destroyForcibly();
                return -1;
            }
            if (pr.exitValue() != 0) {
                return -1;
            }
            long sum = 0;
            int n = 0;
            for (String l : out.split("\n")) {
                if (!l.isBlank()) {
                    sum += Long.parseLong(l.trim());
                    n++;
                }
            }
            return n == famfsPaths.size() ? sum : -1;
        } catch (IOException | RuntimeException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private void load(RocksDB db, WriteOptions wo, WorkloadModel model, long writes, FamfsPublisher pub)
            throws RocksDBException {
        boolean tty = System.console() != null;
        long last = System.nanoTime();
        while (model.counter() < writes) {
            if (stopping) {
                throw interrupted();
            }
            try (WriteBatch b = new WriteBatch()) {
                model.nextBatch(b, (int) Math.min(1000, writes - model.counter()));
                db.write(wo, b);
            }
            long now = System.nanoTime();
            if (now - last > (tty ? 200_000_000L : 2_000_000_000L) || model.counter() >= writes) {
                last = now;
                PublisherMetrics m = pub.metrics();
                String line = String.format(Locale.ROOT, "  %5.1f%%  %,d writes  version %d  %d SSTs copied (%s)",
                        100.0 * model.counter() / writes, model.counter(), m.lastVersion(), m.sstsCopied(),
                        Sizes.human(m.bytesCopied()));
                err().print(tty ? "\r" + line + "   " : line + System.lineSeparator());
                err().flush();
            }
        }
        if (tty) {
            err().println();
        }
    }

    /**
     * Waits until RocksDB has no compaction running or pending, so that the version the
     * replicas check is the last one and the lookups are measured on a quiet primary
     * (a compaction still running would slow whichever host is measured first).
     */
    private void settle(RocksDB db, int seconds) throws RocksDBException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (db.getLongProperty("rocksdb.compaction-pending") > 0 || db.getLongProperty("rocksdb.num-running-compactions") > 0
                || db.getLongProperty("rocksdb.num-running-flushes") > 0) {
            if (stopping || System.nanoTime() > deadline) {
                return;
            }
            Thread.sleep(50);
        }
    }

    static String field(String line, String name) {
        for (String w : line.split(" ")) {
            if (w.startsWith(name + "=")) {
                return w.substring(name.length() + 1);
            }
        }
        return "?";
    }

    /** Nearest-rank percentile of sorted values. */
    static long percentile(long[] sorted, double q) {
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    static String lagLine(long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        String tail = s.length >= LAG_P99_MIN_SAMPLES
                ? String.format(Locale.ROOT, "p99 %.1f ms", percentile(s, 0.99) / 1e6)
                : String.format(Locale.ROOT, "max %.1f ms", s[s.length - 1] / 1e6);
        return String.format(Locale.ROOT, "p50 %.1f ms, %s over %d sample%s", percentile(s, 0.50) / 1e6, tail, s.length,
                s.length == 1 ? "" : "s");
    }

    private static String human(long bytes) {
        return bytes < 0 ? "unknown" : Sizes.human(bytes);
    }

    private void table(long version, long counter, int liveSsts, long liveBytes, long sstAllocated, int sstFiles,
                       long famfsAllocated, long famfsFiles, PublisherMetrics m, List<Measured> replicas,
                       Measured baseline) {
        var o = out();
        double secs = (System.nanoTime() - start) / 1e9;
        o.println();
        o.printf(Locale.ROOT, "famfs-rocks demo: a primary and two replica hosts on %s (%s), %.0f s%n", dev,
                Sizes.human(size), secs);
        row(o, "keys loaded", String.format(Locale.ROOT, "%,d (%,d writes, last version %d)", keys, counter, version));
        row(o, "SSTs shared (live)", String.format(Locale.ROOT, "%d SSTs, %s", liveSsts, Sizes.human(liveBytes)));
        row(o, "SSTs copied in total", String.format(Locale.ROOT, "%d SSTs, %s (%d created and gone unpublished)",
                m.sstsCopied(), Sizes.human(m.bytesCopied()), m.sstsSkipped()));
        for (Measured r : replicas) {
            row(o, "replica " + r.host.name(), r.checked.startsWith("CHECKED")
                    ? String.format(Locale.ROOT, "all %,d keys match the model (full scan)", keys) : "CHECK FAILED");
        }
        double base = baseline.median();
        long checkedValues = 0;
        for (Measured r : replicas) {
            checkedValues += (long) (rounds + 1) * (benchOps / rounds);
            row(o, "lookups, replica " + r.host.name(), String.format(Locale.ROOT, "%s, %.2f of the baseline",
                    rates(r), r.median() / base));
        }
        checkedValues += (long) (rounds + 1) * (benchOps / rounds);
        row(o, "lookups, local baseline", rates(baseline) + ": read-only RocksDB of a tmpfs checkpoint, same options");
        row(o, "", String.format(Locale.ROOT, "(single-threaded random keys; all %,d values returned matched the model)",
                checkedValues));
        row(o, "memory, private copies", String.format(Locale.ROOT, "%s if each of the 2 replicas held its own copy "
                + "of the %s of live SSTs", Sizes.human(2 * liveBytes), Sizes.human(liveBytes)));
        row(o, "memory, famfs", String.format(Locale.ROOT, "one shared copy: %s of live SSTs in %s of SST space (%.2fx: "
                        + "%d SST files, obsolete ones never freed, whole %s units); all famfs files %s allocated "
                        + "(%s of data) of %s; %d log entries", Sizes.human(liveBytes), Sizes.human(sstAllocated),
                (double) sstAllocated / Math.max(1, liveBytes), sstFiles, Sizes.human(allocUnit),
                Sizes.human(famfsAllocated), Sizes.human(famfsFiles), Sizes.human(m.famfsCapacity()),
                m.logSlotsTotal() - m.logSlotsLeft()));
        for (Measured r : replicas) {
            row(o, "memory, replica " + r.host.name(), rssText(r.rss) + String.format(Locale.ROOT,
                    "; its mount's page cache holds %s of the %d SST files (FUSE copies what it reads)",
                    human(r.pageCache), sstFiles));
        }
        row(o, "memory, baseline", rssText(baseline.rss));
        for (Measured r : replicas) {
            row(o, "lag, replica " + r.host.name(), lagLine(r.lagNanos)
                    + " (write flushed on the primary -> returned by the replica)");
        }
        o.flush();
    }

    private String rates(Measured m) {
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

    private static void row(java.io.PrintWriter o, String name, String value) {
        o.printf("  %-24s %s%n", name, value);
    }

    private void step(String s) {
        err().printf(Locale.ROOT, "[%5.1f s] %s%n", (System.nanoTime() - start) / 1e9, s);
        err().flush();
    }

    private static CliException interrupted() {
        return new CliException(ExitCode.INTERRUPTED, "demo interrupted: stopping the hosts, deleting what it made");
    }

    /**
     * The shutdown hook (SIGINT, SIGTERM): stops the replica hosts, which also ends any wait
     * on them, lets the main thread leave the load loop and close the publisher and the DB,
     * and only then deletes the files (RocksDB would otherwise still be writing into them).
     */
    private void stop() {
        stopping = true;
        for (DemoHosts h : hosts) {
            h.terminate();
        }
        try {
            if (!finished.await(60, TimeUnit.SECONDS)) {
                System.err.println("famfs-rocks: the demo did not stop within 60 s; cleaning up anyway");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        cleanUp();
    }

    /** Stops the hosts, clears their mounts, deletes the work files and the device. Idempotent. */
    private synchronized void cleanUp() {
        if (cleaned) {
            return;
        }
        cleaned = true;
        for (DemoHosts h : hosts) {
            h.close();
        }
        if (dev != null) {
            for (MountTable.Mount m : MountTable.read().mounts()) {
                if (m.device().equals(dev)) { // a host that died before unmounting
                    run("fusermount", "-u", "-z", m.mountPoint().toString());
                    try {
                        Files.deleteIfExists(m.mountPoint());
                    } catch (IOException ignored) {
                        // not empty or busy: leave it
                    }
                }
            }
        }
        ReplicaSession.deleteTree(work);
        if (dev != null && !keep) {
            try {
                Files.deleteIfExists(dev);
            } catch (IOException e) {
                System.err.println("famfs-rocks: could not delete " + dev + ": " + e.getMessage());
            }
        }
    }

    private static void run(String... cmd) {
        try {
            new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start()
                    .waitFor(10, TimeUnit.SECONDS);
        } catch (IOException | InterruptedException ignored) {
            // best effort
        }
    }
}
