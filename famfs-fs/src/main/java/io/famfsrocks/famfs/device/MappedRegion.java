package io.famfsrocks.famfs.device;

import com.kenai.jffi.MemoryIO;
import io.famfsrocks.famfs.ErrorKind;
import io.famfsrocks.famfs.FamfsException;
import jnr.ffi.Pointer;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A small window of a memory device mapped on its own with {@code MAP_SHARED}, writable or
 * not: the pages covering {@code [offset, offset + length)} and nothing else. A client host
 * that must store into one preallocated slot of a famfs file (the reference's "publish and
 * share" pattern: one writer per cache line) maps just that slot's page writable instead of
 * the whole device, so a stray store can reach no other page.
 *
 * <p>Offsets passed to the accessors are relative to the region's {@code offset}. Word
 * accessors have release / acquire semantics so that a reader that sees a word also sees the
 * bytes stored before it; {@link #flush} writes the range back after each store sequence.
 * On coherent memory (tmpfs, hugetlbfs, a single host, coherent CXL) that is all; with
 * another {@link CacheCoherence} (whose hook speaks device offsets of a whole-device mapping)
 * the region is a window of a whole {@link MemoryDevice} opened with it instead, writable
 * when the region is: {@link #flush} is then its write-back and {@link #invalidate} its
 * invalidate.
 *
 * <p>Thread-safe as far as the mapping goes; callers decide who stores where. Closes once.
 */
public final class MappedRegion implements AutoCloseable {
    private static final MemoryIO IO = MemoryIO.getInstance();
    private static final long PAGE = 4096;
    private static final VarHandle LONGS = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final Path path;
    private final long offset;
    private final int length;
    private final boolean writable;
    private final Pointer base;
    private final long mapLength;
    /** Where {@code offset} lies inside the mapping (the mapping starts on a page boundary). */
    private final int skew;
    private final ByteBuffer view;
    /** The whole device, when the coherence is not {@link CacheCoherence#COHERENT}; else null. */
    private final MemoryDevice device;
    private final AtomicBoolean closed = new AtomicBoolean();

    private MappedRegion(Path path, long offset, int length, boolean writable,
                         Pointer base, long mapLength, int skew) {
        this.path = path;
        this.offset = offset;
        this.length = length;
        this.writable = writable;
        this.base = base;
        this.mapLength = mapLength;
        this.skew = skew;
        this.device = null;
        ByteBuffer b = IO.newDirectByteBuffer(base.address() + skew, length).order(ByteOrder.LITTLE_ENDIAN);
        this.view = writable ? b : b.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    private MappedRegion(MemoryDevice device, long offset, int length) {
        this.path = device.path();
        this.offset = offset;
        this.length = length;
        this.writable = device.isWritable();
        this.base = null;
        this.mapLength = 0;
        this.skew = 0;
        this.device = device;
        this.view = device.window(offset, length);
    }

    /**
     * Maps {@code [offset, offset + length)} of the device file at {@code path}.
     *
     * @throws FamfsException NOT_FOUND / IO when the device cannot be opened or mapped,
     *         INVALID_ARGUMENT for a range outside the device
     */
    public static MappedRegion open(Path path, long offset, int length, boolean writable, CacheCoherence coherence) {
        Objects.requireNonNull(path);
        if (offset < 0 || length <= 0) {
            throw new FamfsException(ErrorKind.INVALID_ARGUMENT, "bad region [" + offset + ", +" + length + ") of " + path);
        }
        long deviceSize;
        try (MemoryDevice d = MemoryDevice.open(path, false, coherence)) {
            deviceSize = d.size(); // also: exists, is a DAX device or regular file, not empty
        }
        if (offset > deviceSize - length) {
            throw new FamfsException(ErrorKind.INVALID_ARGUMENT, String.format(
                    "region [0x%x, +0x%x) is outside device %s of 0x%x bytes", offset, length, path, deviceSize));
        }
        if (coherence != CacheCoherence.COHERENT) {
            // The hook speaks device offsets through a whole-device mapping.
            MemoryDevice d = MemoryDevice.open(path, writable, coherence);
            try {
                return new MappedRegion(d, offset, length);
            } catch (RuntimeException e) {
                d.close();
                throw e;
            }
        }
        long start = offset & ~(PAGE - 1);
        int skew = (int) (offset - start);
        long mapLength = (skew + length + PAGE - 1) & ~(PAGE - 1);
        LibC c = LibC.INSTANCE;
        int fd = c.open(path.toString(), (writable ? LibC.O_RDWR : LibC.O_RDONLY) | LibC.O_CLOEXEC, 0);
        if (fd < 0) {
            throw new FamfsException(ErrorKind.IO, "cannot open device " + path + (writable ? " for writing: " : ": ")
                    + LibC.lastError());
        }
        try {
            int prot = LibC.PROT_READ | (writable ? LibC.PROT_WRITE : 0);
            Pointer p = c.mmap(null, mapLength, prot, LibC.MAP_SHARED, fd, start);
            if (p == null || p.address() == -1L) {
                throw new FamfsException(ErrorKind.IO, String.format("cannot map [0x%x, +0x%x) of %s: %s",
                        start, mapLength, path, LibC.lastError()));
            }
            return new MappedRegion(path, offset, length, writable, p, mapLength, skew);
        } finally {
            c.close(fd);
        }
    }

    public Path path() {
        return path;
    }

    /** The device offset of byte 0 of the region. */
    public long offset() {
        return offset;
    }

    public int length() {
        return length;
    }

    public boolean isWritable() {
        return writable;
    }

    /** Copies region bytes {@code [at, at + dst.remaining())} into {@code dst}. */
    public void read(int at, ByteBuffer dst) {
        check(at, dst.remaining());
        dst.put(view.duplicate().limit(at + dst.remaining()).position(at));
    }

    /** Stores {@code src} at region offset {@code at} (plain stores; publish with {@link #putLongRelease}). */
    public void write(int at, ByteBuffer src) {
        checkWritable();
        check(at, src.remaining());
        view.duplicate().position(at).put(src);
    }

    /** Loads the 8-byte aligned word at {@code at} with acquire semantics. */
    public long getLongAcquire(int at) {
        checkWord(at);
        return (long) LONGS.getAcquire(view, at);
    }

    /** Stores the 8-byte aligned word at {@code at} with release semantics: every earlier store is visible first. */
    public void putLongRelease(int at, long value) {
        checkWritable();
        checkWord(at);
        LONGS.setRelease(view, at, value);
    }

    /**
     * Makes the stores to region bytes {@code [at, at + len)} durable and visible to other
     * hosts: msync of their pages (a cheap no-op on tmpfs and DAX, needed on a file on
     * persistent storage; one syscall per slot write is nothing at heartbeat rates).
     */
    public void flush(int at, int len) {
        check(at, len);
        if (device != null) {
            device.flush(offset + at, len);
            return;
        }
        long pageStart = (skew + at) & ~(PAGE - 1);
        int rc = LibC.INSTANCE.msync(base.slice(pageStart), skew + at + len - pageStart, LibC.MS_SYNC);
        if (rc != 0) {
            throw new FamfsException(ErrorKind.IO, "msync of " + path + " failed: " + LibC.lastError());
        }
    }

    /** Drops stale cached copies of region bytes {@code [at, at + len)} before reading what another host wrote. */
    public void invalidate(int at, int len) {
        check(at, len);
        if (device != null) {
            device.invalidate(offset + at, len);
        }
    }

    private void check(int at, int len) {
        if (closed.get()) {
            throw new IllegalStateException("region of " + path + " is closed");
        }
        if (at < 0 || len < 0 || at > length - len) {
            throw new FamfsException(ErrorKind.INVALID_ARGUMENT, "bytes [" + at + ", +" + len
                    + ") are outside the " + length + "-byte region of " + path);
        }
    }

    private void checkWord(int at) {
        check(at, 8);
        if (((offset + at) & 7) != 0) {
            throw new FamfsException(ErrorKind.INVALID_ARGUMENT, "word at region offset " + at + " is not 8-byte aligned");
        }
    }

    private void checkWritable() {
        if (!writable) {
            throw new FamfsException(ErrorKind.NOT_PERMITTED, "region of " + path + " is mapped read-only");
        }
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            if (device != null) {
                device.close();
            } else {
                LibC.INSTANCE.munmap(base, mapLength);
            }
        }
    }

    @Override
    public String toString() {
        return String.format("MappedRegion[%s, 0x%x, +%d%s]", path, offset, length, writable ? ", rw" : ", ro");
    }
}
