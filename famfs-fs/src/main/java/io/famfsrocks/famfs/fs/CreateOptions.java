package io.famfsrocks.famfs.fs;

import io.famfsrocks.famfs.alloc.Allocator;

/**
 * Ownership, mode and placement of a new file or directory.
 *
 * @param interleave null for one simple extent (first fit), else the striping parameters
 */
public record CreateOptions(int mode, int uid, int gid, Allocator.Interleave interleave) {
    public static CreateOptions file() {
        return new CreateOptions(0644, 0, 0, null);
    }

    public static CreateOptions dir() {
        return new CreateOptions(0755, 0, 0, null);
    }

    public CreateOptions withMode(int m) {
        return new CreateOptions(m & 07777, uid, gid, interleave);
    }

    public CreateOptions withOwner(int u, int g) {
        return new CreateOptions(mode, u, g, interleave);
    }

    /** Interleaved (striped) placement, checked against the reference's rules at create time. */
    public CreateOptions withInterleave(int nbuckets, int nstrips, long chunkSize) {
        return withInterleave(new Allocator.Interleave(nbuckets, nstrips, chunkSize));
    }

    public CreateOptions withInterleave(Allocator.Interleave il) {
        return new CreateOptions(mode, uid, gid, il);
    }
}
