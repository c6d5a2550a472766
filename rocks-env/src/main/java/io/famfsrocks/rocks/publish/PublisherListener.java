package io.famfsrocks.rocks.publish;

import io.famfsrocks.rocks.journal.DatasetPaths;
import org.rocksdb.AbstractEventListener;
import org.rocksdb.CompactionJobInfo;
import org.rocksdb.FlushJobInfo;
import org.rocksdb.RocksDB;
import org.rocksdb.TableFileCreationInfo;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The publisher's RocksDB event listener. Runs on RocksDB's flush and compaction threads,
 * so it only records (lock-free) and wakes the publisher thread: it never blocks a flush
 * or compaction. Thread-safe.
 */
final class PublisherListener extends AbstractEventListener {
    private final PublisherStats stats;
    private final AtomicLong flushedSequence;
    private final Runnable wake;

    /**
     * @param flushedSequence raised to the largest sequence number of every completed flush
     * @param wake            asks the publisher thread for a publication
     */
    PublisherListener(PublisherStats stats, AtomicLong flushedSequence, Runnable wake) {
        super(EnabledEventCallback.ON_TABLE_FILE_CREATED, EnabledEventCallback.ON_FLUSH_COMPLETED,
                EnabledEventCallback.ON_COMPACTION_COMPLETED);
        this.stats = stats;
        this.flushedSequence = flushedSequence;
        this.wake = wake;
    }

    @Override
    public void onTableFileCreated(TableFileCreationInfo info) {
        long n = DatasetPaths.sstNumber(info.getFilePath());
        if (n >= 0 && info.getFileSize() > 0) {
            stats.fileCreated(n, info.getFileSize());
        }
    }

    @Override
    public void onFlushCompleted(RocksDB db, FlushJobInfo info) {
        flushedSequence.accumulateAndGet(info.getLargestSeqno(), Math::max);
        wake.run();
    }

    @Override
    public void onCompactionCompleted(RocksDB db, CompactionJobInfo info) {
        wake.run();
    }
}
