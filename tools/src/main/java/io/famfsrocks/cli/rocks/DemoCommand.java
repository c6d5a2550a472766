package io.famfsrocks.cli.rocks;

import io.famfsrocks.cli.CliException;
import io.famfsrocks.cli.ExitCode;
import io.famfsrocks.cli.MountTable;
import io.famfsrocks.cli.Progress;
import io.famfsrocks.cli.Sizes;
import io.famfsrocks.cli.Verb;
import io.famfsrocks.famfs.fs.Famfs;
import io.famfsrocks.famfs.fs.FamfsVolume;
import io.famfsrocks.famfs.fs.OpenOptions;
import io.famfsrocks.rocks.publish.FamfsPublisher;
import io.famfsrocks.rocks.publish.PublisherConfig;
import org.rocksdb.FlushOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.WriteOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
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
 *     {@code --lag-samples} writes (compactions running: over the pool their obsolete output
 *     comes back at each epoch rotation);</li>
 * <li>the pool: epochs rotated, the most famfs space in use across the pool, and the
 *     answers that differed from the model (with {@code --soak DURATION}, the primary keeps
 *     writing while both replicas check their whole view again and again).</li>
 * </ul>
 * Prints a table; removes everything it made (children, mounts, work files, the device) on
 * success, failure or interrupt.
 * <p>
 * This class is the command and its life: options, checks of them, the shutdown hook, and
 * the order of the steps. The parts live beside it: {@link DemoWorkspace} (what the demo
 * makes and its removal), {@link DemoPrimary} (the primary RocksDB), {@link DemoLookups},
 * {@link DemoMemory} and {@link DemoLag} (the measurement phases, into
 * {@link DemoHostFigures}), {@link DemoReport} (the table). Not thread-safe, except that the
 * shutdown hook may run {@code stop} while the main thread runs the demo: {@code stopping} is
 * volatile, the workspace is thread-safe, and the hook waits for the main thread to finish
 * before it cleans up.
 */
@Command(name = "demo", description = "Run a primary and two replica hosts sharing a pool of two famfs devices, and report.",
        footer = {"", "The dataset lives in epochs over the two devices (docs/epochs.md): the",
                "publisher rotates to the other device when one fills, the replicas follow.",
                "Needs FUSE (libfuse2, /dev/fuse), fincore (util-linux) and about",
                "1 GiB of /dev/shm (2,000,000 keys).", "",
                "Examples:", "  famfs-rocks demo", "  famfs-rocks demo --keys 200000          # a quick run",
                "  famfs-rocks demo --soak 30m --size 1g   # keep writing, replicas checking",
                "  famfs-rocks demo --device /dev/shm/mydemo --size 256m"})
public final class DemoCommand extends Verb {
    private static final String DATASET = "demo";

    @Option(names = {"-D", "--device"}, paramLabel = "DEVICE", defaultValue = "/dev/shm/famfs-demo",
            description = "First device file of the pool to create (default /dev/shm/famfs-demo; the second is "
                    + "DEVICE.2); replaced if a previous demo left them.")
    Path device;

    @Option(names = "--size", paramLabel = "SIZE", defaultValue = "128m", converter = Sizes.SizeConverter.class,
            description = "Size of each of the two devices (sparse; default 128m, so that the default run rotates).")
    long size;

    @Option(names = "--soak", paramLabel = "DURATION",
            description = "After the measurements, keep the primary writing (overwrites, deletes, compactions) for "
                    + "DURATION (90s, 30m, 2h) while both replicas check their whole view against the model.")
    String soak;

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

    @Option(names = "--progress", negatable = true,
            description = "The load's progress on stderr: a bar on a terminal, else a line a second (default on).")
    Boolean progress;

    @Option(names = "--json", description = "For scripts: steps, the load's progress and the report as JSON objects, "
            + "one a line, on stdout.")
    boolean json;

    @Option(names = "--keep", description = "Keep the device file afterwards (replicas can then be opened by hand).")
    boolean keep;

    /** For DemoIT: the lookups are compared with the model this many writes back, so they must fail. */
    @Option(names = "--test-model-offset", hidden = true, defaultValue = "0")
    long testModelOffset;

