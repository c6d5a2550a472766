package io.famfsrocks.rocks.journal;

import io.famfsrocks.famfs.ErrorKind;
import io.famfsrocks.rocks.BridgeException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.UUID;
import java.util.zip.CRC32C;

/**
 * The WAL ring's on-media format: {@code <dataset>/wal.ring}, one preallocated contiguous
 * famfs file. All integers little-endian.
 * <pre>
 * header (4 KiB)
 * off  size  field
 *   0     8  WAL_MAGIC ("FRWAL001"); written last, with release semantics
 *   8     4  format version (1)
 *  12     4  segment size (records never cross a segment boundary)
 *  16    16  dataset id (the journal chain's)
 *  32     8  ring file size
 *  40     4  HEADER_CRC: CRC32C of bytes [0, 40)
 * 128     8  COMMITTED: logical end of the last committed record (0 when empty; own cache line)
 * 192     8  NEXT_SEQUENCE: the sequence number after the last shipped batch (writer's restart hint)
 * 256     8  PRIMARY_SEQUENCE: the primary's latest sequence number when last observed
 * 264     8  PRIMARY_AT_MS: the primary's wall clock at that observation
 * 4096    …  data: segments of the segment size
 *
 * record, 8-byte aligned inside one segment
 *   0     4  payload length L
 *   4     4  RECORD_CRC: CRC32C of bytes [8, 12 + L) (type and payload)
 *   8     4  type: 1 batch, 2 pad (the rest of the segment is empty), 3 lost
 *  12     L  payload, then zero padding to a multiple of 8
 * batch payload: logical offset u64, sequence u64, count u32, written at ms u64, WriteBatch bytes
 * pad payload:   logical offset u64
 * lost payload:  logical offset u64, from sequence u64, to sequence u64
 * </pre>
 * Offsets are logical: bytes written since the ring was created; a record at logical offset
 * {@code o} lies at {@code DATA_START + o % capacity}. Each record carries its logical offset
 * so that a record of an older lap, whose CRC is still good, is never taken for a newer one.
 * Stateless, thread-safe.
 */
public final class WalFormat {
    public static final long WAL_MAGIC = 0x3130304C41575246L; // "FRWAL001"
    public static final int FORMAT_VERSION = 1;
    public static final int CRC_OFFSET = 40;
    public static final int COMMITTED_OFFSET = 128;
    public static final int NEXT_SEQUENCE_OFFSET = 192;
    public static final int PRIMARY_SEQUENCE_OFFSET = 256;
    public static final int PRIMARY_AT_MS_OFFSET = 264;
    public static final int DATA_START = 4096;
    public static final int FRAME = 12;
    public static final int TYPE_BATCH = 1;
    public static final int TYPE_PAD = 2;
    public static final int TYPE_LOST = 3;
    static final int BATCH_FIXED = 8 + 8 + 4 + 8;
    /** The smallest record (a pad): less room than this at a segment's end is skipped without one. */
    public static final int MIN_RECORD = align(FRAME + 8);

    private WalFormat() {}

    /** The immutable header fields. */
    public record Header(int segmentSize, UUID datasetId, long fileSize) {
        public long capacity() {
            return fileSize - DATA_START;
        }
    }

    public static int align(int n) {
        return (n + 7) & ~7;
    }

    /** Encodes the header into the first {@link #DATA_START} bytes of {@code dst} (magic included). */
    public static void encodeHeader(Header h, ByteBuffer dst) {
        ByteBuffer b = dst.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(0, WAL_MAGIC);
        b.putInt(8, FORMAT_VERSION);
        b.putInt(12, h.segmentSize());
        b.putLong(16, h.datasetId().getMostSignificantBits());
        b.putLong(24, h.datasetId().getLeastSignificantBits());
        b.putLong(32, h.fileSize());
        b.putInt(CRC_OFFSET, crc(b, 0, CRC_OFFSET));
    }

    /** Decodes and checks in order: size, magic, version, CRC, meaning. */
    public static Header decodeHeader(ByteBuffer src, String resource) {
        ByteBuffer b = src.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (b.limit() < DATA_START) {
            throw corrupt(resource, 0, "at least " + DATA_START + " bytes", b.limit() + " bytes");
        }
        if (b.getLong(0) != WAL_MAGIC) {
            throw corrupt(resource, 0, "magic " + Long.toHexString(WAL_MAGIC), Long.toHexString(b.getLong(0)));
        }
        if (b.getInt(8) != FORMAT_VERSION) {
            throw new BridgeException(ErrorKind.VERSION_MISMATCH, resource + ": WAL ring format " + b.getInt(8)
                    + ", this build reads " + FORMAT_VERSION);
        }
        int expected = crc(b, 0, CRC_OFFSET);
        if (b.getInt(CRC_OFFSET) != expected) {
            throw corrupt(resource, CRC_OFFSET, "header CRC32C " + Integer.toHexString(expected),
                    Integer.toHexString(b.getInt(CRC_OFFSET)));
        }
        int seg = b.getInt(12);
        long size = b.getLong(32);
        if (seg < 4096 || seg % 8 != 0 || size < DATA_START + 2L * seg || (size - DATA_START) % seg != 0) {
            throw corrupt(resource, 12, "a segment size of at least 4096 dividing the data area into two or more",
                    "segment " + seg + ", file size " + size);
        }
        return new Header(seg, new UUID(b.getLong(16), b.getLong(24)), size);
    }

