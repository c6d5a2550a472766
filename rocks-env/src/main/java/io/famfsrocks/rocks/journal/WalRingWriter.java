package io.famfsrocks.rocks.journal;

import io.famfsrocks.famfs.ErrorKind;
import io.famfsrocks.famfs.FaultPoint;
import io.famfsrocks.famfs.fs.CreateOptions;
import io.famfsrocks.famfs.fs.FamfsFile;
import io.famfsrocks.famfs.fs.MasterVolume;
import io.famfsrocks.famfs.fs.Node;
import io.famfsrocks.famfs.fs.WritableRegion;
import io.famfsrocks.rocks.BridgeException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.UUID;

/**
 * The single writer of a dataset's WAL ring (master host), with the journal's ordering
 * discipline: a record's bytes are written and flushed, then the committed end is stored
 * with release semantics, so a reader that sees the end sees every byte before it. A record
 * that does not fit in the rest of its segment moves to the next one (a pad record marks
 * the skipped tail); the ring overwrites its oldest segments, which readers detect from the
 * committed end and from the logical offset each record carries. Not thread-safe: the
 * shipper calls it from one thread.
 */
public final class WalRingWriter {
    /** Crash point (docs/reliability.md, "Fault points"): a WAL record's bytes written and flushed, the committed end not yet. */
    public static final FaultPoint RECORD_WRITTEN = FaultPoint.named("wal.record-written");

    private final WritableRegion region;
    private final WalFormat.Header header;
    private final long capacity;
    private long committed;
    private long nextSequence;

    private WalRingWriter(WritableRegion region, WalFormat.Header header) {
        this.region = region;
        this.header = header;
        this.capacity = header.capacity();
        this.committed = region.getLongAcquire(WalFormat.COMMITTED_OFFSET);
        // The committed end and the next sequence are published one after the other; a writer
        // that died between the two left the record counted but not its sequence numbers.
        this.nextSequence = Math.max(region.getLongAcquire(WalFormat.NEXT_SEQUENCE_OFFSET), lastCommittedEnd());
    }

    /**
     * The sequence number after the last record before the committed end (0 when none): the
     * records of the committed end's segment, decoded from its start (a record never crosses
     * a segment). A record that does not decode ends the scan (the stored word stands).
     */
    private long lastCommittedEnd() {
        if (committed <= 0) {
            return 0;
        }
        int seg = header.segmentSize();
        long end = 0;
        region.invalidate(physical((committed - 1) / seg * seg), seg);
        for (long p = (committed - 1) / seg * seg; p < committed; ) {
            long room = seg - p % seg;
            if (room < WalFormat.MIN_RECORD) {
                break;
            }
            WalFormat.Decoded d;
            try {
                d = WalFormat.decode(region.view(), physical(p), physical(p) + (int) room, p, region.path());
            } catch (BridgeException e) {
                break;
            }
            if (d.type() == WalFormat.TYPE_PAD) {
                p += room;
                continue;
            }
            if (d.record() instanceof WalRecord.Batch b) {
                end = b.end();
            } else if (d.record() instanceof WalRecord.Lost l) {
                end = Math.max(end, l.toSequence());
            }
            p += d.size();
        }
        return end;
    }

