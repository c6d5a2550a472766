package io.famfsrocks.rocks.replica;

import io.famfsrocks.famfs.ErrorKind;
import io.famfsrocks.famfs.FamfsException;
import io.famfsrocks.famfs.fs.FamfsVolume;
import io.famfsrocks.famfs.fs.OpenOptions;
import io.famfsrocks.famfs.fs.SystemUuid;
import io.famfsrocks.famfs.fs.VolumeUsage;
import io.famfsrocks.rocks.BridgeException;
import io.famfsrocks.rocks.epoch.StaleEpochException;
import io.famfsrocks.rocks.journal.DatasetPaths;
import io.famfsrocks.rocks.journal.JournalRecord;
import io.famfsrocks.rocks.journal.SstEntry;
import io.famfsrocks.rocks.journal.WalRecord;
import io.famfsrocks.rocks.journal.WalRingReader;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDBException;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * A read replica of a published dataset on any host, over one volume or over a pool of
 * devices whose epochs it follows.
 *
 * <pre>
 * try (FamfsReplica r = FamfsReplica.openPool(devices, opts, "db1", mounts, workDir, ReplicaConfig.defaults())) {
 *     byte[] v = r.get(key);
 *     Freshness f = r.freshness();
 * }
 * </pre>
 *
 * <p>A follower thread polls the journal's committed length of the epoch it serves
 * ({@link EpochVolume}). For new versions it brings that epoch's {@link ReplicaDirectory}
 * to the newest one (links and reads ahead its SSTs, appends the MANIFEST bytes, switches
 * CURRENT if the MANIFEST rolled over), catches the {@link SecondaryInstance} up, and then
 * checks that its live files are exactly the published set and its sequence number at
 * least the published one. A view that fails the check (stuck or empty secondary) is
 * replaced by a fresh secondary instance; until one passes, {@link #freshness()} ({@link
 * ReplicaHealth}) reports the replica as not current and it keeps serving the last verified
 * version. Versions never go backwards within an epoch. Over a pool, the {@link
 * EpochFollower} watches the epoch's seal, opens the next epoch and switches to it
 * (docs/epochs.md).
 *
 * <p>Every read ({@link #get}, {@link #multiGet}, each {@link ReplicaIterator} batch, each
 * journal poll) ends with its epoch's check ({@code EpochGuard}): an answer counts only if
 * the device still holds the volume it was read from. A failed check drops the answer and
 * retries once on the newest epoch, else throws {@link StaleEpochException} (BUSY).
 *
 * <p>Concurrency: the follower thread alone changes the directories, the journal readers
 * and which instance is current (a volatile reference); readers take a reference on the
 * current instance, so a reopen or an epoch switch closes the old one only after the last
 * read or iterator on it ends. {@link ReplicaHealth} is safe to read from any thread.
 * Thread-safe.
 */
public final class FamfsReplica implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(FamfsReplica.class.getName());
    private final String dataset;
    private final ReplicaConfig cfg;
    private final ReplicaHealth health = new ReplicaHealth();
    private final LongAdder staleReads = new LongAdder();
    /** Null for a plain volume (no pool, no epochs to follow). */
    private EpochFollower epochs;
    /** The epoch the follower works on; the follower thread changes it, others only read it. */
    private volatile EpochVolume serving;
    private volatile SecondaryInstance current;
    private volatile boolean closed;
    private Thread follower;
    private Thread walFollower;
    private volatile WalRingReader walRing;
    /** Whether the ring has been read (its header found) at least once. */
    private volatile boolean walSeen;
    /** The primary's latest sequence number as the ring last said, and since when reads trail it (0: they do not). */
    private volatile long walPrimarySequence;
    private volatile long behindSinceMs;
    private long readAheadBefore;
    private final WalOverlay overlay = new WalOverlay();
    /** What the newest verified view holds per family: the WAL thread trims the overlay by it. */
    private final AtomicReference<Map<Integer, Long>> pendingTrim = new AtomicReference<>();

    private FamfsReplica(String dataset, ReplicaConfig cfg) {
        this.dataset = DatasetPaths.check(dataset);
        this.cfg = cfg;
    }

    /** Opens a replica that sees the shared SSTs under {@code sstRoot} (the volume's mount point). */
    public static FamfsReplica open(FamfsVolume volume, String dataset, Path sstRoot, Path workDir, ReplicaConfig cfg) {
        return open(volume, dataset, new MountedSharedFiles(sstRoot, volume, 5_000), workDir, cfg);
    }

    /**
     * Opens a replica of one volume (the caller owns the volume and the files' view): waits up
     * to {@code cfg.openTimeout()} for a first version, builds the replica directory at the
     * newest one, opens and verifies a secondary, and starts following.
     */
    public static FamfsReplica open(FamfsVolume volume, String dataset, SharedFiles shared, Path workDir,
                                    ReplicaConfig cfg) {
        volume.requireCompleteLog("open a replica on");
        FamfsReplica r = new FamfsReplica(dataset, cfg);
        try {
            r.serving = new EpochVolume(0, volume, false, null, r.dataset, shared, null, workDir);
        } catch (IOException e) {
            throw new BridgeException(ErrorKind.IO, "cannot prepare replica directory " + workDir + ": " + e.getMessage(), e);
        }
        return r.start();
    }

    /**
     * Opens a replica over a pool: reads the pool's epochs from {@code devices} (this host's
     * paths; volumes are recognised by famfs UUID), opens the active epoch, mounts it through
     * {@code mounts}, and follows the dataset across rotations, beating in this host's ack
     * slot ({@code cfg.slot()}) of each epoch it holds. Each epoch's files live under
     * {@code workDir/epoch-N} and are deleted when the epoch is released.
     */
    public static FamfsReplica openPool(List<Path> devices, OpenOptions opts, String dataset, EpochMounts mounts,
                                        Path workDir, ReplicaConfig cfg) {
        FamfsReplica r = new FamfsReplica(dataset, cfg);
        r.epochs = new EpochFollower(r, devices, opts, r.dataset, mounts, workDir, cfg,
                SystemUuid.resolveForReading(opts.systemUuid()));
        try {
            r.serving = r.epochs.openActive();
        } catch (RuntimeException e) {
            r.epochs.close();
            throw e;
        }
        return r.start();
    }

    private FamfsReplica start() {
        try {
            openFirst();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        Thread t = new Thread(this::follow, "famfs-replica-" + dataset);
        t.setDaemon(true);
        follower = t;
        if (epochs == null) { // over a pool the ring is not carried across rotations yet: flushed writes only
            EpochVolume s = serving;
            WalRingReader ring = new WalRingReader(s.volume, dataset, s.reader.header().datasetId());
            walRing = ring;
            Thread w = new Thread(() -> followWal(ring), "famfs-replica-wal-" + dataset);
            w.setDaemon(true);
            walFollower = w;
            w.start();
        }
        t.start();
        return this;
    }

    /** Called from the follower thread after every switch to a newer verified version. */
    public void onApplied(Consumer<Freshness> listener) {
        health.addListener(listener);
    }

    /** The value of {@code key} in the default column family, or null: see {@link #lookup}. */
    public byte[] get(byte[] key) {
        return lookup(null, key).value();
    }

    /**
     * A value and the primary's sequence number it reflects at least. Immutable.
     *
     * @param value    the value, or null when the key is absent
     * @param sequence every write acknowledged up to this sequence number is reflected
     */
    public record Lookup(byte[] value, long sequence) {}

    /**
     * Looks {@code key} up in column family {@code family} (null: the default): in the WAL
     * overlay first when it stands above the version served (the answer is then as of the
     * overlay's last applied write), else in the version. A key whose newest write in the
     * overlay is a merge is answered by the version (merges are not applied to the overlay).
     */
    public Lookup lookup(String family, byte[] key) {
        for (int attempt = 0; ; attempt++) {
            WalOverlay.Run run = overlay.run(); // before the instance: see WalOverlay.Run.usableOver
            SecondaryInstance h = acquire();
            try {
                ColumnFamilyHandle cf = family(h, family);
                SecondaryInstance.View view = h.view();
                long end = run.end; // the snapshot: a batch boundary
                boolean use = run.usableOver(end, view.flushed(), view.upper(), h.contained());
                WalOverlay.Entry e = null;
                if (use) {
                    WalOverlay.Family f = run.family(cf.getID());
                    e = f == null ? null : f.find(key, end);
                    if (e == WalOverlay.Entry.CUT) {
                        attempt--; // overwritten under a slow read: again with a newer snapshot
                        continue;
                    }
                }
                if (e != null && e.kind() != WalOverlay.MERGE) {
                    return new Lookup(e.kind() == WalOverlay.PUT ? e.value() : null, end - 1);
                }
                if (e != null) {
                    overlay.mergeFallback();
                }
                byte[] v = h.db.get(cf, key);
                h.epoch.guard.requireIntact("get");
                return new Lookup(v, use ? end - 1 : Math.max(view.flushed(), 0));
            } catch (StaleEpochException e) {
                retryOrThrow(h, attempt, e);
            } catch (RocksDBException | RuntimeException | InternalError e) {
                if (e instanceof BridgeException b && b.kind() == ErrorKind.NOT_FOUND) {
                    throw b;
                }
                retryOrThrow(h, attempt, stale(h, "get", e)); // reused memory may also fail the read itself
            } finally {
                h.release();
            }
        }
    }

    /** The values of {@code keys} in the default column family (null for absent ones), each as {@link #lookup}. */
    public List<byte[]> multiGet(List<byte[]> keys) {
        List<byte[]> out = new ArrayList<>(keys.size());
        for (byte[] k : keys) {
            out.add(get(k));
        }
        return out;
    }

    private static ColumnFamilyHandle family(SecondaryInstance h, String name) {
        if (name == null) {
            return h.db.getDefaultColumnFamily();
        }
        ColumnFamilyHandle cf = h.family(name);
        if (cf == null) {
            throw new BridgeException(ErrorKind.NOT_FOUND, "no column family '" + name + "' in the published DB");
        }
        return cf;
    }

    /**
     * A failed read or failed check: the StaleEpochException when the epoch it read was reused
     * (to retry), else the failure itself, thrown.
     */
    private static StaleEpochException stale(SecondaryInstance h, String what, Throwable e) {
        if (h.epoch.guard.intact()) {
            if (e instanceof RocksDBException re) {
                throw BridgeException.rocks(what, re);
            }
            if (e instanceof RuntimeException rt) {
                throw rt;
            }
            throw (Error) e;
        }
        return new StaleEpochException(what + " failed on " + h.epoch.describe() + ", which was reused meanwhile ("
                + e + "); the answer is dropped", h.epoch.guard.expected());
    }

    /** Retries (returns) once when a newer epoch's instance serves now; else throws {@code e}. */
    private void retryOrThrow(SecondaryInstance h, int attempt, StaleEpochException e) {
        staleReads.increment();
        SecondaryInstance now = current;
        if (attempt > 0 || now == null || now.epoch == h.epoch) {
            throw e;
        }
    }

    /** An iterator over the default column family; see {@link #newIterator(String)}. */
    public ReplicaIterator newIterator() {
        return newIterator(null);
    }

    /**
     * An iterator over column family {@code family} (null: the default) as of now: the
     * version served, merged with the WAL overlay when it stands above it. Close it. Each
     * {@link ReplicaIterator#nextBatch} is checked.
     */
    public ReplicaIterator newIterator(String family) {
        WalOverlay.Run run = overlay.run(); // before the instance: see WalOverlay.Run.usableOver
        SecondaryInstance h = acquire();
        try {
            ColumnFamilyHandle cf = family(h, family);
            SecondaryInstance.View view = h.view();
            long snap = overlay.snapshot(run);
            boolean use = run.usableOver(snap, view.flushed(), view.upper(), h.contained());
            WalOverlay.Family f = use ? run.family(cf.getID()) : null;
            try {
                return new ReplicaIterator(h.db.newIterator(cf), h.epoch.guard, f, snap,
                        use ? snap - 1 : Math.max(view.flushed(), 0), () -> {
                            overlay.release(snap);
                            h.release();
                        });
            } catch (RuntimeException e) {
                overlay.release(snap);
                throw e;
            }
        } catch (RuntimeException e) {
            h.release();
            throw e;
        }
    }

    /**
     * How current reads are. With WAL shipping, reads reflect the overlay's last applied write
     * when it stands above the version (else the version's), and the primary's latest
     * sequence number (published beside the ring) says what is missing: never current, never
     * a lag of 0 ms, while acknowledged writes are not shown.
     */
    public Freshness freshness() {
        Freshness f = health.freshness();
        WalRingReader ring = walRing;
        if (ring == null || !walSeen) {
            return f;
        }
        long read = readSequence();
        long primary = walPrimarySequence;
        long since = behindSinceMs;
        long stale = read >= primary || since == 0 ? 0 : System.currentTimeMillis() - since;
        String why = null;
        SecondaryInstance h = current;
        if (h != null && read < primary) {
            WalOverlay.Run run = overlay.run();
            SecondaryInstance.View v = h.view();
            if (!run.usableOver(run.end, v.flushed(), v.upper(), h.contained())) {
                why = "WAL overlay not usable (" + (run.start < 0 ? "empty" + (overlay.lastReset() == null ? ""
                        : " after: " + overlay.lastReset()) : "it starts at sequence " + run.start
                        + ", the version holds up to " + v.flushed() + ", the overlay reaches " + (run.end - 1)
                        + " against the version's " + v.upper()) + "); reads show version " + f.appliedVersion()
                        + " until it covers the gap";
            }
        }
        return f.withWal(read, primary, stale, why);
    }

    /** The primary's sequence number reads reflect now. */
    private long readSequence() {
        WalOverlay.Run run = overlay.run();
        SecondaryInstance h = current;
        if (h == null) {
            return 0;
        }
        SecondaryInstance.View v = h.view();
        long end = run.end;
        return run.usableOver(end, v.flushed(), v.upper(), h.contained()) ? end - 1 : Math.max(0, v.flushed());
    }

    /** The journal record of the version the replica shows (null before the first). */
    public JournalRecord.Version appliedVersion() {
        return health.applied();
    }

    public ReplicaStats stats() {
        EpochVolume s = serving;
        return health.stats(readAheadBefore + (s == null ? 0 : s.dir.readAheadBytes));
    }

    public EpochStatus epochStatus() {
        EpochVolume s = serving;
        EpochFollower f = epochs;
        VolumeUsage u = null;
        try {
            u = s == null || s.volume.isClosed() ? null : s.volume.usage();
        } catch (RuntimeException | InternalError e) {
            // the volume is being closed or its device was reused: no figure
        }
        return new EpochStatus(s == null ? 0 : s.epoch, f == null ? 0 : f.rotations(), f == null ? 0 : f.recoveries(),
                staleReads.sum(), f == null ? -1 : f.slot(), u == null ? 0 : u.capacity(),
                u == null ? 0 : u.usedBytes());
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        Thread t = follower;
        if (t != null) {
            LockSupport.unpark(t);
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Thread w = walFollower;
        if (w != null) {
            LockSupport.unpark(w);
            try {
                w.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        SecondaryInstance h = current;
        current = null;
        if (h != null) {
            h.release();
        }
        EpochVolume s = serving;
        if (epochs != null) {
            epochs.close(s); // releases every epoch held, with a last beat each, before their volumes close
        } else if (s != null) {
            s.awaitNoInstances(10_000); // a read still running checks through the volume's mapping
            s.close();
        }
    }

    private SecondaryInstance acquire() {
        while (true) {
            SecondaryInstance h = current;
            if (h == null) {
                throw new IllegalStateException("replica of " + dataset + " is closed");
            }
            if (h.tryAcquire()) {
                return h;
            }
        }
    }

    // ---- follower thread ----

    private void openFirst() {
        EpochVolume s = serving;
        long deadline = System.currentTimeMillis() + cfg.openTimeout().toMillis();
        while (s.pending.isEmpty()) {
            s.poll(s.pending);
            if (s.pending.isEmpty()) {
                if (System.currentTimeMillis() > deadline) {
                    s.reader.requireReadableHeader(); // a corrupt header, not a slow writer
                    throw new BridgeException(ErrorKind.NOT_FOUND, "dataset " + dataset + " has no published version after "
                            + cfg.openTimeout().toMillis() + " ms");
                }
                LockSupport.parkNanos(cfg.pollInterval().toNanos());
            }
        }
        JournalRecord.Version target = s.pending.get(s.pending.size() - 1);
        health.newest(target);
        try {
            prepare(s, s.pending, target);
            s.pending.clear();
            current = openVerified(s, target);
            markApplied(s, target);
        } catch (IOException e) {
            throw new BridgeException(ErrorKind.IO, "cannot build replica of " + dataset + ": " + e.getMessage(), e);
        }
    }

    private void follow() {
        // Versions read from the journal but not yet brought into the directory stay in the
        // epoch's pending list until a switch gets past prepare(), which is idempotent, so a
        // failure there (an SST not yet visible through the mount) is retried instead of
        // leaving MANIFEST bytes behind.
        String reported = null;
        while (!closed) {
            EpochVolume s = serving;
            try {
                if (epochs != null && !s.guard.intact()) {
                    // The served epoch's device was reused (this host was paused past its lease):
                    // nothing more is read from it; open the pool's active epoch and switch there.
                    epochs.recover(s);
                    epochs.step(s);
                    LockSupport.parkNanos(cfg.pollInterval().toNanos());
                    continue;
                }
                s.volume.requireWholeDevice(); // never read a journal past the device's end
                if (s.remounted) { // the mount's server was restarted: files opened through it are dead
                    s.remounted = false;
                    if (health.pendingTarget() == null && health.applied() != null) {
                        health.pending(health.applied());
                    }
                }
                s.poll(s.pending);
                if (!s.pending.isEmpty()) {
                    health.newest(s.pending.get(s.pending.size() - 1));
                    switchTo(s);
                } else if (health.pendingTarget() != null) {
                    retryPending(s);
                } else if (s.unused.due()) {
                    s.unused.drop(List.of()); // an instance that mapped them may have closed since
                }
                if (epochs != null) {
                    epochs.step(s);
                }
                if (reported != null && health.pendingTarget() == null) {
                    health.problem(null); // the cause is gone (the device's size restored, the next epoch opened)
                    reported = null;
                }
            } catch (Throwable e) {
                // Errors too: a read of a truncated device's mapping is a SIGBUS, an InternalError
                // here, and a follower that died of it said nothing while /health stayed ready
                // (issue 13 item 7). The last verified version keeps serving; this says why it is
                // not current, in /health and once in the log.
                String p = "follower error: " + (e instanceof BridgeException || e instanceof FamfsException
                        ? e.getMessage() : e.toString());
                if (!p.equals(reported)) {
                    LOG.log(System.Logger.Level.WARNING, "replica of {0}: {1}; serving version {2} meanwhile",
                            dataset, p, health.freshness().appliedVersion());
                    reported = p;
                }
                health.problem(p);
                LockSupport.parkNanos(100_000_000L);
            }
            if (!closed) {
                LockSupport.parkNanos(cfg.pollInterval().toNanos());
            }
        }
    }

    /** Brings the epoch's directory to {@code target}: SSTs first, MANIFEST bytes next, CURRENT last. */
    private void prepare(EpochVolume ev, List<JournalRecord.Version> versions, JournalRecord.Version target)
            throws IOException {
        ev.dir.linkSsts(target, cfg.readAhead());
        for (JournalRecord.Version v : versions) {
            ev.dir.applyManifest(v);
        }
        if (ev.dir.currentBehind()) { // also after a retry of a prepare that failed past a roll-over
            ev.dir.switchCurrent();
        }
    }

    private void switchTo(EpochVolume s) throws IOException {
        long t0 = System.nanoTime();
        JournalRecord.Version target = s.pending.get(s.pending.size() - 1);
        prepare(s, s.pending, target);
        s.pending.clear(); // in the directory now: a failure from here on is retried through pendingTarget
        boolean ok = false;
        SecondaryInstance c = current;
        if (c != null && c.epoch == s && target.optionsName().equals(s.openedOptions)) {
            String why = null;
            try {
                c.db.tryCatchUpWithPrimary();
                health.caughtUp();
                String bad = c.verify(target);
                ok = bad == null;
                why = ok ? null : "catch-up cannot show version " + target.version() + ": " + bad;
            } catch (RocksDBException e) {
                health.problem(BridgeException.rocks("catch up", e).getMessage());
            }
            if (!ok) {
                health.stuck(why);
            }
        }
        if (ok) {
            markApplied(s, target);
        } else {
            health.pending(target);
            retryPending(s);
        }
        health.switchTook((System.nanoTime() - t0) / 1000);
    }

    /** Replaces the secondary with a fresh one for the pending target; keeps serving the old one if that fails too. */
    private void retryPending(EpochVolume s) {
        JournalRecord.Version target = health.pendingTarget();
        try {
            SecondaryInstance fresh = openVerified(s, target);
            SecondaryInstance old = current;
            current = fresh;
            if (old != null) {
                old.release();
            }
            health.reopened();
            markApplied(s, target);
        } catch (RuntimeException e) {
            JournalRecord.Version a = health.applied();
            health.problem("replica at version " + (a == null ? 0 : a.version()) + " cannot show version "
                    + target.version() + ": " + e.getMessage());
            LockSupport.parkNanos(50_000_000L);
        }
    }

    private void markApplied(EpochVolume s, JournalRecord.Version target) {
        showView(current);
        health.applied(s.epoch, target);
        List<Long> live = new ArrayList<>();
        for (SstEntry e : target.ssts()) {
            live.add(e.fileNumber());
        }
        try {
            s.dir.prune(live, s.unused.pending());
        } catch (IOException e) {
            health.problem("cannot prune " + s.dir.path() + ": " + e.getMessage());
        }
        s.unused.drop(live);
        health.notifyListeners();
    }

    /**
     * Tells readers what the (caught-up or fresh) instance holds, once the overlay has reached
     * it (briefly waited for: the ring is normally ahead of the journal), and asks the WAL
     * thread to trim what the instance holds from the overlay.
     */
    private void showView(SecondaryInstance h) {
        long upper = h.db.getLatestSequenceNumber();
        long deadline = System.nanoTime() + 100_000_000L;
        while (walFollower != null && overlay.start() >= 0 && overlay.end() - 1 < upper
                && System.nanoTime() < deadline && !closed) {
            LockSupport.parkNanos(200_000);
        }
        h.view(new SecondaryInstance.View(h.containedAll(), upper));
        pendingTrim.set(h.contained());
        Thread w = walFollower;
        if (w != null) {
            LockSupport.unpark(w);
        }
    }

    // ---- WAL follower thread ----

    private void followWal(WalRingReader ring) {
        List<WalRecord> records = new ArrayList<>();
        String reported = null;
        while (!closed) {
            try {
                if (!ring.ready()) {
                    LockSupport.parkNanos(100_000_000L);
                    continue;
                }
                Map<Integer, Long> trim = pendingTrim.getAndSet(null);
                if (trim != null) {
                    overlay.trim(trim);
                }
                records.clear();
                // the primary's figure first: what the poll then brings is compared with it
                long primary = ring.primarySequence();
                long primaryAt = ring.primaryAtMs();
                int n = ring.poll(records);
                applyAll(records);
                walPrimarySequence = primary;
                walSeen = true;
                if (readSequence() >= primary) {
                    behindSinceMs = 0;
                } else if (behindSinceMs == 0) {
                    behindSinceMs = Math.min(System.currentTimeMillis(), primaryAt);
                }
                if (n == 0) {
                    LockSupport.parkNanos(cfg.pollInterval().toNanos());
                    continue;
                }
                reported = null;
            } catch (Throwable e) {
                String p = "WAL follower error: " + e.getMessage();
                if (!p.equals(reported)) {
                    LOG.log(System.Logger.Level.WARNING, "replica of {0}: {1}", dataset, p);
                    reported = p;
                }
                overlay.reset(p);
                LockSupport.parkNanos(100_000_000L);
            }
        }
    }

    private void applyAll(List<WalRecord> records) {
        for (WalRecord r : records) {
            if (r instanceof WalRecord.Batch b) {
                overlay.apply(b);
            } else if (r instanceof WalRecord.Lost l) {
                overlay.reset(l.reason());
                LOG.log(System.Logger.Level.WARNING, "replica of {0}: WAL overlay dropped: {1}; reads come from "
                        + "the published version until the overlay covers it again", dataset, l.reason());
            }
        }
    }

    private SecondaryInstance openVerified(EpochVolume ev, JournalRecord.Version target) {
        SecondaryInstance h;
        try {
            h = SecondaryInstance.open(ev, target.optionsName(), cfg);
        } catch (RuntimeException e) {
            String damaged = DamagedSsts.describe(ev.volume, dataset, target);
            if (damaged == null) {
                throw e;
            }
            throw new BridgeException(ErrorKind.CORRUPT_MEDIA, "cannot open version " + target.version() + " of "
                    + dataset + ": " + damaged + " (" + e.getMessage() + ")", e);
        }
        String bad = h.verify(target);
        if (bad != null) {
            h.release();
            String damaged = DamagedSsts.describe(ev.volume, dataset, target);
            throw new BridgeException(ErrorKind.CORRUPT_MEDIA, "fresh secondary of " + dataset + ": "
                    + (damaged == null ? bad : damaged + " (" + bad + ")"));
        }
        ev.openedOptions = target.optionsName();
        return h;
    }

    // ---- epochs (called by the EpochFollower on the follower thread) ----

    /**
     * Builds a verified instance on {@code ev} (an epoch being opened) at the newest version
     * of its journal; null while the journal has none. Versions read stay in the epoch's
     * pending list until a build gets past the directory, so a failure is retried.
     */
    SecondaryInstance buildInstance(EpochVolume ev) throws IOException {
        ev.poll(ev.pending);
        if (!ev.pending.isEmpty()) {
            JournalRecord.Version target = ev.pending.get(ev.pending.size() - 1);
            prepare(ev, ev.pending, target);
            ev.pending.clear();
            ev.prepared = target;
        }
        return ev.prepared == null ? null : openVerified(ev, ev.prepared);
    }

    /** Makes {@code fresh} (built on another epoch) the instance readers get; returns the one it replaces. */
    SecondaryInstance switchEpoch(SecondaryInstance fresh) {
        EpochVolume ev = fresh.epoch;
        EpochVolume old = serving;
        readAheadBefore += old.dir.readAheadBytes;
        SecondaryInstance was = current;
        current = fresh; // the switch: one volatile store
        serving = ev;
        health.newest(ev.prepared);
        health.pending(null);
        markApplied(ev, ev.prepared);
        LOG.log(System.Logger.Level.INFO, "replica of {0}: switched to {1} at version {2}", dataset, ev.describe(),
                ev.prepared.version());
        return was;
    }
}
