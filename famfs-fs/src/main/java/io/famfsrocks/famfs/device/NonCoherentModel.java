package io.famfsrocks.famfs.device;

/**
 * Memory that is not cache-coherent between hosts, simulated for tests: each process is a
 * host with its own write-back cache of every device it opens ({@link HostCache}), over the
 * device file as the shared memory. A host sees its own stores at once; another host sees
 * them only after this host's {@link #writeBack} and its own {@link #invalidate} of those
 * lines, and a store not yet written back may reach memory early, in any order, when the
 * cache evicts its line. Selected with {@code FAMFS_COHERENCE=model} (or
 * {@code -Dfamfs.coherence=model}) so that every process a test starts uses it;
 * {@code FAMFS_COHERENCE_SEED} and {@code FAMFS_COHERENCE_EVICT} (or the properties
 * {@code famfs.coherence.seed}, {@code famfs.coherence.evict}) set the eviction's seed and its
 * probability per cache operation (1 and 0.05 unless set).
 *
 * <p>Each instance is one host: {@link CacheCoherence#selected} makes one per process, and a
 * test may make several to simulate hosts in one process. A {@link MemoryDevice} opened with
 * it reads and writes that host's cache instead of the mapping; {@link MappedRegion}s go
 * through such a device. Thread-safe.
 */
public final class NonCoherentModel implements CacheCoherence {
    private final long seed;
    private final double evict;
    private final java.util.concurrent.atomic.AtomicLong steps = new java.util.concurrent.atomic.AtomicLong();
    private volatile long crashAt = Long.MAX_VALUE;
    private volatile boolean crashed;

    public NonCoherentModel(long seed, double evictProbability) {
        if (!(evictProbability >= 0 && evictProbability <= 1)) {
            throw new IllegalArgumentException("eviction probability must be in [0, 1]: " + evictProbability);
        }
        this.seed = seed;
        this.evict = evictProbability;
    }

    long seed() {
        return seed;
    }

    double evictProbability() {
        return evict;
    }

    /**
     * Torn-store walks: this host dies just before its {@code step}-th store or fence (1 for
     * the first; a store is any accessor that stores, a writable window included; a fence is
     * a write-back or an invalidate): that call throws {@link Crash}, naming the lines stored
     * and not written back, and from then on nothing this host does reaches memory.
     */
    public void crashBefore(long step) {
        if (step < 1) {
            throw new IllegalArgumentException("steps count from 1: " + step);
        }
        crashAt = step;
    }

    /** Stores and fences this host has made so far. */
    public long steps() {
        return steps.get();
    }

    boolean crashed() {
        return crashed;
    }

    void beforeStoreOrFence(HostCache cache) {
        if (steps.incrementAndGet() == crashAt) {
            crashed = true;
            throw new Crash(cache.path(), crashAt, cache.unfenced());
        }
    }

    /** A cache line this host stored to and did not write back: its bytes in the cache and in memory. */
    public record Line(long offset, byte[] cached, byte[] memory) {
    }

    /**
     * The host died ({@link #crashBefore}). Memory holds what it wrote back; each line of
     * {@link #unfenced} may hold either of its versions (a line reaches memory whole, so the
     * walk is over subsets of lines, not of bytes). An Error, so that no product code that
     * handles exceptions takes it for a failure of its own.
     */
    public static final class Crash extends Error {
        private final transient java.nio.file.Path device;
        private final transient java.util.List<Line> unfenced;

        Crash(java.nio.file.Path device, long step, java.util.List<Line> unfenced) {
            super("host crashed before its step " + step + " with " + unfenced.size() + " unfenced lines of " + device,
                    null, false, false);
            this.device = device;
            this.unfenced = java.util.List.copyOf(unfenced);
        }

        public java.util.List<Line> unfenced() {
            return unfenced;
        }

        /**
         * Puts the cached bytes of the unfenced lines in {@code reached} into the device file,
         * and memory's bytes into the others (an empty set restores memory as the crash left it).
         */
        public void leave(java.util.BitSet reached) {
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(device,
                    java.nio.file.StandardOpenOption.WRITE)) {
                for (int i = 0; i < unfenced.size(); i++) {
                    Line l = unfenced.get(i);
                    java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(reached.get(i) ? l.cached() : l.memory());
                    while (b.hasRemaining()) {
                        ch.write(b, l.offset() + b.position());
                    }
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    @Override
    public void writeBack(MemoryDevice device, long offset, long length) {
        device.hostCache().writeBack(offset, length);
    }

    @Override
    public void invalidate(MemoryDevice device, long offset, long length) {
        device.hostCache().invalidate(offset, length);
    }

    /** Lines this process wrote back (explicitly or by eviction), reloaded by invalidates, and evicted early. */
    public static String counters() {
        return "written back " + HostCache.WRITTEN_BACK.get() + " lines, reloaded " + HostCache.RELOADED.get()
                + ", evicted early " + HostCache.EVICTED.get();
    }

    /** Lines this process wrote back to memory so far (explicit write-backs, invalidates and evictions). */
    public static long linesWrittenBack() {
        return HostCache.WRITTEN_BACK.get();
    }

    /** Lines evicted early so far (written back before their writer asked). */
    public static long linesEvicted() {
        return HostCache.EVICTED.get();
    }

    @Override
    public String toString() {
        return "model";
    }
}
