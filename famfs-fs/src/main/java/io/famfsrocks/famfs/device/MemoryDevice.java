package io.famfsrocks.famfs.device;

import com.kenai.jffi.MemoryIO;
import io.famfsrocks.famfs.ErrorKind;
import io.famfsrocks.famfs.FamfsException;
import jnr.ffi.Pointer;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A memory device mapped whole with {@code MAP_SHARED}: a DAX character device (size from
 * sysfs) or a regular file (its length). Offsets are device offsets; bulk transfers go
 * through direct {@link ByteBuffer} windows over the mapping, so they run at memcpy speed
 * with no intermediate copy.
 *
 * <p>With {@link NonCoherentModel} as its coherence the device reads and writes this
 * process's simulated CPU cache of the file ({@link HostCache}) instead of the mapping: every
 * accessor first tells the cache which lines it touches, {@link #flush} writes them back and
 * {@link #invalidate} reloads them. Other coherences leave every accessor as it is (one test
 * of a final field against null).
 *
 * <p>Thread-safe: the mapping is fixed for the device's life; callers coordinate who
 * writes which range. {@link #close()} is idempotent; using a closed device throws.
 */
public final class MemoryDevice implements AutoCloseable {
    /** Largest window one direct buffer can cover; bulk transfers loop over such windows. */
    private static final int MAX_WINDOW = 1 << 30;
    private static final MemoryIO IO = MemoryIO.getInstance();

    private final Path path;
    private final long size;
    private final boolean writable;
    private final boolean daxDevice;
    private final boolean needsMsync;
    private final CacheCoherence coherence;
    private final Pointer base;
    /** Where the accessors read and write: the mapping, or this host's cache under the model. */
    private final long address;
    /** This host's cache of the device under {@link NonCoherentModel}; null otherwise. */
    private final HostCache cache;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Bulk writes into a regular-file device go through the kernel (see {@link #transferFrom}). */
    private final KernelWrites kernelWrites;
    /** For {@link #currentSize}: opened on first use, closed with the device. */
    private volatile FileChannel sizeChannel;
    /** Writes at least this large go through {@link #kernelWrites} on regular-file devices. */
    private static final int BULK_WRITE = 256 * 1024;

    private MemoryDevice(Path path, long size, boolean writable, boolean daxDevice, boolean needsMsync,
                         CacheCoherence coherence, Pointer base) {
        this.path = path;
        this.size = size;
        this.writable = writable;
        this.daxDevice = daxDevice;
        this.needsMsync = needsMsync;
        this.coherence = coherence;
        this.base = base;
        this.cache = coherence instanceof NonCoherentModel m ? HostCache.acquire(path, size, m) : null;
        this.address = cache != null ? cache.address() : base.address();
        this.kernelWrites = new KernelWrites(path);
    }

    /** Opens with this process's coherence ({@link CacheCoherence#selected}). */
    public static MemoryDevice open(Path path, boolean writable) {
        return open(path, writable, CacheCoherence.selected());
    }

    /** Opens and maps the whole device; read-only mappings refuse writes with SIGSEGV, so we check first. */
    public static MemoryDevice open(Path path, boolean writable, CacheCoherence coherence) {
        Objects.requireNonNull(path);
        DeviceMapping.Probe probe = DeviceMapping.probe(path);
        Pointer p = DeviceMapping.map(path, probe.size(), writable);
        return new MemoryDevice(path, probe.size(), writable, probe.dax(), probe.needsMsync(), coherence, p);
    }

    /** Owner read and write only: the device holds every file's bytes (issue 13 item 6). */
    public static final java.util.Set<java.nio.file.attribute.PosixFilePermission> DEFAULT_MODE =
            java.nio.file.attribute.PosixFilePermissions.fromString("rw-------");

    /**
     * Creates a sparse file of {@code size} bytes to serve as a device (the default under
     * {@code /dev/shm}), mode 0600; refuses an existing file.
     */
    public static void createFile(Path path, long size) {
        createFile(path, size, DEFAULT_MODE);
    }

    /**
     * As {@link #createFile(Path, long)} with the file mode {@code mode}, set exactly (not
     * reduced by the umask). The file is created with no access for others before its mode is
     * widened, so there is no moment where more users can open it than asked for.
     */
    public static void createFile(Path path, long size, java.util.Set<java.nio.file.attribute.PosixFilePermission> mode) {
        if (size <= 0) {
            throw new FamfsException(ErrorKind.INVALID_ARGUMENT, "device size must be positive, got " + size);
        }
        if (Files.exists(path)) {
            throw new FamfsException(ErrorKind.EXISTS, "device file " + path + " already exists");
        }
        try {
            Files.createFile(path, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(DEFAULT_MODE));
            try (RandomAccessFile f = new RandomAccessFile(path.toFile(), "rw")) {
                f.setLength(size);
            }
            Files.setPosixFilePermissions(path, mode);
        } catch (java.nio.file.FileAlreadyExistsException e) {
            throw new FamfsException(ErrorKind.EXISTS, "device file " + path + " already exists");
        } catch (IOException e) {
            throw new FamfsException(ErrorKind.IO, "cannot create device file " + path + ": " + e.getMessage(), e);
        }
    }

    public Path path() {
        return path;
    }

    /** Bytes mapped: the device's size when it was opened. */
    public long size() {
        return size;
    }

    /**
     * The device's size now: a regular file can be truncated under its mapping, and touching
     * mapped bytes past its new end is a SIGBUS (an InternalError in Java, a dead thread or
     * process; issue 13 item 7). One {@code fstat} of a descriptor of the mapped file (every
     * FUSE read asks: a path {@code stat} cost 3-5 us a call, the descriptor's 1.3-1.5 us on
     * the 2-core machine, loaded); a DAX device keeps its size. A device file that was removed
     * keeps its pages while mapped, so it counts as its mapped size (its descriptor says so too).
     */
    public long currentSize() {
        if (daxDevice) {
            return size;
        }
        try {
            return sizeChannel().size();
        } catch (IOException | RuntimeException e) {
            sizeChannel = null; // closed by an interrupt, or never opened: ask the path, reopen next time
            try {
                return Files.size(path);
            } catch (IOException gone) {
                return size;
            }
        }
    }

    private FileChannel sizeChannel() throws IOException {
        FileChannel c = sizeChannel;
        if (c == null) {
            synchronized (this) {
                c = sizeChannel;
                if (c == null) {
                    if (closed.get()) {
                        throw new IllegalStateException("device " + path + " is closed");
                    }
                    c = FileChannel.open(path, StandardOpenOption.READ);
                    sizeChannel = c;
                }
            }
        }
        return c;
    }

    /**
     * CORRUPT_MEDIA when {@code [offset, offset + length)} is past the device's end now (the
     * device file was truncated since it was mapped), instead of touching it.
     */
    public void requirePresent(long offset, long length) {
        long now = currentSize();
        if (offset + length > now) {
            throw new FamfsException(ErrorKind.CORRUPT_MEDIA, String.format(
                    "device %s is %d bytes now; bytes [%d, %d) are past its end (it was truncated)",
                    path, now, offset, offset + length));
        }
    }

    public boolean isWritable() {
        return writable;
    }

    public boolean isDaxDevice() {
        return daxDevice;
    }

    public CacheCoherence coherence() {
        return coherence;
    }

    /**
     * A direct buffer over {@code [offset, offset + length)} of the mapping: no copy. It is
     * valid only while the device is open; read-only when the device is.
     */
    public ByteBuffer window(long offset, int length) {
        checkRange(offset, length);
        if (cache != null) {
            if (writable) {
                cache.storing(offset, length);
            } else {
                cache.load(offset, length);
            }
        }
        ByteBuffer b = IO.newDirectByteBuffer(address + offset, length).order(ByteOrder.LITTLE_ENDIAN);
        return writable ? b : b.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    public long getLong(long offset) {
        checkRange(offset, 8);
        if (cache != null) {
            cache.load(offset, 8);
        }
        return IO.getLong(address + offset);
    }

    public void putLong(long offset, long value) {
        checkWritable();
        checkRange(offset, 8);
        if (cache != null) {
            cache.storing(offset, 8);
        }
        IO.putLong(address + offset, value);
    }

    /** Copies {@code dst.remaining()} bytes from the device at {@code offset} into {@code dst}. */
    public void read(long offset, ByteBuffer dst) {
        int n = dst.remaining();
        checkRange(offset, n);
        if (cache != null) {
            cache.load(offset, n);
        }
        if (dst.isDirect()) {
            IO.copyMemory(address + offset, IO.getDirectBufferAddress(dst) + dst.position(), n);
            dst.position(dst.position() + n);
        } else {
            dst.put(IO.newDirectByteBuffer(address + offset, n));
        }
    }

    /** Copies {@code src.remaining()} bytes into the device at {@code offset}. */
    public void write(long offset, ByteBuffer src) {
        checkWritable();
        int n = src.remaining();
        checkRange(offset, n);
        if (cache != null) {
            cache.storing(offset, n);
        } else if (!daxDevice && n >= BULK_WRITE) {
            // pwrite fills the file's pages in the kernel: no page fault per 4 KiB of mapping.
            kernelWrites.write(src, offset);
            return;
        }
        if (src.isDirect()) {
            IO.copyMemory(IO.getDirectBufferAddress(src) + src.position(), address + offset, n);
            src.position(src.position() + n);
        } else {
            IO.newDirectByteBuffer(address + offset, n).put(src);
        }
    }

    /**
     * Copies {@code count} bytes from {@code in} (at its current position) to device
     * {@code offset}. For a regular file the kernel copies into the file's pages directly
     * (as {@code cp} does), which avoids a page fault per 4 KiB that writing through the
     * mapping would take; for a DAX device it reads straight into the mapping.
     */
    public void transferFrom(java.nio.channels.FileChannel in, long offset, long count) throws IOException {
        checkWritable();
        checkRange(offset, count);
        if (cache != null) {
            cache.storing(offset, count); // the CPU's stores, as into a DAX mapping
        } else if (!daxDevice) {
            kernelWrites.transferFrom(in, offset, count);
            return;
        }
        for (long done = 0; done < count; ) {
            int n = (int) Math.min(count - done, MAX_WINDOW);
            ByteBuffer window = IO.newDirectByteBuffer(address + offset + done, n);
            while (window.hasRemaining()) {
                if (in.read(window) < 0) {
                    throw new FamfsException(ErrorKind.IO, "source ended early: " + (done + window.position())
                            + " of " + count + " bytes");
                }
            }
            done += n;
        }
    }

    /** Zeroes {@code [offset, offset + length)}. */
    public void zero(long offset, long length) {
        checkWritable();
        checkRange(offset, length);
        if (cache != null) {
            cache.storing(offset, length);
        }
        IO.setMemory(address + offset, length, (byte) 0);
    }

    /**
     * Makes written bytes durable and visible: {@code msync} where the device is a file on
     * persistent storage, then the coherence write-back.
     */
    public void flush(long offset, long length) {
        checkRange(offset, length);
        coherence.writeBack(this, offset, length); // under the model: the cache's stores reach the file now
        if (needsMsync) {
            msync(offset, length, LibC.MS_SYNC);
        }
    }

    /** Drops any stale cached copy of the range before reading what another host wrote. */
    public void invalidate(long offset, long length) {
        checkRange(offset, length);
        coherence.invalidate(this, offset, length);
    }

    /**
     * The base address the accessors use, for zero-copy readers that manage their own bounds
     * (under {@link NonCoherentModel}: this host's cache, whose lines such a reader must
     * first {@link #window} or {@link #read}).
     */
    public long address() {
        checkOpen();
        return address;
    }

    /** The shared mapping's base address, for a coherence that flushes CPU cache lines. */
    long memoryAddress() {
        checkOpen();
        return base.address();
    }

    /** This host's cache under {@link NonCoherentModel} (else IllegalStateException). */
    HostCache hostCache() {
        if (cache == null) {
            throw new IllegalStateException("device " + path + " is not opened with the cache model");
        }
        return cache;
    }

    /** {@code msync(flags)} of the pages holding {@code [offset, offset + length)}. */
    void msync(long offset, long length, int flags) {
        checkRange(offset, length);
        long pageStart = offset & ~4095L;
        int rc = LibC.INSTANCE.msync(base.slice(pageStart), length + (offset - pageStart), flags);
        if (rc != 0) {
            throw new FamfsException(ErrorKind.IO, "msync of " + path + " failed: " + LibC.lastError());
        }
    }

    private void checkRange(long offset, long length) {
        checkOpen();
        if (offset < 0 || length < 0 || offset > size - length) {
            throw new FamfsException(ErrorKind.INVALID_ARGUMENT, String.format(
                    "range [0x%x, +0x%x) is outside device %s of 0x%x bytes", offset, length, path, size));
        }
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new IllegalStateException("device " + path + " is closed");
        }
    }

    private void checkWritable() {
        if (!writable) {
            throw new FamfsException(ErrorKind.NOT_MASTER, "device " + path + " is open read-only");
        }
    }

    public static int maxWindow() {
        return MAX_WINDOW;
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            kernelWrites.close();
            synchronized (this) {
                FileChannel c = sizeChannel;
                sizeChannel = null;
                if (c != null) {
                    try {
                        c.close();
                    } catch (IOException ignored) {
                        // the mapping is what matters
                    }
                }
            }
            LibC.INSTANCE.munmap(base, size);
            if (cache != null) {
                cache.release();
            }
        }
    }

    @Override
    public String toString() {
        return "MemoryDevice[" + path + ", " + size + " bytes" + (writable ? ", rw" : ", ro") + "]";
    }
}
