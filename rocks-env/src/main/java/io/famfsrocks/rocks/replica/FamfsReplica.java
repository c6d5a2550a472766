package io.famfsrocks.rocks.replica;

import io.famfsrocks.famfs.ErrorKind;
import io.famfsrocks.famfs.fs.FamfsVolume;
import io.famfsrocks.rocks.BridgeException;
import io.famfsrocks.rocks.RocksHandle;
import io.famfsrocks.rocks.journal.DatasetPaths;
import io.famfsrocks.rocks.journal.JournalReader;
import io.famfsrocks.rocks.journal.JournalRecord;
import io.famfsrocks.rocks.journal.SstEntry;
import org.rocksdb.LiveFileMetaData;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * A read replica of a published dataset on any host.
 *
 * <pre>
 * try (FamfsReplica r = FamfsReplica.open(clientVolume, "db1", mountPoint, workDir, ReplicaConfig.defaults())) {
 *     byte[] v = r.get(key);
 *     Freshness f = r.freshness();
 * }
 * </pre>
 *
 * <p>A follower thread polls the journal's committed length. For new versions it links
 * (and reads ahead) the newest version's SSTs, appends the MANIFEST bytes, switches
 * CURRENT if the MANIFEST rolled over, catches the secondary up, and then checks that its
 * live files are exactly the published set and its sequence number at least the published
 * one. A view that fails the check (stuck or empty secondary) is replaced by a fresh
 * secondary instance; until one passes, {@link #freshness()} reports the replica as not
 * current and keeps serving the last verified version. Versions never go backwards.
 *
 * <p>Thread-safe: reads from any thread; a reopen waits for reads and iterators still
 * using the old instance before closing it.
 */
public final class FamfsReplica implements AutoCloseable {
    private final FamfsVolume volume;
    private final String dataset;
    private final SharedFiles shared;
    private final Path workDir;
    private final ReplicaConfig cfg;
    private final JournalReader reader;
    private final ReplicaDirectory dir;
    private final Path secondaryDir;
    private final List<Consumer<Freshness>> listeners = new CopyOnWriteArrayList<>();

    private volatile Handle current;
    private volatile JournalRecord.Version applied;
    private volatile long appliedAtMs;
    private volatile JournalRecord.Version newest;
    private volatile JournalRecord.Version pendingTarget;
    private volatile String problem;
    private volatile boolean closed;
    private Thread follower;
    private String openedOptions;
    private long versionsApplied;
    private long catchUps;
    private long reopens;
    private long stuckDetected;
    private volatile long lastSwitchMicros;

    private FamfsReplica(FamfsVolume volume, String dataset, SharedFiles shared, Path workDir, ReplicaConfig cfg)
            throws IOException {
        this.volume = volume;
        this.dataset = DatasetPaths.check(dataset);
        this.shared = shared;
        this.workDir = workDir;
        this.cfg = cfg;
        this.reader = new JournalReader(volume, dataset);
        this.dir = new ReplicaDirectory(workDir.resolve("db"), shared, dataset);
        this.secondaryDir = workDir.resolve("secondary");
        Files.createDirectories(secondaryDir);
        Files.createDirectories(workDir.resolve("options"));
    }

    /** Opens a replica that sees the shared SSTs under {@code sstRoot} (the volume's mount point). */
    public static FamfsReplica open(FamfsVolume volume, String dataset, Path sstRoot, Path workDir, ReplicaConfig cfg) {
        return open(volume, dataset, new MountedSharedFiles(sstRoot, volume, 5_000), workDir, cfg);
    }

    /**
     * Opens a replica: waits up to {@code cfg.openTimeout()} for a first version, builds the
     * replica directory at the newest one, opens and verifies a secondary, and starts following.
     */
    public static FamfsReplica open(FamfsVolume volume, String dataset, SharedFiles shared, Path workDir,
                                    ReplicaConfig cfg) {
        volume.requireCompleteLog("open a replica on");
        FamfsReplica r;
        try {
            r = new FamfsReplica(volume, dataset, shared, workDir, cfg);
        } catch (IOException e) {
            throw new BridgeException(ErrorKind.IO, "cannot prepare replica directory " + workDir + ": " + e.getMessage(), e);
        }
        try {
            r.openFirst();
        } catch (RuntimeException e) {
            r.close();
            throw e;
        }
        Thread t = new Thread(r::follow, "famfs-replica-" + dataset);
        t.setDaemon(true);
        r.follower = t;
        t.start();
        return r;
    }

    /** Called from the follower thread after every switch to a newer verified version. */
    public void onApplied(Consumer<Freshness> listener) {
        listeners.add(listener);
    }

    public byte[] get(byte[] key) {
        Handle h = acquire();
        try {
            return h.db.get(key);
        } catch (RocksDBException e) {
            throw BridgeException.rocks("get", e);
        } finally {
            h.release();
        }
    }

    public List<byte[]> multiGet(List<byte[]> keys) {
        Handle h = acquire();
        try {
            return h.db.multiGetAsList(keys);
        } catch (RocksDBException e) {
            throw BridgeException.rocks("multiGet", e);
        } finally {
            h.release();
        }
    }

    /** An iterator over the version current now; close it. */
    public ReplicaIterator newIterator() {
        Handle h = acquire();
        try {
            return new ReplicaIterator(h.db.newIterator(), h::release);
        } catch (RuntimeException e) {
            h.release();
            throw e;
        }
    }

    public Freshness freshness() {
        JournalRecord.Version a = applied;
        JournalRecord.Version n = newest;
        long now = System.currentTimeMillis();
        String p = problem;
        boolean behind = n != null && a != null && n.version() > a.version();
        long lag;
        if (a == null) {
            lag = n == null ? 0 : now - n.publishedAtMs();
        } else if (behind) {
            lag = now - pendingPublishedAt(a);
        } else {
            lag = p == null ? 0 : now - a.publishedAtMs();
        }
        return new Freshness(a == null ? 0 : a.version(), a == null ? 0 : a.sequence(),
                a == null ? 0 : a.publishedAtMs(), appliedAtMs, n == null ? 0 : n.version(), lag,
                a != null && !behind && p == null, p);
    }

    private long pendingPublishedAt(JournalRecord.Version a) {
        JournalRecord.Version t = pendingTarget;
        return t != null ? t.publishedAtMs() : a.publishedAtMs();
    }

    public synchronized ReplicaStats stats() {
        return new ReplicaStats(versionsApplied, catchUps, reopens, stuckDetected, lastSwitchMicros, dir.readAheadBytes);
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
        Handle h = current;
        current = null;
        if (h != null) {
            h.release();
        }
    }

    // ---- follower ----

    private void openFirst() {
        long deadline = System.currentTimeMillis() + cfg.openTimeout().toMillis();
        List<JournalRecord.Version> versions = new ArrayList<>();
        while (versions.isEmpty()) {
            for (JournalRecord r : reader.poll()) {
                if (r instanceof JournalRecord.Version v) {
                    versions.add(v);
                }
            }
            if (versions.isEmpty()) {
                if (System.currentTimeMillis() > deadline) {
                    reader.requireReadableHeader(); // a corrupt header, not a slow writer
                    throw new BridgeException(ErrorKind.NOT_FOUND, "dataset " + dataset + " has no published version after "
                            + cfg.openTimeout().toMillis() + " ms");
                }
                LockSupport.parkNanos(cfg.pollInterval().toNanos());
            }
        }
        JournalRecord.Version target = versions.get(versions.size() - 1);
        newest = target;
        try {
            prepare(versions, target);
            Handle h = openVerified(target);
            current = h;
            markApplied(target);
        } catch (IOException e) {
            throw new BridgeException(ErrorKind.IO, "cannot build replica of " + dataset + ": " + e.getMessage(), e);
        }
    }

    private void follow() {
        // Versions read from the journal but not yet brought into the directory: kept until a
        // switch gets past prepare(), which is idempotent, so a failure there (an SST not yet
        // visible through the mount) is retried instead of leaving MANIFEST bytes behind.
        List<JournalRecord.Version> versions = new ArrayList<>();
        while (!closed) {
            try {
                for (JournalRecord r : reader.poll()) {
                    if (r instanceof JournalRecord.Version v) {
                        versions.add(v);
                    }
                }
                if (!versions.isEmpty()) {
                    newest = versions.get(versions.size() - 1);
                    switchTo(versions);
                } else if (pendingTarget != null) {
                    retryPending();
                }
            } catch (RuntimeException | IOException e) {
                problem = "follower error: " + e;
                LockSupport.parkNanos(100_000_000L);
            }
            if (!closed) {
                LockSupport.parkNanos(cfg.pollInterval().toNanos());
            }
        }
    }

    /** Brings the directory to {@code target}: SSTs first, MANIFEST bytes next, CURRENT last. */
    private void prepare(List<JournalRecord.Version> versions, JournalRecord.Version target) throws IOException {
        dir.linkSsts(target, cfg.readAhead());
        for (JournalRecord.Version v : versions) {
            dir.applyManifest(v);
        }
        if (dir.currentBehind()) { // also after a retry of a prepare that failed past a roll-over
            dir.switchCurrent();
        }
    }

    private void switchTo(List<JournalRecord.Version> versions) throws IOException {
        long t0 = System.nanoTime();
        JournalRecord.Version target = versions.get(versions.size() - 1);
        prepare(versions, target);
        versions.clear(); // in the directory now: a failure from here on is retried through pendingTarget
        Handle h = current;
        boolean ok = false;
        if (target.optionsName().equals(openedOptions)) {
            try {
                h.db.tryCatchUpWithPrimary();
                synchronized (this) {
                    catchUps++;
                }
                String bad = verify(h, target);
                ok = bad == null;
                if (!ok) { // recorded before the count: whoever sees the detection sees why
                    problem = "catch-up cannot show version " + target.version() + ": " + bad;
                }
            } catch (RocksDBException e) {
                problem = BridgeException.rocks("catch up", e).getMessage();
            }
            if (!ok) {
                synchronized (this) {
                    stuckDetected++;
                }
            }
        }
        if (ok) {
            markApplied(target);
        } else {
            pendingTarget = target;
            retryPending();
        }
        lastSwitchMicros = (System.nanoTime() - t0) / 1000;
    }

    /** Replaces the secondary with a fresh one for the pending target; keeps serving the old one if that fails too. */
    private void retryPending() {
        JournalRecord.Version target = pendingTarget;
        try {
            Handle fresh = openVerified(target);
            Handle old = current;
            current = fresh;
            if (old != null) {
                old.release();
            }
            synchronized (this) {
                reopens++;
            }
            markApplied(target);
        } catch (RuntimeException e) {
            problem = "replica at version " + (applied == null ? 0 : applied.version()) + " cannot show version "
                    + target.version() + ": " + e.getMessage();
            LockSupport.parkNanos(50_000_000L);
        }
    }

    private void markApplied(JournalRecord.Version target) {
        JournalRecord.Version a = applied;
        if (a != null && target.version() < a.version()) {
            throw new IllegalStateException("refusing to go back from version " + a.version() + " to " + target.version());
        }
        applied = target;
        appliedAtMs = System.currentTimeMillis();
        pendingTarget = null;
        problem = null;
        synchronized (this) {
            versionsApplied++;
        }
        List<Long> live = new ArrayList<>();
        for (SstEntry s : target.ssts()) {
            live.add(s.fileNumber());
        }
        try {
            dir.prune(live);
        } catch (IOException e) {
            problem = "cannot prune " + dir.path() + ": " + e.getMessage();
        }
        Freshness f = freshness();
        for (Consumer<Freshness> l : listeners) {
            l.accept(f);
        }
    }

    /** Null when the instance shows exactly {@code target}; else what differs. */
    private String verify(Handle h, JournalRecord.Version target) {
        Set<Long> live = new HashSet<>();
        for (LiveFileMetaData m : h.db.getLiveFilesMetaData()) {
            live.add(DatasetPaths.sstNumber(m.fileName()));
        }
        Set<Long> want = new HashSet<>();
        for (SstEntry s : target.ssts()) {
            want.add(s.fileNumber());
        }
        if (!live.equals(want)) {
            return "live files " + (live.isEmpty() ? "(none: empty view)" : live.size() + " differ") + " from the "
                    + want.size() + " published in version " + target.version();
        }
        if (h.db.getLatestSequenceNumber() < target.sequence()) {
            return "sequence " + h.db.getLatestSequenceNumber() + " is behind the published " + target.sequence();
        }
        return null;
    }

    private Handle openVerified(JournalRecord.Version target) {
        Handle h = openSecondary(target.optionsName());
        String bad = verify(h, target);
        if (bad != null) {
            h.release();
            throw new BridgeException(ErrorKind.CORRUPT_MEDIA, "fresh secondary of " + dataset + ": " + bad);
        }
        openedOptions = target.optionsName();
        return h;
    }

    private Handle openSecondary(String optionsName) {
        Path local = workDir.resolve("options").resolve(optionsName);
        try {
            if (!Files.exists(local)) {
                Path tmp = local.resolveSibling(optionsName + ".part");
                try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        StandardOpenOption.TRUNCATE_EXISTING)) {
                    volume.refresh();
                    volume.openFile(DatasetPaths.options(dataset, optionsName)).transferTo(out);
                }
                Files.move(tmp, local);
            }
            return new Handle(RocksHandle.open(RocksHandle.OptionsSource.FILE, local, dbo -> {
                dbo.setCreateIfMissing(false);
                dbo.setMaxOpenFiles(-1);
                dbo.setDbLogDir(secondaryDir.toString());
                dbo.setWalDir(dir.path().toString());
                dbo.setAllowMmapReads(cfg.mmapReads());
                dbo.setSkipStatsUpdateOnDbOpen(true);
            }, cf -> { }, (dbo, cfs, handles) -> RocksDB.openAsSecondary(dbo, dir.path().toString(),
                    secondaryDir.toString(), cfs, handles)));
        } catch (RocksDBException e) {
            throw BridgeException.rocks("open the secondary of " + dataset + " in " + dir.path(), e);
        } catch (IOException e) {
            throw new BridgeException(ErrorKind.IO, "cannot fetch " + optionsName + ": " + e.getMessage(), e);
        }
    }

    private Handle acquire() {
        while (true) {
            Handle h = current;
            if (h == null) {
                throw new IllegalStateException("replica of " + dataset + " is closed");
            }
            if (h.tryAcquire()) {
                return h;
            }
        }
    }

    /** One secondary instance, reference-counted so a reopen never closes it under a reader. */
    private static final class Handle {
        final RocksHandle rocks;
        final RocksDB db;
        final AtomicInteger refs = new AtomicInteger(1);

        Handle(RocksHandle rocks) {
            this.rocks = rocks;
            this.db = rocks.db();
        }

        boolean tryAcquire() {
            while (true) {
                int r = refs.get();
                if (r == 0) {
                    return false;
                }
                if (refs.compareAndSet(r, r + 1)) {
                    return true;
                }
            }
        }

        void release() {
            if (refs.decrementAndGet() == 0) {
                rocks.close();
            }
        }
    }
}
