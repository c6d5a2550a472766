package io.famfsrocks.cli.rocks;

import io.famfsrocks.cli.CliException;
import io.famfsrocks.cli.ExitCode;
import io.famfsrocks.cli.Progress;
import io.famfsrocks.cli.Sizes;
import io.famfsrocks.cli.Verb;
import io.famfsrocks.famfs.ErrorKind;
import io.famfsrocks.famfs.fs.MasterVolume;
import io.famfsrocks.famfs.fs.Node;
import io.famfsrocks.famfs.pool.DevicePool;
import io.famfsrocks.rocks.epoch.EpochPool;
import io.famfsrocks.rocks.BridgeException;
import io.famfsrocks.rocks.RocksHandle;
import io.famfsrocks.rocks.journal.Checksums;
import io.famfsrocks.rocks.journal.DatasetPaths;
import io.famfsrocks.rocks.publish.FamfsPublisher;
import io.famfsrocks.rocks.publish.PublisherConfig;
import io.famfsrocks.rocks.publish.PublisherMetrics;
import org.rocksdb.DBOptionsInterface;
import org.rocksdb.IngestExternalFileOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * {@code sst-publish}: publishes a RocksDB directory, or external SST files ingested into a
 * staging DB, as a new version of a famfs dataset, through {@link FamfsPublisher}: open the
 * DB with the publisher attached, publish once, close. The publisher copies only SSTs not
 * yet shared (a file left by an interrupted run is reused when its CRC matches, else copied
 * again) and commits the version to the journal only after every SST is copied and
 * checksummed, so an interrupted run never leaves a partial version visible.
 *
 * <p>Before changing anything the command computes the famfs space and log entries the
 * version needs ({@link PublishPlan}) and refuses with NO_SPACE or LOG_FULL when famfs
 * lacks either; {@code --dry-run} prints that and stops.
 */
@Command(name = "sst-publish", description = "Publish a RocksDB directory or external SST files as a new version of a famfs dataset.",
        footer = {"", "A closed DB is opened with the publisher attached (its WAL is flushed first);",
                "--live publishes what a DB open in another process has flushed (a checkpoint);",
                "--follow keeps publishing it, flush after flush, until SIGTERM or Ctrl-C:",
                "a sidecar for a RocksDB owned by any process, in any language.",
                "External SST files (SstFileWriter output) are ingested into a staging DB under",
                "--staging, which later runs on the dataset reuse. A rerun copies only SSTs not",
                "yet shared. Nothing changes when famfs lacks space (exit 5) or log entries (6).", "",
                "Examples:",
                "  famfs-rocks sst-publish -D /dev/shm/famfs0 --dataset db1 --db /data/db1",
                "  famfs-rocks sst-publish -D /dev/shm/famfs0 --dataset db1 --db /data/db --live",
                "  famfs-rocks sst-publish -D /dev/shm/famfs0 --dataset db1 --db DIR --follow",
                "  famfs-rocks sst-publish -D /dev/shm/famfs0 --dataset bulk p0.sst p1.sst",
                "  famfs-rocks sst-publish -D /dev/shm/famfs0 --dataset db1 --db /data/db1 -n"})
public final class SstPublishCommand extends Verb {
    @Option(names = "--dataset", required = true, paramLabel = "NAME", description = "Dataset name in famfs.")
    String dataset;

    @Option(names = {"-D", "--device"}, paramLabel = "DEVICE", description = "famfs device (default $FAMFS_DEVICE). "
            + "Repeat it to name a pool of devices (docs/epochs.md): the version goes into the dataset's active epoch, "
            + "and the publisher rotates to a new epoch when the active one is full.")
    List<Path> devices = new ArrayList<>();

    @Option(names = "--db", paramLabel = "DIR", description = "A RocksDB directory to publish.")
    Path db;

    @Option(names = "--live", description = "The DB is open in another process: publish a checkpoint of it.")
    boolean live;

