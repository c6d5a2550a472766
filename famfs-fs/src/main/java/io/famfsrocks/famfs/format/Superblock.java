package io.famfsrocks.famfs.format;

import io.famfsrocks.famfs.CorruptMediaException;
import io.famfsrocks.famfs.ErrorKind;
import io.famfsrocks.famfs.FamfsException;

import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.UUID;

/**
 * The superblock: the first 200 bytes of the device. The CRC covers bytes [0, 96);
 * {@code sb_flags}, {@code device_size}, {@code device_uuid} and {@code device_name}
 * are outside it, as in the reference.
 */
public record Superblock(
        long version,
        long logLen,
        long allocUnit,
        UUID fsUuid,
        UUID devUuid,
        UUID systemUuid,
        long deviceSize,
        UUID deviceUuid,
        String deviceName) {

    public static final int SIZE = 200;
    public static final int OFF_MAGIC = 0;
    public static final int OFF_VERSION = 8;
    public static final int OFF_LOG_OFFSET = 16;
    public static final int OFF_LOG_LEN = 24;
    public static final int OFF_ALLOC_UNIT = 32;
    public static final int OFF_OMF_MAJOR = 40;
    public static final int OFF_OMF_MINOR = 44;
    public static final int OFF_FS_UUID = 48;
    public static final int OFF_DEV_UUID = 64;
    public static final int OFF_SYSTEM_UUID = 80;
    public static final int OFF_CRC = 96;
    public static final int CRC_COVERED = OFF_CRC;
    public static final int OFF_FLAGS = 104;
    public static final int OFF_DEVICE_SIZE = 112;
    public static final int OFF_DEVICE_UUID = 120;
    public static final int OFF_DEVICE_NAME = 136;

    public Superblock {
        Objects.requireNonNull(fsUuid);
        Objects.requireNonNull(devUuid);
        Objects.requireNonNull(systemUuid);
        Objects.requireNonNull(deviceUuid);
        Objects.requireNonNull(deviceName);
    }

    public long logOffset() {
        return FamfsLayout.LOG_OFFSET;
    }

    /** Whether the bytes start with the superblock magic (a "killed" volume does not). */
    public static boolean hasMagic(ByteBuffer buf) {
        return buf.capacity() >= 8 && Codec.le(buf).getLong(OFF_MAGIC) == FamfsLayout.SUPER_MAGIC;
    }

    /**
     * Decodes and checks, in order: size, magic, version, CRC, meaning (alloc unit, log
     * placement and length, device size).
     *
     * @param expectedVersion the version to accept; any other is {@link ErrorKind#VERSION_MISMATCH}
     */
    public static Superblock decode(ByteBuffer buf, long expectedVersion) {
        ByteBuffer b = Codec.le(buf);
        if (b.capacity() < SIZE) {
            throw new CorruptMediaException("superblock", 0, "size", SIZE, b.capacity());
        }
        long magic = b.getLong(OFF_MAGIC);
        if (magic != FamfsLayout.SUPER_MAGIC) {
            throw new FamfsException(ErrorKind.NOT_FAMFS, String.format(
                    "not a famfs volume: superblock magic is 0x%x, expected 0x%x", magic, FamfsLayout.SUPER_MAGIC));
        }
        long version = b.getLong(OFF_VERSION);
        if (version != expectedVersion) {
            throw new FamfsException(ErrorKind.VERSION_MISMATCH,
                    "famfs version " + version + ", expected " + expectedVersion);
        }
        long stored = b.getLong(OFF_CRC);
        long computed = Codec.crc(b, 0, CRC_COVERED);
        if (stored != computed) {
            throw new CorruptMediaException("superblock", OFF_CRC, "crc", Codec.hex(computed), Codec.hex(stored));
        }
        long allocUnit = b.getLong(OFF_ALLOC_UNIT);
        if (allocUnit != FamfsLayout.ALLOC_UNIT && allocUnit != FamfsLayout.SMALL_ALLOC_UNIT) {
            throw new CorruptMediaException("superblock", OFF_ALLOC_UNIT, "alloc_unit", "4096 or 0x200000", allocUnit);
        }
        long logOffset = b.getLong(OFF_LOG_OFFSET);
        if (logOffset != FamfsLayout.LOG_OFFSET) {
            throw new CorruptMediaException("superblock", OFF_LOG_OFFSET, "log_offset",
                    Codec.hex(FamfsLayout.LOG_OFFSET), Codec.hex(logOffset));
        }
        long logLen = b.getLong(OFF_LOG_LEN);
        if (!FamfsLayout.isPowerOfTwo(logLen) || logLen < FamfsLayout.MIN_LOG_LEN || logLen > (1L << 40)) {
            throw new CorruptMediaException("superblock", OFF_LOG_LEN, "log_len",
                    "a power of two >= 8 MiB", Codec.hex(logLen));
        }
        long deviceSize = b.getLong(OFF_DEVICE_SIZE);
        if (deviceSize < FamfsLayout.LOG_OFFSET + logLen) {
            throw new CorruptMediaException("superblock", OFF_DEVICE_SIZE, "device_size",
                    ">= " + (FamfsLayout.LOG_OFFSET + logLen), deviceSize);
        }
        int major = b.getInt(OFF_OMF_MAJOR);
        int minor = b.getInt(OFF_OMF_MINOR);
        if (major != FamfsLayout.OMF_VER_MAJOR) {
            throw new CorruptMediaException("superblock", OFF_OMF_MAJOR, "omf_ver_major",
                    FamfsLayout.OMF_VER_MAJOR + "." + FamfsLayout.OMF_VER_MINOR, major + "." + minor);
        }
        return new Superblock(version, logLen, allocUnit,
                Codec.getUuid(b, OFF_FS_UUID), Codec.getUuid(b, OFF_DEV_UUID), Codec.getUuid(b, OFF_SYSTEM_UUID),
                deviceSize, Codec.getUuid(b, OFF_DEVICE_UUID),
                Codec.getString(b, OFF_DEVICE_NAME, FamfsLayout.DEVICE_NAME_LEN));
    }

    /** Writes all {@link #SIZE} bytes (zeroing what no field sets) and the CRC. */
    public void encodeTo(ByteBuffer buf) {
        ByteBuffer b = Codec.le(buf);
        Codec.zero(b, 0, SIZE);
        b.putLong(OFF_MAGIC, FamfsLayout.SUPER_MAGIC);
        b.putLong(OFF_VERSION, version);
        b.putLong(OFF_LOG_OFFSET, FamfsLayout.LOG_OFFSET);
        b.putLong(OFF_LOG_LEN, logLen);
        b.putLong(OFF_ALLOC_UNIT, allocUnit);
        b.putInt(OFF_OMF_MAJOR, FamfsLayout.OMF_VER_MAJOR);
        b.putInt(OFF_OMF_MINOR, FamfsLayout.OMF_VER_MINOR);
        Codec.putUuid(b, OFF_FS_UUID, fsUuid);
        Codec.putUuid(b, OFF_DEV_UUID, devUuid);
        Codec.putUuid(b, OFF_SYSTEM_UUID, systemUuid);
        b.putLong(OFF_CRC, Codec.crc(b, 0, CRC_COVERED));
        b.putLong(OFF_DEVICE_SIZE, deviceSize);
        Codec.putUuid(b, OFF_DEVICE_UUID, deviceUuid);
        Codec.putString(b, OFF_DEVICE_NAME, FamfsLayout.DEVICE_NAME_LEN, deviceName);
    }

    /** The stored CRC as the encoder computes it (for reports). */
    public long crc() {
        ByteBuffer b = ByteBuffer.allocate(SIZE);
        encodeTo(b);
        return Codec.le(b).getLong(OFF_CRC);
    }

    public long lastLogIndex() {
        return FamfsLayout.lastIndex(logLen);
    }
}
