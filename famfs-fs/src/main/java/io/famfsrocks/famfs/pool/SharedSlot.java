package io.famfsrocks.famfs.pool;

import io.famfsrocks.famfs.ErrorKind;
import io.famfsrocks.famfs.FamfsException;
import io.famfsrocks.famfs.device.MappedRegion;
import io.famfsrocks.famfs.fs.FamfsFile;

import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * A few bytes of a preallocated famfs file that one client host writes in place: the
 * reference's "publish and share" pattern (the master creates the file, each client owns
 * one cache line of it and writes it back after each store). famfs clients cannot write
 * through the file system, so the slot is its own mapping of just that page of the device
 * ({@link MappedRegion}); the rest of the device stays read-only to the client.
 *
 * <p>Not thread-safe: one writer thread per slot. Closes once.
 */
public final class SharedSlot implements AutoCloseable {
    private final MappedRegion region;

    private SharedSlot(MappedRegion region) {
        this.region = region;
    }

    /**
     * Maps bytes {@code [pos, pos + length)} of {@code file} for writing, through
     * {@code devicePath} (this host's name of the file's device, which must be writable by
     * this process). The range must be contiguous on the device. The slot uses the cache
     * coherence of the file's volume (under the cache model: the same host's cache).
     */
    public static SharedSlot open(Path devicePath, FamfsFile file, long pos, int length) {
        if (pos < 0 || length <= 0 || pos > file.size() - length) {
            throw new FamfsException(ErrorKind.INVALID_ARGUMENT, "bytes [" + pos + ", +" + length + ") are outside "
                    + file.path() + " (" + file.size() + " bytes)");
        }
        long at = file.deviceOffset(pos);
        if (file.deviceOffset(pos + length - 1) != at + length - 1) {
            throw new FamfsException(ErrorKind.INVALID_ARGUMENT, "bytes [" + pos + ", +" + length + ") of "
                    + file.path() + " are not contiguous on the device");
        }
        return new SharedSlot(MappedRegion.open(devicePath, at, length, true, file.coherence()));
    }

    /** The device offset of the slot's first byte. */
    public long deviceOffset() {
        return region.offset();
    }

    /** Plain stores of {@code src} at slot offset {@code at}; publish them with {@link #putLongRelease}. */
    public void write(int at, ByteBuffer src) {
        region.write(at, src);
    }

    /** Stores the aligned word at slot offset {@code at} after every earlier store (release). */
    public void putLongRelease(int at, long value) {
        region.putLongRelease(at, value);
    }

    public long getLongAcquire(int at) {
        return region.getLongAcquire(at);
    }

    /** Writes the slot's stores back (durable and visible to other hosts). */
    public void flush() {
        region.flush(0, region.length());
    }

    @Override
    public void close() {
        region.close();
    }
}
