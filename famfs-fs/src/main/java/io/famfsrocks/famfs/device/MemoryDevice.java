package io.famfsrocks.famfs.device;

import com.kenai.jffi.MemoryIO;
import io.famfsrocks.famfs.ErrorKind;
import io.famfsrocks.famfs.FamfsException;
import jnr.ffi.Pointer;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A memory device mapped whole with {@code MAP_SHARED}: a DAX character device (size from
 * sysfs) or a regular file (its length). Offsets are device offsets; bulk transfers go
 * through direct {@link ByteBuffer} windows over the mapping, so they run at memcpy speed
 * with no intermediate copy.
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
    private final long address;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** For bulk writes into a regular-file device through the kernel (see {@link #transferFrom}). */
    private volatile java.nio.channels.FileChannel channel;
    /** Writes at least this large go through {@link #channel} on regular-file devices. */
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
        this.address = base.address();
    }

    public static MemoryDevice open(Path path, boolean writable) {
        return open(path, writable, CacheCoherence.COHERENT);
    }

    /** Opens and maps the whole device; read-only mappings refuse writes with SIGSEGV, so we check first. */
    public static MemoryDevice open(Path path, boolean writable, CacheCoherence coherence) {
        Objects.requireNonNull(path);
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(path, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            throw new FamfsException(ErrorKind.NOT_FOUND, "device " + path + " does not exist");
        } catch (IOException e) {
            throw new FamfsException(ErrorKind.IO, "cannot stat device " + path + ": " + e.getMessage(), e);
        }
        boolean dax = attrs.isOther();
        long size;
        boolean msync = false;
        if (dax) {
            size = daxSize(path);
        } else if (attrs.isRegularFile()) {
            size = attrs.size();
            msync = !isMemoryFileSystem(path);
        } else {
            throw new FamfsException(ErrorKind.INVALID_ARGUMENT,
                    path + " is neither a DAX character device nor a regular file");
        }
        if (size <= 0) {
            throw new FamfsException(ErrorKind.INVALID_ARGUMENT, "device " + path + " is empty");
        }
        LibC c = LibC.INSTANCE;
        int fd = c.open(path.toString(), (writable ? LibC.O_RDWR : LibC.O_RDONLY) | LibC.O_CLOEXEC, 0);
        if (fd < 0) {
            throw new FamfsException(ErrorKind.IO, "cannot open device " + path + ": " + LibC.lastError());
        }
        try {
            int prot = LibC.PROT_READ | (writable ? LibC.PROT_WRITE : 0);
            Pointer p = c.mmap(null, size, prot, LibC.MAP_SHARED, fd, 0);
            if (p == null || p.address() == -1L) {
                throw new FamfsException(ErrorKind.IO, "cannot map device " + path + " (" + size + " bytes): "
                        + LibC.lastError());
            }
            return new MemoryDevice(path, size, writable, dax, msync, coherence, p);
        } finally {
            c.close(fd); // the mapping keeps its own reference to the file
        }
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

    private static long daxSize(Path path) {
        try {
            long rdev = ((Number) Files.getAttribute(path, "unix:rdev")).longValue();
            long major = ((rdev >>> 8) & 0xfff) | ((rdev >>> 32) & ~0xfffL);
            long minor = (rdev & 0xff) | ((rdev >>> 12) & ~0xffL);
            Path sys = Path.of("/sys/dev/char/" + major + ":" + minor + "/size");
            return Long.parseLong(Files.readString(sys).trim());
        } catch (IOException | RuntimeException e) {
            throw new FamfsException(ErrorKind.IO, "cannot read the size of DAX device " + path
                    + " from sysfs: " + e.getMessage(), e);
        }
    }

    private static boolean isMemoryFileSystem(Path path) {
        try {
            FileStore store = Files.getFileStore(path);
            String type = store.type();
            return type.equals("tmpfs") || type.equals("hugetlbfs") || type.equals("ramfs");
        } catch (IOException e) {
            return false;
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
     * process; issue 13 item 7). One {@code stat}; a DAX device keeps its size. A device file
     * that was removed keeps its pages while mapped, so it counts as its mapped size.
     */
    public long currentSize() {
        if (daxDevice) {
            return size;
        }
        try {
            return Files.size(path);
        } catch (IOException e) {
            return size;
        }
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
        ByteBuffer b = IO.newDirectByteBuffer(address + offset, length).order(ByteOrder.LITTLE_ENDIAN);
        return writable ? b : b.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    public long getLong(long offset) {
        checkRange(offset, 8);
        return IO.getLong(address + offset);
    }

    public void putLong(long offset, long value) {
        checkWritable();
        checkRange(offset, 8);
        IO.putLong(address + offset, value);
    }

    /** Copies {@code dst.remaining()} bytes from the device at {@code offset} into {@code dst}. */
    public void read(long offset, ByteBuffer dst) {
        int n = dst.remaining();
        checkRange(offset, n);
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
        if (!daxDevice && n >= BULK_WRITE) {
            // pwrite fills the file's pages in the kernel: no page fault per 4 KiB of mapping.
            try {
                java.nio.channels.FileChannel out = channel();
                long at = offset;
                while (src.hasRemaining()) {
                    at += out.write(src, at);
                }
            } catch (IOException e) {
                throw new FamfsException(ErrorKind.IO, "write to " + path + " failed: " + e.getMessage(), e);
            }
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
        if (!daxDevice) {
            java.nio.channels.FileChannel out = channel();
            long done = 0;
            while (done < count) {
                long n = out.transferFrom(in, offset + done, count - done);
                if (n <= 0) {
                    throw new FamfsException(ErrorKind.IO, "source ended early: " + done + " of " + count + " bytes");
                }
                done += n;
            }
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

    private java.nio.channels.FileChannel channel() throws IOException {
        java.nio.channels.FileChannel c = channel;
        if (c == null) {
            synchronized (this) {
                c = channel;
                if (c == null) {
                    checkOpen();
                    c = java.nio.channels.FileChannel.open(path, java.nio.file.StandardOpenOption.WRITE);
                    channel = c;
                }
            }
        }
        return c;
    }

    /** Zeroes {@code [offset, offset + length)}. */
    public void zero(long offset, long length) {
        checkWritable();
        checkRange(offset, length);
        IO.setMemory(address + offset, length, (byte) 0);
    }

    /**
     * Makes written bytes durable and visible: {@code msync} where the device is a file on
     * persistent storage, then the coherence write-back.
     */
    public void flush(long offset, long length) {
        checkRange(offset, length);
        if (needsMsync) {
            long pageStart = offset & ~4095L;
            int rc = LibC.INSTANCE.msync(base.slice(pageStart), length + (offset - pageStart), LibC.MS_SYNC);
            if (rc != 0) {
                throw new FamfsException(ErrorKind.IO, "msync of " + path + " failed: " + LibC.lastError());
            }
        }
        coherence.writeBack(this, offset, length);
    }

    /** Drops any stale cached copy of the range before reading what another host wrote. */
    public void invalidate(long offset, long length) {
        checkRange(offset, length);
        coherence.invalidate(this, offset, length);
    }

    /** The mapping's base address, for zero-copy readers that manage their own bounds. */
    public long address() {
        checkOpen();
        return address;
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
            synchronized (this) {
                if (channel != null) {
                    try {
                        channel.close();
                    } catch (IOException ignored) {
                        // the mapping below is what matters
                    }
                }
            }
            LibC.INSTANCE.munmap(base, size);
        }
    }

    @Override
    public String toString() {
        return "MemoryDevice[" + path + ", " + size + " bytes" + (writable ? ", rw" : ", ro") + "]";
    }
}
