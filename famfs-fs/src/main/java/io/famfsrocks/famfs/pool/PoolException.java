package io.famfsrocks.famfs.pool;

import io.famfsrocks.famfs.ErrorKind;
import io.famfsrocks.famfs.FamfsException;

import java.util.Objects;

/**
 * A pool of devices that cannot be used as given. {@link #reason()} says which rule was
 * broken, so callers and tests tell the cases apart without parsing messages; {@link
 * #kind()} maps each reason to the engine's error kinds for the CLI's exit codes.
 */
public class PoolException extends FamfsException {
    private static final long serialVersionUID = 1L;

    /** What is wrong with the pool. */
    public enum Reason {
        /** Fewer than two devices: rotation needs somewhere to go. */
        TOO_FEW_DEVICES(ErrorKind.INVALID_ARGUMENT),
        /** The same device file listed twice (directly, through a symlink or another path). */
        DUPLICATE_DEVICE(ErrorKind.INVALID_ARGUMENT),
        /** Two devices hold a volume with the same famfs UUID (a copied image). */
        DUPLICATE_VOLUME(ErrorKind.INVALID_ARGUMENT),
        /** A device with a famfs magic whose superblock does not decode: never reused silently. */
        DAMAGED_DEVICE(ErrorKind.CORRUPT_MEDIA),
        /** A device that holds something other than what the pool's owner put there. */
        FOREIGN_DEVICE(ErrorKind.INVALID_ARGUMENT),
        /** Two epochs of one dataset both claim to be the active one. */
        TWO_ACTIVE_EPOCHS(ErrorKind.CORRUPT_MEDIA),
        /** The epoch chain is broken: a seal names a volume the pool does not hold. */
        BROKEN_CHAIN(ErrorKind.CORRUPT_MEDIA),
        /** No device is free to start a new epoch on. */
        NO_FREE_DEVICE(ErrorKind.NO_SPACE),
        /** A device changed between the scan and the step that relied on it. */
        DEVICE_CHANGED(ErrorKind.BUSY);

        private final ErrorKind kind;

        Reason(ErrorKind kind) {
            this.kind = kind;
        }

        public ErrorKind kind() {
            return kind;
        }
    }

    private final Reason reason;

    public PoolException(Reason reason, String message) {
        super(Objects.requireNonNull(reason).kind(), message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
