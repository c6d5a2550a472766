package io.famfsrocks.cli.rocks;

import io.famfsrocks.cli.CliException;
import io.famfsrocks.cli.ExitCode;
import io.famfsrocks.cli.MountTable;
import io.famfsrocks.cli.Sizes;
import io.famfsrocks.cli.Verb;
import io.famfsrocks.famfs.fs.Famfs;
import io.famfsrocks.famfs.fs.MasterVolume;
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
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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
 *     {@code --lag-samples} writes (compactions paused meanwhile, so that the samples do
 *     not fill the device with compaction output).</li>
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
@Command(name = "demo", description = "Run a primary and two replica hosts sharing one famfs device, and report.",
        footer = {"", "Needs FUSE (libfuse2, /dev/fuse), fincore (util-linux) and about",
                "1 GiB of /dev/shm (2,000,000 keys).", "",
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

    private void checkOptions() {
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
        Path dev = workspace.device();
        step("creating " + dev + " (" + Sizes.human(size) + ", sparse) and formatting it");
        workspace.create(size, primaryUuid);
        Path primaryDir = workspace.work().resolve("primary");
        try (MasterVolume master = Famfs.openMaster(dev, OpenOptions.defaults().withSystemUuid(primaryUuid));
             Options opts = DemoPrimary.options(keys)) {
            FamfsPublisher pub = FamfsPublisher.attach(opts, master, DATASET, PublisherConfig.defaults());
            try (RocksDB db = RocksDB.open(opts, primaryDir.toString()); FamfsPublisher p = pub;
                 WriteOptions wo = new WriteOptions().setDisableWAL(true);
                 FlushOptions fo = new FlushOptions().setWaitForFlush(true)) {
                step("starting the primary (RocksDB on " + primaryDir + ", publishing to famfs dataset '"
                        + DATASET + "')");
                DemoPrimary primary = new DemoPrimary(db, pub, wo, fo, new WorkloadModel(keys), () -> stopping);
                primary.start();
                return steps(primary, master);
            }
        }
    }

    /** The steps after the primary started: hosts, load, checks, then lookups, memory and lag, and the table. */
    private ExitCode steps(DemoPrimary primary, MasterVolume master) throws Exception {
        List<DemoHostFigures> replicas = startReplicas();
        long writes = keys + keys / 4L;
        step(String.format(Locale.ROOT, "loading %,d keys (%,d writes, every 11th a delete) with compactions "
                + "running; replicas follow", keys, writes));
        primary.load(writes, err());
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
        step("measuring memory: RSS of each host, page cache of each replica's mount (fincore)");
        DemoMemory mem = DemoMemory.read(primary.liveFiles(), master, DATASET, primary, all);
        step(String.format(Locale.ROOT, "measuring lag: %d writes, each flushed on the primary and timed until "
                + "both replicas return it (compactions paused)", lagSamples));
        DemoLag.sample(primary, replicas, lagSamples, () -> stopping);
        new DemoReport(workspace.device(), size, keys, rounds, benchOps).print(out(),
                (System.nanoTime() - start) / 1e9, version, counter, mem, replicas, baseline);
        return ok ? ExitCode.OK : ExitCode.CHECK_FAILED;
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
        err().printf(Locale.ROOT, "[%5.1f s] %s%n", (System.nanoTime() - start) / 1e9, s);
        err().flush();
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