    @Option(names = "--follow", description = "The DB is open in another process: publish it, then keep publishing "
            + "its flushes and compactions until SIGTERM or Ctrl-C (a sidecar).")
    boolean follow;

    @Option(names = "--poll", paramLabel = "MS", defaultValue = "20",
            description = "With --follow: how often to look for a new version of the DB, in milliseconds (default 20).")
    long pollMs;

    @Option(names = "--sst", arity = "1..*", paramLabel = "FILE", description = "External SST files to ingest and publish.")
    List<Path> ssts = new ArrayList<>();

    @Parameters(arity = "0..*", paramLabel = "SST", description = "More external SST files (same as --sst).")
    List<Path> moreSsts = new ArrayList<>();

    @Option(names = "--staging", paramLabel = "DIR",
            description = "Staging DB for external SSTs (default /var/tmp/famfs-rocks/staging/<device>/<dataset>).")
    Path staging;

    @Option(names = {"-n", "--dry-run"}, description = "Print the space and log entries needed; change nothing.")
    boolean dryRun;

    @Option(names = "--progress", negatable = true, description = "Progress on stderr: a bar on a terminal, "
            + "otherwise a line a second (default on; --no-progress: none).")
    Boolean progress;

    @Option(names = "--json", description = "For scripts: progress and the summary as JSON objects, one a line, on stdout.")
    boolean json;

    @Option(names = "--journal-size", paramLabel = "SIZE", defaultValue = "64m", converter = Sizes.SizeConverter.class,
            description = "Size of each journal file of a new dataset (default 64m).")
    long journalSize;

    @Override
    protected ExitCode run() throws Exception {
        List<Path> files = new ArrayList<>(ssts);
        files.addAll(moreSsts);
        if ((db == null) == files.isEmpty()) {
            throw new CliException(ExitCode.USAGE, "give either --db DIR or external SST files, not both or neither");
        }
        if ((live || follow) && db == null) {
            throw new CliException(ExitCode.USAGE, (follow ? "--follow" : "--live") + " applies to --db");
        }
        if (follow && (live || dryRun)) {
            throw new CliException(ExitCode.USAGE, "--follow publishes continuously: it takes neither --live nor --dry-run");
        }
        if (json && dryRun) {
            throw new CliException(ExitCode.USAGE, "--dry-run prints its plan as text; --json is for publications");
        }
        if (pollMs < 1 || pollMs > 60_000) {
            throw new CliException(ExitCode.USAGE, "--poll must be 1 to 60000 milliseconds, got " + pollMs);
        }
        DatasetPaths.check(dataset);
        Path dev = !devices.isEmpty() ? devices.get(0)
                : context.defaultDevice() == null ? null : Path.of(context.defaultDevice());
        if (dev == null) {
            throw new CliException(ExitCode.USAGE, "name the device: --device DEVICE or $FAMFS_DEVICE");
        }
        RocksDB.loadLibrary();
        PublisherConfig cfg = PublisherConfig.defaults().withJournalSize(journalSize);
        if (devices.size() >= 2) {
            return publishToPool(cfg, files);
        }
        try (MasterVolume vol = openMaster(dev)) {
            ReplicaSession.refuseOneEpochOfAPool(vol, dataset, dev);
            requireDatasetDirectory(vol);
            return db != null ? publishDb(vol, cfg) : publishExternal(vol, cfg, files, dev);
        }
    }

