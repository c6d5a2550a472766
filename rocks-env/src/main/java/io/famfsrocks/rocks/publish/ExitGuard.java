package io.famfsrocks.rocks.publish;

import org.rocksdb.RocksDB;

/**
 * The publisher's shutdown hook. A JVM that exits while RocksDB runs a flush or compaction
 * can hang for good, because the VM joins RocksDB's threads while one of them waits to enter
 * Java for the publisher's listener (seen with rocksdbjni 11.8.1 on SIGTERM: the VM thread
 * in {@code std::thread::join}, {@code rocksdb:low} in {@code AttachCurrentThread}). So from
 * start until close, this hook cancels the DB's background work (waiting for running jobs)
 * and closes the publisher before the VM goes down.
 *
 * <p>Thread-safe: {@link #cancelThen} and {@link #await} hold this object's monitor, so a
 * close that races the hook returns only after the background work is cancelled (the caller
 * closes the DB next).
 */
final class ExitGuard {
    private final Thread hook;
    private boolean done;

    /** @param db the publisher's own DB, or null (a sidecar's DB belongs to another process) */
    ExitGuard(String name, RocksDB db, AutoCloseable owner) {
        this.hook = new Thread(() -> cancelThen(db, owner), name);
        Runtime.getRuntime().addShutdownHook(hook);
    }

    private void cancelThen(RocksDB db, AutoCloseable owner) {
        synchronized (this) {
            if (done) {
                return;
            }
            if (db != null) { // null for a sidecar: the DB is another process's
                db.cancelAllBackgroundWork(true);
            }
        }
        try {
            owner.close();
        } catch (Exception e) {
            System.err.println("famfs-publisher: closing at exit: " + e);
        }
    }

    /** Waits for a running hook's cancellation, and from now on the hook does nothing. */
    synchronized void await() {
        done = true;
    }

    /** Unregisters the hook unless it is the caller or the VM is already shutting down. */
    void remove() {
        if (hook == Thread.currentThread()) {
            return;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook has run or is running
        }
    }
}
