package io.famfsrocks.famfs.fs;

import io.famfsrocks.famfs.CorruptMediaException;
import io.famfsrocks.famfs.FamfsException;
import io.famfsrocks.famfs.device.MemoryDevice;
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

    /** What fsck found. {@code superblock} is null when it did not decode. */
    public record Report(Path device, Superblock superblock, LogHeader logHeader, long entriesUsed,
                         long entriesTotal, long badEntries, long files, long directories, long fileBytes,
                         long allocatedBytes, long collisions, List<String> defects, List<String> warnings) {
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

    public static Report check(Path device, OpenOptions opts) {
        List<String> defects = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        Superblock sb;
        try (MemoryDevice d = MemoryDevice.open(device, false, opts.coherence())) {
            try {
                sb = Famfs.readSuperblock(d, opts.version());
            } catch (FamfsException e) {
                defects.add(e.getMessage());
                return new Report(device, null, null, 0, 0, 0, 0, 0, 0, 0, 0, defects, warnings);
            }
            if (sb.deviceSize() > d.size()) {
                defects.add(String.format("superblock device_size %d exceeds the device's %d bytes",
                        sb.deviceSize(), d.size()));
            }
            if (FamfsLayout.LOG_OFFSET + sb.logLen() > d.size()) {
                defects.add("the log does not fit in the device");
                return new Report(device, sb, null, 0, 0, 0, 0, 0, 0, 0, 0, defects, warnings);
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
                        defects, warnings);
            }
            if (h.nextSeqnum() != h.nextIndex()) {
                warnings.add("next_seqnum " + h.nextSeqnum() + " is one ahead of next_index " + h.nextIndex()
                        + " (an append was interrupted; harmless)");
            }
            Namespace ns = new Namespace(Math.min(sb.deviceSize(), d.size()), sb.logLen(), sb.allocUnit(), h.nextIndex(), null);
            long bad = replay(log, h.nextIndex(), ns, defects);
            return new Report(device, sb, h, h.nextIndex(), h.lastIndex() + 1, bad, ns.files(), ns.directories(),
                    ns.fileBytes(), ns.allocatedBytes(), ns.collisions(), defects, warnings);
        }
    }

    /**
     * Applies every entry below {@code nextIndex} to {@code ns}; an entry that does not decode
     * and every anomaly of the replay become defects. Returns the count of undecodable entries.
     */
    private static long replay(FamfsLog log, long nextIndex, Namespace ns, List<String> defects) {
        long bad = 0;
        for (long i = 0; i < nextIndex; i++) {
            LogEntry e;
            try {
                e = log.read(i);
            } catch (CorruptMediaException ex) {
                bad++;
                defects.add("bad entry: " + ex.getMessage());
                continue;
            }
            ns.apply(i, e);
        }
        for (Namespace.Anomaly a : ns.anomalies()) {
            defects.add(a.toString());
        }
        return bad;
    }
}
