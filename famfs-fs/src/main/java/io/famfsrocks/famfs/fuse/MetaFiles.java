package io.famfsrocks.famfs.fuse;

import io.famfsrocks.famfs.fs.FamfsVolume;
import io.famfsrocks.famfs.fs.FormatInfo;

import java.nio.ByteBuffer;

/**
 * The {@code /.meta} directory a mount shows beside the volume's tree, as the reference
 * shows it: {@code .superblock} (the 2 MiB before the log, 0444) and {@code .log} (the log,
 * 0644 on a writable master, 0444 otherwise), read straight from the device. Raw writes to
 * them are refused by {@link FamfsFuseOps}. Thread-safe (no mutable state).
 */
final class MetaFiles {
    static final String DIR = "/.meta";
    static final String SUPERBLOCK = "/.meta/.superblock";
    static final String LOG = "/.meta/.log";
    private static final long INO = 1L << 40;

    /** The bytes of one meta file: where they start on the device, and how many. */
    record Range(long offset, long size) {
    }

    private final FamfsVolume volume;
    private final boolean writable;
    private final long time;

    MetaFiles(FamfsVolume volume, boolean writable, long time) {
        this.volume = volume;
        this.writable = writable;
        this.time = time;
    }

    /** {@code /.meta} or anything under it. */
    static boolean isMeta(String path) {
        return path.equals(DIR) || path.startsWith(DIR + "/");
    }

    /** One of the two meta files. */
    static boolean isFile(String path) {
        return path.equals(SUPERBLOCK) || path.equals(LOG);
    }

    /** Sets the attributes of {@code path} when it is {@code /.meta} or one of its files; false otherwise. */
    boolean getattr(String path, AttrSink sink) {
        switch (path) {
            case DIR:
                sink.set(INO, FamfsFuseOps.S_IFDIR | 0700, 2, 0, 0, 0, 0, FamfsFuseOps.BLKSIZE, time);
                return true;
            case SUPERBLOCK:
                sink.set(INO + 1, FamfsFuseOps.S_IFREG | 0444, 1, 0, 0, FormatInfo.LOG_OFFSET,
                        FormatInfo.LOG_OFFSET / 512, FamfsFuseOps.BLKSIZE, time);
                return true;
            case LOG:
                long len = volume.logLength();
                sink.set(INO + 2, FamfsFuseOps.S_IFREG | (writable ? 0644 : 0444), 1, 0, 0, len, len / 512,
                        FamfsFuseOps.BLKSIZE, time);
                return true;
            default:
                return false;
        }
    }

    /** Lists {@code /.meta} after its "." and "..". */
    static void list(DirSink sink) {
        sink.add(".superblock");
        sink.add(".log");
    }

    /** The device range of meta file {@code path} ({@link #isFile} must hold). */
    Range range(String path) {
        return path.equals(SUPERBLOCK) ? new Range(0, FormatInfo.LOG_OFFSET)
                : new Range(FormatInfo.LOG_OFFSET, volume.logLength());
    }

    /** Reads into {@code dst} (at most its remaining bytes) at {@code offset} of the file: bytes read, 0 at the end. */
    int read(Range r, ByteBuffer dst, long offset) {
        if (offset >= r.size()) {
            return 0;
        }
        int n = (int) Math.min(dst.remaining(), r.size() - offset);
        dst.limit(dst.position() + n);
        volume.readMetadata(r.offset() + offset, dst);
        return n;
    }
}
