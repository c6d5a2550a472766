package io.famfsrocks.rocks.journal;

import io.famfsrocks.famfs.ErrorKind;
import io.famfsrocks.famfs.FamfsException;
import io.famfsrocks.famfs.fs.FamfsVolume;
import io.famfsrocks.famfs.fs.MasterVolume;
import io.famfsrocks.famfs.fs.SharedRegion;
import io.famfsrocks.famfs.fs.WritableRegion;
import io.famfsrocks.rocks.BridgeException;

import java.nio.ByteBuffer;
import java.util.function.Supplier;

/**
 * One journal file mapped straight from the device, as a famfs {@link SharedRegion} (any
 * host) or {@link WritableRegion} (the master). The committed length is stored with release
 * semantics after the record bytes are written and flushed, and read with acquire semantics,
 * so a reader that sees a length also sees the bytes before it; the region does the
 * coherence work for memory that is not cache-coherent. Journals are created contiguous (one
 * extent) so that a single view covers them. Thread-safe for one writer and many readers.
 */
final class JournalFile {
    final String path;
    final ByteBuffer view;
    private final SharedRegion region;
    private final WritableRegion writable;

    private JournalFile(String path, Supplier<SharedRegion> open, boolean write) {
        this.path = path;
        try {
            this.region = open.get();
        } catch (FamfsException e) {
            if (e.kind() != ErrorKind.INVALID_ARGUMENT) {
                throw e;
            }
            throw new BridgeException(ErrorKind.CORRUPT_MEDIA, "journal " + path
                    + " is not contiguous on the device; the bridge only creates contiguous journals", e);
        }
        this.writable = write ? (WritableRegion) region : null;
        this.view = region.view();
    }

    /** A journal to read (any host). */
    static JournalFile reading(FamfsVolume volume, String path) {
        return new JournalFile(path, () -> volume.openRegion(path), false);
    }

    /** A journal to write (the master). */
    static JournalFile writing(MasterVolume volume, String path) {
        return new JournalFile(path, () -> volume.openWritableRegion(path), true);
    }

    long size() {
        return region.size();
    }

    JournalHeader header() {
        region.invalidate(0, JournalHeader.SIZE);
        JournalHeader h = JournalHeader.decode(view, path);
        if (h.fileSize() != region.size()) {
            throw JournalHeader.corrupt(path, 96, "the file's size " + region.size(), Long.toString(h.fileSize()));
        }
        return h;
    }

    /**
     * True while the writer has created the file but not yet written its header (famfs
     * publishes the name before the bytes), or if it stopped in between.
     */
    boolean uninitialised() {
        return rawMagic() != JournalHeader.JOURNAL_MAGIC;
    }

    /** The first 8 bytes as they are: 0 before the writer publishes the header, else the magic. */
    long rawMagic() {
        return region.getLongAcquire(0);
    }

    long committed() {
        return region.getLongAcquire(JournalHeader.COMMITTED_OFFSET);
    }

    /** Makes {@code length} bytes visible to readers; everything written before is visible with it. */
    void publishCommitted(long length) {
        writable.putLongRelease(JournalHeader.COMMITTED_OFFSET, length);
    }

    void publishMagic(long magic) {
        writable.putLongRelease(0, magic);
    }

    /** Writes and flushes {@code src} at {@code offset}: durable before anything published after it. */
    void write(int offset, ByteBuffer src) {
        writable.write(offset, src);
    }

    void invalidate(long offset, long length) {
        region.invalidate(offset, length);
    }
}
