package io.famfsrocks.rocks.journal;

import io.famfsrocks.famfs.fs.FamfsVolume;
import io.famfsrocks.famfs.fs.Node;
import io.famfsrocks.famfs.fs.SharedRegion;
import io.famfsrocks.rocks.BridgeException;

import java.util.List;
import java.util.UUID;

/**
 * Follows a dataset's WAL ring from the device (any host, read-only). The first poll starts
 * at the oldest segment the writer cannot be overwriting; each poll reads the committed end
 * (one load when nothing is new) and decodes the records up to it. A record is accepted only
 * when its CRC and logical offset match and, read again after copying it, the committed end
 * shows the writer could not have reached its bytes meanwhile. A reader that the writer
 * overtook, or that meets a record failing those checks, reports {@link WalRecord.Lost} and
 * continues at the oldest safe segment or the committed end: it never hands on a torn or
 * overwritten record. Not thread-safe: one thread polls.
 */
public final class WalRingReader {
    private final FamfsVolume volume;
    private final String path;
    private final UUID datasetId;
    private SharedRegion region;
    private WalFormat.Header header;
    private long capacity;
    private long seg;
    private long position = -1;

    /** @param datasetId the journal chain's dataset id: a ring of another dataset is refused */
    public WalRingReader(FamfsVolume volume, String dataset, UUID datasetId) {
        this.volume = volume;
        this.path = DatasetPaths.walRing(DatasetPaths.check(dataset));
        this.datasetId = datasetId;
    }

    /** Whether the ring exists with its header (the primary may ship no WAL). */
    public boolean ready() {
        if (region != null) {
            return true;
        }
        if (!(volume.lookup(path) instanceof Node.File)) {
            volume.refresh();
            if (!(volume.lookup(path) instanceof Node.File)) {
                return false;
            }
        }
        SharedRegion r = volume.openRegion(path);
        if (r.getLongAcquire(0) != WalFormat.WAL_MAGIC) {
            return false;
        }
        r.invalidate(0, WalFormat.DATA_START);
        WalFormat.Header h = WalFormat.decodeHeader(r.view(), path);
        if (h.fileSize() != r.size()) {
            throw WalFormat.corrupt(path, 32, "the file's size " + r.size(), Long.toString(h.fileSize()));
        }
        if (datasetId != null && !h.datasetId().equals(datasetId)) {
            throw WalFormat.corrupt(path, 16, "dataset id " + datasetId, h.datasetId().toString());
        }
        region = r;
        header = h;
        capacity = h.capacity();
        seg = h.segmentSize();
        return true;
    }

    /** The primary's latest sequence number as the shipper last published it (0 before). */
    public long primarySequence() {
        return ready() ? region.getLongAcquire(WalFormat.PRIMARY_SEQUENCE_OFFSET) : 0;
    }

    /** When the shipper last published {@link #primarySequence} (primary's wall clock, 0 before). */
    public long primaryAtMs() {
        return ready() ? region.getLongAcquire(WalFormat.PRIMARY_AT_MS_OFFSET) : 0;
    }

    /** The logical offset of the next record to read (-1 before the first poll). */
    public long position() {
        return position;
    }

    /** Adds the records committed since the last poll to {@code out}; returns how many it added. */
    public int poll(List<WalRecord> out) {
        if (!ready()) {
            return 0;
        }
        int before = out.size();
        long end = committed();
        if (position < 0) {
            position = oldestSafe(end);
        }
        if (end < position) {
            out.add(new WalRecord.Lost(-1, -1, path + " committed end went back from " + position + " to " + end));
            position = end;
        }
        while (position < end) {
            if (overtaken(position, end)) {
                out.add(new WalRecord.Lost(-1, -1, "fell behind the WAL ring (the primary wrote "
                        + (end - position) + " bytes past this replica, the ring holds " + capacity + ")"));
                position = oldestSafe(end);
                continue;
            }
            long room = seg - position % seg;
            if (room < WalFormat.MIN_RECORD) {
                position += room;
                continue;
            }
            int at = (int) (WalFormat.DATA_START + position % capacity);
            region.invalidate(at, Math.min(room, end - position));
            WalFormat.Decoded d;
            try {
                d = WalFormat.decode(region.view(), at, (int) (at + room), position, path);
            } catch (BridgeException e) {
                long now = committed();
                if (overtaken(position, now)) {
                    end = now;
                    continue; // the writer overwrote it while we read: reported as falling behind
                }
                out.add(new WalRecord.Lost(-1, -1, e.getMessage() + "; skipped to the committed end " + now));
                position = now;
                end = now;
                continue;
            }
            long now = committed();
            if (overtaken(position, now)) {
                end = now;
                continue; // copied, but the writer may have been rewriting it meanwhile
            }
            long size = d.type() == WalFormat.TYPE_PAD ? room : d.size();
            if (position + size > end) {
                out.add(new WalRecord.Lost(-1, -1, WalFormat.corrupt(path, at, "a record ending before the committed end "
                        + end, "one ending at " + (position + size)).getMessage() + "; skipped to it"));
                position = end;
                continue;
            }
            position += size;
            if (d.record() != null) {
                out.add(d.record());
            }
        }
        return out.size() - before;
    }

    private long committed() {
        return region.getLongAcquire(WalFormat.COMMITTED_OFFSET);
    }

    /**
     * Whether the writer, at {@code end}, may have overwritten logical offset {@code p}: it
     * may be writing up to two segments past the end (a pad and the record after it).
     */
    private boolean overtaken(long p, long end) {
        return end - p > capacity - 2 * seg;
    }

    /** The first segment start the writer at {@code end} cannot be overwriting. */
    private long oldestSafe(long end) {
        long low = Math.max(0, end - capacity + 2 * seg);
        long start = (low + seg - 1) / seg * seg;
        return Math.min(start, end);
    }
}
