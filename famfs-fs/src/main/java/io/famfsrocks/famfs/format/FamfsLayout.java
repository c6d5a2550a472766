package io.famfsrocks.famfs.format;

/** Constants of the device layout, named as in the reference {@code famfs_meta.h}. */
public final class FamfsLayout {
    private FamfsLayout() {}

    public static final long SUPER_MAGIC = 0x87b282ffL;
    public static final long LOG_MAGIC = 0xbadcafef00dL;
    /** The format version our tools write unless told otherwise; the reference demands equality. */
    public static final int CURRENT_VERSION = 48;
    public static final int OMF_VER_MAJOR = 2;
    public static final int OMF_VER_MINOR = 2;

    /** The log always starts here; the superblock owns the first 2 MiB. */
    public static final long LOG_OFFSET = 0x200000L;
    public static final long ALLOC_UNIT = 0x200000L;
    public static final long SMALL_ALLOC_UNIT = 4096L;
    public static final long DEFAULT_LOG_LEN = 8L << 20;
    public static final long MIN_LOG_LEN = 8L << 20;
    /** The reference mkfs refuses smaller devices; ours allows them (tests) but says so. */
    public static final long REFERENCE_MIN_DEVICE_SIZE = 4L << 30;

    /** Path fields are 80 bytes, NUL-terminated: at most 79 bytes of name. */
    public static final int MAX_PATHLEN = 80;
    public static final int MAX_NAME_BYTES = MAX_PATHLEN - 1;
    public static final int MAX_EXTENTS = 16;
    public static final int MAX_STRIPS = 16;
    public static final int DEVICE_NAME_LEN = 64;

    /** Flag of every FILE entry the reference writes: all hosts read-write. */
    public static final int FAMFS_FM_ALL_HOSTS_RW = 2;

    public static long logEntryOffset(long index) {
        return LOG_OFFSET + LogHeader.SIZE + index * LogEntry.SIZE;
    }

    /** Index of the last log slot for a log of {@code logLen} bytes (inclusive). */
    public static long lastIndex(long logLen) {
        return (logLen - LogHeader.SIZE) / LogEntry.SIZE - 1;
    }

    public static long dataStart(long logLen) {
        return LOG_OFFSET + logLen;
    }

    public static long roundUpToAu(long n) {
        return (n + ALLOC_UNIT - 1) & ~(ALLOC_UNIT - 1);
    }

    public static boolean isPowerOfTwo(long n) {
        return n > 0 && (n & (n - 1)) == 0;
    }
}
