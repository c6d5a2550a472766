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
        return segment(pos)[0];
    }

    /** {device offset, contiguous bytes from there} for file offset {@code pos}. */
    private long[] segment(long pos) {
        if (layout instanceof FileLayout.Interleaved il) {
            long cs = il.chunkSize();
            int n = il.strips().size();
            long chunk = pos / cs;
            long within = pos % cs;
            Extent strip = il.strips().get((int) (chunk % n));
            return new long[] {strip.offset() + (chunk / n) * cs + within, cs - within};
        }
        long base = 0;
        for (Extent e : layout.extents()) {
            if (pos < base + e.length()) {
                return new long[] {e.offset() + (pos - base), e.length() - (pos - base)};
            }
            base += e.length();
        }
        throw new IllegalStateException("offset " + pos + " beyond the extents of " + node.path());
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
        int done = 0;
        int limit = dst.limit();
        try {
            while (done < total) {
                long[] seg = segment(pos + done);
                int n = (int) Math.min(total - done, seg[1]);
                dst.limit(dst.position() + n);
                device.read(seg[0], dst);
                done += n;
            }
        } finally {
            dst.limit(limit);
        }
        return total;
    }

    /** Writes all of {@code src} at {@code pos}; the range must lie inside the file. Master only. */
    void write(long pos, ByteBuffer src) {
        int total = src.remaining();
        checkInside(pos, total);
        int done = 0;
        int limit = src.limit();
        try {
            while (done < total) {
                long[] seg = segment(pos + done);
                int n = (int) Math.min(total - done, seg[1]);
                src.limit(src.position() + n);
                device.write(seg[0], src);
                done += n;
            }
        } finally {
            src.limit(limit);
        }
    }

    /** Reads the whole range {@code [pos, pos + count)} of a channel into the file. Master only. */
    void transferFrom(FileChannel in, long pos, long count) throws IOException {
        checkInside(pos, count);
        long done = 0;
        while (done < count) {
            long[] seg = segment(pos + done);
            long n = Math.min(count - done, seg[1]);
            device.transferFrom(in, seg[0], n);
            done += n;
        }
    }

    /** Writes the whole file to {@code out}, straight from the mapping. */
    public void transferTo(WritableByteChannel out) throws IOException {
        long done = 0;
        while (done < size) {
            long[] seg = segment(done);
            int n = (int) Math.min(Math.min(size - done, seg[1]), MemoryDevice.maxWindow());
            ByteBuffer window = device.window(seg[0], n);
            while (window.hasRemaining()) {
                out.write(window);
            }
            done += n;
        }
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
