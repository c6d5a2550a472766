package io.famfsrocks.rocks.publish;

import io.famfsrocks.famfs.ErrorKind;
import io.famfsrocks.famfs.FamfsException;
import io.famfsrocks.famfs.fs.CreateOptions;
import io.famfsrocks.famfs.fs.FamfsFile;
import io.famfsrocks.famfs.fs.MasterVolume;
import io.famfsrocks.famfs.fs.Node;
import io.famfsrocks.famfs.fs.VolumeUsage;
import io.famfsrocks.rocks.BridgeException;
import io.famfsrocks.rocks.journal.Checksums;
import io.famfsrocks.rocks.journal.DatasetPaths;
import io.famfsrocks.rocks.journal.JournalRecord;
import io.famfsrocks.rocks.journal.JournalWriter;
import io.famfsrocks.rocks.journal.SstEntry;
import org.rocksdb.AbstractEventListener;
import org.rocksdb.CompactionJobInfo;
import org.rocksdb.DBOptionsInterface;
import org.rocksdb.FlushJobInfo;
import org.rocksdb.LiveFileMetaData;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.TableFileCreationInfo;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
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
 * <p>The listener it adds only records creation times and wakes the publisher thread; it
 * never blocks a flush or compaction. Each publication pins file deletions just long
 * enough to list the current version and open its new SSTs and the MANIFEST (an open
 * descriptor keeps an obsolete file readable), then copies on the publisher thread, CRCs
 * the famfs copies, and only then appends the version (MANIFEST bytes, which imply
 * CURRENT) to the journal. Failures stop publishing, never the DB.
 *
 * <p>JVM exit: a JVM that exits while RocksDB runs a flush or compaction can hang for good,
 * because the VM joins RocksDB's threads while one of them waits to enter Java for this
 * listener (seen with rocksdbjni 11.8.1 on SIGTERM: the VM thread in {@code std::thread::join},
 * {@code rocksdb:low} in {@code AttachCurrentThread}). So from {@link #start} until
 * {@link #close}, a shutdown hook cancels the DB's background work (waiting for running jobs)
 * and stops the publisher before the VM goes down. Close the DB soon after the publisher:
 * the listener stays registered with the DB for its lifetime.
 *
 * <p>Thread-safe: one publisher thread does all famfs writes; metrics and close from any thread.
 */
public final class FamfsPublisher implements AutoCloseable {
    private static final int LAG_WINDOW = 1024;

    private final MasterVolume volume;
    private final String dataset;
    private final PublisherConfig cfg;
    private final Listener listener = new Listener();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition published = lock.newCondition();
    private final Map<Long, Long> createdAtMs = new ConcurrentHashMap<>();
    private final Map<Long, Long> createdSizes = new ConcurrentHashMap<>();
    /** Shared SSTs by file number, as last published or verified (publisher thread only). */
    private final Map<Long, SstEntry> shared = new HashMap<>();
    private final long[] lags = new long[LAG_WINDOW];
    private final List<String> warnings = new ArrayList<>();
    private final AtomicLong requests = new AtomicLong();
    /** Largest sequence number of any completed flush: everything up to it is in the MANIFEST. */
    private final AtomicLong flushedSequence = new AtomicLong();

    private volatile RocksDB db;
    private Path dbDir;
    private volatile Thread thread;
    private volatile boolean closed;
    private volatile PublisherState state = PublisherState.NEW;
    private volatile String error;
    private volatile ErrorKind errorKind;
    private JournalWriter journal;
    private String optionsShared;
    private long lagCount;
    private long lagMax;
    private long versionsPublished;
    private long sstsCopied;
    private long bytesCopied;
    private long copyNanos;
    private long sstsSkipped;
    private long bytesSkipped;
    private long sstsReused;
    private long lastPublishNanos;
    private volatile long handledRequests;
    private volatile long[] lastPhasesMicros = new long[2];
    /** Held while the exit guard cancels background work, so close() (and then the DB's close) waits for it. */
    private final Object exitLock = new Object();
    private volatile Thread exitGuard;

    private FamfsPublisher(MasterVolume volume, String dataset, PublisherConfig cfg) {
        this.volume = volume;
        this.dataset = DatasetPaths.check(dataset);
        this.cfg = cfg;
        this.lastPublishNanos = System.nanoTime() - cfg.publishInterval().toNanos();
    }

    /**
     * Adds the publisher's listener to {@code options} (keeping the user's listeners) and caps
     * max_manifest_file_size; call before opening the DB with these options.
     */
    public static FamfsPublisher attach(DBOptionsInterface<?> options, MasterVolume volume, String dataset,
                                        PublisherConfig cfg) {
        FamfsPublisher p = new FamfsPublisher(volume, dataset, cfg);
        List<AbstractEventListener> ls = new ArrayList<>(options.listeners());
        ls.add(p.listener);
        options.setListeners(ls);
        if (options.maxManifestFileSize() > cfg.maxManifestBytes()) {
            options.setMaxManifestFileSize(cfg.maxManifestBytes());
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
        if (closed || this.db != null) {
            throw new IllegalStateException("publisher for " + dataset + " is " + (closed ? "closed" : "started"));
        }
        String identity;
        try {
            identity = Files.readString(Path.of(db.getName(), "IDENTITY")).trim();
        } catch (IOException e) {
            throw new BridgeException(ErrorKind.IO, "cannot read the IDENTITY of " + db.getName() + ": " + e.getMessage(), e);
        }
        journal = JournalWriter.open(volume, dataset, cfg.journalSize(), identity);
        JournalRecord.Version last = journal.lastVersion();
        if (last != null) {
            verifyShared(last);
        }
        this.db = db;
        this.dbDir = Path.of(db.getName());
        state = PublisherState.RUNNING;
        requests.incrementAndGet();
        Thread t = new Thread(this::run, "famfs-publisher-" + dataset);
        t.setDaemon(true);
        thread = t;
        exitGuard = new Thread(this::beforeExit, "famfs-publisher-exit-" + dataset);
        Runtime.getRuntime().addShutdownHook(exitGuard);
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
                published.awaitNanos(left);
            }
            return journal == null || journal.lastVersion() == null ? 0 : journal.lastVersion().version();
        } finally {
            lock.unlock();
        }
    }

    public String dataset() {
        return dataset;
    }

    /** Whether {@link #close} has begun (by the owner or by the exit guard on SIGINT/SIGTERM). */
    public boolean isClosed() {
        return closed;
    }

    public PublisherMetrics metrics() {
        lock.lock();
        try {
            long[] sorted = java.util.Arrays.copyOf(lags, (int) Math.min(lagCount, LAG_WINDOW));
            java.util.Arrays.sort(sorted);
            long p50 = sorted.length == 0 ? 0 : sorted[sorted.length / 2];
            long p99 = sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) (sorted.length * 0.99))];
            VolumeUsage u = volume.usage();
            JournalRecord.Version last = journal == null ? null : journal.lastVersion();
            return new PublisherMetrics(state, error, errorKind, List.copyOf(warnings), versionsPublished,
                    last == null ? 0 : last.version(), last == null ? 0 : last.sequence(),
                    sstsCopied, bytesCopied, copyNanos == 0 ? 0 : bytesCopied / 1e6 / (copyNanos / 1e9),
                    sstsSkipped, bytesSkipped, sstsReused, p50, p99, lagMax, u.dataCapacity(), u.dataUsedBytes(), u.freeBytes(),
                    u.logSlots(), u.logSlotsLeft(),
                    journal == null ? -1 : journal.journalIndex(), journal == null ? 0 : journal.remaining(),
                    lastPhasesMicros[0], lastPhasesMicros[1]);
        } finally {
            lock.unlock();
        }
    }

    /** The shutdown hook: no RocksDB thread may be inside this listener when the VM exits. */
    private void beforeExit() {
        synchronized (exitLock) {
            if (closed) {
                return;
            }
            db.cancelAllBackgroundWork(true);
        }
        close();
    }

    /**
     * Stops the publisher thread and returns once it has stopped (call before closing the
     * DB). Idempotent: every call waits for the thread, so a second closer (the exit guard
     * and the owner) cannot go on to close the DB or the volume under a running publication.
     */
    @Override
    public void close() {
        Thread t;
        boolean first;
        synchronized (exitLock) { // after a running exit guard: the caller closes the DB next
            lock.lock();
            try {
                first = !closed;
                closed = true;
                t = thread;
                published.signalAll();
            } finally {
                lock.unlock();
            }
        }
        Thread guard = exitGuard;
        if (first && guard != null && guard != Thread.currentThread()) {
            try {
                Runtime.getRuntime().removeShutdownHook(guard);
            } catch (IllegalStateException shuttingDown) {
                // the guard has run or is running
            }
        }
        if (t != null && t != Thread.currentThread()) {
            java.util.concurrent.locks.LockSupport.unpark(t);
            try {
                t.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        state = PublisherState.CLOSED;
    }

    private void run() {
        while (!closed) {
            long recheck = System.nanoTime() + cfg.recheckInterval().toNanos();
            while (!closed && requests.get() == handledRequests && System.nanoTime() < recheck) {
                java.util.concurrent.locks.LockSupport.parkNanos(recheck - System.nanoTime());
            }
            if (closed) {
                return;
            }
            // Batching: wait out the interval (signals arriving meanwhile wake us early, so loop).
            long due = lastPublishNanos + cfg.publishInterval().toNanos();
            while (!closed && due - System.nanoTime() > 0) {
                java.util.concurrent.locks.LockSupport.parkNanos(due - System.nanoTime());
            }
            if (closed) {
                return;
            }
            long upTo = requests.get();
            if (state != PublisherState.STOPPED) {
                try {
                    publishOnce();
                } catch (RuntimeException | IOException | RocksDBException | Error e) {
                    stop(e);
                }
            }
            lastPublishNanos = System.nanoTime();
            lock.lock();
            try {
                handledRequests = Math.max(handledRequests, upTo);
                published.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    private void stop(Throwable e) {
        lock.lock();
        try {
            FamfsException f = BridgeException.of("list live files", e);
            error = "publishing of dataset " + dataset + " stopped: " + f.getMessage();
            errorKind = f.kind();
            state = PublisherState.STOPPED;
        } finally {
            lock.unlock();
        }
        System.err.println("famfs-publisher: " + error);
    }

    /** One publication: pin, snapshot, unpin; copy; append. */
    private void publishOnce() throws IOException, RocksDBException {
        long t0 = System.nanoTime();
        Snapshot snap = snapshot();
        long t1 = System.nanoTime();
        try {
            JournalRecord.Version last = journal.lastVersion();
            if (last != null && last.manifestNumber() == snap.manifestNumber && last.manifestEnd() == snap.manifestSize
                    && sameSsts(last, snap) && snap.optionsName.equals(last.optionsName())) {
                return;
            }
            checkResources(snap);
            shareOptions(snap);
            List<SstEntry> entries = new ArrayList<>();
            long oldestCreated = Long.MAX_VALUE;
            for (Map.Entry<Long, Long> e : snap.sizes.entrySet()) {
                SstEntry s = shared.get(e.getKey());
                if (s == null) {
                    if (closed) {
                        return; // closing (e.g. Ctrl-C): no version; what was copied is reused next time
                    }
                    s = copySst(e.getKey(), e.getValue(), snap.channels.get(e.getKey()));
                    Long c = createdAtMs.get(e.getKey());
                    oldestCreated = Math.min(oldestCreated, c == null ? System.currentTimeMillis() : c);
                }
                entries.add(s);
            }
            FileChannel m = snap.manifest;
            JournalRecord.Version v = journal.append(snap.sequence, oldestCreated, snap.optionsName, entries,
                    snap.manifestNumber, snap.manifestSize, (from, to) -> {
                        ByteBuffer b = ByteBuffer.allocate((int) (to - from));
                        while (b.hasRemaining()) {
                            if (m.read(b, from + b.position()) < 0) {
                                throw new IOException("MANIFEST ended early");
                            }
                        }
                        return b.array();
                    });
            long t2 = System.nanoTime();
            afterPublish(v, snap);
            lastPhasesMicros = new long[] {(t1 - t0) / 1000, (t2 - t1) / 1000};
        } finally {
            snap.close();
        }
    }

    private void afterPublish(JournalRecord.Version v, Snapshot snap) {
        lock.lock();
        try {
            versionsPublished++;
            for (SstEntry s : v.ssts()) {
                createdSizes.remove(s.fileNumber());
                Long c = createdAtMs.remove(s.fileNumber());
                if (c != null) {
                    long lag = Math.max(0, v.publishedAtMs() - c);
                    lags[(int) (lagCount++ % LAG_WINDOW)] = lag;
                    lagMax = Math.max(lagMax, lag);
                }
            }
            shared.keySet().retainAll(snap.sizes.keySet());
            // Files created since the last publication that are no longer live were never copied.
            for (Long n : List.copyOf(createdAtMs.keySet())) {
                if (!snap.sizes.containsKey(n) && n < snap.maxFileNumberSeen && !Files.exists(snap.dir.resolve(DatasetPaths.sstName(n)))) {
                    createdAtMs.remove(n);
                    sstsSkipped++;
                    Long size = createdSizes.remove(n);
                    bytesSkipped += size == null ? 0 : size;
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private boolean sameSsts(JournalRecord.Version last, Snapshot snap) {
        if (last.ssts().size() != snap.sizes.size()) {
            return false;
        }
        for (SstEntry s : last.ssts()) {
            if (!snap.sizes.containsKey(s.fileNumber())) {
                return false;
            }
        }
        return true;
    }

    private void checkResources(Snapshot snap) {
        long au = volume.allocUnit();
        long bytes = 0;
        long slots = 0;
        for (Map.Entry<Long, Long> e : snap.sizes.entrySet()) {
            if (!shared.containsKey(e.getKey()) && volume.lookup(DatasetPaths.sst(dataset, e.getKey())) == null) {
                bytes += SpaceBudget.allocated(e.getValue(), au);
                slots++;
            }
        }
        VolumeUsage usage = volume.usage();
        SpaceBudget.check(bytes, slots, usage, cfg, au);
        List<String> w = SpaceBudget.warnings(bytes, slots, usage, cfg);
        lock.lock();
        try {
            warnings.clear();
            warnings.addAll(w);
            state = warnings.isEmpty() ? PublisherState.RUNNING : PublisherState.WARNING;
        } finally {
            lock.unlock();
        }
    }

    private void shareOptions(Snapshot snap) throws IOException {
        if (snap.optionsName.equals(optionsShared)) {
            return;
        }
        String dest = DatasetPaths.options(dataset, snap.optionsName);
        if (volume.lookup(dest) == null) {
            volume.copyIn(snap.dir.resolve(snap.optionsName), dest, CreateOptions.file());
        }
        optionsShared = snap.optionsName;
    }

    /** Copies one SST (or reuses a matching copy left by an earlier run) and CRCs the famfs bytes. */
    private SstEntry copySst(long number, long size, FileChannel src) throws IOException {
        String dest = DatasetPaths.sst(dataset, number);
        long t0 = System.nanoTime();
        Node existing = volume.lookup(dest);
        if (existing instanceof Node.File nf) {
            if (nf.size() != size) {
                throw new BridgeException(ErrorKind.EXISTS, dest + " exists with " + nf.size()
                        + " bytes but the DB's SST has " + size + "; the dataset does not match this DB");
            }
            int crc = Checksums.of(volume.openFile(dest));
            if (crc == Checksums.of(src, size)) {
                SstEntry e = new SstEntry(number, size, crc);
                shared.put(number, e);
                sstsReused++;
                return e;
            }
        }
        FamfsFile f = volume.copyIn(src, size, dest, CreateOptions.file(), true, n -> { });
        SstEntry e = new SstEntry(number, size, Checksums.of(f));
        shared.put(number, e);
        long dt = System.nanoTime() - t0;
        lock.lock();
        try {
            sstsCopied++;
            bytesCopied += size;
            copyNanos += dt;
        } finally {
            lock.unlock();
        }
        return e;
    }

    /** On restart: checks that the SSTs the journal says are shared still have their CRC. */
    private void verifyShared(JournalRecord.Version last) {
        for (SstEntry s : last.ssts()) {
            String p = DatasetPaths.sst(dataset, s.fileNumber());
            if (volume.lookup(p) instanceof Node.File nf && nf.size() == s.size()
                    && Checksums.of(volume.openFile(p)) == s.crc32c()) {
                shared.put(s.fileNumber(), s);
                sstsReused++;
            }
        }
    }

    /**
     * The current version, with descriptors open on everything that must still be copied.
     * Optimistic first: list, then open; an open descriptor keeps a file readable after
     * RocksDB deletes it, so the only race is a file deleted between listing and opening,
     * which shows as NoSuchFileException and makes us list again. After a few such races
     * it pins deletions around listing and opening (disableFileDeletions /
     * enableFileDeletions); pinning on every publication cost ~15 ms, because re-enabling
     * deletions makes RocksDB scan the whole DB directory.
     */
    private Snapshot snapshot() throws RocksDBException, IOException {
        for (int attempt = 0; attempt < 5; attempt++) {
            try {
                return snapshot(false);
            } catch (java.nio.file.NoSuchFileException raced) {
                // a compaction or MANIFEST rollover deleted a listed file: list again
            }
        }
        return snapshot(true);
    }

    private Snapshot snapshot(boolean pin) throws RocksDBException, IOException {
        RocksDB d = db;
        Snapshot s = new Snapshot(dbDir);
        // Read before listing: a flush reported here is already in the version listed below.
        // (Bottommost compactions zero sequence numbers, so the files alone can under-report.)
        JournalRecord.Version lastPublished = journal.lastVersion();
        s.sequence = Math.max(flushedSequence.get(), lastPublished == null ? 0 : lastPublished.sequence());
        if (pin) {
            d.disableFileDeletions();
        }
        try {
            for (int attempt = 0; ; attempt++) {
                // getLiveFiles lists every referenced file and the MANIFEST size; the metadata
                // (current version only) taken after it must name no file the listing lacks,
                // or a new version was installed in between and we list again.
                RocksDB.LiveFiles live = d.getLiveFiles(false);
                List<LiveFileMetaData> md = d.getLiveFilesMetaData();
                if (!listed(md, live) && attempt < 10) {
                    continue;
                }
                s.fill(md, live);
                break;
            }
            s.manifest = FileChannel.open(s.dir.resolve(DatasetPaths.manifestName(s.manifestNumber)), StandardOpenOption.READ);
            for (Map.Entry<Long, Long> e : s.sizes.entrySet()) {
                if (!shared.containsKey(e.getKey())) {
                    s.channels.put(e.getKey(), FileChannel.open(s.paths.get(e.getKey()), StandardOpenOption.READ));
                }
            }
            if (s.manifest.size() < s.manifestSize) {
                // The MANIFEST we opened is not the one listed (rolled over and reused name): list again.
                throw new java.nio.file.NoSuchFileException(DatasetPaths.manifestName(s.manifestNumber));
            }
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        } finally {
            if (pin) {
                d.enableFileDeletions();
            }
        }
        return s;
    }

    private static boolean listed(List<LiveFileMetaData> md, RocksDB.LiveFiles live) {
        java.util.Set<String> names = new java.util.HashSet<>(live.files);
        for (LiveFileMetaData m : md) {
            String n = m.fileName().startsWith("/") ? m.fileName() : "/" + m.fileName();
            if (!names.contains(n)) {
                return false;
            }
        }
        return true;
    }

    /** What one publication saw while deletions were pinned. Closed by the publisher thread. */
    private final class Snapshot implements AutoCloseable {
        final Path dir;
        final TreeMap<Long, Long> sizes = new TreeMap<>();
        final Map<Long, Path> paths = new HashMap<>();
        final Map<Long, FileChannel> channels = new HashMap<>();
        FileChannel manifest;
        long manifestNumber = -1;
        long manifestSize;
        long sequence;
        long maxFileNumberSeen;
        String optionsName;

        Snapshot(Path dir) {
            this.dir = dir;
        }

        void fill(List<LiveFileMetaData> md, RocksDB.LiveFiles live) {
            for (LiveFileMetaData m : md) {
                long n = DatasetPaths.sstNumber(m.fileName());
                sizes.put(n, m.size());
                paths.put(n, Path.of(m.path(), m.fileName().startsWith("/") ? m.fileName().substring(1) : m.fileName()));
                sequence = Math.max(sequence, m.largestSeqno());
                maxFileNumberSeen = Math.max(maxFileNumberSeen, n);
            }
            for (String f : live.files) {
                long mn = DatasetPaths.manifestNumber(f);
                if (mn >= 0) {
                    manifestNumber = mn;
                    maxFileNumberSeen = Math.max(maxFileNumberSeen, mn);
                } else if (f.startsWith("/OPTIONS-")) {
                    optionsName = f.substring(1);
                }
            }
            manifestSize = live.manifestFileSize;
            if (manifestNumber < 0 || optionsName == null) {
                throw new BridgeException(ErrorKind.IO, "RocksDB listed no MANIFEST or OPTIONS file in " + live.files);
            }
        }

        @Override
        public void close() {
            for (FileChannel c : channels.values()) {
                closeQuietly(c);
            }
            closeQuietly(manifest);
        }
    }

    private static void closeQuietly(FileChannel c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException ignored) {
                // read-only descriptor: nothing to lose
            }
        }
    }

    /** Runs on RocksDB's flush and compaction threads: record and signal only. */
    private final class Listener extends AbstractEventListener {
        Listener() {
            super(EnabledEventCallback.ON_TABLE_FILE_CREATED, EnabledEventCallback.ON_FLUSH_COMPLETED,
                    EnabledEventCallback.ON_COMPACTION_COMPLETED);
        }

        @Override
        public void onTableFileCreated(TableFileCreationInfo info) {
            long n = DatasetPaths.sstNumber(info.getFilePath());
            if (n >= 0 && info.getFileSize() > 0) {
                createdSizes.put(n, info.getFileSize());
                createdAtMs.put(n, System.currentTimeMillis());
            }
        }

        @Override
        public void onFlushCompleted(RocksDB db, FlushJobInfo info) {
            flushedSequence.accumulateAndGet(info.getLargestSeqno(), Math::max);
            signal();
        }

        @Override
        public void onCompactionCompleted(RocksDB db, CompactionJobInfo info) {
            signal();
        }
    }

    private void signal() {
        requests.incrementAndGet();
        Thread t = thread;
        if (t != null) {
            java.util.concurrent.locks.LockSupport.unpark(t);
        }
    }
}
