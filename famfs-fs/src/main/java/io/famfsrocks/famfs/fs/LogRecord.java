package io.famfsrocks.famfs.fs;

/**
 * One metadata log entry as upper layers see it ({@code logplay} lists them): what it
 * created, never its bytes. Immutable.
 *
 * @param index       the entry's slot in the log
 * @param size        file size (FILE), device size (ADD_DAXDEV), else 0
 * @param extents     extents of a FILE's layout, else 0
 * @param deviceIndex device index of an ADD_DAXDEV entry, else 0
 */
public record LogRecord(long index, Type type, String path, long size, int mode, int uid, int gid, int extents,
                        int deviceIndex) {
    public enum Type { FILE, MKDIR, ADD_DAXDEV }
}
