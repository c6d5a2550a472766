package io.famfsrocks.rocks.journal;

import io.famfsrocks.famfs.ErrorKind;
import io.famfsrocks.rocks.BridgeException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.zip.CRC32C;

/**
 * The first 4 KiB of every journal file. Immutable fields at the start, covered by
 * {@code HEADER_CRC}; the committed length lives alone in its own cache line at
 * {@link #COMMITTED_OFFSET} and is the only word that changes after creation.
 *
 * <pre>
 * off  size  field
 *   0     8  JOURNAL_MAGIC ("FRJNL001" as a little-endian u64)
 *   8     4  format version (1)
 *  12     4  journal index in the chain (journal.0000 is 0)
 *  16    16  dataset id (UUID, the same in every journal of the chain)
 *  32    64  primary DB identity (the IDENTITY file, NUL-padded ASCII)
 *  96     8  journal file size
 * 104     4  HEADER_CRC: CRC32C of bytes [0, 104)
 * 128     8  committed length: end of the last committed record (starts at DATA_START)
 * </pre>
 * Immutable value; thread-safe.
 */
public record JournalHeader(int index, UUID datasetId, String dbIdentity, long fileSize) {
    public static final long JOURNAL_MAGIC = 0x313030_4C4E4A5246L; // "FRJNL001"
    public static final int FORMAT_VERSION = 1;
    public static final int IDENTITY_LEN = 64;
    public static final int CRC_OFFSET = 104;
    public static final int COMMITTED_OFFSET = 128;
    public static final int SIZE = 4096;
    /** Records start here, 8-byte aligned. */
    public static final int DATA_START = SIZE;

    public JournalHeader {
        if (dbIdentity.getBytes(StandardCharsets.US_ASCII).length >= IDENTITY_LEN) {
            throw new IllegalArgumentException("DB identity too long: " + dbIdentity);
        }
    }

    public void encodeTo(ByteBuffer dst) {
        ByteBuffer b = dst.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(0, JOURNAL_MAGIC);
        b.putInt(8, FORMAT_VERSION);
        b.putInt(12, index);
        b.putLong(16, datasetId.getMostSignificantBits());
        b.putLong(24, datasetId.getLeastSignificantBits());
        byte[] id = dbIdentity.getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < IDENTITY_LEN; i++) {
            b.put(32 + i, i < id.length ? id[i] : 0);
        }
        b.putLong(96, fileSize);
        b.putInt(CRC_OFFSET, crc(b));
    }

    /** Decodes and checks in order: size, magic, version, CRC, meaning. */
    public static JournalHeader decode(ByteBuffer src, String resource) {
        ByteBuffer b = src.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (b.limit() < SIZE) {
            throw corrupt(resource, 0, "at least " + SIZE + " bytes", b.limit() + " bytes");
        }
        if (b.getLong(0) != JOURNAL_MAGIC) {
            throw corrupt(resource, 0, "magic " + Long.toHexString(JOURNAL_MAGIC), Long.toHexString(b.getLong(0)));
        }
        if (b.getInt(8) != FORMAT_VERSION) {
            throw new BridgeException(ErrorKind.VERSION_MISMATCH, resource + ": journal format " + b.getInt(8)
                    + ", this build reads " + FORMAT_VERSION);
        }
        int expected = crc(b);
        if (b.getInt(CRC_OFFSET) != expected) {
            throw corrupt(resource, CRC_OFFSET, "header CRC32C " + Integer.toHexString(expected),
                    Integer.toHexString(b.getInt(CRC_OFFSET)));
        }
        byte[] id = new byte[IDENTITY_LEN];
        b.get(32, id);
        int n = 0;
        while (n < IDENTITY_LEN && id[n] != 0) {
            n++;
        }
        long size = b.getLong(96);
        if (size < DATA_START) {
            throw corrupt(resource, 96, "file size of at least " + DATA_START, Long.toString(size));
        }
        return new JournalHeader(b.getInt(12), new UUID(b.getLong(16), b.getLong(24)),
                new String(id, 0, n, StandardCharsets.US_ASCII), size);
    }

    private static int crc(ByteBuffer b) {
        CRC32C c = new CRC32C();
        c.update(b.duplicate().limit(CRC_OFFSET).position(0));
        return (int) c.getValue();
    }

    static BridgeException corrupt(String resource, long offset, String expected, String actual) {
        return new BridgeException(ErrorKind.CORRUPT_MEDIA, String.format(
                "corrupt journal %s at offset 0x%x: expected %s, found %s", resource, offset, expected, actual));
    }
}
