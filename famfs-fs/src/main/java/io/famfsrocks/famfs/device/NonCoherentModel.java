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
