package io.famfsrocks.cli;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The reference's seeded test pattern ({@code famfs creat -r -S} / {@code verify -S}):
 * xoroshiro128+ seeded through splitmix64 from the seed truncated to 32 bits; each 4-byte
 * little-endian word of the file is the low 32 bits of the next output, and a tail of
 * fewer than 4 bytes takes the first bytes of one more word. Stateful, not thread-safe:
 * one instance generates one file's bytes in order.
 */
public final class Pattern {
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private long s0;
    private long s1;

    public Pattern(long seed) {
        long x = seed & 0xffffffffL; // the reference passes the seed as an unsigned int
        x += GOLDEN;
        s0 = mix(x);
        x += GOLDEN;
        s1 = mix(x);
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** The next 64-bit output of xoroshiro128+. */
    public long next() {
        long a = s0;
        long b = s1;
        long result = a + b;
        b ^= a;
        s0 = Long.rotateLeft(a, 55) ^ b ^ (b << 14);
        s1 = Long.rotateLeft(b, 36);
        return result;
    }

    /**
     * Fills {@code dst} from its position to its limit with the next bytes of the pattern.
     * Only the last call for a file may end at a length that is not a multiple of 4.
     */
    public void fill(ByteBuffer dst) {
        ByteBuffer b = dst.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        while (b.remaining() >= 4) {
            b.putInt((int) next());
        }
        if (b.hasRemaining()) {
            int w = (int) next();
            for (int i = 0; b.hasRemaining(); i++) {
                b.put((byte) (w >>> (8 * i)));
            }
        }
        dst.position(dst.limit());
    }
}
