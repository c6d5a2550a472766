package io.famfsrocks.famfs.fuse;

import io.famfsrocks.famfs.ErrorKind;
import io.famfsrocks.famfs.FamfsException;

/**
 * Linux errno values the mount returns, and the one mapping from exceptions to them.
 * FUSE callbacks return {@code -errno}. Stateless, thread-safe.
 */
public final class Errno {
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EIO = 5;
    public static final int EBADF = 9;
    public static final int EACCES = 13;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int ENOTDIR = 20;
    public static final int EISDIR = 21;
    public static final int EINVAL = 22;
    public static final int EFBIG = 27;
    public static final int ENOSPC = 28;
    public static final int EROFS = 30;
    public static final int ENAMETOOLONG = 36;
    public static final int ENOTCONN = 107;
    /** The reference fused's answer to everything famfs never does (same value as EOPNOTSUPP). */
    public static final int ENOTSUP = 95;

    private Errno() {}

    /** The errno for a failure: the kind of a {@link FamfsException}, else EIO. */
    public static int of(Throwable t) {
        if (!(t instanceof FamfsException fe)) {
            return EIO;
        }
        return of(fe.kind());
    }

    /**
     * The errno for an error kind. Exhaustive on purpose (no default): a new
     * {@link ErrorKind} does not compile until it is mapped here.
     */
    public static int of(ErrorKind kind) {
        return switch (kind) {
            case INVALID_ARGUMENT, BAD_NAME -> EINVAL;
            case NOT_FOUND -> ENOENT;
            case EXISTS -> EEXIST;
            case NOT_A_DIRECTORY -> ENOTDIR;
            case IS_A_DIRECTORY -> EISDIR;
            case NO_SPACE, LOG_FULL -> ENOSPC;
            case NOT_MASTER -> EROFS;
            case NOT_PERMITTED -> EPERM;
            case BUSY -> EBUSY;
            case CORRUPT_MEDIA, VERSION_MISMATCH, NOT_FAMFS, IO -> EIO;
        };
    }
}