    private ExitCode publishDb(MasterVolume vol, PublisherConfig cfg) throws Exception {
        if (!Files.isRegularFile(db.resolve("CURRENT"))) {
            throw new CliException(ExitCode.NOT_FOUND, db + " is not a RocksDB directory (no CURRENT file)");
        }
        if (follow) {
            PublishPlan plan = PublishPlan.of(vol, dataset, DbDirectory.liveSsts(db), 0, cfg);
            plan.check();
            Progress p = progress(plan);
            return new SstFollow(out(), err(), p).run(vol, dataset, db,
                    cfg.withRecheckInterval(java.time.Duration.ofMillis(pollMs)),
                    pub -> startWithProgress(pub::start, pub, p));
        }
        Path source = db;
        Path tmp = null;
        try {
            if (live) {
                tmp = Files.createTempDirectory(db.toAbsolutePath().getParent(), ".famfs-checkpoint-");
                source = DbDirectory.checkpoint(db, tmp.resolve("db"));
            }
            PublishPlan plan = PublishPlan.of(vol, dataset, DbDirectory.liveSsts(source), live ? 0 : DbDirectory.walBytes(source), cfg);
            if (!plan(plan)) {
                return ExitCode.OK;
            }
            publish(vol, cfg, source, List.of(), plan);
        } finally {
            ReplicaSession.deleteTree(tmp);
        }
        return ExitCode.OK;
    }

