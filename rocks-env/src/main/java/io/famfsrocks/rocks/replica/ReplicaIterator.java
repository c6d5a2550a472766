package io.famfsrocks.rocks.replica;

import io.famfsrocks.rocks.BridgeException;
import io.famfsrocks.rocks.epoch.EpochGuard;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * An iterator over one consistent version of the replica, merged with the writes of the
 * WAL overlay newer than it when the overlay can stand above that version: an overlay put
 * shows its value, a delete or a range deletion hides the version's key, a merge shows the
 * version's value (the documented staleness of merges). It keeps that secondary instance
 * open until closed (a reopen waits for it), and the overlay keeps what it holds until
 * then. Not thread-safe, like RocksIterator.
 *
 * <p>{@link #isValid()} checks the iterator's status whenever RocksDB says it is not valid:
 * an iterator also stops at a corrupt block or an I/O error, and a loop that stopped there
 * would return a short result as if the data ended (issue 13). Such a stop throws
 * {@link BridgeException} (CORRUPT_MEDIA for corruption) with RocksDB's message, which
 * names the offending file.
 *
 * <p>The keys and values it hands out are read from the epoch's memory: {@link #nextBatch}
 * runs the epoch check after copying a batch and throws {@code StaleEpochException}
 * (dropping the batch) when the epoch's device was reused meanwhile. A caller that uses
 * {@link #key()} and {@link #value()} directly must call {@link #requireIntact()} after
 * copying them and before using them.
 */
public final class ReplicaIterator implements AutoCloseable {
    private static final byte[] FIRST = new byte[0];
    private final RocksIterator it;
    private final EpochGuard guard;
    private final WalOverlay.Family overlay;
    /** The overlay's snapshot: entries at or past it are not shown. */
    private final long snapshot;
    private final long sequence;
    private final Runnable release;
    private boolean closed;
    private boolean valid;
    private boolean forward = true;
    /** Whether the base iterator stands on {@link #key}. */
    private boolean baseHere;
    private byte[] key;
    private byte[] value;

    /**
     * @param overlay  the overlay's share of this column family, or null to show the version alone
     * @param snapshot the overlay snapshot (registered; {@code release} releases it)
     * @param sequence the sequence number the iterator reflects (at least)
     */
    ReplicaIterator(RocksIterator it, EpochGuard guard, WalOverlay.Family overlay, long snapshot, long sequence,
                    Runnable release) {
        this.it = it;
        this.guard = guard;
        this.overlay = overlay;
        this.snapshot = snapshot;
        this.sequence = sequence;
        this.release = release;
    }

    /**
     * Up to {@code limit} pairs from the current position on (the iterator then stands after
     * them), checked: {@code StaleEpochException} instead of pairs read from reused memory.
     */
    public List<byte[][]> nextBatch(int limit) {
        List<byte[][]> rows = new ArrayList<>(Math.min(limit, 1024));
        try {
            for (; rows.size() < limit && isValid(); next()) {
                rows.add(new byte[][] {key(), value()});
            }
        } catch (BridgeException e) {
            requireIntact(); // a corrupt block read from reused memory is a stale epoch, not corruption
            throw e;
        }
        requireIntact();
        return rows;
    }

    /** The epoch check for everything copied out of this iterator so far. */
    public void requireIntact() {
        guard.requireIntact("scan");
    }

    /** The primary's sequence number this iterator reflects at least (its version, or the overlay's run). */
    public long sequence() {
        return sequence;
    }

    public void seekToFirst() {
        it.seekToFirst();
        if (overlay != null) {
            forward = true;
            settleForward(FIRST, true);
        }
    }

    public void seekToLast() {
        it.seekToLast();
        if (overlay != null) {
            forward = false;
            Map.Entry<byte[], WalOverlay.Entry> last = overlay.keys.lastEntry();
            settleBackward(last);
        }
    }

    public void seek(byte[] target) {
        it.seek(target);
        if (overlay != null) {
            forward = true;
            settleForward(target, true);
        }
    }

    /** Whether positioned on an entry; false at the real end; throws when it stopped on an error. */
    public boolean isValid() {
        return overlay == null ? baseValid() : valid;
    }

    public void next() {
        if (overlay == null) {
            it.next();
            return;
        }
        if (!forward) {
            it.seek(key);
            baseHere = baseValid() && Arrays.equals(it.key(), key);
            forward = true;
        }
        if (baseHere) {
            it.next();
        }
        settleForward(key, false);
    }

    public void prev() {
        if (overlay == null) {
            it.prev();
            return;
        }
        it.seekForPrev(key);
        if (baseValid() && Arrays.equals(it.key(), key)) {
            it.prev();
        }
        forward = false;
        settleBackward(overlay.keys.lowerEntry(key));
    }

    public byte[] key() {
        return overlay == null ? it.key() : key;
    }

    public byte[] value() {
        return overlay == null ? it.value() : value;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            it.close();
            release.run();
        }
    }

    private boolean baseValid() {
        if (it.isValid()) {
            return true;
        }
        try {
            it.status();
        } catch (RocksDBException e) {
            throw BridgeException.rocks("iterate", e);
        }
        return false;
    }

    /** With the base on its first key at or past {@code from}: the first visible entry at or past it. */
    private void settleForward(byte[] from, boolean inclusive) {
        Map.Entry<byte[], WalOverlay.Entry> o = inclusive ? overlay.keys.ceilingEntry(from) : overlay.keys.higherEntry(from);
        while (true) {
            byte[] bk = baseValid() ? it.key() : null;
            if (bk == null && o == null) {
                valid = false;
                return;
            }
            int c = bk == null ? 1 : o == null ? -1 : WalOverlay.KEYS.compare(bk, o.getKey());
            if (c < 0) {
                WalOverlay.Entry r = visible(bk, null);
                if (r != null) { // deleted by a range
                    it.next();
                    continue;
                }
                show(bk, it.value(), true);
                return;
            }
            WalOverlay.Entry e = visible(o.getKey(), o.getValue());
            if (e != null && e.kind() == WalOverlay.PUT) {
                show(o.getKey(), e.value(), c == 0);
                return;
            }
            if ((e == null || e.kind() == WalOverlay.MERGE) && c == 0) { // nothing newer (or a merge): the version's
                show(bk, it.value(), true);
                return;
            }
            if (c == 0) {
                it.next();
            }
            o = overlay.keys.higherEntry(o.getKey());
        }
    }

    /** With the base on its last key before the current one (or the last): the last visible entry there. */
    private void settleBackward(Map.Entry<byte[], WalOverlay.Entry> o) {
        while (true) {
            byte[] bk = baseValid() ? it.key() : null;
            if (bk == null && o == null) {
                valid = false;
                return;
            }
            int c = bk == null ? -1 : o == null ? 1 : WalOverlay.KEYS.compare(bk, o.getKey());
            if (c > 0) {
                WalOverlay.Entry r = visible(bk, null);
                if (r != null) {
                    it.prev();
                    continue;
                }
                show(bk, it.value(), true);
                return;
            }
            WalOverlay.Entry e = visible(o.getKey(), o.getValue());
            if (e != null && e.kind() == WalOverlay.PUT) {
                show(o.getKey(), e.value(), c == 0);
                return;
            }
            if ((e == null || e.kind() == WalOverlay.MERGE) && c == 0) {
                show(bk, it.value(), true);
                return;
            }
            if (c == 0) {
                it.prev();
            }
            o = overlay.keys.lowerEntry(o.getKey());
        }
    }

    /** The overlay's word on {@code key} in this iterator's snapshot (the snapshot is registered: never cut). */
    private WalOverlay.Entry visible(byte[] key, WalOverlay.Entry head) {
        WalOverlay.Entry e = overlay.resolve(key, head, snapshot);
        if (e == WalOverlay.Entry.CUT) {
            throw new IllegalStateException("WAL overlay entry of a registered snapshot " + snapshot + " was dropped");
        }
        return e;
    }

    private void show(byte[] k, byte[] v, boolean baseOnIt) {
        key = k;
        value = v;
        baseHere = baseOnIt;
        valid = true;
    }
}
