package io.famfsrocks.famfs;

/**
 * What went wrong, independent of how an edge reports it. The CLI maps each kind to a
 * distinct exit code and the FUSE adapter to an errno.
 */
public enum ErrorKind {
    /** Arguments that make no sense (negative size, bad flags). */
    INVALID_ARGUMENT,
    /** A path that famfs cannot store: absolute, too long, empty or {@code ..} components. */
    BAD_NAME,
    NOT_FOUND,
    EXISTS,
    NOT_A_DIRECTORY,
    IS_A_DIRECTORY,
    /** No run of free allocation units is large enough. */
    NO_SPACE,
    /** The metadata log has no free slot. */
    LOG_FULL,
    /** A write was attempted on a host that is not the volume's master. */
    NOT_MASTER,
    /** A read or write outside a file's fixed size, or an operation famfs never allows. */
    NOT_PERMITTED,
    /** Bytes on the device that do not decode: bad magic, bad CRC, impossible values. */
    CORRUPT_MEDIA,
    /** A valid superblock of another format version. */
    VERSION_MISMATCH,
    /** The device is not a famfs volume (no magic). */
    NOT_FAMFS,
    /** A resource held by someone else: a lock, a mount point. */
    BUSY,
    /** The operating system refused: missing device, permissions, mmap failures. */
    IO
}
