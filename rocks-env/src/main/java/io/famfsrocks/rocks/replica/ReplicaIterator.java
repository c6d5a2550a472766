package io.famfsrocks.rocks.replica;

import io.famfsrocks.rocks.BridgeException;
import io.famfsrocks.rocks.epoch.EpochGuard;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;

import java.util.ArrayList;
import java.util.List;

/**
 * An iterator over one consistent version of the replica. It keeps that secondary
 * instance open until closed (a reopen waits for it). Not thread-safe, like RocksIterator.
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
    private final RocksIterator it;
    private final EpochGuard guard;
    private final Runnable release;
    private boolean closed;

    ReplicaIterator(RocksIterator it, EpochGuard guard, Runnable release) {
        this.it = it;
        this.guard = guard;
        this.release = release;
    }

    /**
     * Up to {@code limit} pairs from the current position on (the iterator then stands after
     * them), checked: {@code StaleEpochException} instead of pairs read from reused memory.
     */
    public List<byte[][]> nextBatch(int limit) {
        List<byte[][]> rows = new ArrayList<>(Math.min(limit, 1024));
        try {
            for (; rows.size() < limit && isValid(); it.next()) {
                rows.add(new byte[][] {it.key(), it.value()});
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

    public void seekToFirst() {
        it.seekToFirst();
    }

    public void seekToLast() {
        it.seekToLast();
    }

    public void seek(byte[] key) {
        it.seek(key);
    }

    /** Whether positioned on an entry; false at the real end; throws when it stopped on an error. */
    public boolean isValid() {
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

    public void next() {
        it.next();
    }

    public void prev() {
        it.prev();
    }

    public byte[] key() {
        return it.key();
    }

    public byte[] value() {
        return it.value();
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            it.close();
            release.run();
        }
    }
}
