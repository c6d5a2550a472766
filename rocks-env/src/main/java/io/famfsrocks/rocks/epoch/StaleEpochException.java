package io.famfsrocks.rocks.epoch;

import io.famfsrocks.famfs.ErrorKind;
import io.famfsrocks.famfs.FamfsException;

import java.util.UUID;

/**
 * The volume an answer was read from is no longer the epoch it was opened as: the answer
 * may hold another epoch's bytes and must be dropped (retry on the newest epoch). BUSY: the
 * question was fine, the moment was not.
 */
public final class StaleEpochException extends FamfsException {
    private static final long serialVersionUID = 1L;

    private final transient UUID expected;

    public StaleEpochException(String message, UUID expected) {
        super(ErrorKind.BUSY, message);
        this.expected = expected;
    }

    /** The famfs UUID of the volume the reader had opened. */
    public UUID expected() {
        return expected;
    }
}
