package io.famfsrocks.rocks;

import io.famfsrocks.famfs.ErrorKind;
import io.famfsrocks.famfs.FamfsException;
import org.rocksdb.RocksDBException;

/**
 * The bridge's failures, in the engine's one hierarchy. {@link #rocks} is the single place a
 * {@link RocksDBException} becomes ours: one exception hierarchy, each foreign exception
 * translated at one edge only.
 */
public final class BridgeException extends FamfsException {
    private static final long serialVersionUID = 1L;

    public BridgeException(ErrorKind kind, String message) {
        super(kind, message);
    }

    public BridgeException(ErrorKind kind, String message, Throwable cause) {
        super(kind, message, cause);
    }

    /**
     * Any failure as one of ours: a {@link FamfsException} as it is, a RocksDB failure through
     * {@link #rocks}, anything else as IO with its own message.
     */
    public static FamfsException of(String what, Throwable e) {
        if (e instanceof FamfsException f) {
            return f;
        }
        if (e instanceof RocksDBException r) {
            return rocks(what, r);
        }
        return new BridgeException(ErrorKind.IO, String.valueOf(e.getMessage()), e);
    }

    /**
     * Maps a RocksDB failure while doing {@code what}. Every RocksDB status is IO to us: the
     * DB's own corruption or a lock held by another process is not a defect of famfs media,
     * and the CLI reports all of them with one exit code.
     */
    public static BridgeException rocks(String what, RocksDBException e) {
        String status = e.getStatus() == null ? "" : " [" + e.getStatus().getCodeString() + "]";
        boolean corrupt = e.getStatus() != null && e.getStatus().getCode() == org.rocksdb.Status.Code.Corruption;
        return new BridgeException(corrupt ? ErrorKind.CORRUPT_MEDIA : ErrorKind.IO, "RocksDB failed to " + what + ": "
                + e.getMessage() + status, e);
    }
}
