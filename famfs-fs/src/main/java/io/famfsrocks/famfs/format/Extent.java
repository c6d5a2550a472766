package io.famfsrocks.famfs.format;

import java.nio.ByteBuffer;

/** One extent (24 bytes): device index, device offset, length. */
public record Extent(long devIndex, long offset, long length) {
    public static final int SIZE = 24;

    public static Extent of(long offset, long length) {
        return new Extent(0, offset, length);
    }

    public long end() {
        return offset + length;
    }

    static Extent decode(ByteBuffer b, int off) {
        return new Extent(b.getLong(off), b.getLong(off + 8), b.getLong(off + 16));
    }

    void encodeTo(ByteBuffer b, int off) {
        b.putLong(off, devIndex);
        b.putLong(off + 8, offset);
        b.putLong(off + 16, length);
    }
}
