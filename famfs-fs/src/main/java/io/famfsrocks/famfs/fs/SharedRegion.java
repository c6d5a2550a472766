package io.famfsrocks.famfs.fs;

import io.famfsrocks.famfs.device.MemoryDevice;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A contiguous famfs file mapped whole, for a structure that one master writes and any host
 * polls (the bridge's version journal). Readers see it read-only; the master's
 * {@link WritableRegion} adds the writes and the ordering such a structure needs. Open with
 * {@link FamfsVolume#openRegion}. Thread-safe: reads of the shared mapping only.
 */
public class SharedRegion {
    static final VarHandle LONGS = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    final MemoryDevice device;
    final FamfsFile file;
    private final ByteBuffer readView;

    SharedRegion(MemoryDevice device, FamfsFile file) {
        this.device = device;
        this.file = file;
        this.readView = file.mappedView().asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    public String path() {
        return file.path();
    }

    public long size() {
        return file.size();
    }

    /**
     * The whole file, read-only and little-endian, for decoding in place. Call
     * {@link #invalidate} on a range before decoding bytes another host may have written.
     */
    public ByteBuffer view() {
        return readView;
    }

    /**
     * The 8 bytes at {@code offset} with acquire semantics, after dropping stale cached
     * copies: a reader that sees a value the writer stored with
     * {@link WritableRegion#putLongRelease} also sees every byte written before it.
     */
    public long getLongAcquire(int offset) {
        invalidate(offset, 8);
        return (long) LONGS.getAcquire(readView, offset);
    }

    /** Drops stale cached copies of {@code [offset, offset + length)} (memory that is not cache-coherent). */
    public void invalidate(long offset, long length) {
        device.invalidate(file.deviceOffset(offset), length);
    }
}
