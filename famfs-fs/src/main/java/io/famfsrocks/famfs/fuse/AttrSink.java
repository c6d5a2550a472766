package io.famfsrocks.famfs.fuse;

/**
 * Where {@link FamfsFuseOps#getattr} puts a node's attributes; a binding copies them
 * into its own stat struct. Called at most once per getattr, on the calling thread.
 */
@FunctionalInterface
public interface AttrSink {
    /**
     * @param mode file type and permission bits ({@code S_IFREG} or {@code S_IFDIR})
     * @param blocks 512-byte blocks allocated
     * @param blksize preferred I/O size
     * @param time seconds since the epoch for atime, mtime and ctime
     */
    void set(long ino, int mode, int nlink, int uid, int gid, long size, long blocks, int blksize, long time);
}
