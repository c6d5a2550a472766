package io.famfsrocks.rocks.epoch;

import io.famfsrocks.famfs.ErrorKind;
import io.famfsrocks.rocks.BridgeException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.zip.CRC32C;

/** Helpers shared by the epoch structs: little-endian views, CRC32C, UUIDs, errors. Stateless. */
final class EpochCodec {
    private EpochCodec() {}

    static ByteBuffer le(ByteBuffer b) {
        return b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** CRC32C of bytes {@code [0, end)} of {@code b} (absolute positions). */
    static int crc(ByteBuffer b, int end) {
        CRC32C c = new CRC32C();
        c.update(b.duplicate().limit(end).position(0));
        return (int) c.getValue();
    }

    static void putUuid(ByteBuffer b, int at, UUID u) {
        b.putLong(at, u.getMostSignificantBits());
        b.putLong(at + 8, u.getLeastSignificantBits());
    }

    static UUID getUuid(ByteBuffer b, int at) {
        return new UUID(b.getLong(at), b.getLong(at + 8));
    }

    static void putAscii(ByteBuffer b, int at, int len, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < len; i++) {
            b.put(at + i, i < bytes.length ? bytes[i] : 0);
        }
    }

    static String getAscii(ByteBuffer b, int at, int len) {
        byte[] bytes = new byte[len];
        b.get(at, bytes);
        int n = 0;
        while (n < len && bytes[n] != 0) {
            n++;
        }
        return new String(bytes, 0, n, StandardCharsets.US_ASCII);
    }

    static BridgeException corrupt(String what, String resource, long offset, String expected, String actual) {
        return new BridgeException(ErrorKind.CORRUPT_MEDIA, String.format(
                "corrupt %s in %s at offset 0x%x: expected %s, found %s", what, resource, offset, expected, actual));
    }

    static void requireSize(ByteBuffer b, int size, String what, String resource) {
        if (b.limit() < size) {
            throw corrupt(what, resource, 0, "at least " + size + " bytes", b.limit() + " bytes");
        }
    }
}
