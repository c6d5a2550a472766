package io.famfsrocks.rocks.replica;

import io.famfsrocks.rocks.BridgeException;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;

/**
 * An iterator over one consistent version of the replica. It keeps that secondary
 * instance open until closed (a reopen waits for it). Not thread-safe, like RocksIterator.
 *
 * <p>{@link #isValid()} checks the iterator's status whenever RocksDB says it is not valid:
 * an iterator also stops at a corrupt block or an I/O error, and a loop that stopped there
 * would return a short result as if the data ended (issue 13). Such a stop throws
 * {@link BridgeException} (CORRUPT_MEDIA for corruption) with RocksDB's message, which
 * names the offending file.
 */
public final class ReplicaIterator implements AutoCloseable {
    private final RocksIterator it;
    private final Runnable release;
    private boolean closed;

    ReplicaIterator(RocksIterator it, Runnable release) {
        this.it = it;
        this.release = release;
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
