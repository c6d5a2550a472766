package io.famfsrocks.rocks.publish;

import io.famfsrocks.rocks.journal.WalRingWriter;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.Status;
import org.rocksdb.TransactionLogIterator;
import org.rocksdb.WriteBatch;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * Ships the primary's acknowledged writes into the dataset's WAL ring as they happen, on a
 * thread of its own: one {@link TransactionLogIterator} from {@code getUpdatesSince} is
 * kept and tailed (RocksDB's iterator re-reads the live WAL file on {@code next()} and asks
 * for a new iterator only when a new WAL file starts), each WriteBatch goes into the ring
 * with its sequence number, and the DB's latest sequence number is published beside it for
 * replicas' staleness. Sequence numbers the WAL no longer has (files deleted before they
 * were read) are recorded as lost, never skipped silently. The WAL files must outlive the
 * shipper's lag: {@link FamfsPublisher#attach} sets a WAL TTL when the DB keeps none.
 *
 * <p>Failures end shipping (recorded in {@link #error}), never the DB or the publisher.
 * Confined to its own thread except {@link #close} and the volatile progress fields.
 * Thread-safe.
 */
final class WalShipper implements AutoCloseable {
    private static final long OBSERVE_NANOS = 20_000_000L;

    private final RocksDB db;
    private final WalRingWriter ring;
    private final long idleNanos;
    private final Thread thread;
    private volatile boolean closed;
    private volatile long shippedSequence;
    private volatile long batchesShipped;
    private volatile long lostSequences;
    private volatile String error;
    private TransactionLogIterator it;
    private long next;
    private long lastObserved;
    private String lastIteratorError = "";
    /** Whether the iterator has stood on a batch (only then may next() tail it). */
    private boolean started;

    WalShipper(RocksDB db, WalRingWriter ring, Duration idle, String dataset) {
        this.db = db;
        this.ring = ring;
        this.idleNanos = Math.max(50_000, idle.toNanos());
        this.thread = new Thread(this::run, "famfs-wal-" + dataset);
        thread.setDaemon(true);
    }

    void start() {
        long latest = db.getLatestSequenceNumber();
        long resume = ring.nextSequence();
        if (resume == 0) {
            // A new ring starts at the oldest write the WAL still has (RocksDB moves sequence 1
            // to its first batch): the first version covers everything older.
            next = 1;
        } else if (resume > latest + 1) {
            // the ring is ahead of this DB (restored from a backup?): nothing of it can be extended
            ring.appendLost(latest + 1, resume);
            next = latest + 1;
        } else {
            next = resume;
        }
        shippedSequence = next - 1;
        thread.start();
    }

    /** The sequence number of the last operation shipped. */
    long shippedSequence() {
        return shippedSequence;
    }

    long batchesShipped() {
        return batchesShipped;
    }

    /** Sequence numbers recorded as lost (not shippable). */
    long lostSequences() {
        return lostSequences;
    }

    /** Why shipping stopped, or null while it runs. */
    String error() {
        return error;
    }

    private void run() {
        boolean fresh = ring.nextSequence() == 0;
        try {
            while (!closed) {
                boolean progressed;
                try {
                    progressed = pump(fresh);
                } catch (RuntimeException e) {
                    // e.g. the iterator refused a step: start over from where we are, say so once
                    if (!String.valueOf(e).equals(lastIteratorError)) {
                        System.err.println("famfs-publisher: WAL iterator at " + next + ": " + e + "; reopening it");
                    }
                    lastIteratorError = String.valueOf(e);
                    if (it != null) {
                        it.close();
                        it = null;
                    }
                    progressed = false;
                }
                fresh &= !progressed;
                long now = System.nanoTime();
                if (progressed || now - lastObserved > OBSERVE_NANOS) {
                    ring.observePrimary(db.getLatestSequenceNumber(), System.currentTimeMillis());
                    lastObserved = now;
                }
                if (!progressed && !closed) {
                    LockSupport.parkNanos(idleNanos);
                }
            }
        } catch (RuntimeException | Error e) {
            error = "WAL shipping stopped at sequence " + next + ": " + e;
            System.err.println("famfs-publisher: " + error);
        } finally {
            if (it != null) {
                it.close();
            }
        }
    }

    /** Ships what the WAL has past {@link #next}; true when anything was shipped. */
    private boolean pump(boolean fresh) {
        if (it == null) {
            if (next > db.getLatestSequenceNumber()) {
                return false; // nothing written since: getUpdatesSince would refuse
            }
            try {
                it = db.getUpdatesSince(next);
            started = false;
            } catch (RocksDBException e) {
                lose(db.getLatestSequenceNumber() + 1, "getUpdatesSince(" + next + "): " + e.getMessage());
                return true;
            }
        } else if (started) {
            it.next(); // tails the live WAL file: picks up what was written since it stopped
        } else {
            it.close(); // never positioned on a batch: ask again rather than step it
            it = null;
            return false;
        }
        boolean progressed = false;
        while (it.isValid()) {
            started = true;
            TransactionLogIterator.BatchResult r = it.getBatch();
            try (WriteBatch wb = r.writeBatch()) {
                long seq = r.sequenceNumber();
                int count = wb.count();
                if (seq + count > next) {
                    if (seq > next && !fresh) {
                        lose(seq, "the WAL no longer has sequence numbers " + next + " to " + (seq - 1));
                    }
                    if (!ring.append(seq, count, System.currentTimeMillis(), wb.data())) {
                        lostSequences += count;
                    }
                    next = seq + count;
                    shippedSequence = next - 1;
                    batchesShipped++;
                    progressed = true;
                    fresh = false;
                }
            } catch (RocksDBException e) {
                lose(db.getLatestSequenceNumber() + 1, "cannot read a WAL batch: " + e.getMessage());
                return true;
            }
            it.next();
        }
        try {
            it.status();
        } catch (RocksDBException e) {
            // TryAgain: a new WAL file started; anything else: start over from where we are
            it.close();
            it = null;
            String m = e.getMessage();
            if ((e.getStatus() == null || e.getStatus().getCode() != Status.Code.TryAgain) && !m.equals(lastIteratorError)) {
                System.err.println("famfs-publisher: WAL iterator at " + next + ": " + m + "; reopening it");
            }
            lastIteratorError = m;
        }
        return progressed;
    }

    /** Records [next, upTo) as lost and goes on from {@code upTo} with a new iterator. */
    private void lose(long upTo, String why) {
        if (upTo > next) {
            ring.appendLost(next, upTo);
            lostSequences += upTo - next;
            System.err.println("famfs-publisher: " + why + "; replicas are told these writes were not shipped");
            next = upTo;
            shippedSequence = next - 1;
        }
        if (it != null) {
            it.close();
            it = null;
        }
    }

    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(thread);
        if (thread.isAlive() && thread != Thread.currentThread()) {
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
