package io.famfsrocks.rocks.replica;

import io.famfsrocks.famfs.ErrorKind;

import io.famfsrocks.rocks.BridgeException;

import io.famfsrocks.rocks.epoch.AckSlotWriter;
import io.famfsrocks.rocks.epoch.StaleEpochException;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.LockSupport;

/**
 * The replica host's heartbeat: one thread that writes this host's ack slot in the control
 * file of every epoch the host still holds (the serving one, and the one it is switching
 * away from until it let go of it), every beat interval, saying which epoch it serves and
 * through which epoch it has released everything. It owns the {@link AckSlotWriter}s: the
 * follower hands a writer over when it opens an epoch and asks for the last beat of an
 * epoch it released; all writes happen under one lock, one writer per slot line.
 *
 * <p>A writer whose epoch check fails (the device was reformatted while this host was
 * paused past its lease) writes nothing ({@link AckSlotWriter#write} refuses) and is
 * dropped. Thread-safe.
 */
final class Heartbeat implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Heartbeat.class.getName());
    private final Object lock = new Object();
    private final Map<Long, AckSlotWriter> writers = new TreeMap<>();
    private final long periodNanos;
    private final Thread thread;
    private long serving;
    private long releasedThrough;
    private volatile boolean closed;

    Heartbeat(String dataset, Duration period) {
        this.periodNanos = period.toNanos();
        this.thread = new Thread(this::run, "famfs-replica-beat-" + dataset);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Takes over {@code w}, the slot writer of its epoch, and writes a first beat into it now. */
    void add(AckSlotWriter w) {
        synchronized (lock) {
            AckSlotWriter old = writers.put(w.epoch(), w);
            if (old != null && old != w) {
                old.close();
            }
            beat(w);
        }
    }

    /** A fresh host has let go of every epoch before the first it opens. */
    void releasedThrough(long epoch) {
        synchronized (lock) {
            releasedThrough = Math.max(releasedThrough, epoch);
        }
    }

    /** From now on every beat says: serving {@code epoch}. Also beats at once, so the new epoch's slot shows it. */
    void serving(long epoch) {
        synchronized (lock) {
            serving = epoch;
            beatAll();
        }
    }

    /**
     * The last beat into {@code epoch}'s slot ({@code releasedThrough = epoch}: nothing of it
     * is held any more), then its writer is closed (the slot's mapping is gone); later beats
     * in newer epochs say the same. Returns whether that beat was written (false when the
     * epoch's device was reused meanwhile, or there was no writer).
     */
    boolean released(long epoch) {
        synchronized (lock) {
            releasedThrough = Math.max(releasedThrough, epoch);
            AckSlotWriter w = writers.remove(epoch);
            if (w == null) {
                return false;
            }
            try {
                return beat(w);
            } finally {
                w.close();
            }
        }
    }

    /** Closes {@code epoch}'s writer without a last beat (an epoch abandoned while opening). */
    void drop(long epoch) {
        synchronized (lock) {
            AckSlotWriter w = writers.remove(epoch);
            if (w != null) {
                w.close();
            }
        }
    }

    /** The beats written into {@code epoch}'s slot so far (0 when this host holds no writer there). */
    long beats(long epoch) {
        synchronized (lock) {
            AckSlotWriter w = writers.get(epoch);
            return w == null ? 0 : w.beats();
        }
    }

    private void run() {
        while (!closed) {
            synchronized (lock) {
                if (!closed) {
                    beatAll();
                }
            }
            LockSupport.parkNanos(periodNanos);
        }
    }

    private void beatAll() {
        writers.entrySet().removeIf(e -> {
            if (beat(e.getValue())) {
                return false;
            }
            e.getValue().close();
            return true;
        });
    }

    /** One beat; false (and nothing written) when the writer's epoch is stale. */
    private boolean beat(AckSlotWriter w) {
        try {
            w.write(serving, releasedThrough);
            return true;
        } catch (StaleEpochException e) {
            LOG.log(System.Logger.Level.WARNING, "ack slot of epoch {0} not written: {1}", w.epoch(), e.getMessage());
            return false;
        } catch (BridgeException e) {
            if (e.kind() != ErrorKind.BUSY) {
                throw e;
            }
            LOG.log(System.Logger.Level.ERROR, e.getMessage()); // another host shares this slot: it keeps it
            return false;
        }
    }

    /** Stops beating and unmaps every slot; the primary's lease then lets the epochs go. Idempotent. */
    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(thread);
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (lock) {
            writers.values().forEach(AckSlotWriter::close);
            writers.clear();
        }
    }
}
