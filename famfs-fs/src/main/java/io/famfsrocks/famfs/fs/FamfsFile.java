package io.famfsrocks.famfs.fs;

import io.famfsrocks.famfs.ErrorKind;
import io.famfsrocks.famfs.FamfsException;
import io.famfsrocks.famfs.device.MemoryDevice;
import io.famfsrocks.famfs.format.Extent;
import io.famfsrocks.famfs.format.FileLayout;
import io.famfsrocks.famfs.format.LogEntry;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;

/**
 * A file's bytes on the device: reads (any host) and, through {@link MasterVolume}, writes
 * inside its fixed size. Offsets are file offsets; each transfer is split at extent or
 * chunk boundaries and copied straight between the mapping and the caller's buffer.
 * Thread-safe (no mutable state); concurrent writers to the same range race as with any
 * shared memory.
 */
public class FamfsFile {
    private final MemoryDevice device;
    private final Node.File node;
    private final FileLayout layout;
    private final long size;

    FamfsFile(MemoryDevice device, Node.File node) {
        this.device = device;
        this.node = node;
        this.layout = node.entry().layout();
        this.size = node.entry().size();
    }

    public String path() {
        return node.path();
    }

    public long size() {
        return size;
    }

    public Node.File node() {
        return node;
    }

    public LogEntry.FileEntry entry() {
        return node.entry();
    }

    /** Device offset of file offset {@code pos} (which must be inside the file). */
    public long deviceOffset(long pos) {
        if (layout instanceof FileLayout.Interleaved il) {
            long cs = il.chunkSize();
            int n = il.strips().size();
            long chunk = pos / cs;
            return il.strips().get((int) (chunk % n)).offset() + (chunk / n) * cs + pos % cs;
        }
        long base = 0;
        for (Extent e : layout.extents()) {
            if (pos < base + e.length()) {
                return e.offset() + (pos - base);
            }
            base += e.length();
        }
        throw new IllegalStateException("offset " + pos + " beyond the extents of " + node.path());
    }

    /** Bytes contiguous on the device from file offset {@code pos}: to the end of its chunk or extent. */
    private long contiguousFrom(long pos) {
        if (layout instanceof FileLayout.Interleaved il) {
            return il.chunkSize() - pos % il.chunkSize();
        }
        long base = 0;
        for (Extent e : layout.extents()) {
            base += e.length();
            if (pos < base) {
                return base - pos;
            }
        }
        throw new IllegalStateException("offset " + pos + " beyond the extents of " + node.path());
    }

    /** What to do with one device-contiguous piece of a transfer. */
    @FunctionalInterface
    private interface Piece {
        void transfer(long deviceOffset, long done, long length) throws IOException;
    }

    /**
     * The one segment walk: splits file range {@code [pos, pos + count)} at extent or chunk
     * boundaries (and at {@code maxPiece}) and hands each piece to {@code piece} in order.
     */
    private void walk(long pos, long count, long maxPiece, Piece piece) throws IOException {
        long done = 0;
        while (done < count) {
            long at = pos + done;
            long n = Math.min(Math.min(count - done, contiguousFrom(at)), maxPiece);
            piece.transfer(deviceOffset(at), done, n);
            done += n;
        }
    }

    /** {@link #walk} for transfers that cannot throw IOException (ByteBuffer to mapping). */
    private void walkBuffer(long pos, ByteBuffer buf, int total, boolean toDevice) {
        int limit = buf.limit();
        try {
            walk(pos, total, Integer.MAX_VALUE, (dev, done, n) -> {
                device.requirePresent(dev, n); // a truncated device: CORRUPT_MEDIA (EIO), not a SIGBUS
                buf.limit(buf.position() + (int) n);
                if (toDevice) {
                    device.write(dev, buf);
                } else {
                    device.read(dev, buf);
                }
            });
        } catch (IOException impossible) {
            throw new IllegalStateException(impossible);
        } finally {
            buf.limit(limit);
        }
    }

    /**
     * Reads up to {@code dst.remaining()} bytes at {@code pos}, as {@code pread} does.
     *
     * @return bytes read, or -1 when {@code pos} is at or past the end
     */
    public int read(long pos, ByteBuffer dst) {
        if (pos < 0) {
            throw new FamfsException(ErrorKind.INVALID_ARGUMENT, "negative offset " + pos);
        }
        if (pos >= size) {
            return dst.hasRemaining() ? -1 : 0;
        }
        int total = (int) Math.min(dst.remaining(), size - pos);
        walkBuffer(pos, dst, total, false);
        return total;
    }

    /** Writes all of {@code src} at {@code pos}; the range must lie inside the file. Master only. */
    void write(long pos, ByteBuffer src) {
        int total = src.remaining();
        checkInside(pos, total);
        walkBuffer(pos, src, total, true);
    }

    /** Reads the whole range {@code [pos, pos + count)} of a channel into the file. Master only. */
    void transferFrom(FileChannel in, long pos, long count) throws IOException {
        checkInside(pos, count);
        walk(pos, count, Long.MAX_VALUE, (dev, done, n) -> device.transferFrom(in, dev, n));
    }

    /** Writes the whole file to {@code out}, straight from the mapping. */
    public void transferTo(WritableByteChannel out) throws IOException {
        walk(0, size, MemoryDevice.maxWindow(), (dev, done, n) -> {
            ByteBuffer window = device.window(dev, (int) n);
            while (window.hasRemaining()) {
                out.write(window);
            }
        });
    }

    /**
     * A zero-copy view of the whole file, when its bytes are contiguous on the device and
     * under 2 GiB (a simple file with one extent, the shape our allocator makes); read-only
     * on clients. Valid while the volume is open.
     *
     * @throws FamfsException INVALID_ARGUMENT for interleaved or fragmented files
     */
    public ByteBuffer mappedView() {
        if (layout instanceof FileLayout.Simple s && s.extents().size() == 1 && size <= Integer.MAX_VALUE) {
            return device.window(s.extents().get(0).offset(), (int) size);
        }
        throw new FamfsException(ErrorKind.INVALID_ARGUMENT, node.path()
                + " is not contiguous on the device; use read()");
    }

    /** Whether the file is one run of device bytes (one extent), so {@link #mappedView} works. */
    public boolean isContiguous() {
        return layout instanceof FileLayout.Simple s && s.extents().size() == 1;
    }

    MemoryDevice device() {
        return device;
    }

    /** The cache coherence its volume was opened with (what a separate mapping of its bytes must use too). */
    public io.famfsrocks.famfs.device.CacheCoherence coherence() {
        return device.coherence();
    }

    /** Flushes {@code [pos, pos + length)} of a contiguous file. */
    void flushRange(long pos, long length) {
        device.flush(deviceOffset(pos), length);
    }

    /** Makes written bytes durable and visible to other hosts. */
    void flush() {
        for (Extent e : layout.extents()) {
            device.flush(e.offset(), e.length());
        }
    }

    /** Drops stale cached copies before reading bytes another host wrote. */
    public void invalidate() {
        for (Extent e : layout.extents()) {
            device.invalidate(e.offset(), e.length());
        }
    }

    private void checkInside(long pos, long count) {
        if (pos < 0 || count < 0 || pos > size - count) {
            throw new FamfsException(ErrorKind.NOT_PERMITTED, String.format(
                    "write of %d bytes at offset %d is outside %s (fixed size %d): famfs files never grow",
                    count, pos, node.path(), size));
        }
    }
}
