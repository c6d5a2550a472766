package io.famfsrocks.famfs;

import java.util.Objects;

/**
 * The one exception of the famfs engine. Every failure carries an {@link ErrorKind}; the
 * edges (FUSE adapter, CLI, RocksDB bridge) map the kind to an errno, an exit code or
 * their own error, in one place each.
 *
 * <p>Operations that throw leave the image as it was: nothing is written before every
 * check that can fail has passed.
 */
public class FamfsException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorKind kind;

    public FamfsException(ErrorKind kind, String message) {
        this(kind, message, null);
    }

    public FamfsException(ErrorKind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = Objects.requireNonNull(kind);
    }

    public ErrorKind kind() {
        return kind;
    }

    public static FamfsException of(ErrorKind kind, String format, Object... args) {
        return new FamfsException(kind, String.format(format, args));
    }
}
