package io.famfsrocks.famfs.alloc;

import java.util.Arrays;

/**
 * One bit per allocation unit of the device. Not thread-safe.
 */
public final class AllocationBitmap {
    private final long allocUnit;
    private final long nbits;
    private final long[] words;

    public AllocationBitmap(long deviceSize, long allocUnit) {
        this.allocUnit = allocUnit;
        this.nbits = deviceSize / allocUnit;
        if (nbits > Integer.MAX_VALUE * 64L) {
            throw new IllegalArgumentException("device too large for the bitmap: " + deviceSize);
        }
        this.words = new long[(int) ((nbits + 63) >>> 6)];
    }

    public long allocUnit() {
        return allocUnit;
    }

    public long size() {
        return nbits;
    }

    public boolean get(long bit) {
        return (words[(int) (bit >>> 6)] & (1L << bit)) != 0;
    }

    /**
     * Marks the units covering {@code [offset, offset + length)}.
     *
     * @return the number of units that were already marked (collisions)
     */
    public long mark(long offset, long length) {
        long first = offset / allocUnit;
        long last = Math.min(nbits, (offset + length + allocUnit - 1) / allocUnit);
        long collisions = 0;
        for (long b = first; b < last; b++) {
            int w = (int) (b >>> 6);
            long m = 1L << b;
            if ((words[w] & m) != 0) {
                collisions++;
            }
            words[w] |= m;
        }
        return collisions;
    }

    /** First bit of the first run of {@code n} clear bits in {@code [from, to)}, or -1. */
    public long findClearRun(long n, long from, long to) {
        long end = Math.min(to, nbits);
        long run = 0;
        long b = from;
        while (b < end) {
            int w = (int) (b >>> 6);
            if ((b & 63) == 0 && words[w] == -1L && b + 64 <= end) {
                run = 0;
                b += 64;
                continue;
            }
            if (get(b)) {
                run = 0;
            } else if (++run == n) {
                return b - n + 1;
            }
            b++;
        }
        return -1;
    }

    public long countSet() {
        long n = 0;
        for (long w : words) {
            n += Long.bitCount(w);
        }
        return n;
    }

    public AllocationBitmap copy() {
        AllocationBitmap c = new AllocationBitmap(nbits * allocUnit, allocUnit);
        System.arraycopy(words, 0, c.words, 0, words.length);
        return c;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AllocationBitmap other && other.nbits == nbits && other.allocUnit == allocUnit
                && Arrays.equals(other.words, words);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(words);
    }
}
