package io.famfsrocks.rocks.epoch;

import io.famfsrocks.famfs.ErrorKind;
import io.famfsrocks.famfs.pool.SharedSlot;
import io.famfsrocks.rocks.BridgeException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Objects;
import java.util.UUID;

/**
 * A replica host's writer of its own acknowledgement slot in one epoch's control file.
 * It maps only the page of that slot, writable ({@link SharedSlot}: the device file must be
 * writable by the replica; the famfs mount stays read-only), and writes the line in place, as the journal
 * writer publishes its committed length: the bytes after the beat word (the CRC covering
 * the new beat), then the beat word with release semantics, then an msync / write-back of
 * the line.
 *
 * <p>Before every write it runs the epoch check: a replica that was paused past its lease
 * stops writing to a volume that was reformatted since. A write that races the reformat can
 * only land in this host's own slot of the new epoch's control file (see {@link EpochFile}),
 * where its wrong epoch tag makes readers ignore it.
 *
 * <p>Not thread-safe: one heartbeat thread per host writes. Closes once.
 */
public final class AckSlotWriter implements AutoCloseable {
    private final SharedSlot region;
    private final EpochGuard guard;
    private final UUID host;
    private final long epoch;
    private final int index;
    private final ByteBuffer line = ByteBuffer.allocate(AckSlot.SIZE).order(ByteOrder.LITTLE_ENDIAN);
    private long beat;
    /** Whether this writer has stored a beat: from then on the line must keep this host's UUID. */
    private boolean wrote;

    private AckSlotWriter(SharedSlot region, EpochGuard guard, UUID host, long epoch, int index, long beat) {
        this.region = region;
        this.guard = guard;
        this.host = host;
        this.epoch = epoch;
        this.index = index;
        this.beat = beat;
    }

    /**
     * Maps slot {@code index} of {@code file} on {@code devicePath} (this host's name for the
     * epoch's device) for writing. Continues the beat the slot holds, if it is this host's.
     * Refuses (BUSY) a slot that another host has written for this epoch: one writer per
     * line. A stray store from an older epoch (another tag) does not count.
     */
    public static AckSlotWriter open(Path devicePath, EpochFile file, EpochGuard guard, UUID host, int index) {
        return open(devicePath, file, guard, host, index, false);
    }

    /**
     * As {@link #open(Path, EpochFile, EpochGuard, UUID, int)}; with {@code takeOver} it also
     * takes a slot another host wrote (an operator's decision: that host is gone for good,
     * e.g. reinstalled with a new system UUID).
     */
    public static AckSlotWriter open(Path devicePath, EpochFile file, EpochGuard guard, UUID host, int index,
                                     boolean takeOver) {
        Objects.requireNonNull(host);
        long epoch = file.header().epoch();
        AckSlot current = file.slot(index);
        if (current != null && current.epochTag() == epoch && !current.host().equals(host) && !takeOver) {
            throw new BridgeException(ErrorKind.BUSY, "ack slot " + index + " of " + file.path() + " (epoch " + epoch
                    + ") belongs to host " + current.host() + ", not to this host " + host + "; give each replica host "
                    + "its own slot, or take this one over if that host is gone for good");
        }
        long beat = current != null && current.host().equals(host) ? current.beat() : 0;
        guard.requireIntact("opening ack slot " + index);
        SharedSlot r = file.openSlot(devicePath, index);
        return new AckSlotWriter(r, guard, host, epoch, index, beat);
    }

    /** The epoch whose control file this writer writes into. */
    public long epoch() {
        return epoch;
    }

    public long beats() {
        return beat;
    }

    /**
     * Writes one beat: which epoch this host serves and through which epoch it has let go
     * of everything.
     *
     * @throws StaleEpochException when the volume was reformatted (nothing is written)
     */
    public void write(long servingEpoch, long releasedThrough) {
        guard.requireIntact("ack slot " + index + " of epoch " + epoch);
        if (wrote) {
            refuseSecondWriter();
        }
        long next = beat + 1;
        AckSlot s = new AckSlot(next, host, epoch, servingEpoch, releasedThrough, System.currentTimeMillis(), index);
        s.encodeTo(line.clear());
        region.write(8, line.limit(AckSlot.SIZE).position(8));
        region.putLongRelease(0, next);
        region.flush();
        beat = next;
        wrote = true;
    }

    /**
     * Two hosts that opened one slot before either wrote it (both given one --replica-slot)
     * would take turns in it, and the primary's drain would read one host's release for
     * both. After this host's first beat, the line must still carry this host: if another
     * host stored there since, this writer stops (BUSY) and the other keeps the slot.
     */
    private void refuseSecondWriter() {
        long msb = region.getLongAcquire(AckSlot.OFF_HOST);
        long lsb = region.getLongAcquire(AckSlot.OFF_HOST + 8);
        long tag = region.getLongAcquire(AckSlot.OFF_EPOCH_TAG);
        if (tag == epoch && (msb != host.getMostSignificantBits() || lsb != host.getLeastSignificantBits())) {
            throw new BridgeException(ErrorKind.BUSY, "ack slot " + index + " of epoch " + epoch + " is also written by host "
                    + new UUID(msb, lsb) + "; this host " + host + " stops beating there: give each replica host its own "
                    + "--replica-slot");
        }
    }

    @Override
    public void close() {
        region.close();
    }
}
