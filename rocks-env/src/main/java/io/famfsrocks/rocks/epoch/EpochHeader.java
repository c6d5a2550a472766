package io.famfsrocks.rocks.epoch;

import io.famfsrocks.famfs.ErrorKind;
import io.famfsrocks.rocks.BridgeException;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.UUID;

/**
 * The header of an epoch's control file: which pool, dataset and epoch this volume holds,
 * and which volume held the epoch before. Written once by the master when it creates the
 * epoch, before anything else of the epoch; the magic is stored last (release), so a reader
 * that sees it sees the whole header.
 *
 * <pre>
 * off  size  field
 *   0     8  EPOCH_MAGIC ("FREPOCH1" as a little-endian u64)
 *   8     4  format version (1)
 *  12     4  slot count (ack slots after the first 4 KiB of the file)
 *  16    16  pool id (random UUID, the same in every epoch of the pool)
 *  32    16  famfs UUID of this volume (equal to the superblock's)
 *  48    16  famfs UUID of the volume of the previous epoch (nil for epoch 1)
 *  64     8  epoch number (1, 2, ...)
 *  72     8  created at (ms since the Unix epoch; for reports only)
 *  80    48  dataset name, NUL-padded ASCII
 * 128     4  HEADER_CRC: CRC32C of bytes [0, 128)
 * </pre>
 * Immutable value; thread-safe.
 */
public record EpochHeader(int slotCount, UUID poolId, UUID volumeUuid, UUID previousVolumeUuid, long epoch,
                          long createdAtMs, String dataset) {
    public static final long EPOCH_MAGIC = 0x3148434F50455246L; // "FREPOCH1"
    public static final int FORMAT_VERSION = 1;
    public static final int OFF_SLOT_COUNT = 12;
    public static final int OFF_POOL_ID = 16;
    public static final int OFF_VOLUME_UUID = 32;
    public static final int OFF_PREVIOUS_UUID = 48;
    public static final int OFF_EPOCH = 64;
    public static final int OFF_CREATED = 72;
    public static final int OFF_DATASET = 80;
    public static final int DATASET_LEN = 48;
    public static final int CRC_OFFSET = 128;
    public static final int SIZE = 132;
    public static final int MAX_SLOTS = 1024;
    public static final UUID NIL = new UUID(0, 0);

    public EpochHeader {
        Objects.requireNonNull(poolId);
        Objects.requireNonNull(volumeUuid);
        Objects.requireNonNull(previousVolumeUuid);
        Objects.requireNonNull(dataset);
        if (slotCount < 1 || slotCount > MAX_SLOTS) {
            throw new IllegalArgumentException("slot count must be 1.." + MAX_SLOTS + ", got " + slotCount);
        }
        if (epoch < 1) {
            throw new IllegalArgumentException("epochs count from 1, got " + epoch);
        }
        if (dataset.isEmpty() || dataset.getBytes(StandardCharsets.US_ASCII).length >= DATASET_LEN) {
            throw new IllegalArgumentException("dataset name must be 1.." + (DATASET_LEN - 1) + " characters: " + dataset);
        }
    }

    /** Writes all {@link #SIZE} bytes, the magic included, and the CRC. */
    public void encodeTo(ByteBuffer dst) {
        ByteBuffer b = EpochCodec.le(dst);
        b.putLong(0, EPOCH_MAGIC);
        b.putInt(8, FORMAT_VERSION);
        b.putInt(OFF_SLOT_COUNT, slotCount);
        EpochCodec.putUuid(b, OFF_POOL_ID, poolId);
        EpochCodec.putUuid(b, OFF_VOLUME_UUID, volumeUuid);
        EpochCodec.putUuid(b, OFF_PREVIOUS_UUID, previousVolumeUuid);
        b.putLong(OFF_EPOCH, epoch);
        b.putLong(OFF_CREATED, createdAtMs);
        EpochCodec.putAscii(b, OFF_DATASET, DATASET_LEN, dataset);
        b.putInt(CRC_OFFSET, EpochCodec.crc(b, CRC_OFFSET));
    }

    /** Decodes and checks in order: size, magic, version, CRC, meaning. */
    public static EpochHeader decode(ByteBuffer src, String resource) {
        ByteBuffer b = EpochCodec.le(src);
        EpochCodec.requireSize(b, SIZE, "epoch header", resource);
        long magic = b.getLong(0);
        if (magic != EPOCH_MAGIC) {
            throw EpochCodec.corrupt("epoch header", resource, 0, "magic " + Long.toHexString(EPOCH_MAGIC),
                    Long.toHexString(magic));
        }
        if (b.getInt(8) != FORMAT_VERSION) {
            throw new BridgeException(ErrorKind.VERSION_MISMATCH, resource + ": epoch format " + b.getInt(8)
                    + ", this build reads " + FORMAT_VERSION);
        }
        int expected = EpochCodec.crc(b, CRC_OFFSET);
        if (b.getInt(CRC_OFFSET) != expected) {
            throw EpochCodec.corrupt("epoch header", resource, CRC_OFFSET, "CRC32C " + Integer.toHexString(expected),
                    Integer.toHexString(b.getInt(CRC_OFFSET)));
        }
        int slots = b.getInt(OFF_SLOT_COUNT);
        if (slots < 1 || slots > MAX_SLOTS) {
            throw EpochCodec.corrupt("epoch header", resource, OFF_SLOT_COUNT, "1.." + MAX_SLOTS, Integer.toString(slots));
        }
        long epoch = b.getLong(OFF_EPOCH);
        if (epoch < 1) {
            throw EpochCodec.corrupt("epoch header", resource, OFF_EPOCH, "an epoch >= 1", Long.toString(epoch));
        }
        String dataset = EpochCodec.getAscii(b, OFF_DATASET, DATASET_LEN);
        if (dataset.isEmpty()) {
            throw EpochCodec.corrupt("epoch header", resource, OFF_DATASET, "a dataset name", "none");
        }
        return new EpochHeader(slots, EpochCodec.getUuid(b, OFF_POOL_ID), EpochCodec.getUuid(b, OFF_VOLUME_UUID),
                EpochCodec.getUuid(b, OFF_PREVIOUS_UUID), epoch, b.getLong(OFF_CREATED), dataset);
    }
}
