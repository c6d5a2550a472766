package io.famfsrocks.famfs.fs;

import io.famfsrocks.famfs.format.FamfsLayout;
import io.famfsrocks.famfs.format.LogEntry;
import io.famfsrocks.famfs.format.LogHeader;
import io.famfsrocks.famfs.format.Superblock;

/**
 * The few facts about the on-media format that the CLI reports (version, struct sizes,
 * defaults), so that upper layers never import {@code format}. Stateless.
 */
public final class FormatInfo {
    public static final int VERSION = FamfsLayout.CURRENT_VERSION;
    public static final int OMF_MAJOR = FamfsLayout.OMF_VER_MAJOR;
    public static final int OMF_MINOR = FamfsLayout.OMF_VER_MINOR;
    public static final int SUPERBLOCK_SIZE = Superblock.SIZE;
    public static final int LOG_HEADER_SIZE = LogHeader.SIZE;
    public static final int LOG_ENTRY_SIZE = LogEntry.SIZE;
    public static final long DEFAULT_LOG_LEN = FamfsLayout.DEFAULT_LOG_LEN;
    /** The smallest device the reference famfs accepts; smaller ones work here. */
    public static final long REFERENCE_MIN_DEVICE_SIZE = FamfsLayout.REFERENCE_MIN_DEVICE_SIZE;

    /** Where the log starts: the superblock's area before it is shown as one file. */
    public static final long LOG_OFFSET = FamfsLayout.LOG_OFFSET;
    /** Longest relative path a log entry stores, in bytes. */
    public static final int MAX_PATHLEN = FamfsLayout.MAX_PATHLEN;
    /** Longest file name, in bytes (what statfs reports). */
    public static final int MAX_NAME_BYTES = FamfsLayout.MAX_NAME_BYTES;

    private FormatInfo() {}

    /** Where the data area starts for a log of {@code logLen} bytes. */
    public static long dataStart(long logLen) {
        return FamfsLayout.dataStart(logLen);
    }

    /** Log entries a log of {@code logLen} bytes holds. */
    public static long logSlots(long logLen) {
        return FamfsLayout.lastIndex(logLen) + 1;
    }
}
