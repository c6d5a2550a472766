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

    /** Maps a RocksDB failure while doing {@code what}. */
    public static BridgeException rocks(String what, RocksDBException e) {
        String status = e.getStatus() == null ? "" : " [" + e.getStatus().getCodeString() + "]";
        boolean corrupt = e.getStatus() != null && e.getStatus().getCode() == org.rocksdb.Status.Code.Corruption;
        return new BridgeException(corrupt ? ErrorKind.CORRUPT_MEDIA : ErrorKind.IO, "RocksDB failed to " + what + ": "
                + e.getMessage() + status, e);
    }
}
