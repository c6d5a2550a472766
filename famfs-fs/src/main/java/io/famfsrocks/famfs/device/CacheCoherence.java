package io.famfsrocks.famfs.device;

/**
 * The hook for memory that is shared between hosts without hardware cache coherence.
 *
 * <p>On such memory a writer must write its cache lines back after storing file data or a
 * log entry, and a reader must invalidate its cached lines before reading what another host
 * wrote (the reference famfs does both around every log access, and retries a read that
 * fails its CRC once after invalidating). Where memory is coherent (a single host, tmpfs,
 * CXL with hardware coherence) both are no-ops: {@link #COHERENT}.
 *
 * <p>An implementation for non-coherent memory would issue {@code clflushopt} / {@code
 * clwb} + {@code sfence} on x86 or {@code dc civac} on arm64 over the range, through a small
 * native helper; the engine calls it at exactly the points where the reference does.
 * Implementations must be thread-safe.
 */
public interface CacheCoherence {
    /** Makes stores to {@code [offset, offset + length)} visible to other hosts. */
    void writeBack(MemoryDevice device, long offset, long length);

    /** Drops cached copies of {@code [offset, offset + length)} so the next load reads memory. */
    void invalidate(MemoryDevice device, long offset, long length);

    CacheCoherence COHERENT = new CacheCoherence() {
        @Override
        public void writeBack(MemoryDevice device, long offset, long length) {}

        @Override
        public void invalidate(MemoryDevice device, long offset, long length) {}

        @Override
        public String toString() {
            return "coherent";
        }
    };
}
