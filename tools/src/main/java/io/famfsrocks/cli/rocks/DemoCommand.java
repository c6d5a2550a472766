package io.famfsrocks.cli.rocks;

import io.famfsrocks.cli.CliException;
import io.famfsrocks.cli.ExitCode;
import io.famfsrocks.cli.MountTable;
import io.famfsrocks.cli.Sizes;
import io.famfsrocks.cli.Verb;
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
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * {@code demo}: the whole system on one machine. A sparse device under /dev/shm, a primary
 * RocksDB publishing into famfs while it loads keys with compactions running, and two
 * replica hosts (child JVMs with their own system UUIDs and FUSE mounts) that follow it,
 * check every key against the deterministic workload model and measure lookups against a
 * local read-only baseline. Prints a table; removes everything it made (children, mounts,
 * work files, the device) on success, failure or interrupt.
 */
@Command(name = "demo", description = "Run a primary and two replica hosts sharing one famfs device, and report.",
        footer = {"", "Needs FUSE (libfuse2, /dev/fuse) and about 1 GiB of /dev/shm (2,000,000 keys).", "",
                "Examples:", "  famfs-rocks demo", "  famfs-rocks demo --keys 200000          # a quick run",
                "  famfs-rocks demo --device /dev/shm/mydemo --size 8g"})
public final class DemoCommand extends Verb {
    private static final String DATASET = "demo";

    @Option(names = {"-D", "--device"}, paramLabel = "DEVICE", defaultValue = "/dev/shm/famfs-demo",
            description = "Device file to create (default /dev/shm/famfs-demo); replaced if a previous demo left it.")
    Path device;

    @Option(names = "--size", paramLabel = "SIZE", defaultValue = "4g", converter = Sizes.SizeConverter.class,
            description = "Device size (sparse; default 4g).")
    long size;

    @Option(names = "--keys", paramLabel = "N", defaultValue = "2000000", description = "Keys to load (default 2000000).")
    int keys;

    @Option(names = "--bench-ops", paramLabel = "N", defaultValue = "300000",
            description = "Random lookups per measurement (default 300000).")
    int benchOps;

    @Option(names = "--keep", description = "Keep the device file afterwards (replicas can then be opened by hand).")
    boolean keep;

    private final List<DemoHosts> hosts = new java.util.concurrent.CopyOnWriteArrayList<>();
    private Path dev;
    private Path work;
    private boolean cleaned;
    /** Set by the shutdown hook: the main thread stops loading and closes the DB before anything is deleted. */
    private volatile boolean stopping;
    private final java.util.concurrent.CountDownLatch finished = new java.util.concurrent.CountDownLatch(1);
    private final long start = System.nanoTime();