    private DemoWorkspace workspace;
    /** Set by the shutdown hook: the main thread stops loading and closes the DB before anything is deleted. */
    private volatile boolean stopping;
    private final CountDownLatch finished = new CountDownLatch(1);
    private final long start = System.nanoTime();

    @Override
    protected ExitCode run() throws Exception {
        checkOptions();
        Path dev = device.toAbsolutePath().normalize();
        MountTable.read().ofDevice(dev).ifPresent(m -> {
            throw new CliException(ExitCode.BUSY, dev + " is mounted on " + m.mountPoint()
                    + " (another demo running?); unmount it or pass --device");
        });
        workspace = new DemoWorkspace(dev, keep);
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
            workspace.cleanUp();
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or has run
            }
        }
    }

    /** The soak's length in seconds (0 without {@code --soak}). */
    private long soakSeconds() {
        if (soak == null) {
            return 0;
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)([smh]?)").matcher(soak.trim());
        if (!m.matches() || Long.parseLong(m.group(1)) < 1) {
            throw new CliException(ExitCode.USAGE, "--soak takes a duration such as 90s, 30m or 2h, not '" + soak + "'");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "m" -> n * 60;
            case "h" -> n * 3600;
            default -> n;
        };
    }

    private void checkOptions() {
        soakSeconds();
        if (keys < 1000) {
            throw new CliException(ExitCode.USAGE, "--keys must be at least 1000");
        }
        if (rounds < 1 || benchOps < rounds) {
            throw new CliException(ExitCode.USAGE, "--rounds must be at least 1 and --bench-ops at least --rounds");
        }
        if (lagSamples < 1) {
            throw new CliException(ExitCode.USAGE, "--lag-samples must be at least 1");
        }
    }

    /** Makes the device, opens the primary and its publisher, runs the steps; the handles close in reverse order. */
    private ExitCode demo() throws Exception {
        String primaryUuid = UUID.randomUUID().toString();
        step("creating the pool " + workspace.devices() + " (" + Sizes.human(size) + " each, sparse; the publisher "
                + "formats one per epoch)");
        workspace.create(size);
        Path primaryDir = workspace.work().resolve("primary");
        OpenOptions popts = OpenOptions.defaults().withSystemUuid(primaryUuid);
        try (Options opts = DemoPrimary.options(keys)) {
            FamfsPublisher pub = FamfsPublisher.attach(opts, workspace.devices(), popts, DATASET,
                    PublisherConfig.defaults().withJournalSize(4L << 20).withMaxManifestBytes(1L << 20));
            try (RocksDB db = RocksDB.open(opts, primaryDir.toString()); FamfsPublisher p = pub;
                 WriteOptions wo = new WriteOptions().setDisableWAL(true);
                 FlushOptions fo = new FlushOptions().setWaitForFlush(true)) {
                step("starting the primary (RocksDB on " + primaryDir + ", publishing to famfs dataset '"
                        + DATASET + "')");
                DemoPrimary primary = new DemoPrimary(db, pub, wo, fo, new WorkloadModel(keys), () -> stopping);
                primary.start();
                return steps(primary, pub, popts);
            }
        }
    }

    /** The steps after the primary started: hosts, load, checks, then lookups, memory and lag, and the table. */
    private ExitCode steps(DemoPrimary primary, FamfsPublisher pub, OpenOptions popts) throws Exception {
        List<DemoHostFigures> replicas = startReplicas();
        long writes = keys + keys / 4L;
        step(String.format(Locale.ROOT, "loading %,d keys (%,d writes, every 11th a delete) with compactions "
                + "running; replicas follow", keys, writes));
        primary.load(writes, new Progress(progressMode(), out(), err(), "demo", "demo", "loaded", "writes"));
        long version = primary.finishLoad();
        long counter = primary.counter();
        step(String.format(Locale.ROOT, "checking all %,d keys from both replicas (version %d)", keys, version));
        boolean ok = checkReplicas(replicas, counter);
        step("starting the baseline host (read-only RocksDB of a checkpoint, same options) and checking "
                + "all its keys the same way");
        DemoHostFigures baseline = startBaseline(primary, counter);
        List<DemoHostFigures> all = new ArrayList<>(replicas);
        all.add(baseline);
        int perRound = benchOps / rounds;
        step(String.format(Locale.ROOT, "measuring lookups: %d rounds of %,d random keys per host, one host at "
                + "a time, after one unmeasured round; every value compared with the model", rounds, perRound));
        DemoLookups.measure(all, rounds, perRound, counter - testModelOffset, () -> stopping);
        step("measuring memory: RSS of each host, page cache of each replica's mount of the active epoch (fincore)");
        DemoMemory mem;
        Path activeDevice = Path.of(pub.metrics().pool().activeDevice());
        for (DemoHostFigures r : replicas) {
            r.mount = currentMount(r.host, activeDevice);
        }
        try (FamfsVolume active = Famfs.openReadOnly(activeDevice, popts)) {
            mem = DemoMemory.read(primary.liveFiles(), active, DATASET, primary, all);
        }
        step(String.format(Locale.ROOT, "measuring lag: %d writes, each flushed on the primary and timed until "
                + "both replicas return it (compactions running)", lagSamples));
        DemoLag.sample(primary, replicas, lagSamples, () -> stopping);
        long wrong = 0;
        for (DemoHostFigures r : replicas) {
            wrong += r.checked.startsWith("CHECKED") ? 0 : 1;
        }
        String soakLine = null;
        long secs = soakSeconds();
        if (secs > 0) {
            step(String.format(Locale.ROOT, "soak: %d s of writes (overwrites, deletes, compactions) while both "
                    + "replicas check their whole view against the model, over and over", secs));
            for (DemoHostFigures r : replicas) {
                r.host.send("soak " + secs);
            }
            primary.writeUntil(System.nanoTime() + secs * 1_000_000_000L);
            StringBuilder sb = new StringBuilder();
            for (DemoHostFigures r : replicas) {
                String l = r.host.ask(null, 600);
                if (!l.startsWith("SOAKED")) {
                    ok = false;
                    err().println("famfs-rocks: replica host " + r.host.name() + " soak failed: " + l);
                    continue;
                }
                long w = Long.parseLong(DemoHosts.field(l, "wrong"));
                wrong += w;
                if (w > 0) {
                    err().println("famfs-rocks: replica host " + r.host.name() + " found " + w + " wrong answers: "
                            + DemoHosts.field(l, "first_wrong"));
                }
                sb.append(sb.length() == 0 ? "" : "; ").append(String.format(Locale.ROOT,
                        "replica %s: %s full checks, %s failed reads, up to counter %s", r.host.name(),
                        DemoHosts.field(l, "checks"), DemoHosts.field(l, "failed"), DemoHosts.field(l, "counter")));
            }
            soakLine = String.format(Locale.ROOT, "%d s, %,d writes in all; %s", secs, primary.counter(), sb);
        }
        var pm = pub.metrics();
        DemoReport.Epochs epochs = new DemoReport.Epochs(pm.pool().rotations(), pm.pool().usedPeakBytes(),
                pm.pool().capacity(), wrong, soakLine);
        java.io.StringWriter table = new java.io.StringWriter();
        PrintWriter to = json ? new PrintWriter(table) : out();
        new DemoReport(workspace.device(), size, keys, rounds, benchOps).print(to,
                (System.nanoTime() - start) / 1e9, version, counter, mem, replicas, baseline, epochs);
        if (json) {
            to.flush();
            jsonReport(table.toString());
        }
        if (pm.stopped()) {
            err().println("famfs-rocks: publishing stopped: " + pm.error());
            ok = false;
        }
        return ok && wrong == 0 ? ExitCode.OK : ExitCode.CHECK_FAILED;
    }

    private List<DemoHostFigures> startReplicas() throws IOException, InterruptedException {
        step("starting replica hosts A and B (own JVMs, system UUIDs and FUSE mounts)");
        List<DemoHosts> started = new ArrayList<>();
        for (String name : List.of("A", "B")) {
            started.add(workspace.startReplica(name, DATASET, keys));
        }
        List<DemoHostFigures> replicas = new ArrayList<>();
        for (DemoHosts h : started) { // both start at once, then each is waited for
            replicas.add(new DemoHostFigures(h, Path.of(workspace.ready(h))));
        }
        return replicas;
    }

    /**
     * The mount of {@code device} that replica host {@code h} made (its mount points are named
     * after its pid: {@code OwnedTemp}), or null when it has none (still switching).
     */
    private static Path currentMount(DemoHosts h, Path device) {
        String prefix = ReplicaSession.MOUNT_POINT_PREFIX + h.pid() + "-";
        return MountTable.read().mounts().stream().filter(m -> m.device().equals(device.toAbsolutePath().normalize()))
                .map(MountTable.Mount::mountPoint).filter(p -> p.getFileName().toString().startsWith(prefix))
                .findFirst().orElse(null);
    }

    /** Both replicas check every key at once; false (and a line on stderr for each) when one failed. */
    private boolean checkReplicas(List<DemoHostFigures> replicas, long counter) throws InterruptedException {
        for (DemoHostFigures r : replicas) {
            r.host.send("check " + counter); // both check at once
        }
        boolean ok = true;
        for (DemoHostFigures r : replicas) {
            r.checked = r.host.ask(null, 300);
            if (!r.checked.startsWith("CHECKED")) {
                ok = false;
                err().println("famfs-rocks: replica host " + r.host.name() + " check failed: " + r.checked);
            }
        }
        return ok;
    }

    /** A checkpoint of the primary, the baseline host on it, and its full check (a failure ends the demo). */
    private DemoHostFigures startBaseline(DemoPrimary primary, long counter) throws Exception {
        Path checkpoint = workspace.work().resolve("baseline");
        primary.checkpoint(checkpoint);
        DemoHosts bh = workspace.startBaseline(checkpoint, keys);
        workspace.ready(bh);
        DemoHostFigures baseline = new DemoHostFigures(bh, null);
        baseline.checked = bh.ask("check " + counter, 300);
        if (!baseline.checked.startsWith("CHECKED")) {
            throw new CliException(ExitCode.CHECK_FAILED, "the baseline's check failed: " + baseline.checked);
        }
        return baseline;
    }

    private void step(String s) {
        double secs = (System.nanoTime() - start) / 1e9;
        if (json) {
            Progress p = new Progress(Progress.Mode.JSON, out(), err(), "demo", "demo", "", null);
            Map<String, Object> e = p.event("step");
            e.put("seconds", Math.round(secs * 10) / 10.0);
            e.put("step", s);
            p.line(e);
            return;
        }
        err().printf(Locale.ROOT, "[%5.1f s] %s%n", secs, s);
        err().flush();
    }

    private Progress.Mode progressMode() {
        return Progress.Mode.of(progress, json, true);
    }

    /** With {@code --json}: the report as one {@code "done"} object ({@link #reportRows}). */
    private void jsonReport(String table) {
        Progress p = new Progress(Progress.Mode.JSON, out(), err(), "demo", "demo", "", null);
        Map<String, Object> e = p.event("done");
        e.put("title", table.lines().filter(l -> !l.isBlank()).findFirst().orElse(""));
        e.put("report", reportRows(table));
        p.line(e);
    }

    /**
     * The table's rows ({@code "  name  value"}, {@link DemoReport}'s layout; a row with no
     * name continues the one before) as name to value, in order.
     */
    static Map<String, String> reportRows(String table) {
        Map<String, String> rows = new java.util.LinkedHashMap<>();
        String last = null;
        boolean title = true;
        for (String l : table.lines().toList()) {
            if (l.isBlank()) {
                continue;
            }
            if (title) {
                title = false;
            } else if (l.length() > 27) {
                String name = l.substring(2, 26).trim();
                String value = l.substring(27).trim();
                if (name.isEmpty() && last != null) {
                    rows.put(last, rows.get(last) + " " + value);
                } else {
                    rows.put(name, value);
                    last = name;
                }
            }
        }
        return rows;
    }

    /** What a phase throws when the shutdown hook has asked the demo to stop. */
    static CliException interrupted() {
        return new CliException(ExitCode.INTERRUPTED, "demo interrupted: stopping the hosts, deleting what it made");
    }

    /**
     * The shutdown hook (SIGINT, SIGTERM): stops the replica hosts, which also ends any wait
     * on them, lets the main thread leave the load loop and close the publisher and the DB,
     * and only then deletes the files (RocksDB would otherwise still be writing into them).
     */
    private void stop() {
        stopping = true;
        workspace.terminateHosts();
        try {
            if (!finished.await(60, TimeUnit.SECONDS)) {
                System.err.println("famfs-rocks: the demo did not stop within 60 s; cleaning up anyway");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        workspace.cleanUp();
    }
}
