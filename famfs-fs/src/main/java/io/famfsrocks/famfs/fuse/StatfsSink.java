package io.famfsrocks.famfs.fuse;

/** Receives {@code statvfs} figures (block counts in units of {@code frsize}), on the calling thread. */
@FunctionalInterface
public interface StatfsSink {
    void set(long bsize, long frsize, long blocks, long bfree, long files, long ffree, long namemax);
}
