package io.famfsrocks.famfs.format;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.zip.CRC32;

/** Field helpers shared by the struct classes: absolute reads and writes only. */
final class Codec {
    private Codec() {}

    /** {@code b} itself when it is already little-endian (absolute access only), else a duplicate. */
    static ByteBuffer le(ByteBuffer b) {
        return b.order() == ByteOrder.LITTLE_ENDIAN ? b : b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    static long crc(ByteBuffer b, int base, int len) {
        CRC32 crc = new CRC32();
        crc.update(b.slice(base, len));
        return crc.getValue();
    }

    static UUID getUuid(ByteBuffer b, int off) {
        ByteBuffer be = b.duplicate().order(ByteOrder.BIG_ENDIAN);
        return new UUID(be.getLong(off), be.getLong(off + 8));
    }

    static void putUuid(ByteBuffer b, int off, UUID u) {
        ByteBuffer be = b.duplicate().order(ByteOrder.BIG_ENDIAN);
        be.putLong(off, u.getMostSignificantBits());
        be.putLong(off + 8, u.getLeastSignificantBits());
    }

    /** Reads a NUL-padded string; {@code null} if no NUL terminates it within {@code len}. */
    static String getString(ByteBuffer b, int off, int len) {
        int n = 0;
        while (n < len && b.get(off + n) != 0) {
            n++;
        }
        byte[] raw = new byte[n];
        b.get(off, raw);
        return new String(raw, StandardCharsets.UTF_8);
    }

    /** Whether the field has a NUL within its length (reference strings are terminated). */
    static boolean isTerminated(ByteBuffer b, int off, int len) {
        for (int i = 0; i < len; i++) {
            if (b.get(off + i) == 0) {
                return true;
            }
        }
        return false;
    }

    static void putString(ByteBuffer b, int off, int len, String s) {
        byte[] raw = s.getBytes(StandardCharsets.UTF_8);
        if (raw.length > len - 1) {
            throw new IllegalArgumentException("string of " + raw.length + " bytes does not fit in " + len);
        }
        b.put(off, raw);
        for (int i = raw.length; i < len; i++) {
            b.put(off + i, (byte) 0);
        }
    }

    static void zero(ByteBuffer b, int off, int len) {
        for (int i = 0; i < len; i++) {
            b.put(off + i, (byte) 0);
        }
    }

    static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }
}
