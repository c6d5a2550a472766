package io.famfsrocks.famfs.fs;

import io.famfsrocks.famfs.CorruptMediaException;
import io.famfsrocks.famfs.FamfsException;
import io.famfsrocks.famfs.alloc.AllocationBitmap;
import io.famfsrocks.famfs.device.MemoryDevice;
import io.famfsrocks.famfs.format.Extent;
import io.famfsrocks.famfs.format.FamfsLayout;
import io.famfsrocks.famfs.format.LogEntry;
import io.famfsrocks.famfs.format.LogHeader;
import io.famfsrocks.famfs.format.Superblock;
import io.famfsrocks.famfs.log.FamfsLog;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks a volume read-only: everything the reference fsck reports (log use, bad entries,
 * files, directories, sizes, allocation, amplification, collisions) plus what it misses
 * (extents out of bounds or unaligned, duplicate paths, children before parents, counter
 * skew). Unlike replay it keeps scanning past a bad entry so every defect is listed.
 * Never throws on corrupt media: the report says what is wrong. Stateless, thread-safe.
 */
public final class Fsck {
    private Fsck() {}

    /**
     * The totals the reference fsck prints, computed as it computes them: every entry that
     * decodes counts (even one replay skips, such as a duplicate path); the bitmap covers
     * the device in whole allocation units, rounded up; allocated bytes are the units marked
     * once each, the superblock's region and the log included; a unit marked again is a
     * collision and not counted twice. Zeros when the log was not read.
     */
    public record ReferenceTotals(long files, long directories, long fileBytes, long allocatedBytes,
                                  long bitmapCapacity, long collisions) {
        static final ReferenceTotals NONE = new ReferenceTotals(0, 0, 0, 0, 0, 0);

        /** {@code 100 * allocated / bitmap capacity}, in the reference's single precision. */
        public double percentUsed() {
            return bitmapCapacity == 0 ? 0 : (float) (100.0 * ((float) allocatedBytes / (float) bitmapCapacity));
        }

        /** Allocated bytes (superblock and log included) per byte of file data; infinite with no file bytes. */
        public double spaceAmplification() {
            return (float) allocatedBytes / (float) fileBytes;
        }
    }

    /**
     * What fsck found. {@code superblock} is null when it did not decode. {@code files} to
     * {@code collisions} describe the tree replay builds (files only, each applied entry);
     * {@code reference} the totals as the reference fsck computes them.
     */
    public record Report(Path device, Superblock superblock, LogHeader logHeader, long entriesUsed,
                         long entriesTotal, long badEntries, long files, long directories, long fileBytes,
                         long allocatedBytes, long collisions, List<String> defects, List<String> warnings,
                         ReferenceTotals reference) {
        public boolean clean() {
            return defects.isEmpty();
        }

        /** What the superblock says, or null when it did not decode. */
        public VolumeInfo info() {
            return VolumeInfo.of(superblock);
        }

        /** Allocated bytes per byte of file data (1.0 is perfect; NaN on an empty volume). */
        public double spaceAmplification() {
            return fileBytes == 0 ? Double.NaN : (double) allocatedBytes / fileBytes;
        }

        public long slotsLeft() {
            return entriesTotal - entriesUsed;
        }
    }

    /** Counts {@link ReferenceTotals} entry by entry. */
    private static final class ReferenceCount {
        private final long au;
        private final long capacity;
        private final AllocationBitmap bitmap;
        private long files;
        private long dirs;
        private long fileBytes;
        private long allocated;
        private long collisions;

        /**
         * The capacity is the superblock's, as the reference counts it; the bitmap covers no
         * more than the mapped device, so a corrupt {@code device_size} cannot make it huge
         * (units beyond the mapped device are not counted).
         */
        ReferenceCount(Superblock sb, long mappedSize) {
            au = sb.allocUnit();
            capacity = (sb.deviceSize() + au - 1) / au * au;
            bitmap = new AllocationBitmap(Math.min(capacity, (mappedSize + au - 1) / au * au), au);
            mark(0, FamfsLayout.LOG_OFFSET + sb.logLen()); // the superblock's region and the log
        }

        private void mark(long offset, long length) {
            long first = offset / au;
            long units = Math.max(0, Math.min(bitmap.size(), (offset + length + au - 1) / au) - first);
            long hits = bitmap.mark(offset, length);
            collisions += hits;
            allocated += (units - hits) * au;
        }

