package io.famfsrocks.famfs.fs;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The master's view of a {@link SharedRegion}: writes that are durable and visible to other
 * hosts when they return, and a release store for the field that publishes them. The order
 * a polled structure needs is then simply the order of calls: {@link #write} the new bytes,
 * then {@link #putLongRelease} the length (or magic) that makes readers look at them. Open
 * with {@link MasterVolume#openWritableRegion}. One writer; readers on any host.
 */
public final class WritableRegion extends SharedRegion {
    private final ByteBuffer writeView;

    WritableRegion(FamfsFile file) {
        super(file.device(), file);
        this.writeView = file.mappedView().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Copies {@code src} to {@code offset} and flushes it (msync, write-back). */
    public void write(int offset, ByteBuffer src) {
        int n = src.remaining();
        writeView.duplicate().position(offset).put(src.duplicate());
        file.flushRange(offset, n);
    }

    /**
     * Stores {@code value} at {@code offset} with release semantics, then flushes it: after
     * every byte {@link #write} stored before, as a reader's {@link #getLongAcquire} sees it.
     */
    public void putLongRelease(int offset, long value) {
        LONGS.setRelease(writeView, offset, value);
        file.flushRange(offset, 8);
    }
}