    private ExitCode publishExternal(MasterVolume vol, PublisherConfig cfg, List<Path> files, Path dev) throws Exception {
        Path dir = staging != null ? staging
                : Path.of("/var/tmp/famfs-rocks/staging", dev.getFileName().toString(), dataset);
        Path ledger = dir.resolve("famfs-ingested.txt");
        Set<String> done = new HashSet<>(Files.exists(ledger) ? Files.readAllLines(ledger) : List.of());
        Map<Path, String> fresh = new LinkedHashMap<>();
        for (Path f : files) {
            if (!Files.isRegularFile(f)) {
                throw new CliException(ExitCode.NOT_FOUND, "no such SST file: " + f);
            }
            String id = crc32c(f) + " " + Files.size(f);
            if (done.contains(id) || fresh.containsValue(id)) {
                warn("skipping " + f + ": already ingested into " + dataset);
            } else {
                fresh.put(f, id);
            }
        }
        boolean exists = Files.isRegularFile(dir.resolve("CURRENT"));
        if (exists == false && !done.isEmpty()) {
            throw new CliException(ExitCode.NOT_FOUND, "staging DB " + dir + " is gone but its ledger remains");
        }
        Map<Long, Long> sizes = exists ? DbDirectory.liveSsts(dir) : new TreeMap<>();
        long k = -1;
        for (Path f : fresh.keySet()) {
            sizes.put(k--, Files.size(f));
        }
        PublishPlan plan = PublishPlan.of(vol, dataset, sizes, 0, cfg);
        if (!plan(plan)) {
            return ExitCode.OK;
        }
        Files.createDirectories(dir);
        publish(vol, cfg, dir, new ArrayList<>(fresh.keySet()), plan);
        List<String> lines = new ArrayList<>(fresh.values());
        Files.write(ledger, lines, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        return ExitCode.OK;
    }

    /**
     * Over a pool: the publisher reads the pool (creating epoch 1 on a free device of a new
     * one) and publishes into the active epoch, rotating when the version does not fit. The
     * space plan is not checked up front (a rotation may make room); {@code --dry-run}
     * prints the pool's epochs and changes nothing.
     */
    private ExitCode publishToPool(PublisherConfig cfg, List<Path> files) throws Exception {
        if (db == null) {
            throw new CliException(ExitCode.USAGE, "over a pool of devices sst-publish takes --db DIR (external SST "
                    + "files: ingest them into a DB first, or publish to one device)");
        }
        if (live) {
            throw new CliException(ExitCode.USAGE, "--live is for one device; over a pool publish a closed DB");
        }
        if (!Files.isRegularFile(db.resolve("CURRENT"))) {
            throw new CliException(ExitCode.NOT_FOUND, db + " is not a RocksDB directory (no CURRENT file)");
        }
        EpochPool pool = EpochPool.read(DevicePool.scan(devices, openOptions()), dataset, null);
        if (dryRun) {
            out().println("dry run: nothing is changed");
            for (EpochPool.Member m : pool.members()) {
                out().printf("%s: %s%s%n", m.device().path(), m.role(), m.header() == null ? "" : " epoch " + m.epoch());
            }
            out().println(pool.active().isPresent() ? "the version goes into epoch " + pool.active().get().epoch()
                    : "a new pool: the publisher creates epoch 1 on " + pool.pickFree().path());
            return ExitCode.OK;
        }
        publish(dbo -> FamfsPublisher.attach(dbo, devices, openOptions(), dataset, cfg), db, List.of(),
                PublishPlan.ofPool(DbDirectory.liveSsts(db)));
        return ExitCode.OK;
    }

    /**
     * NOT_A_DIRECTORY when the dataset's path, or a directory above it, is a file in famfs:
     * the publisher could not create its journal there. Checked before the dry run stops, so
     * a dry run refuses what the real run refuses (issue 13 item 11).
     */
    private void requireDatasetDirectory(MasterVolume vol) {
        String[] parts = dataset.split("/");
        StringBuilder p = new StringBuilder();
        for (String part : parts) {
            p.append(p.length() == 0 ? "" : "/").append(part);
            Node n = vol.lookup(p.toString());
            if (n != null && !(n instanceof Node.Dir)) {
                throw new CliException(ExitCode.NOT_A_DIRECTORY, "cannot publish dataset " + dataset + ": /" + p
                        + " is a file in famfs, not a directory");
            }
        }
    }

    /** Prints the plan; false when this is a dry run. Refuses (NO_SPACE, LOG_FULL) when famfs lacks room. */
    private boolean plan(PublishPlan plan) {
        if (dryRun) {
            out().println("dry run: nothing is changed");
            out().println(plan.describe(dataset));
            plan.check();
            out().println("famfs has room for this version");
            return false;
        }
        plan.check();
        return true;
    }

    private void publish(MasterVolume vol, PublisherConfig cfg, Path dir, List<Path> ingest, PublishPlan plan)
            throws Exception {
        publish(dbo -> FamfsPublisher.attach(dbo, vol, dataset, cfg), dir, ingest, plan);
    }

    private void publish(Function<DBOptionsInterface<?>, FamfsPublisher> attach, Path dir, List<Path> ingest,
                         PublishPlan plan) throws Exception {
        FamfsPublisher[] attached = new FamfsPublisher[1];
        RocksHandle.OptionsSource source = Files.isRegularFile(dir.resolve("CURRENT"))
                ? RocksHandle.OptionsSource.LATEST_IN_DIR : RocksHandle.OptionsSource.DEFAULTS;
        try (RocksHandle h = RocksHandle.open(source, dir,
                dbo -> attached[0] = attach.apply(dbo),
                cf -> cf.setDisableAutoCompactions(true), // publish what is there; rewrite nothing
                (dbo, cfs, handles) -> RocksDB.open(dbo, dir.toString(), cfs, handles));
             FamfsPublisher pub = attached[0]) {
            RocksDB rdb = h.db();
            if (!ingest.isEmpty()) {
                try (IngestExternalFileOptions io = new IngestExternalFileOptions(false, true, true, true)) {
                    List<String> names = new ArrayList<>();
                    ingest.forEach(f -> names.add(f.toAbsolutePath().toString()));
                    rdb.ingestExternalFile(h.defaultColumnFamily(), names, io);
                }
            }
            Progress p = progress(plan);
            long version = startWithProgress(() -> pub.start(rdb), pub, p);
            PublisherMetrics m = pub.metrics();
            if (pub.isClosed()) { // SIGINT or SIGTERM: the exit guard closed the publisher
                throw new CliException(ExitCode.INTERRUPTED, "interrupted: dataset " + dataset + " is at version "
                        + m.lastVersion() + "; the SSTs copied so far are reused by the next run");
            }
            if (m.stopped()) {
                throw failure(m);
            }
            if (json) {
                Map<String, Object> e = summary(p.event("done"), dataset, m);
                e.put("ssts", plan.totalSsts());
                e.put("bytes", plan.totalBytes());
                p.line(e);
                return;
            }
            out().printf("published version %d of dataset %s: %d SSTs (%s); copied %d (%s), reused %d%n",
                    version, dataset, plan.totalSsts(), Sizes.human(plan.totalBytes()), m.sstsCopied(),
                    Sizes.human(m.bytesCopied()), m.sstsReused());
            if (m.pool() != null) {
                out().printf("epoch %d on %s (%d rotations)%n", m.pool().epoch(), m.pool().activeDevice(),
                        m.pool().rotations());
            }
            out().printf("famfs: %s used of %s, %d log entries left%n", Sizes.human(m.famfsUsedBytes()),
                    Sizes.human(m.famfsCapacity()), m.logSlotsLeft());
        } catch (RocksDBException e) {
            throw BridgeException.rocks("publish " + dir, e);
        }
    }

    /** The progress of this run, its totals the plan's new SSTs and bytes (a floor). */
    private Progress progress(PublishPlan plan) {
        return new Progress(Progress.Mode.of(progress, json, true), out(), err(), "sst-publish", "sst-publish",
                "copied", "SSTs").totals(plan.newSsts(), plan.newBytes());
    }

    /** The fields of a publisher's state every JSON summary of sst-publish carries. */
    static Map<String, Object> summary(Map<String, Object> e, String dataset, PublisherMetrics m) {
        e.put("dataset", dataset);
        e.put("version", m.lastVersion());
        e.put("sequence", m.lastSequence());
        e.put("ssts_copied", m.sstsCopied());
        e.put("bytes_copied", m.bytesCopied());
        e.put("ssts_reused", m.sstsReused());
        e.put("famfs_used_bytes", m.famfsUsedBytes());
        e.put("famfs_capacity_bytes", m.famfsCapacity());
        e.put("log_entries_left", m.logSlotsLeft());
        return e;
    }

    /**
     * Runs {@code start} (a publisher's start, which publishes the first version and
     * returns) while {@code p} follows its copies; returns the version published.
     */
    static long startWithProgress(Runnable start, FamfsPublisher pub, Progress p) throws Exception {
        CompletableFuture<Long> f = CompletableFuture.supplyAsync(() -> {
            start.run();
            return pub.metrics().lastVersion();
        });
        while (!f.isDone()) {
            PublisherMetrics m = pub.metrics();
            p.update(m.sstsCopied(), m.bytesCopied());
            Thread.sleep(50);
        }
        PublisherMetrics m = pub.metrics();
        p.update(m.sstsCopied(), m.bytesCopied());
        p.close();
        try {
            return f.get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof Exception ex ? ex : e;
        }
    }

    /**
     * The publisher stopped: famfs running out of space or log slots keeps its own exit code
     * (the plan checked both, but the DB may have flushed more meanwhile), and so does an SST
     * that failed its block checksums (CORRUPT_MEDIA); any other stop
     * is a failed publication (IO).
     */
    static CliException failure(PublisherMetrics m) {
        ErrorKind kind = m.errorKind() == null ? ErrorKind.IO : m.errorKind();
        ExitCode c = switch (kind) {
            case NO_SPACE, LOG_FULL, CORRUPT_MEDIA -> ExitCode.of(kind); // CORRUPT_MEDIA: an SST failed its checksums
            default -> ExitCode.IO;
        };
        return new CliException(c, m.error() + "; the previous version stays visible, and the next run reuses the copied SSTs");
    }

    /** The ledger's identity of an SST: its CRC32C in hex (as CRC32C#getValue prints it). */
    private static String crc32c(Path f) throws IOException {
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
            return Long.toHexString(Checksums.of(ch, ch.size()) & 0xffffffffL);
        }
    }
}
