package io.famfsrocks.rocks.epoch;

import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.UUID;

/**
 * The seal of an epoch: written once, by the master, into the sealed epoch's control file
 * when the next epoch's volume holds everything the current version needs. It is the
 * commit point of a rotation: before it, a restart rolls the rotation back; after it, the
 * next epoch is the active one. Lives alone in its cache line; its magic is stored last
 * (release), so a reader that sees the magic sees the fields.
 *
 * <pre>
 * off  size  field
 *   0     8  SEAL_MAGIC ("FRSEAL01" as a little-endian u64); 0 while the epoch is not sealed
 *   8     8  next epoch number (this epoch + 1)
 *  16    16  famfs UUID of the next epoch's volume
 *  32     8  last version published in this epoch (the journal's version number)
 *  40     8  sealed at (ms since the Unix epoch; for reports only)
 *  48     4  SEAL_CRC: CRC32C of bytes [0, 48)
 * </pre>
 * Immutable value; thread-safe.
 */
public record SealRecord(long nextEpoch, UUID nextVolumeUuid, long lastVersion, long sealedAtMs) {
    public static final long SEAL_MAGIC = 0x3130_4C41_4553_5246L; // "FRSEAL01"
    public static final int OFF_NEXT_EPOCH = 8;
    public static final int OFF_NEXT_UUID = 16;
    public static final int OFF_LAST_VERSION = 32;
    public static final int OFF_SEALED_AT = 40;
    public static final int CRC_OFFSET = 48;
    public static final int SIZE = 52;

    public SealRecord {
        Objects.requireNonNull(nextVolumeUuid);
        if (nextEpoch < 2) {
            throw new IllegalArgumentException("the epoch after a sealed one is at least 2, got " + nextEpoch);
        }
    }

    /** Writes all {@link #SIZE} bytes, the magic included, and the CRC. */
    public void encodeTo(ByteBuffer dst) {
        ByteBuffer b = EpochCodec.le(dst);
        b.putLong(0, SEAL_MAGIC);
        b.putLong(OFF_NEXT_EPOCH, nextEpoch);
        EpochCodec.putUuid(b, OFF_NEXT_UUID, nextVolumeUuid);
        b.putLong(OFF_LAST_VERSION, lastVersion);
        b.putLong(OFF_SEALED_AT, sealedAtMs);
        b.putInt(CRC_OFFSET, EpochCodec.crc(b, CRC_OFFSET));
    }

    /**
     * Decodes the seal line: null when the magic word is 0 (not sealed); else checks in
     * order: size, magic, CRC, meaning.
     */
    public static SealRecord decode(ByteBuffer src, String resource) {
        ByteBuffer b = EpochCodec.le(src);
        EpochCodec.requireSize(b, SIZE, "seal record", resource);
        long magic = b.getLong(0);
        if (magic == 0) {
            return null;
        }
        if (magic != SEAL_MAGIC) {
            throw EpochCodec.corrupt("seal record", resource, 0, "magic " + Long.toHexString(SEAL_MAGIC) + " or 0",
                    Long.toHexString(magic));
        }
        int expected = EpochCodec.crc(b, CRC_OFFSET);
        if (b.getInt(CRC_OFFSET) != expected) {
            throw EpochCodec.corrupt("seal record", resource, CRC_OFFSET, "CRC32C " + Integer.toHexString(expected),
                    Integer.toHexString(b.getInt(CRC_OFFSET)));
        }
        long next = b.getLong(OFF_NEXT_EPOCH);
        if (next < 2) {
            throw EpochCodec.corrupt("seal record", resource, OFF_NEXT_EPOCH, "a next epoch >= 2", Long.toString(next));
        }
        return new SealRecord(next, EpochCodec.getUuid(b, OFF_NEXT_UUID), b.getLong(OFF_LAST_VERSION),
                b.getLong(OFF_SEALED_AT));
    }
}
