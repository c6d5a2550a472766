package io.famfsrocks.cli;

import io.famfsrocks.famfs.ErrorKind;

/**
 * Every exit status {@code famfs-rocks} returns, in one table (docs/cli.md repeats it).
 * The codes are stable: scripts may test for them.
 */
public enum ExitCode {
    OK(0, "success"),
    CHECK_FAILED(1, "a check failed: fsck found defects, verify found a mismatch"),
    USAGE(2, "bad usage: unknown option, missing argument, bad size/mode, invalid parameter"),
    NOT_FOUND(3, "no such file, directory or device"),
    EXISTS(4, "already exists"),
    NO_SPACE(5, "no free space on the volume (or the device is too small)"),
    LOG_FULL(6, "the metadata log has no free slot"),
    NOT_MASTER(7, "this host is a client: only the master may create or write"),
    CORRUPT_MEDIA(8, "the device holds corrupt famfs metadata"),
    VERSION_MISMATCH(9, "the superblock has another famfs format version"),
    BAD_NAME(10, "a path famfs cannot store (too long, '..', empty component)"),
    NOT_A_DIRECTORY(11, "a path component or target is not a directory"),
    IS_A_DIRECTORY(12, "a directory where a file was expected"),
    NOT_PERMITTED(13, "an operation famfs never allows (growing a file, ...)"),
    NOT_FAMFS(14, "not a famfs volume, or a path outside any mounted famfs"),
    BUSY(15, "the device or mount point is in use"),
    IO(16, "the operating system refused (permissions, mmap, fusermount)"),
    UNSUPPORTED(17, "not available in this build"),
    INTERNAL(70, "a bug: run again with --verbose and report the stack trace"),
    INTERRUPTED(130, "stopped by SIGINT or SIGTERM, after cleaning up");

    private final int code;
    private final String meaning;

    ExitCode(int code, String meaning) {
        this.code = code;
        this.meaning = meaning;
    }

    public int code() {
        return code;
    }

    public String meaning() {
        return meaning;
    }

    /** The code a child process of ours exited with; INTERNAL when it is none of ours. */
    public static ExitCode fromCode(int code) {
        for (ExitCode c : values()) {
            if (c.code == code) {
                return c;
            }
        }
        return INTERNAL;
    }

    /** The one mapping from engine error kinds to exit codes. */
    public static ExitCode of(ErrorKind kind) {
        return switch (kind) {
            case INVALID_ARGUMENT -> USAGE;
            case BAD_NAME -> BAD_NAME;
            case NOT_FOUND -> NOT_FOUND;
            case EXISTS -> EXISTS;
            case NOT_A_DIRECTORY -> NOT_A_DIRECTORY;
            case IS_A_DIRECTORY -> IS_A_DIRECTORY;
            case NO_SPACE -> NO_SPACE;
            case LOG_FULL -> LOG_FULL;
            case NOT_MASTER -> NOT_MASTER;
            case NOT_PERMITTED -> NOT_PERMITTED;
            case CORRUPT_MEDIA -> CORRUPT_MEDIA;
            case VERSION_MISMATCH -> VERSION_MISMATCH;
            case NOT_FAMFS -> NOT_FAMFS;
            case BUSY -> BUSY;
            case IO -> IO;
        };
    }
}
