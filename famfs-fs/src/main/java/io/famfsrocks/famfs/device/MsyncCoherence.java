package io.famfsrocks.famfs.device;

/**
 * {@code msync(MS_SYNC)} of the range on every write-back, whatever file system the device
 * file is on, and {@code msync(MS_INVALIDATE)} on every invalidate: the kernel's own
 * mechanism for a file-backed device. It makes a page-cache-backed device's stores reach
 * its file; it flushes no CPU cache (Linux has no system call that does, on x86), so it is
 * no hook for non-coherent memory by itself. Thread-safe (no state).
 */
final class MsyncCoherence implements CacheCoherence {
    static final MsyncCoherence INSTANCE = new MsyncCoherence();

    private MsyncCoherence() {
    }

    @Override
    public void writeBack(MemoryDevice device, long offset, long length) {
        device.msync(offset, length, LibC.MS_SYNC);
    }

    @Override
    public void invalidate(MemoryDevice device, long offset, long length) {
        device.msync(offset, length, LibC.MS_INVALIDATE);
    }

    @Override
    public String toString() {
        return "msync";
    }
}
