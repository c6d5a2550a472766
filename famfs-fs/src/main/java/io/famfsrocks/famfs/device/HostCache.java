package io.famfsrocks.famfs.device;

import com.kenai.jffi.MemoryIO;
import io.famfsrocks.famfs.ErrorKind;
import io.famfsrocks.famfs.FamfsException;
import jnr.ffi.Pointer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * This process's CPU cache of one device file, as {@link NonCoherentModel} simulates it: the
 * process is one host, the device file is the shared memory, and this host's loads and
 * stores go to a private copy of the lines it holds.
 *
 * <ul>
 *   <li>A line is fetched from memory the first time this host touches it (a window, a load,
 *       a store: write-allocate) and stays cached, clean or dirty, until this host
 *       invalidates it: the cache never drops a line by itself, so a reader that forgets an
 *       invalidate keeps seeing what it read first, however old.
 *   <li>Stores change only the cached line. A dirty line reaches memory, whole, when this
 *       host writes it back ({@link #writeBack}), when it invalidates it (as {@code
 *       clflushopt} does, {@link #invalidate}), or when the cache evicts it, which it does to
 *       a random line stored since its last write-back at a random moment (each cache
 *       operation, with probability {@code evict}): stores may reach memory early and in any
 *       order unless the writer fenced them with a write-back.
 *   <li>An invalidate writes back what is dirty in the range and then reloads every cached
 *       line of it from memory (a buffer handed out earlier sees the fresh bytes, as a load
 *       after a real invalidate does).
 * </ul>
 *
 * Which bytes are dirty is found by comparing each cached line with its copy as last read
 * from or written to memory ({@code clean}), so stores through direct buffers need no
 * bookkeeping; a dirty line is written back whole (a store to one byte writes the line's
 * other 63 bytes back too, stale or not, as hardware does).
 *
 * <p>One instance per device file (by file key: device and inode) and host (a
 * {@link NonCoherentModel} instance: one per process when chosen by name, several in a test
 * that simulates hosts in one process), shared by every {@link MemoryDevice} of it; kept while the file exists even when no device has it
 * open (real caches do not drop lines at {@code munmap}). Both copies are sparse anonymous
 * mappings of the device's size: only touched lines cost memory. Thread-safe (one lock).
 */
final class HostCache {
    static final int LINE = 64;
    private static final MemoryIO IO = MemoryIO.getInstance();
    private static final int MAP_PRIVATE = 2;
    private static final int MAP_ANONYMOUS = 0x20;
    private static final int MAP_NORESERVE = 0x4000;
    /** Guarded by HostCache.class. */
    private static final Map<Key, HostCache> CACHES = new HashMap<>();

    /** Lines written back, reloaded by invalidates, and evicted early, over every cache of the process. */
    static final AtomicLong WRITTEN_BACK = new AtomicLong();
    static final AtomicLong RELOADED = new AtomicLong();
    static final AtomicLong EVICTED = new AtomicLong();

    /** A host's cache of one file: the model instance is the host (one per process when selected by name). */
    private record Key(Object fileKey, long size, NonCoherentModel host) {
    }

    private final Path path;
    private final Key key;
    private final long size;
    private final Pointer memoryMap;
    private final long memory;
    private final Pointer cacheMap;
    private final long cache;
    private final Pointer cleanMap;
    private final long clean;
    private final BitSet present = new BitSet();
    private final BitSet stored = new BitSet();
    private final Random random;
    private final double evict;
    private final NonCoherentModel host;
    private int users; // guarded by HostCache.class

    private HostCache(Path path, Key key, long size, Pointer memoryMap, Random random, double evict) {
        this.host = key.host();
        this.path = path;
        this.key = key;
        this.size = size;
        this.memoryMap = memoryMap;
        this.memory = memoryMap.address();
        this.cacheMap = anonymous(size, path);
        this.cache = cacheMap.address();
        this.cleanMap = anonymous(size, path);
        this.clean = cleanMap.address();
        this.random = random;
        this.evict = evict;
    }

    /** This process's cache of the device file at {@code path} ({@code size} bytes), created on first use. */
    static HostCache acquire(Path path, long size, NonCoherentModel model) {
        Key key = new Key(fileKey(path), size, model);
        synchronized (HostCache.class) {
            sweepDeleted();
            HostCache c = CACHES.get(key);
            if (c == null) {
                c = new HostCache(path, key, size, mapMemory(path, size),
                        new Random(model.seed() ^ key.hashCode()), model.evictProbability());
                CACHES.put(key, c);
            }
            c.users++;
            return c;
        }
    }

    /** One device of this file closed; the cache stays while the file exists. */
    void release() {
        synchronized (HostCache.class) {
            users--;
            sweepDeleted();
        }
    }

    /** Address of this host's copy of device byte 0: what the device's accessors read and write. */
    long address() {
        return cache;
    }

    /** Fetches the lines of {@code [offset, offset + length)} this host does not hold yet. */
    synchronized void load(long offset, long length) {
        maybeEvict();
        if (length <= 0) {
            return;
        }
        int first = line(offset);
        int end = line(offset + length - 1) + 1;
        for (int i = present.nextClearBit(first); i < end; ) {
            int next = present.nextSetBit(i);
            int j = next < 0 || next > end ? end : next;
            long at = (long) i * LINE;
            long n = Math.min((long) j * LINE, size) - at;
            IO.copyMemory(memory + at, cache + at, n);
            IO.copyMemory(cache + at, clean + at, n); // from the copy just taken: memory may be changing under us
            present.set(i, j);
            i = present.nextClearBit(j);
        }
    }

    /** As {@link #load}, for a range this host is about to store into (write-allocate). */
    synchronized void storing(long offset, long length) {
        host.beforeStoreOrFence(this);
        load(offset, length);
        if (length > 0) {
            stored.set(line(offset), line(offset + length - 1) + 1);
        }
    }

    /** Writes the dirty lines of the range to memory (clwb + sfence: done when this returns). */
    synchronized void writeBack(long offset, long length) {
        host.beforeStoreOrFence(this);
        writeBackNow(offset, length);
    }

    private void writeBackNow(long offset, long length) {
        if (length <= 0 || host.crashed()) {
            return; // a dead host's cache reaches memory no more
        }
        int first = line(offset);
        int end = line(offset + length - 1) + 1;
        for (int i = present.nextSetBit(first); i >= 0 && i < end; ) {
            int next = present.nextClearBit(i);
            int j = Math.min(next, end);
            writeBackRun(i, j);
            i = present.nextSetBit(j);
        }
        stored.clear(first, end);
        maybeEvict();
    }

    /** Writes back what is dirty in the range, then reloads its cached lines from memory (clflushopt + mfence). */
    synchronized void invalidate(long offset, long length) {
        host.beforeStoreOrFence(this);
        if (length <= 0 || host.crashed()) {
            return;
        }
        writeBackNow(offset, length);
        int first = line(offset);
        int end = line(offset + length - 1) + 1;
        for (int i = present.nextSetBit(first); i >= 0 && i < end; ) {
            int j = Math.min(present.nextClearBit(i), end);
            long at = (long) i * LINE;
            long n = Math.min((long) j * LINE, size) - at;
            IO.copyMemory(memory + at, cache + at, n);
            IO.copyMemory(cache + at, clean + at, n); // from the copy just taken: memory may be changing under us
            RELOADED.addAndGet(j - i);
            i = present.nextSetBit(j);
        }
    }

    /** Writes back the dirty lines among the held lines {@code [first, end)}. */
    private void writeBackRun(int first, int end) {
        long start = (long) first * LINE;
        long stop = Math.min((long) end * LINE, size);
        for (long at = start; at < stop; ) {
            int n = (int) Math.min(stop - at, 1 << 30);
            ByteBuffer mine = IO.newDirectByteBuffer(cache + at, n);
            ByteBuffer was = IO.newDirectByteBuffer(clean + at, n);
            int pos = 0;
            while (pos < n) {
                int m = mine.slice(pos, n - pos).mismatch(was.slice(pos, n - pos));
                if (m < 0) {
                    break;
                }
                long lineAt = (at + pos + m) & ~(long) (LINE - 1);
                writeLine(lineAt);
                pos = (int) (lineAt + LINE - at);
            }
            at += n;
        }
    }

    private void writeLine(long lineAt) {
        long n = Math.min(LINE, size - lineAt);
        IO.copyMemory(cache + lineAt, memory + lineAt, n);
        IO.copyMemory(cache + lineAt, clean + lineAt, n);
        WRITTEN_BACK.incrementAndGet();
    }

    /**
     * The lines this host has stored to and not written back, with their bytes in this cache
     * and in memory: what a crash of the host may leave in memory in any subset.
     */
    synchronized java.util.List<NonCoherentModel.Line> unfenced() {
        java.util.List<NonCoherentModel.Line> out = new java.util.ArrayList<>();
        for (int i = present.nextSetBit(0); i >= 0; i = present.nextSetBit(i + 1)) {
            long lineAt = (long) i * LINE;
            if (dirty(lineAt)) {
                int n = (int) Math.min(LINE, size - lineAt);
                byte[] mine = new byte[n];
                byte[] there = new byte[n];
                IO.getByteArray(cache + lineAt, mine, 0, n);
                IO.getByteArray(memory + lineAt, there, 0, n);
                out.add(new NonCoherentModel.Line(lineAt, mine, there));
            }
        }
        return out;
    }

    Path path() {
        return path;
    }

    private boolean dirty(long lineAt) {
        long n = Math.min(LINE, size - lineAt);
        for (long k = 0; k < n; k += 8) {
            if (IO.getLong(cache + lineAt + k) != IO.getLong(clean + lineAt + k)) {
                return true;
            }
        }
        return false;
    }

    /** With probability {@code evict}, writes one random line stored since its write-back to memory now. */
    private void maybeEvict() {
        if (evict <= 0 || host.crashed() || stored.isEmpty() || random.nextDouble() >= evict) {
            return;
        }
        int i = stored.nextSetBit(random.nextInt(stored.length()));
        if (i < 0) {
            i = stored.nextSetBit(0);
        }
        long lineAt = (long) i * LINE;
        if (dirty(lineAt)) {
            writeLine(lineAt);
            EVICTED.incrementAndGet();
        }
        stored.clear(i);
    }

    private static int line(long offset) {
        return Math.toIntExact(offset / LINE);
    }

    private static Object fileKey(Path path) {
        try {
            return Objects.requireNonNull(Files.readAttributes(path, BasicFileAttributes.class).fileKey());
        } catch (IOException | NullPointerException e) {
            throw new FamfsException(ErrorKind.IO, "cannot identify device " + path + " for the cache model: " + e);
        }
    }

    /** Unmaps the caches of device files that no longer exist and that no device has open. */
    private static void sweepDeleted() {
        for (Iterator<HostCache> it = CACHES.values().iterator(); it.hasNext(); ) {
            HostCache c = it.next();
            if (c.users == 0 && !c.fileStillThere()) {
                it.remove();
                LibC.INSTANCE.munmap(c.memoryMap, c.size);
                LibC.INSTANCE.munmap(c.cacheMap, c.size);
                LibC.INSTANCE.munmap(c.cleanMap, c.size);
            }
        }
    }

    private boolean fileStillThere() {
        try {
            return key.fileKey().equals(Files.readAttributes(path, BasicFileAttributes.class).fileKey());
        } catch (IOException e) {
            return false;
        }
    }

    /** The shared memory: the device mapped with MAP_SHARED, writable when this process may write the file. */
    private static Pointer mapMemory(Path path, long size) {
        try {
            return DeviceMapping.map(path, size, Files.isWritable(path));
        } catch (FamfsException e) {
            return DeviceMapping.map(path, size, false);
        }
    }

    private static Pointer anonymous(long size, Path path) {
        Pointer p = LibC.INSTANCE.mmap(null, size, LibC.PROT_READ | LibC.PROT_WRITE,
                MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (p == null || p.address() == -1L) {
            throw new FamfsException(ErrorKind.IO, "cannot map the cache model's copy of " + path + ": "
                    + LibC.lastError());
        }
        return p;
    }
}
