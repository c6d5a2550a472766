package io.famfsrocks.rocks.publish;

import io.famfsrocks.famfs.ErrorKind;
import io.famfsrocks.famfs.FamfsException;
import io.famfsrocks.famfs.FaultPoint;
import io.famfsrocks.famfs.fs.MasterVolume;
import io.famfsrocks.famfs.fs.OpenOptions;
import io.famfsrocks.famfs.fs.VolumeUsage;
import io.famfsrocks.rocks.BridgeException;
import io.famfsrocks.rocks.journal.DatasetPaths;
import io.famfsrocks.rocks.journal.JournalRecord;
import io.famfsrocks.rocks.journal.JournalWriter;
import io.famfsrocks.rocks.journal.SstEntry;
import io.famfsrocks.rocks.journal.WalRingWriter;
import org.rocksdb.AbstractEventListener;
import org.rocksdb.DBOptionsInterface;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Publishes a RocksDB primary into a famfs dataset.
 *
 * <pre>
 * FamfsPublisher p = FamfsPublisher.attach(options, masterVolume, "db1", PublisherConfig.defaults());
 * RocksDB db = RocksDB.open(options, path);
 * p.start(db);      // publishes the live files first, then follows flushes and compactions
 * ...
 * p.close();        // BEFORE closing the DB
 * </pre>
 * (With try-with-resources, list the publisher after the DB: {@code try (RocksDB db = ...;
 * FamfsPublisher p = pub)} closes the publisher first. A DB closed under a running
 * publisher is a native use-after-free: RocksDB's handles cannot tell.)
 *
 * <p>A sidecar ({@link #follow}, {@code sst-publish --follow}) publishes a DB another
 * process owns: there is no listener, and each publication's version comes from a read-only
 * instance of that DB ({@link FollowedDb}) instead of the DB itself ({@link VersionSource}).
 *
 * <p>The listener it adds only records creation times and wakes the publisher thread; it
 * never blocks a flush or compaction. Each publication lists the current version and opens
 * its new SSTs and the MANIFEST ({@link LiveVersion}), checks famfs has room ({@link
 * SpaceBudget}), copies and CRCs on the publisher thread ({@link SstCopier}), and only then
 * appends the version (MANIFEST bytes, which imply CURRENT) to the journal. Failures stop
 * publishing, never the DB. The listener ({@link PublisherListener}) only records and wakes. From {@link #start} until {@link #close} an {@link ExitGuard}
 * keeps a JVM exit from hanging in RocksDB's threads; close the DB soon after the
 * publisher: the listener stays registered with the DB for its lifetime.
 *
 * <p>Lifecycle: {@link PublisherState} NEW, then RUNNING or WARNING while publishing,
 * STOPPED when a publication failed (the DB keeps serving), CLOSED.
 *
 * <p>Concurrency, one discipline: the publisher thread alone touches the journal, the
 * copier and each live version. What other threads see changes under {@code lock} (with
 * its condition {@code handled}): the state, the error and the count of handled requests;
 * {@code state} and {@code closed} are also volatile so the loop reads them without it.
 * RocksDB's threads never take a lock: they bump {@code requests}, record into {@link
 * PublisherStats} lock-free, and unpark the thread. Thread-safe.
 */
public final class FamfsPublisher implements AutoCloseable {
    /** Crash point (docs/reliability.md, "Fault points"): an SST copied and CRC'd, no record names it yet. */
    public static final FaultPoint SST_COPIED = FaultPoint.named("publish.sst-copied");

    private final String dataset;
    private final PublisherConfig cfg;
    private final PublisherStats stats;
    /** The epochs over a pool of devices; null for a publisher on one volume. */
    private final EpochRotation rotation;
    /** The volume published into (the active epoch's over a pool); swapped by a rotation under {@code lock}. */
    private volatile MasterVolume volume;
    private SstCopier copier;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition handled = lock.newCondition();
    private final AtomicLong requests = new AtomicLong();
    /** Largest sequence number of any completed flush: everything up to it is in the MANIFEST. */
    private final AtomicLong flushedSequence = new AtomicLong();
    private final PublisherListener listener;

    private volatile RocksDB db;
    private volatile VersionSource source;
    private FollowedDb followed;
    private volatile Thread thread;
    private volatile boolean closed;
    private volatile PublisherState state = PublisherState.NEW;
    private volatile String error;
    private volatile ErrorKind errorKind;
    private volatile long handledRequests;
    private volatile JournalWriter journal;
    private volatile ExitGuard exitGuard;
    private volatile WalShipper wal;
    private Path dbDir;
    private long lastPublishNanos;
    /** A rotation the thresholds asked for failed: they are not acted on again before this time. */
    private long rotationBackoffUntil = System.nanoTime();

    private FamfsPublisher(PublisherStats stats, MasterVolume volume, EpochRotation rotation, String dataset,
                           PublisherConfig cfg) {
        this.stats = stats;
        this.volume = volume;
        this.rotation = rotation;
        this.dataset = DatasetPaths.check(dataset);
        this.cfg = cfg;
        this.copier = new SstCopier(volume, this.dataset, stats);
        this.listener = new PublisherListener(stats, flushedSequence, this::signal);
        this.lastPublishNanos = System.nanoTime() - cfg.publishInterval().toNanos();
    }

    /**
     * Adds the publisher's listener to {@code options} (keeping the user's listeners) and caps
     * max_manifest_file_size; call before opening the DB with these options. The caller owns
     * {@code volume} and closes it after the publisher.
     */
    public static FamfsPublisher attach(DBOptionsInterface<?> options, MasterVolume volume, String dataset,
                                        PublisherConfig cfg) {
        return install(options, new FamfsPublisher(new PublisherStats(), volume, null, dataset, cfg), cfg);
    }

    /**
     * As {@link #attach(DBOptionsInterface, MasterVolume, String, PublisherConfig)}, for a
     * dataset kept in epochs over a pool of devices (docs/epochs.md): reads the pool now and
     * takes up its state (a new pool gets epoch 1 on a free device; a rotation a crash
     * interrupted is finished or rolled back), then publishes into the active epoch and
     * rotates to a new one when {@link PublisherConfig#rotation()}'s thresholds are crossed,
     * when a version does not fit and a device is free, or on {@link #requestRotation()}.
     * The publisher owns the volumes it opens and closes them in {@link #close}.
     *
     * @param devices this host's paths of the pool's devices (two or more)
     * @param opts    how to open them (this host's identity: it must be the master of every epoch)
     * @throws io.famfsrocks.famfs.pool.PoolException when the devices cannot be this dataset's pool
     */
    public static FamfsPublisher attach(DBOptionsInterface<?> options, List<Path> devices, OpenOptions opts,
                                        String dataset, PublisherConfig cfg) {
        PublisherStats stats = new PublisherStats();
        EpochRotation r = EpochRotation.open(devices, opts, DatasetPaths.check(dataset), cfg.rotation(), stats);
        return install(options, new FamfsPublisher(stats, r.volume(), r, dataset, cfg), cfg);
    }

    private static FamfsPublisher install(DBOptionsInterface<?> options, FamfsPublisher p, PublisherConfig cfg) {
        List<AbstractEventListener> ls = new ArrayList<>(options.listeners());
        ls.add(p.listener);
        options.setListeners(ls);
        if (options.maxManifestFileSize() > cfg.maxManifestBytes()) {
            options.setMaxManifestFileSize(cfg.maxManifestBytes());
        }
        if (cfg.walRingBytes() > 0 && options.walTtlSeconds() == 0 && options.walSizeLimitMB() == 0) {
            options.setWalTtlSeconds(cfg.walTtl().toSeconds()); // the shipper reads WAL files after RocksDB is done with them
        }
        return p;
    }

    /**
     * Opens (or resumes) the dataset, starts the publisher thread and returns once the first
     * version (the DB's live files as they are now) is published, or publishing has stopped
     * ({@link #metrics()} says why). On a resumed dataset, SSTs already shared are checked by
     * CRC32C and not copied again.
     */
    public synchronized void start(RocksDB db) {
        requireNew();
        String identity;
        try {
            identity = Files.readString(Path.of(db.getName(), "IDENTITY")).trim();
        } catch (IOException e) {
            throw new BridgeException(ErrorKind.IO, "cannot read the IDENTITY of " + db.getName() + ": " + e.getMessage(), e);
        }
        Path dir = Path.of(db.getName());
        this.db = db;
        this.dbDir = dir;
        begin(identity, (floor, needsCopy) -> LiveVersion.take(db, dir, floor, needsCopy),
                () -> new ExitGuard("famfs-publisher-exit-" + dataset, db, this));
    }

    /**
     * A sidecar publisher, not started yet: it will publish the RocksDB in {@code dbDir},
     * which another process owns and keeps open (any language), and follow its flushes and
     * compactions until {@link #close} ({@link FollowedDb}: a read-only instance lists each
     * new version; nothing in {@code dbDir} is written or locked). The owner's changes are
     * looked for every {@code cfg.recheckInterval()}. Only flushed data is published: the
     * owner's WAL is not read. Start it with {@link #start()}.
     *
     * @param emptyWalDir an empty directory for the read-only instances' WAL directory (the
     *                    caller's, left empty)
     */
    public static FamfsPublisher follow(MasterVolume volume, String dataset, Path dbDir, Path emptyWalDir,
                                        PublisherConfig cfg) {
        FamfsPublisher p = new FamfsPublisher(new PublisherStats(), volume, null, dataset, cfg);
        p.followed = new FollowedDb(dbDir, emptyWalDir, p.stats);
        return p;
    }

    /**
     * Starts a {@link #follow} publisher: returns once the first version (what the DB has
     * flushed now) is published, or publishing has stopped ({@link #metrics()} says why).
     * From now until {@link #close}, a JVM exit (SIGTERM, Ctrl-C) closes the publisher.
     */
    public synchronized void start() {
        requireNew();
        if (followed == null) {
            throw new IllegalStateException("an attached publisher starts with start(db)");
        }
        begin(followed.identity(), followed, () -> new ExitGuard("famfs-publisher-exit-" + dataset, null, this));
    }

    private void requireNew() {
        if (closed || thread != null) {
            throw new IllegalStateException("publisher for " + dataset + " is " + (closed ? "closed" : "started"));
        }
    }

    /** Opens (or resumes) the journal, starts the thread and waits for the first publication. */
    private void begin(String identity, VersionSource from, java.util.function.Supplier<ExitGuard> guard) {
        journal = JournalWriter.open(volume, dataset, cfg.journalSize(), identity);
        JournalRecord.Version last = journal.lastVersion();
        if (last != null) {
            copier.verify(last);
        }
        this.source = from;
        state = PublisherState.RUNNING;
        requests.incrementAndGet();
        Thread t = new Thread(this::run, "famfs-publisher-" + dataset);
        t.setDaemon(true);
        thread = t;
        exitGuard = guard.get();
        if (cfg.walRingBytes() > 0 && (rotation != null || db == null)) {
            // A rotation would leave the ring on a device that is later reused: not carried over yet.
            // A sidecar reads no WAL: its DB's WAL belongs to the owner, in another process.
            System.err.println("famfs-publisher: WAL shipping is not supported " + (db == null ? "by a sidecar"
                    : "over a pool of devices") + " yet; replicas of " + dataset + " see flushed writes only");
        } else if (cfg.walRingBytes() > 0) {
            // Before the first version: a replica that opens on it finds the ring and its start.
            WalShipper w = new WalShipper(db, WalRingWriter.open(volume, dataset, journal.datasetId(),
                    cfg.walRingBytes(), cfg.walSegmentBytes()), cfg.walPoll(), dataset);
            w.start();
            wal = w;
        }
        t.start();
        try {
            awaitHandled(1, Long.MAX_VALUE / 2_000_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Asks for a publication now (still respecting the publish interval) and waits for it. */
    public long publishNow(long timeoutMs) throws InterruptedException {
        long want = requests.get() + 1;
        signal();
        return awaitHandled(want, timeoutMs);
    }

    private long awaitHandled(long want, long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        lock.lock();
        try {
            while (handledRequests < want && !closed && state != PublisherState.STOPPED) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IllegalStateException("no publication within " + timeoutMs + " ms");
                }
                handled.awaitNanos(left);
            }
            JournalWriter j = journal;
            return j == null || j.lastVersion() == null ? 0 : j.lastVersion().version();
        } finally {
            lock.unlock();
        }
    }

    public String dataset() {
        return dataset;
    }

    /**
     * Asks for a rotation to a new epoch at the publisher thread's next loop (after the drain
     * of the previous rotation, if one is still running); {@link PoolMetrics#rotations()}
     * counts it once done.
     *
     * @throws IllegalStateException on a publisher over one volume
     */
    public void requestRotation() {
        if (rotation == null) {
            throw new IllegalStateException("dataset " + dataset + " is published on one volume, not over a pool: "
                    + "there is no epoch to rotate");
        }
        rotation.request();
        signal();
    }

    /** The active epoch's number, or 0 on one volume. */
    public long epoch() {
        return rotation == null ? 0 : rotation.epoch();
    }

    /** Whether {@link #close} has begun (by the owner or by the exit guard on SIGINT/SIGTERM). */
    public boolean isClosed() {
        return closed;
    }

    /**
     * The sequence number of the last write shipped to the WAL ring (-1 when no WAL is
     * shipped); {@link #walError} says why shipping stopped, if it did.
     */
    public long walShippedSequence() {
        WalShipper w = wal;
        return w == null ? -1 : w.shippedSequence();
    }

    /** Why WAL shipping stopped, or null while it runs (or when none is shipped). */
    public String walError() {
        WalShipper w = wal;
        return w == null ? null : w.error();
    }

    public PublisherMetrics metrics() {
        lock.lock();
        try {
            // Under the lock: a rotation swaps the volume under it, and closes the old one only after.
            VolumeUsage u = volume.usage();
            return stats.metrics(state, error, errorKind, journal, u, rotation == null ? null : rotation.metrics());
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops the publisher thread and returns once it has stopped (call before closing the
     * DB). Idempotent: every call waits for the thread, so a second closer (the exit guard
     * and the owner) cannot go on to close the DB or the volume under a running publication.
     */
    @Override
    public void close() {
        ExitGuard guard = exitGuard;
        if (guard != null) {
            guard.await(); // after a running exit guard's cancellation: the caller closes the DB next
        }
        Thread t;
        boolean first;
        lock.lock();
        try {
            first = !closed;
            closed = true;
            t = thread;
            handled.signalAll();
        } finally {
            lock.unlock();
        }
        if (first && guard != null) {
            guard.remove();
        }
        WalShipper w = wal;
        if (w != null) {
            w.close(); // before the DB closes: it holds a WAL iterator
        }
        if (t != null && t != Thread.currentThread()) {
            LockSupport.unpark(t);
            try {
                t.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (rotation != null && (t == null || !t.isAlive())) {
            rotation.close();
        }
        state = PublisherState.CLOSED;
    }

    private void run() {
        while (!closed) {
            long recheck = System.nanoTime() + cfg.recheckInterval().toNanos();
            while (!closed && requests.get() == handledRequests && System.nanoTime() < recheck) {
                boolean draining = rotation != null && rotation.draining() && state != PublisherState.STOPPED;
                long wait = recheck - System.nanoTime();
                LockSupport.parkNanos(draining ? Math.min(wait, cfg.rotation().drainPoll().toNanos()) : wait);
                if (draining && !closed) {
                    pollDrain();
                }
            }
            // Batching: wait out the interval (signals arriving meanwhile wake us early, so loop).
            long due = lastPublishNanos + cfg.publishInterval().toNanos();
            while (!closed && due - System.nanoTime() > 0) {
                LockSupport.parkNanos(due - System.nanoTime());
            }
            if (closed) {
                return;
            }
            long upTo = requests.get();
            if (state != PublisherState.STOPPED) {
                try {
                    publishOnce();
                } catch (Exception | Error e) {
                    stop(e);
                }
            }
            lastPublishNanos = System.nanoTime();
            lock.lock();
            try {
                handledRequests = Math.max(handledRequests, upTo);
                handled.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    private void stop(Throwable e) {
        FamfsException f = BridgeException.of("list live files", e);
        lock.lock();
        try {
            error = "publishing of dataset " + dataset + " stopped: " + f.getMessage();
            errorKind = f.kind();
            state = PublisherState.STOPPED;
        } finally {
            lock.unlock();
        }
        System.err.println("famfs-publisher: " + error);
    }

    /** Polls the sealed epoch's drain; once it is done, a rotation asked for meanwhile gets its loop. */
    private void pollDrain() {
        try {
            rotation.pollDrain();
            if (!rotation.draining()) {
                requests.incrementAndGet();
            }
        } catch (RuntimeException | Error e) {
            stop(e);
        }
    }

    /**
     * One publication: a rotation first when one is due; list and open; check room (a
     * version that does not fit rotates instead when a device is free); copy; append.
     */
    private void publishOnce() throws Exception {
        if (rotation != null) {
            rotation.pollDrain();
            if (rotateIfDue()) {
                return;
            }
        }
        long t0 = System.nanoTime();
        BridgeException full;
        // Read before listing: a flush reported here is already in the version listed.
        JournalRecord.Version lastPublished = journal.lastVersion();
        long floor = Math.max(flushedSequence.get(), lastPublished == null ? 0 : lastPublished.sequence());
        LiveVersion taken = source.take(floor, copier::needsCopy);
        if (taken == null) {
            return; // a followed DB that has not changed
        }
        try (LiveVersion live = taken) {
            long t1 = System.nanoTime();
            if (live.isPublishedAs(journal.lastVersion())) {
                return;
            }
            full = checkBudget(live);
            if (full == null) {
                publish(live, t0, t1);
                return;
            }
        }
        if (rotation == null) {
            throw full;
        }
        if (!rotation.canRotate()) {
            warn(List.of("waiting for epoch " + (rotation.epoch() - 1) + " to drain before rotating: " + full.getMessage()));
            return; // the drain is polled meanwhile; this version is published once the rotation ran
        }
        rotate("the next version does not fit: " + full.getMessage());
    }

    /** Copies what {@code live} needs and appends it to the journal. */
    private void publish(LiveVersion live, long t0, long t1) throws IOException {
        copier.shareOptions(live);
        List<SstEntry> entries = new ArrayList<>();
        long oldestCreated = Long.MAX_VALUE;
        for (Map.Entry<Long, Long> e : live.sizes.entrySet()) {
            SstEntry s = copier.shared(e.getKey());
            if (s == null) {
                if (closed) {
                    return; // closing (e.g. Ctrl-C): no version; what was copied is reused next time
                }
                s = copier.copy(e.getKey(), e.getValue(), live.channel(e.getKey()));
                SST_COPIED.hit();
                oldestCreated = Math.min(oldestCreated, stats.createdAtMs(e.getKey()));
            }
            entries.add(s);
        }
        JournalRecord.Version v = journal.append(live.sequence, oldestCreated, live.optionsName, entries,
                live.manifestNumber, live.manifestSize, live::readManifest);
        long t2 = System.nanoTime();
        stats.published(v, live, (t1 - t0) / 1000, (t2 - t1) / 1000);
        copier.retain(live.sizes.keySet());
        if (rotation != null) {
            rotation.metrics(); // a sample of the pool's space in use, for its peak
        }
    }

    /**
     * Rotates when the thresholds or a request say so. A rotation the thresholds asked for
     * that fails (the live set does not fit a new epoch, a device changed) is reported as a
     * warning and not tried again for a while: publishing goes on in the active epoch.
     */
    private boolean rotateIfDue() throws Exception {
        long au = volume.allocUnit();
        String why = rotation.due(volume.usage(), journal.lastVersion(), au, SpaceBudget.reserveBytes(cfg, au));
        if (why == null || (!why.equals("requested") && System.nanoTime() - rotationBackoffUntil < 0)) {
            return false;
        }
        try {
            rotate(why);
            return true;
        } catch (FamfsException e) {
            rotationBackoffUntil = System.nanoTime() + 10 * cfg.recheckInterval().toNanos();
            String line = "epoch rotation (" + why + ") failed, publishing goes on in epoch " + rotation.epoch() + ": "
                    + e.getMessage();
            System.err.println("famfs-publisher: " + line);
            warn(List.of(line));
            return false;
        }
    }

    /** Runs a rotation and swaps the volume, copier and journal to the new epoch's. */
    private void rotate(String why) throws Exception {
        JournalRecord.Version lastPublished = journal.lastVersion();
        long floor = Math.max(flushedSequence.get(), lastPublished == null ? 0 : lastPublished.sequence());
        EpochRotation.Swap s = rotation.rotate(new EpochRepack(db, dbDir, floor, copier, dataset, cfg, stats), journal, why);
        lock.lock();
        try {
            volume = s.volume();
            journal = s.journal();
            s.record().run();
        } finally {
            lock.unlock();
        }
        copier = s.copier();
    }

    /**
     * Null when famfs can take the version (state RUNNING or WARNING set), else the NO_SPACE
     * or LOG_FULL failure to throw or to rotate on.
     */
    private BridgeException checkBudget(LiveVersion live) {
        long au = volume.allocUnit();
        long bytes = 0;
        long slots = 0;
        for (Map.Entry<Long, Long> e : live.sizes.entrySet()) {
            if (copier.isNew(e.getKey())) {
                bytes += SpaceBudget.allocated(e.getValue(), au);
                slots++;
            }
        }
        VolumeUsage usage = volume.usage();
        try {
            SpaceBudget.check(bytes, slots, usage, cfg, au);
        } catch (BridgeException e) {
            return e;
        }
        List<String> w = new ArrayList<>(SpaceBudget.warnings(bytes, slots, usage, cfg));
        if (rotation != null && rotation.held() != null) {
            w.add(rotation.held());
        }
        warn(w);
        return null;
    }

    /** Sets the warnings (none: RUNNING, else WARNING). */
    private void warn(List<String> w) {
        stats.warnings(w);
        lock.lock();
        try {
            state = w.isEmpty() ? PublisherState.RUNNING : PublisherState.WARNING;
        } finally {
            lock.unlock();
        }
    }

    private void signal() {
        requests.incrementAndGet();
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }
}
