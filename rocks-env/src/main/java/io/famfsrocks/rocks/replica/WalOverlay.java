package io.famfsrocks.rocks.replica;

import io.famfsrocks.rocks.BridgeException;
import io.famfsrocks.rocks.journal.WalRecord;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The writes a replica has read from the WAL ring, in memory, per column family: the newest
 * operation on each key (put, delete, single delete, merge) and the range deletions. It
 * covers the contiguous run of sequence numbers {@code [start, end)}; a batch that does not
 * continue the run (the ring wrapped, a record was lost or corrupt) starts a new run, and
 * what the old one held is dropped, never served. A lookup consults it first when it can
 * stand above the secondary's view ({@link Run#usableOver}); once a version contains writes up
 * to some sequence number in a family, {@link #trim} drops them.
 *
 * <p>Keys compare as unsigned bytes: RocksDB's default bytewise comparator, the only one the
 * overlay serves (a replica whose options name another keeps the overlay off).
 *
 * <p>Concurrency: one thread applies batches, trims and resets; any thread reads. A reader
 * takes the current {@link Run} once and reads only it: a trim or reset replaces the run
 * instead of removing from it, so nothing a reader needs disappears under it. Batches are
 * applied operation by operation, but reads are snapshots at batch boundaries: a get reads below the run's end as it
 * started, a scan below the end it registered ({@link #snapshot}), so neither sees part of a
 * batch. Thread-safe.
 */
final class WalOverlay {
    static final Comparator<byte[]> KEYS = Arrays::compareUnsigned;
    static final byte PUT = 1;
    static final byte DELETE = 2;
    static final byte MERGE = 3;

    /**
     * One operation on a key, newest first: {@code prev} is the key's operation before it,
     * kept while a reader's snapshot may need it. Once no snapshot can, the applying thread
     * cuts the chain there ({@code cut} set, then {@code prev} cleared), so a reader that
     * walks past a cut knows it needed more and takes a newer snapshot. Thread-safe.
     */
    static final class Entry {
        /** What a get finds when the chain it needs was cut: take a newer snapshot. */
        static final Entry CUT = new Entry(-1, DELETE, null, null);
        final long sequence;
        final byte kind;
        final byte[] value;
        volatile Entry prev;
        volatile boolean cut;

        Entry(long sequence, byte kind, byte[] value, Entry prev) {
            this.sequence = sequence;
            this.kind = kind;
            this.value = value;
            this.prev = prev;
        }

        long sequence() {
            return sequence;
        }

        byte kind() {
            return kind;
        }

        byte[] value() {
            return value;
        }

        /** The newest operation below {@code snapshot}: this or an older one, null, or {@link #CUT}. */
        Entry visible(long snapshot) {
            Entry e = this;
            while (e != null && e.sequence >= snapshot) {
                Entry p = e.prev;
                if (p == null && e.cut) {
                    return CUT;
                }
                e = p;
            }
            return e;
        }

        /** Drops what no snapshot at or above {@code oldest} needs: everything past the first entry below it. */
        void prune(long oldest) {
            Entry e = this;
            while (e != null && e.sequence >= oldest) {
                e = e.prev;
            }
            if (e != null && e.prev != null) {
                e.cut = true;
                e.prev = null;
            }
        }
    }

    /** A range deletion [begin, end). Immutable. */
    record RangeDelete(long sequence, byte[] begin, byte[] end) {
        boolean covers(byte[] key) {
            return KEYS.compare(begin, key) <= 0 && KEYS.compare(key, end) < 0;
        }
    }

    /** One column family's share. */
    static final class Family {
        final ConcurrentSkipListMap<byte[], Entry> keys = new ConcurrentSkipListMap<>(KEYS);
        final List<RangeDelete> ranges = new CopyOnWriteArrayList<>();

        /** The newest range deletion below {@code snapshot} covering {@code key}: its sequence number, or -1. */
        long rangeDeleted(byte[] key, long snapshot) {
            long s = -1;
            for (RangeDelete r : ranges) {
                if (r.sequence() > s && r.sequence() < snapshot && r.covers(key)) {
                    s = r.sequence();
                }
            }
            return s;
        }

        /** What the overlay says of {@code key} as of {@code snapshot}: an entry, a deletion by range, null, or CUT. */
        Entry find(byte[] key, long snapshot) {
            return resolve(key, keys.get(key), snapshot);
        }

        /** As {@link #find}, given the key's newest entry (null: none). */
        Entry resolve(byte[] key, Entry head, long snapshot) {
            Entry e = head == null ? null : head.visible(snapshot);
            if (e == Entry.CUT || ranges.isEmpty()) {
                return e;
            }
            long r = rangeDeleted(key, snapshot);
            if (r >= 0 && (e == null || e.sequence() < r)) {
                return new Entry(r, DELETE, null, null);
            }
            return e;
        }
    }

    /**
     * One contiguous run of sequence numbers and what it holds. The applying thread adds to
     * the current run; a trim or a reset replaces it by a new one, so a reader that took a
     * run sees no removal under it. {@code end} only grows. Thread-safe.
     */
    static final class Run {
        final Map<Integer, Family> families;
        final long start;
        /** Per family id: entries up to this sequence number were dropped (a version holds them). */
        final Map<Integer, Long> trimmed;
        volatile long end;

        Run(Map<Integer, Family> families, long start, long end, Map<Integer, Long> trimmed) {
            this.families = families;
            this.start = start;
            this.end = end;
            this.trimmed = trimmed;
        }

        /** The family's share, or null when the run holds nothing of it. */
        Family family(int id) {
            return families.get(id);
        }

        /**
         * Whether lookups may consult this run, read below {@code snapshot}, first over a view that holds every write up to
         * {@code flushed} (and per family up to {@code contained}) and none past {@code upper}:
         * the run reaches back to the view (nothing between them missing), forward past it
         * (not older than the view on any key), and dropped nothing the view lacks.
         */
        boolean usableOver(long snapshot, long flushed, long upper, Map<Integer, Long> contained) {
            if (start < 0 || start > flushed + 1 || snapshot - 1 < upper) {
                return false;
            }
            for (Map.Entry<Integer, Long> t : trimmed.entrySet()) {
                if (t.getValue() > contained.getOrDefault(t.getKey(), -1L)) {
                    return false;
                }
            }
            return true;
        }

        long entries() {
            long n = 0;
            for (Family f : families.values()) {
                n += f.keys.size() + f.ranges.size();
            }
            return n;
        }
    }

    private static final Run EMPTY = new Run(Map.of(), -1, -1, Map.of());

    private volatile Run run = EMPTY;
    /** Snapshots of open scans (sequence number: how many); guarded by itself. */
    private final java.util.TreeMap<Long, Integer> scans = new java.util.TreeMap<>();

    /**
     * Registers a scan's snapshot of {@code r}: everything it reads is below the returned
     * sequence number (a batch boundary), and entries it needs stay until {@link #release}.
     */
    long snapshot(Run r) {
        synchronized (scans) {
            long s = r.end;
            scans.merge(s, 1, Integer::sum);
            return s;
        }
    }

    void release(long snapshot) {
        synchronized (scans) {
            scans.computeIfPresent(snapshot, (k, n) -> n == 1 ? null : n - 1);
        }
    }

    /** The oldest snapshot a batch applied now must keep entries for. */
    private long oldestSnapshot(Run r) {
        synchronized (scans) {
            long s = r.end < 0 ? Long.MAX_VALUE : r.end;
            return scans.isEmpty() ? s : Math.min(s, scans.firstKey());
        }
    }
    private volatile long batches;
    private volatile long resets;
    private volatile long mergeFallbacks;
    private volatile String lastReset;

    /** The current run (take it once per read). */
    Run run() {
        return run;
    }

    /** First sequence number of the run, or -1 when empty (nothing read yet, or after a reset). */
    long start() {
        return run.start;
    }

    /** The sequence number after the last one applied, or -1 when empty. */
    long end() {
        return run.end;
    }

    long entries() {
        return run.entries();
    }

    long batches() {
        return batches;
    }

    long resets() {
        return resets;
    }

    String lastReset() {
        return lastReset;
    }

    long mergeFallbacks() {
        return mergeFallbacks;
    }

    void mergeFallback() {
        mergeFallbacks++; // racy count from reader threads: a statistic only
    }

    /** Applies a batch read from the ring; a batch that does not continue the run starts a new one. */
    void apply(WalRecord.Batch b) {
        Run r = run;
        if (r.end >= 0 && b.end() <= r.end) {
            return; // already applied (a primary that restarted re-ships from its hint)
        }
        if (r.end >= 0 && b.sequence() > r.end) {
            reset("sequence numbers " + r.end + " to " + (b.sequence() - 1) + " are missing from the WAL ring");
            r = run;
        }
        if (r.start < 0) {
            r = new Run(new ConcurrentHashMap<>(), b.sequence(), -1, Map.of());
        }
        try (WriteBatch wb = new WriteBatch(b.data()); BatchOps ops = new BatchOps(r, oldestSnapshot(r), b.sequence())) {
            wb.iterate(ops);
        } catch (RocksDBException ex) {
            reset("undecodable batch at sequence " + b.sequence() + ": " + ex.getMessage());
            throw BridgeException.rocks("decode a WAL batch", ex);
        }
        r.end = b.end();
        run = r;
        batches++;
    }

    /** Drops everything (the run is broken): lookups go to the version until a new run covers it. */
    void reset(String why) {
        run = EMPTY;
        resets++;
        lastReset = why;
    }

    /**
     * Drops, per family id, what a version holds: entries and range deletions up to that
     * sequence number. Builds a new run (readers of the old one are undisturbed); call from
     * the applying thread.
     */
    void trim(Map<Integer, Long> containedUpTo) {
        Run r = run;
        if (r.start < 0) {
            return;
        }
        Map<Integer, Family> kept = new ConcurrentHashMap<>();
        Map<Integer, Long> trimmed = new java.util.HashMap<>(r.trimmed);
        for (Map.Entry<Integer, Family> fe : r.families.entrySet()) {
            long upTo = containedUpTo.getOrDefault(fe.getKey(), -1L);
            Family f = fe.getValue();
            Family n = new Family();
            for (Map.Entry<byte[], Entry> e : f.keys.entrySet()) {
                if (e.getValue().sequence() > upTo) { // its older entries stay: open snapshots may need them
                    n.keys.put(e.getKey(), e.getValue());
                }
            }
            for (RangeDelete d : f.ranges) {
                if (d.sequence() > upTo) {
                    n.ranges.add(d);
                }
            }
            if (upTo >= 0) {
                trimmed.merge(fe.getKey(), upTo, Math::max);
            }
            if (!n.keys.isEmpty() || !n.ranges.isEmpty()) {
                kept.put(fe.getKey(), n);
            }
        }
        run = new Run(kept, r.start, r.end, Map.copyOf(trimmed));
    }

    private static void put(Run r, long oldest, int cf, long seq, byte kind, byte[] key, byte[] value) {
        ConcurrentSkipListMap<byte[], Entry> keys = r.families.computeIfAbsent(cf, k -> new Family()).keys;
        Entry n = new Entry(seq, kind, value, keys.get(key));
        n.prune(oldest);
        keys.put(key, n);
    }

    /** Entries of one family from {@code from} (inclusive), in key order: for scans. */
    static NavigableMap<byte[], Entry> tail(Family f, byte[] from, boolean inclusive) {
        return f.keys.tailMap(from, inclusive);
    }

    /** Decodes one batch into the overlay: each operation takes the next sequence number. */
    private static final class BatchOps extends WriteBatch.Handler {
        private final Run r;
        private final long oldest;
        private long seq;

        BatchOps(Run r, long oldest, long first) {
            this.r = r;
            this.oldest = oldest;
            this.seq = first;
        }

        @Override
        public void put(int cf, byte[] key, byte[] value) {
            WalOverlay.put(r, oldest, cf, seq++, PUT, key, value);
        }

        @Override
        public void put(byte[] key, byte[] value) {
            put(0, key, value);
        }

        @Override
        public void merge(int cf, byte[] key, byte[] value) {
            WalOverlay.put(r, oldest, cf, seq++, MERGE, key, value);
        }

        @Override
        public void merge(byte[] key, byte[] value) {
            merge(0, key, value);
        }

        @Override
        public void delete(int cf, byte[] key) {
            WalOverlay.put(r, oldest, cf, seq++, DELETE, key, null);
        }

        @Override
        public void delete(byte[] key) {
            delete(0, key);
        }

        @Override
        public void singleDelete(int cf, byte[] key) {
            delete(cf, key);
        }

        @Override
        public void singleDelete(byte[] key) {
            delete(0, key);
        }

        @Override
        public void deleteRange(int cf, byte[] begin, byte[] end) {
            r.families.computeIfAbsent(cf, k -> new Family()).ranges.add(new RangeDelete(seq++, begin, end));
        }

        @Override
        public void deleteRange(byte[] begin, byte[] end) {
            deleteRange(0, begin, end);
        }

        @Override
        public void logData(byte[] blob) {
            // takes no sequence number
        }

        @Override
        public void putBlobIndex(int cf, byte[] key, byte[] value) {
            // a BlobDB index entry: the value lives in a blob file we do not ship; the
            // published version answers for the key, so the overlay must not shadow it
            WalOverlay.put(r, oldest, cf, seq++, MERGE, key, null);
        }

        @Override
        public void markBeginPrepare() {
        }

        @Override
        public void markEndPrepare(byte[] xid) {
        }

        @Override
        public void markNoop(boolean emptyBatch) {
        }

        @Override
        public void markRollback(byte[] xid) {
        }

        @Override
        public void markCommit(byte[] xid) {
        }

        @Override
        public void markCommitWithTimestamp(byte[] xid, byte[] ts) {
        }
    }
}