    /**
     * Opens the dataset's ring for appending, creating it ({@code size} bytes, segments of
     * {@code segmentSize}) when it does not exist, or finishing its header when a writer
     * stopped before. Refuses a ring of another dataset.
     */
    public static WalRingWriter open(MasterVolume volume, String dataset, UUID datasetId, long size, int segmentSize) {
        String path = DatasetPaths.walRing(dataset);
        if (size > Integer.MAX_VALUE || segmentSize < 4096 || segmentSize % 4096 != 0
                || (size - WalFormat.DATA_START) % segmentSize != 0 || (size - WalFormat.DATA_START) / segmentSize < 4) {
            throw new BridgeException(ErrorKind.INVALID_ARGUMENT, "WAL ring of " + size + " bytes with segments of "
                    + segmentSize + ": want 4 KiB + at least 4 segments of a multiple of 4 KiB, under 2 GiB");
        }
        volume.refresh();
        if (!(volume.lookup(path) instanceof Node.File)) {
            // 0444: no CLI verb or mount may rewrite a dataset file; the shipper writes through the API
            FamfsFile f = volume.create(path, size, CreateOptions.file().withMode(0444));
            if (!f.isContiguous()) {
                throw new BridgeException(ErrorKind.NO_SPACE, "no contiguous run of " + size + " bytes for " + path);
            }
        }
        WritableRegion region = volume.openWritableRegion(path);
        if (region.getLongAcquire(0) == 0) {
            writeHeader(region, new WalFormat.Header(segmentSize, datasetId, region.size()));
        }
        region.invalidate(0, WalFormat.DATA_START);
        WalFormat.Header h = WalFormat.decodeHeader(region.view(), path);
        if (h.fileSize() != region.size()) {
            throw WalFormat.corrupt(path, 32, "the file's size " + region.size(), Long.toString(h.fileSize()));
        }
        if (!h.datasetId().equals(datasetId)) {
            throw WalFormat.corrupt(path, 16, "dataset id " + datasetId, h.datasetId().toString());
        }
        return new WalRingWriter(region, h);
    }

    private static void writeHeader(WritableRegion region, WalFormat.Header h) {
        ByteBuffer hb = ByteBuffer.allocate(WalFormat.DATA_START).order(ByteOrder.LITTLE_ENDIAN);
        WalFormat.encodeHeader(h, hb);
        long magic = hb.getLong(0);
        hb.putLong(0, 0);
        region.write(0, hb); // written and flushed before the magic that publishes it
        region.putLongRelease(0, magic);
    }

    public WalFormat.Header header() {
        return header;
    }

    /** The sequence number after the last batch shipped (0 for a new ring). */
    public long nextSequence() {
        return nextSequence;
    }

    /** The logical end of the last committed record. */
    public long committed() {
        return committed;
    }

    /** The largest WriteBatch (its bytes) one record can carry. */
    public int maxBatchBytes() {
        return header.segmentSize() - WalFormat.FRAME - WalFormat.BATCH_FIXED;
    }

    /**
     * Appends a batch and commits it. A batch larger than {@link #maxBatchBytes} is not
     * shipped: a lost record names its sequence numbers instead, and false is returned.
     */
    public boolean append(long sequence, int count, long writtenAtMs, byte[] data) {
        if (data.length > maxBatchBytes()) {
            appendLost(sequence, sequence + count);
            return false;
        }
        WalRecord.Batch b = new WalRecord.Batch(sequence, count, writtenAtMs, data);
        long at = place(WalFormat.batchSize(data.length));
        commit(at, WalFormat.encodeBatch(at, b), sequence + count);
        return true;
    }

    /** Records that sequence numbers [from, to) will never be shipped. */
    public void appendLost(long from, long to) {
        long at = place(WalFormat.align(WalFormat.FRAME + 24));
        commit(at, WalFormat.encodeLost(at, from, to), Math.max(nextSequence, to));
    }

    /** Publishes the primary's latest sequence number and the time it was read (for replicas' staleness). */
    public void observePrimary(long latestSequence, long atMs) {
        region.putLongRelease(WalFormat.PRIMARY_SEQUENCE_OFFSET, latestSequence);
        region.putLongRelease(WalFormat.PRIMARY_AT_MS_OFFSET, atMs);
    }

    /** Where a record of {@code size} bytes goes: here, or at the next segment after a pad. */
    private long place(int size) {
        int seg = header.segmentSize();
        long room = seg - committed % seg;
        if (size <= room) {
            return committed;
        }
        if (room >= WalFormat.MIN_RECORD) {
            region.write(physical(committed), WalFormat.encodePad(committed));
        }
        return committed + room;
    }

    private void commit(long at, ByteBuffer record, long next) {
        int n = record.remaining();
        region.write(physical(at), record); // written and flushed before the end that publishes it
        RECORD_WRITTEN.hit();
        committed = at + n;
        nextSequence = next;
        region.putLongRelease(WalFormat.COMMITTED_OFFSET, committed);
        region.putLongRelease(WalFormat.NEXT_SEQUENCE_OFFSET, nextSequence);
    }

    private int physical(long logical) {
        return (int) (WalFormat.DATA_START + logical % capacity);
    }
}