    @Override
    protected ExitCode run() throws Exception {
        if (keys < 1000) {
            throw new CliException(ExitCode.USAGE, "--keys must be at least 1000");
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

    private ExitCode demo() throws Exception {
        String primary = UUID.randomUUID().toString();
        step("creating " + dev + " (" + Sizes.human(size) + ", sparse) and formatting it");
        if (Files.exists(dev)) {
            Files.delete(dev);
        }
        Famfs.createDeviceFile(dev, size);
        Mkfs.create(dev, Mkfs.Options.defaults().withSystemUuid(primary));
        work = Files.createTempDirectory(Files.isDirectory(Path.of("/dev/shm")) ? Path.of("/dev/shm")
                : Path.of(System.getProperty("java.io.tmpdir")), "famfs-demo-work-");
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
                for (DemoHosts h : hosts) {
                    String l = h.ask(null, 120);
                    if (!l.startsWith("READY")) {
                        throw new CliException(ExitCode.INTERNAL, "replica host " + h.name() + ": " + l
                                + " (see " + work.resolve("host-" + h.name() + ".log") + ")");
                    }
                }
                long writes = keys + keys / 4L;
                step(String.format(Locale.ROOT, "loading %,d keys (%,d writes, every 11th a delete) with compactions "
                        + "running; replicas follow", keys, writes));
                load(db, wo, model, writes, pub);
                db.flush(fo);
                settle(db, 120);
                long version = pub.publishNow(120_000);
                long counter = model.counter();
                long liveBytes = 0;
                List<LiveFileMetaData> live = db.getLiveFilesMetaData();
                for (LiveFileMetaData m : live) {
                    liveBytes += m.size();
                }
                step(String.format(Locale.ROOT, "checking all %,d keys from both replicas (version %d)", keys, version));
                for (DemoHosts h : hosts) {
                    h.send("check " + counter); // both check at once
                }
                boolean ok = true;
                List<String> checked = new ArrayList<>();
                for (DemoHosts h : hosts) {
                    String l = h.ask(null, 300);
                    checked.add(l);
                    if (!l.startsWith("CHECKED")) {
                        ok = false;
                        err().println("famfs-rocks: replica host " + h.name() + " check failed: " + l);
                    }
                }
                step(String.format(Locale.ROOT, "measuring %,d random lookups on each replica and on a local baseline",
                        benchOps));
                List<Double> rates = new ArrayList<>();
                for (DemoHosts h : hosts) {
                    rates.add(rate(h.ask("bench " + benchOps, 300)));
                }
                double baseline = baseline(db);
                PublisherMetrics m = pub.metrics();
                Namespace ns = master.namespace();
                long au = master.allocUnit();
                long sstAllocated = 0;
                for (Node n : master.list(DatasetPaths.sstDir(DATASET))) {
                    if (n instanceof Node.File f) {
                        sstAllocated += (f.size() + au - 1) / au * au;
                    }
                }
                table(version, counter, live.size(), liveBytes, sstAllocated, m, ns, checked, rates, baseline);
                return ok ? ExitCode.OK : ExitCode.CHECK_FAILED;
            }
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
                String line = String.format(Locale.ROOT, "  %5.1f%%  %,d writes  version %d  %d SSTs copied (%s)  "
                                + "publish lag p50 %d ms", 100.0 * model.counter() / writes, model.counter(),
                        m.lastVersion(), m.sstsCopied(), Sizes.human(m.bytesCopied()), m.lagP50Ms());
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
     * (a compaction still running would slow whichever replica is measured first).
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

    /** Lookups per second on a read-only open of a checkpoint (hard links on tmpfs) of the same SSTs. */
    private double baseline(RocksDB db) throws RocksDBException {
        Path dir = work.resolve("baseline");
        try (Checkpoint c = Checkpoint.create(db)) {
            c.createCheckpoint(dir.toString());
        }
        try (Options o = new Options().setAllowMmapReads(true).setMaxOpenFiles(-1);
             RocksDB ro = RocksDB.openReadOnly(o, dir.toString())) {
            long nanos = DemoHostCommand.lookups(k -> {
                try {
                    return ro.get(k);
                } catch (RocksDBException e) {
                    throw new IllegalStateException(e);
                }
            }, keys, benchOps);
            return benchOps / (nanos / 1e9);
        }
    }

    private double rate(String bench) {
        // BENCH ops=N nanos=T
        if (!bench.startsWith("BENCH")) {
            err().println("famfs-rocks: lookup measurement failed: " + bench);
            return Double.NaN;
        }
        long ops = Long.parseLong(field(bench, "ops"));
        long nanos = Long.parseLong(field(bench, "nanos"));
        return ops / (nanos / 1e9);
    }

    static String field(String line, String name) {
        for (String w : line.split(" ")) {
            if (w.startsWith(name + "=")) {
                return w.substring(name.length() + 1);
            }
        }
        return "?";
    }

    private void table(long version, long counter, int liveSsts, long liveBytes, long sstAllocated, PublisherMetrics m, Namespace ns,
                       List<String> checked, List<Double> rates, double baseline) {
        var o = out();
        double secs = (System.nanoTime() - start) / 1e9;
        o.println();
        o.printf(Locale.ROOT, "famfs-rocks demo: a primary and two replica hosts on %s (%s), %.0f s%n", dev,
                Sizes.human(size), secs);
        row(o, "keys loaded", String.format(Locale.ROOT, "%,d (%,d writes, last version %d)", keys, counter, version));
        row(o, "SSTs shared (live)", String.format(Locale.ROOT, "%d SSTs, %s", liveSsts, Sizes.human(liveBytes)));
        row(o, "SSTs copied in total", String.format(Locale.ROOT, "%d SSTs, %s (%d created and gone unpublished)",
                m.sstsCopied(), Sizes.human(m.bytesCopied()), m.sstsSkipped()));
        row(o, "famfs space used", String.format(Locale.ROOT, "%s of %s; %d log entries used",
                Sizes.human(m.famfsUsedBytes()), Sizes.human(m.famfsCapacity()), m.logSlotsTotal() - m.logSlotsLeft()));
        row(o, "space amplification", String.format(Locale.ROOT, "%.2f (SST space %s / live SST bytes: famfs never "
                        + "frees the SSTs compaction made obsolete); all famfs files: %s allocated for %s",
                (double) sstAllocated / Math.max(1, liveBytes), Sizes.human(sstAllocated),
                Sizes.human(ns.allocatedBytes()), Sizes.human(ns.fileBytes())));
        row(o, "publish lag p50 / p99", String.format(Locale.ROOT, "%d ms / %d ms (SST created to version published)",
                m.lagP50Ms(), m.lagP99Ms()));
        for (int i = 0; i < hosts.size(); i++) {
            String c = checked.get(i);
            row(o, "replica " + hosts.get(i).name(), (c.startsWith("CHECKED")
                    ? String.format(Locale.ROOT, "all %,d keys match the model", keys) : "CHECK FAILED") + String.format(
                    Locale.ROOT, "; %,.0f lookups/s (%.2f of baseline)", rates.get(i), rates.get(i) / baseline));
        }
        row(o, "local baseline", String.format(Locale.ROOT, "%,.0f lookups/s (RocksDB read-only on a tmpfs checkpoint)",
                baseline));
        row(o, "memory saved", String.format(Locale.ROOT, "%s: the two replicas would need 2 x %s for their own copies",
                Sizes.human(2 * liveBytes), Sizes.human(liveBytes)));
        o.flush();
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
