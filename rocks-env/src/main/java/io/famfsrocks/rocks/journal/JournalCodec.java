package io.famfsrocks.rocks.journal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Record framing. Each record starts 8-byte aligned:
 * <pre>
 * off  size  field
 *   0     4  payload length L
 *   4     4  RECORD_CRC: CRC32C of bytes [8, 12 + L) (type and payload)
 *   8     4  type (1 version, 2 seal)
 *  12     L  payload
 *            zero padding to the next multiple of 8
 * </pre>
 * Version payload (little-endian): version u64, sequence u64, publishedAtMs u64,
 * createdAtMs u64, manifestNumber u64, manifestOffset u64, options name (u32 length +
 * ASCII), SST count u32 then per SST {number u64, size u64, crc32c u32}, MANIFEST bytes
 * (u32 length + bytes). Seal payload: next journal index u32. Stateless, thread-safe.
 */
public final class JournalCodec {
    public static final int FRAME = 12;

    private JournalCodec() {}

    /** Encoded size of {@code r}, padding included. */
    public static int encodedSize(JournalRecord r) {
        return align(FRAME + payloadSize(r));
    }

    static int payloadSize(JournalRecord r) {
        if (r instanceof JournalRecord.Version v) {
            return 6 * 8 + 4 + v.optionsName().length() + 4 + v.ssts().size() * SstEntry.SIZE + 4 + v.manifestBytes().length;
        }
        return 4;
    }

    public static int align(int n) {
        return (n + 7) & ~7;
    }

    /** Encodes into a fresh heap buffer of {@link #encodedSize} bytes. */
    public static ByteBuffer encode(JournalRecord r) {
        int len = payloadSize(r);
        ByteBuffer b = ByteBuffer.allocate(align(FRAME + len)).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, len);
        b.position(8);
        if (r instanceof JournalRecord.Version v) {
            b.putInt(JournalRecord.TYPE_VERSION);
            b.putLong(v.version()).putLong(v.sequence()).putLong(v.publishedAtMs()).putLong(v.createdAtMs())
                    .putLong(v.manifestNumber()).putLong(v.manifestOffset());
            byte[] opt = v.optionsName().getBytes(StandardCharsets.US_ASCII);
            b.putInt(opt.length).put(opt);
            b.putInt(v.ssts().size());
            for (SstEntry s : v.ssts()) {
                b.putLong(s.fileNumber()).putLong(s.size()).putInt(s.crc32c());
            }
            b.putInt(v.manifestBytes().length).put(v.manifestBytes());
        } else {
            b.putInt(JournalRecord.TYPE_SEAL);
            b.putInt(((JournalRecord.Seal) r).next());
        }
        b.putInt(4, crc(b, 8, 4 + len));
        b.position(0);
        return b;
    }

    /**
     * Decodes the record at {@code offset}, which must end at or before {@code committed}.
     * Checks in order: frame fits, CRC, type, payload meaning.
     */
    public static JournalRecord decode(ByteBuffer journal, int offset, long committed, String resource) {
        ByteBuffer b = journal.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (offset + FRAME > committed) {
            throw JournalHeader.corrupt(resource, offset, "a record frame before committed length " + committed,
                    "only " + (committed - offset) + " bytes");
        }
        int len = b.getInt(offset);
        if (len < 4 || (long) offset + FRAME + len > committed) {
            throw JournalHeader.corrupt(resource, offset, "payload length within committed length " + committed,
                    Integer.toString(len));
        }
        int stored = b.getInt(offset + 4);
        int actual = crc(b, offset + 8, 4 + len);
        if (stored != actual) {
            throw JournalHeader.corrupt(resource, offset + 4, "record CRC32C " + Integer.toHexString(actual),
                    Integer.toHexString(stored));
        }
        int type = b.getInt(offset + 8);
        b.position(offset + FRAME).limit(offset + FRAME + len);
        try {
            switch (type) {
                case JournalRecord.TYPE_VERSION:
                    return decodeVersion(b);
                case JournalRecord.TYPE_SEAL:
                    return new JournalRecord.Seal(b.getInt());
                default:
                    throw JournalHeader.corrupt(resource, offset + 8, "record type 1 or 2", Integer.toString(type));
            }
        } catch (java.nio.BufferUnderflowException | IllegalArgumentException | NegativeArraySizeException e) {
            throw JournalHeader.corrupt(resource, offset, "a well-formed payload", e.toString());
        }
    }

    private static JournalRecord.Version decodeVersion(ByteBuffer b) {
        long version = b.getLong();
        long seq = b.getLong();
        long pub = b.getLong();
        long created = b.getLong();
        long mNum = b.getLong();
        long mOff = b.getLong();
        byte[] opt = new byte[length(b)];
        b.get(opt);
        int n = b.getInt();
        if (n < 0 || (long) n * SstEntry.SIZE > b.remaining()) {
            throw new IllegalArgumentException("SST count " + n);
        }
        List<SstEntry> ssts = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ssts.add(new SstEntry(b.getLong(), b.getLong(), b.getInt()));
        }
        byte[] manifest = new byte[length(b)];
        b.get(manifest);
        return new JournalRecord.Version(version, seq, pub, created, new String(opt, StandardCharsets.US_ASCII),
                ssts, mNum, mOff, manifest);
    }

    /** A length field, checked against what is left before anything is allocated for it. */
    private static int length(ByteBuffer b) {
        int n = b.getInt();
        if (n < 0 || n > b.remaining()) {
            throw new IllegalArgumentException("length " + n + " with " + b.remaining() + " bytes left");
        }
        return n;
    }

    private static int crc(ByteBuffer b, int from, int len) {
        CRC32C c = new CRC32C();
        c.update(b.duplicate().limit(from + len).position(from));
        return (int) c.getValue();
    }
}
