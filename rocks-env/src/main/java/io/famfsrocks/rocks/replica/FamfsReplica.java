package io.famfsrocks.rocks.replica;

import io.famfsrocks.famfs.ErrorKind;
import io.famfsrocks.famfs.FamfsException;
import io.famfsrocks.famfs.fs.FamfsVolume;
import io.famfsrocks.rocks.BridgeException;
import io.famfsrocks.rocks.journal.DatasetPaths;
import io.famfsrocks.rocks.journal.JournalReader;
import io.famfsrocks.rocks.journal.JournalRecord;
import io.famfsrocks.rocks.journal.SstEntry;
import org.rocksdb.RocksDBException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
 * <p>A follower thread polls the journal's committed length ({@link JournalReader}). For new
 * versions it brings the {@link ReplicaDirectory} to the newest one (links and reads ahead
 * its SSTs, appends the MANIFEST bytes, switches CURRENT if the MANIFEST rolled over),
 * catches the {@link SecondaryInstance} up, and then checks that its live files are exactly
 * the published set and its sequence number at least the published one. A view that fails
 * the check (stuck or empty secondary) is replaced by a fresh secondary instance; until one
 * passes, {@link #freshness()} ({@link ReplicaHealth}) reports the replica as not current and
 * it keeps serving the last verified version. Versions never go backwards.
 *
 * <p>Concurrency: the follower thread alone changes the directory, the journal reader and
 * which instance is current (a volatile reference); readers take a reference on the current
 * instance, so a reopen closes the old one only after the last read or iterator on it ends.
 * {@link ReplicaHealth} is safe to read from any thread. Thread-safe.
 */
public final class FamfsReplica implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(FamfsReplica.class.getName());
    private final FamfsVolume volume;
    private final String dataset;
    private final Path workDir;
    private final ReplicaConfig cfg;
    private final JournalReader reader;
    private final ReplicaDirectory dir;
    private final Path secondaryDir;
    private final ReplicaHealth health = new ReplicaHealth();
    private final UnusedSstPages unused;

    private volatile SecondaryInstance current;
    private volatile boolean closed;
    private Thread follower;
    private String openedOptions;

    private FamfsReplica(FamfsVolume volume, String dataset, SharedFiles shared, Path workDir, ReplicaConfig cfg)
            throws IOException {
        this.volume = volume;
        this.dataset = DatasetPaths.check(dataset);
        this.workDir = workDir;
        this.cfg = cfg;
        this.reader = new JournalReader(volume, dataset);
        this.dir = new ReplicaDirectory(workDir.resolve("db"), shared, dataset);
        this.unused = new UnusedSstPages(dataset);
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
        health.addListener(listener);
    }

    public byte[] get(byte[] key) {
        SecondaryInstance h = acquire();
        try {
            return h.db.get(key);
        } catch (RocksDBException e) {
            throw BridgeException.rocks("get", e);
        } finally {
            h.release();
        }
    }

    public List<byte[]> multiGet(List<byte[]> keys) {
        SecondaryInstance h = acquire();
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
        SecondaryInstance h = acquire();
        try {
            return new ReplicaIterator(h.db.newIterator(), h::release);
        } catch (RuntimeException e) {
            h.release();
            throw e;
        }
    }

    public Freshness freshness() {
        return health.freshness();
    }

    public ReplicaStats stats() {
        return health.stats(dir.readAheadBytes);
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
        SecondaryInstance h = current;
        current = null;
        if (h != null) {
            h.release();
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
        long deadline = System.currentTimeMillis() + cfg.openTimeout().toMillis();
        List<JournalRecord.Version> versions = new ArrayList<>();
        while (versions.isEmpty()) {
            poll(versions);
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
        health.newest(target);
        try {
            prepare(versions, target);
            current = openVerified(target);
            markApplied(target);
        } catch (IOException e) {
            throw new BridgeException(ErrorKind.IO, "cannot build replica of " + dataset + ": " + e.getMessage(), e);
        }
    }

    private void poll(List<JournalRecord.Version> into) {
        for (JournalRecord r : reader.poll()) {
            if (r instanceof JournalRecord.Version v) {
                into.add(v);
            }
        }
    }

    private void follow() {
        // Versions read from the journal but not yet brought into the directory: kept until a
        // switch gets past prepare(), which is idempotent, so a failure there (an SST not yet
        // visible through the mount) is retried instead of leaving MANIFEST bytes behind.
        List<JournalRecord.Version> versions = new ArrayList<>();
        String reported = null;
        while (!closed) {
            try {
                volume.requireWholeDevice(); // never read a journal past the device's end
                poll(versions);
                if (!versions.isEmpty()) {
                    health.newest(versions.get(versions.size() - 1));
                    switchTo(versions);
                } else if (health.pendingTarget() != null) {
                    retryPending();
                } else if (unused.due()) {
                    unused.drop(List.of()); // an instance that mapped them may have closed since
                } else if (reported != null) {
                    health.problem(null); // the cause is gone (the device's size restored)
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
        boolean ok = false;
        if (target.optionsName().equals(openedOptions)) {
            String why = null;
            try {
                current.db.tryCatchUpWithPrimary();
                health.caughtUp();
                String bad = current.verify(target);
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
            markApplied(target);
        } else {
            health.pending(target);
            retryPending();
        }
        health.switchTook((System.nanoTime() - t0) / 1000);
    }

    /** Replaces the secondary with a fresh one for the pending target; keeps serving the old one if that fails too. */
    private void retryPending() {
        JournalRecord.Version target = health.pendingTarget();
        try {
            SecondaryInstance fresh = openVerified(target);
            SecondaryInstance old = current;
            current = fresh;
            if (old != null) {
                old.release();
            }
            health.reopened();
            markApplied(target);
        } catch (RuntimeException e) {
            JournalRecord.Version a = health.applied();
            health.problem("replica at version " + (a == null ? 0 : a.version()) + " cannot show version "
                    + target.version() + ": " + e.getMessage());
            LockSupport.parkNanos(50_000_000L);
        }
    }

    private void markApplied(JournalRecord.Version target) {
        health.applied(target);
        List<Long> live = new ArrayList<>();
        for (SstEntry s : target.ssts()) {
            live.add(s.fileNumber());
        }
        try {
            dir.prune(live, unused.pending());
        } catch (IOException e) {
            health.problem("cannot prune " + dir.path() + ": " + e.getMessage());
        }
        unused.drop(live);
        health.notifyListeners();
    }

    private SecondaryInstance openVerified(JournalRecord.Version target) {
        SecondaryInstance h;
        try {
            h = SecondaryInstance.open(volume, dataset, target.optionsName(), workDir, dir, secondaryDir, cfg);
        } catch (RuntimeException e) {
            String damaged = DamagedSsts.describe(volume, dataset, target);
            if (damaged == null) {
                throw e;
            }
            throw new BridgeException(ErrorKind.CORRUPT_MEDIA, "cannot open version " + target.version() + " of "
                    + dataset + ": " + damaged + " (" + e.getMessage() + ")", e);
        }
        String bad = h.verify(target);
        if (bad != null) {
            h.release();
            String damaged = DamagedSsts.describe(volume, dataset, target);
            throw new BridgeException(ErrorKind.CORRUPT_MEDIA, "fresh secondary of " + dataset + ": "
                    + (damaged == null ? bad : damaged + " (" + bad + ")"));
        }
        openedOptions = target.optionsName();
        return h;
    }
}
