package io.famfsrocks.rocks.epoch;

import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.UUID;

/**
 * One replica host's acknowledgement slot in an epoch's control file: exactly one cache
 * line, written in place by that host only (the master preallocates the file; nobody else
 * stores into the line). The beat counter is stored last with release semantics and the
 * line written back; the CRC covers the counter, so a reader that catches the line half
 * written sees a CRC mismatch and reads again.
 *
 * <pre>
 * off  size  field
 *   0     8  beat: 1, 2, ... one more on every write (0: the slot was never written)
 *   8    16  host system UUID of the writer
 *  24     8  epoch tag: the epoch whose control file the writer meant to write into
 *  32     8  serving epoch: the epoch the host's serving instance reads now
 *  40     8  released through: every epoch up to this one is fully let go (no descriptor,
 *            no mapping, no mount); 0 when none
 *  48     8  written at (the writer's clock, ms; for reports only, never for leases)
 *  56     4  slot index (where the writer meant to write)
 *  60     4  SLOT_CRC: CRC32C of bytes [0, 60)
 * </pre>
 * A lease is judged by the reader's own clock from the beat changing, never from
 * {@code writtenAtMs}: hosts' clocks need not agree. Immutable value; thread-safe.
 */
public record AckSlot(long beat, UUID host, long epochTag, long servingEpoch, long releasedThrough,
                      long writtenAtMs, int slotIndex) {
    public static final int SIZE = 64;
    public static final int OFF_BEAT = 0;
    public static final int OFF_HOST = 8;
    public static final int OFF_EPOCH_TAG = 24;
    public static final int OFF_SERVING = 32;
    public static final int OFF_RELEASED = 40;
    public static final int OFF_WRITTEN_AT = 48;
    public static final int OFF_SLOT_INDEX = 56;
    public static final int CRC_OFFSET = 60;

    public AckSlot {
        Objects.requireNonNull(host);
        if (beat < 1) {
            throw new IllegalArgumentException("a written slot has a beat >= 1, got " + beat);
        }
        if (slotIndex < 0) {
            throw new IllegalArgumentException("slot index " + slotIndex);
        }
    }

    /** Whether this host has let go of {@code epoch} entirely. */
    public boolean hasReleased(long epoch) {
        return releasedThrough >= epoch;
    }

    /** Writes all {@link #SIZE} bytes and the CRC (the caller stores the beat word last). */
    public void encodeTo(ByteBuffer dst) {
        ByteBuffer b = EpochCodec.le(dst);
        b.putLong(OFF_BEAT, beat);
        EpochCodec.putUuid(b, OFF_HOST, host);
        b.putLong(OFF_EPOCH_TAG, epochTag);
        b.putLong(OFF_SERVING, servingEpoch);
        b.putLong(OFF_RELEASED, releasedThrough);
        b.putLong(OFF_WRITTEN_AT, writtenAtMs);
        b.putInt(OFF_SLOT_INDEX, slotIndex);
        b.putInt(CRC_OFFSET, EpochCodec.crc(b, CRC_OFFSET));
    }

    /**
     * Decodes one slot line: null when all 64 bytes are zero (never written); else checks
     * in order: size, CRC, meaning. A slot has no magic: the CRC over the beat is what tells
     * a complete line from a torn or stray one.
     */
    public static AckSlot decode(ByteBuffer src, String resource) {
        ByteBuffer b = EpochCodec.le(src);
        EpochCodec.requireSize(b, SIZE, "ack slot", resource);
        boolean zero = true;
        for (int i = 0; i < SIZE; i += 8) {
            zero &= b.getLong(i) == 0;
        }
        if (zero) {
            return null;
        }
        int expected = EpochCodec.crc(b, CRC_OFFSET);
        if (b.getInt(CRC_OFFSET) != expected) {
            throw EpochCodec.corrupt("ack slot", resource, CRC_OFFSET, "CRC32C " + Integer.toHexString(expected),
                    Integer.toHexString(b.getInt(CRC_OFFSET)));
        }
        long beat = b.getLong(OFF_BEAT);
        if (beat < 1) {
            throw EpochCodec.corrupt("ack slot", resource, OFF_BEAT, "a beat >= 1", Long.toString(beat));
        }
        int index = b.getInt(OFF_SLOT_INDEX);
        if (index < 0 || index >= EpochHeader.MAX_SLOTS) {
            throw EpochCodec.corrupt("ack slot", resource, OFF_SLOT_INDEX, "0.." + (EpochHeader.MAX_SLOTS - 1),
                    Integer.toString(index));
        }
        return new AckSlot(beat, EpochCodec.getUuid(b, OFF_HOST), b.getLong(OFF_EPOCH_TAG), b.getLong(OFF_SERVING),
                b.getLong(OFF_RELEASED), b.getLong(OFF_WRITTEN_AT), index);
    }
}