        void add(LogEntry e) {
            if (e instanceof LogEntry.FileEntry f) {
                files++;
                fileBytes += f.size();
                for (Extent x : f.layout().extents()) {
                    if (x.offset() >= 0 && x.length() > 0 && x.offset() < capacity) {
                        mark(x.offset(), Math.min(x.length(), capacity - x.offset()));
                    }
                }
            } else if (e instanceof LogEntry.MkdirEntry) {
                dirs++;
            }
        }

        ReferenceTotals totals() {
            return new ReferenceTotals(files, dirs, fileBytes, allocated, capacity, collisions);
        }
    }

    /** One warning per entry whose stored path is a spelling only the reference writes ({@code a//b}, {@code a/./b}). */
    private static void warnAboutSpelling(java.nio.ByteBuffer raw, long i, LogEntry e, List<String> warnings) {
        if (e.path() == null) {
            return;
        }
        String stored = LogEntry.storedPath(raw);
        if (stored != null && !stored.equals(e.path())) {
            warnings.add("entry " + i + " '" + stored + "': path has empty or '.' components (the reference's creat"
                    + " logs paths verbatim); read as '" + e.path() + "', as the reference's logplay resolves it");
        }
    }

    public static Report check(Path device, OpenOptions opts) {
        List<String> defects = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        Superblock sb;
        try (MemoryDevice d = MemoryDevice.open(device, false, opts.coherence())) {
            try {
                sb = Famfs.readSuperblock(d, opts.version());
            } catch (FamfsException e) {
                defects.add(e.getMessage());
                return new Report(device, null, null, 0, 0, 0, 0, 0, 0, 0, 0, defects, warnings, ReferenceTotals.NONE);
            }
            if (sb.deviceSize() > d.size()) {
                defects.add(String.format("superblock device_size %d exceeds the device's %d bytes",
                        sb.deviceSize(), d.size()));
            }
            if (FamfsLayout.LOG_OFFSET + sb.logLen() > d.size()) {
                defects.add("the log does not fit in the device");
                return new Report(device, sb, null, 0, 0, 0, 0, 0, 0, 0, 0, defects, warnings, ReferenceTotals.NONE);
            }
            if (sb.deviceSize() < FamfsLayout.REFERENCE_MIN_DEVICE_SIZE) {
                warnings.add("device is under 4 GiB: the reference famfs tools refuse such devices");
            }
            FamfsLog log = new FamfsLog(d, sb.logLen());
            LogHeader h;
            try {
                h = log.readHeader();
            } catch (CorruptMediaException e) {
                defects.add(e.getMessage());
                return new Report(device, sb, null, 0, FamfsLayout.lastIndex(sb.logLen()) + 1, 0, 0, 0, 0, 0, 0,
                        defects, warnings, ReferenceTotals.NONE);
            }
            if (h.nextSeqnum() != h.nextIndex()) {
                warnings.add("next_seqnum " + h.nextSeqnum() + " is one ahead of next_index " + h.nextIndex()
                        + " (an append was interrupted; harmless)");
            }
            Namespace ns = new Namespace(Math.min(sb.deviceSize(), d.size()), sb.logLen(), sb.allocUnit(), h.nextIndex(), null);
            ReferenceCount ref = new ReferenceCount(sb, d.size());
            long bad = replay(log, h.nextIndex(), ns, ref, defects, warnings);
            return new Report(device, sb, h, h.nextIndex(), h.lastIndex() + 1, bad, ns.files(), ns.directories(),
                    ns.fileBytes(), ns.allocatedBytes(), ns.collisions(), defects, warnings, ref.totals());
        }
    }

    /**
     * Applies every entry below {@code nextIndex} to {@code ns} and counts it in {@code ref};
     * an entry that does not decode and every anomaly of the replay become defects, a path
     * spelled as only the reference writes it a warning. Returns the count of undecodable entries.
     */
    private static long replay(FamfsLog log, long nextIndex, Namespace ns, ReferenceCount ref,
                               List<String> defects, List<String> warnings) {
        long bad = 0;
        for (long i = 0; i < nextIndex; i++) {
            LogEntry e;
            java.nio.ByteBuffer raw = log.rawEntry(i); // a view of the slot: also gives the stored spelling
            try {
                e = LogEntry.decode(raw, i);
            } catch (CorruptMediaException first) {
                try {
                    e = log.read(i); // once more after an invalidate
                } catch (CorruptMediaException ex) {
                    bad++;
                    defects.add("bad entry: " + ex.getMessage());
                    continue;
                }
            }
            warnAboutSpelling(raw, i, e, warnings);
            ref.add(e);
            ns.apply(i, e);
        }
        for (Namespace.Anomaly a : ns.anomalies()) {
            defects.add(a.toString());
        }
        return bad;
    }
}