    /** Encoded size of a batch record carrying {@code dataLength} bytes, padding included. */
    public static int batchSize(int dataLength) {
        return align(FRAME + BATCH_FIXED + dataLength);
    }

    public static ByteBuffer encodeBatch(long logical, WalRecord.Batch r) {
        ByteBuffer b = frame(TYPE_BATCH, BATCH_FIXED + r.data().length);
        b.putLong(logical).putLong(r.sequence()).putInt(r.count()).putLong(r.writtenAtMs()).put(r.data());
        return seal(b);
    }

    public static ByteBuffer encodePad(long logical) {
        ByteBuffer b = frame(TYPE_PAD, 8);
        b.putLong(logical);
        return seal(b);
    }

    public static ByteBuffer encodeLost(long logical, long from, long to) {
        ByteBuffer b = frame(TYPE_LOST, 24);
        b.putLong(logical).putLong(from).putLong(to);
        return seal(b);
    }

    private static ByteBuffer frame(int type, int payload) {
        ByteBuffer b = ByteBuffer.allocate(align(FRAME + payload)).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, payload);
        b.position(8);
        b.putInt(type);
        return b;
    }

    private static ByteBuffer seal(ByteBuffer b) {
        int len = b.getInt(0);
        b.putInt(4, crc(b, 8, 4 + len));
        b.position(0);
        return b;
    }

    /** A decoded record: its type, encoded size and content (null for a pad). */
    public record Decoded(int type, int size, WalRecord record) {}

    /**
     * Decodes the record at {@code at} in {@code ring} (positions are physical, within one
     * segment that ends at {@code segmentEnd}), which the writer put at logical offset
     * {@code logical}. Checks in order: frame fits, CRC, type, logical offset, payload.
     */
    public static Decoded decode(ByteBuffer ring, int at, int segmentEnd, long logical, String resource) {
        ByteBuffer b = ring.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (at + FRAME + 8 > segmentEnd) {
            throw corrupt(resource, at, "a record frame before the segment's end " + segmentEnd,
                    (segmentEnd - at) + " bytes");
        }
        int len = b.getInt(at);
        if (len < 8 || (long) at + FRAME + len > segmentEnd) {
            throw corrupt(resource, at, "payload length within the segment", Integer.toString(len));
        }
        int stored = b.getInt(at + 4);
        int actual = crc(b, at + 8, 4 + len);
        if (stored != actual) {
            throw corrupt(resource, at + 4, "record CRC32C " + Integer.toHexString(actual), Integer.toHexString(stored));
        }
        int type = b.getInt(at + 8);
        long storedLogical = b.getLong(at + FRAME);
        if (storedLogical != logical) {
            throw corrupt(resource, at + FRAME, "logical offset " + logical, Long.toString(storedLogical));
        }
        int size = align(FRAME + len);
        b.position(at + FRAME + 8);
        switch (type) {
            case TYPE_PAD:
                return new Decoded(type, size, null);
            case TYPE_BATCH: {
                if (len < BATCH_FIXED) {
                    throw corrupt(resource, at, "a batch payload of at least " + BATCH_FIXED + " bytes", Integer.toString(len));
                }
                long seq = b.getLong();
                int count = b.getInt();
                long atMs = b.getLong();
                byte[] data = new byte[len - BATCH_FIXED];
                b.get(data);
                return new Decoded(type, size, new WalRecord.Batch(seq, count, atMs, data));
            }
            case TYPE_LOST: {
                if (len != 24) {
                    throw corrupt(resource, at, "a lost payload of 24 bytes", Integer.toString(len));
                }
                long from = b.getLong();
                long to = b.getLong();
                return new Decoded(type, size, new WalRecord.Lost(from, to,
                        "the primary could not ship sequence numbers " + from + " to " + (to - 1)));
            }
            default:
                throw corrupt(resource, at + 8, "record type 1, 2 or 3", Integer.toString(type));
        }
    }

    static int crc(ByteBuffer b, int from, int len) {
        CRC32C c = new CRC32C();
        c.update(b.duplicate().limit(from + len).position(from));
        return (int) c.getValue();
    }

    static BridgeException corrupt(String resource, long offset, String expected, String actual) {
        return new BridgeException(ErrorKind.CORRUPT_MEDIA, String.format(
                "corrupt WAL ring %s at offset 0x%x: expected %s, found %s", resource, offset, expected, actual));
    }
}
