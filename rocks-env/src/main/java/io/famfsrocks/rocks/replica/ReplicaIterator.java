package io.famfsrocks.rocks.replica;

import org.rocksdb.RocksIterator;

/**
 * An iterator over one consistent version of the replica. It keeps that secondary
 * instance open until closed (a reopen waits for it). Not thread-safe, like RocksIterator.
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

    public boolean isValid() {
        return it.isValid();
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
