package io.famfsrocks.famfs.format;

import io.famfsrocks.famfs.CorruptMediaException;

import java.nio.ByteBuffer;

/**
 * The log header (48 bytes at {@link FamfsLayout#LOG_OFFSET}). The CRC covers bytes
 * [0, 24): magic, length and last index. The two counters after it change on every
 * append and are not covered, as in the reference.
 */
public record LogHeader(long logLen, long lastIndex, long nextSeqnum, long nextIndex) {
    public static final int SIZE = 48;
    public static final int OFF_MAGIC = 0;
    public static final int OFF_LEN = 8;
    public static final int OFF_LAST_INDEX = 16;
    public static final int OFF_CRC = 24;
    public static final int CRC_COVERED = OFF_CRC;
    public static final int OFF_NEXT_SEQNUM = 32;
    public static final int OFF_NEXT_INDEX = 40;

    public static LogHeader empty(long logLen) {
        return new LogHeader(logLen, FamfsLayout.lastIndex(logLen), 0, 0);
    }

    /** Decodes and checks size, magic, CRC, then that the counters fit the log. */
    public static LogHeader decode(ByteBuffer buf, long expectedLogLen) {
        ByteBuffer b = Codec.le(buf);
        long at = FamfsLayout.LOG_OFFSET;
        if (b.capacity() < SIZE) {
            throw new CorruptMediaException("log header", at, "size", SIZE, b.capacity());
        }
        long magic = b.getLong(OFF_MAGIC);
        if (magic != FamfsLayout.LOG_MAGIC) {
            throw new CorruptMediaException("log header", at, "magic", Codec.hex(FamfsLayout.LOG_MAGIC), Codec.hex(magic));
        }
        long stored = b.getLong(OFF_CRC);
        long computed = Codec.crc(b, 0, CRC_COVERED);
        if (stored != computed) {
            throw new CorruptMediaException("log header", at + OFF_CRC, "crc", Codec.hex(computed), Codec.hex(stored));
        }
        long len = b.getLong(OFF_LEN);
        if (len != expectedLogLen) {
            throw new CorruptMediaException("log header", at + OFF_LEN, "len (superblock log_len)",
                    Codec.hex(expectedLogLen), Codec.hex(len));
        }
        long lastIndex = b.getLong(OFF_LAST_INDEX);
        if (lastIndex != FamfsLayout.lastIndex(len)) {
            throw new CorruptMediaException("log header", at + OFF_LAST_INDEX, "last_index",
                    FamfsLayout.lastIndex(len), lastIndex);
        }
        long nextIndex = b.getLong(OFF_NEXT_INDEX);
        long nextSeqnum = b.getLong(OFF_NEXT_SEQNUM);
        checkCounters(nextIndex, nextSeqnum, lastIndex);
        return new LogHeader(len, lastIndex, nextSeqnum, nextIndex);
    }

    /** Checks the two uncovered counters; used on every incremental refresh too. */
    public static void checkCounters(long nextIndex, long nextSeqnum, long lastIndex) {
        long at = FamfsLayout.LOG_OFFSET;
        if (nextIndex < 0 || nextIndex > lastIndex + 1) {
            throw new CorruptMediaException("log header", at + OFF_NEXT_INDEX, "next_index",
                    "0.." + (lastIndex + 1), nextIndex);
        }
        // next_seqnum is bumped just before next_index, so a crash between the two stores
        // leaves it one ahead; readers go by next_index alone and fsck reports the skew.
        if (nextSeqnum < nextIndex || nextSeqnum > nextIndex + 1) {
            throw new CorruptMediaException("log header", at + OFF_NEXT_SEQNUM, "next_seqnum",
                    nextIndex + " or " + (nextIndex + 1), nextSeqnum);
        }
    }

    public void encodeTo(ByteBuffer buf) {
        ByteBuffer b = Codec.le(buf);
        Codec.zero(b, 0, SIZE);
        b.putLong(OFF_MAGIC, FamfsLayout.LOG_MAGIC);
        b.putLong(OFF_LEN, logLen);
        b.putLong(OFF_LAST_INDEX, lastIndex);
        b.putLong(OFF_CRC, Codec.crc(b, 0, CRC_COVERED));
        b.putLong(OFF_NEXT_SEQNUM, nextSeqnum);
        b.putLong(OFF_NEXT_INDEX, nextIndex);
    }

    public long crc() {
        ByteBuffer b = ByteBuffer.allocate(SIZE);
        encodeTo(b);
        return Codec.le(b).getLong(OFF_CRC);
    }

    public long slotsLeft() {
        return lastIndex + 1 - nextIndex;
    }
}
