package io.famfsrocks.rocks.journal;

import io.famfsrocks.famfs.ErrorKind;
import io.famfsrocks.famfs.FamfsException;
import io.famfsrocks.famfs.device.MemoryDevice;
import io.famfsrocks.famfs.fs.FamfsFile;
import io.famfsrocks.famfs.fs.FamfsVolume;
import io.famfsrocks.rocks.BridgeException;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One journal file mapped straight from the device. The committed length is stored with
 * release semantics after the record bytes and read with acquire semantics, so a reader
 * that sees a length also sees the bytes before it (plus the coherence hooks for memory
 * that is not cache-coherent). Journals are created contiguous (one extent) so that a
 * single zero-copy view covers them. Thread-safe for one writer and many readers.
 */
final class JournalFile {
    private static final VarHandle LONGS = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    final String path;
    final FamfsFile file;
    final ByteBuffer view;
    private final MemoryDevice device;

    JournalFile(FamfsVolume volume, String path) {
        this.path = path;
        this.file = volume.openFile(path);
        this.device = volume.device();
        try {
            this.view = file.mappedView().order(ByteOrder.LITTLE_ENDIAN);
        } catch (FamfsException e) {
            throw new BridgeException(ErrorKind.CORRUPT_MEDIA, "journal " + path
                    + " is not contiguous on the device; the bridge only creates contiguous journals", e);
        }
    }

    long size() {
        return file.size();
    }

    JournalHeader header() {
        invalidate(0, JournalHeader.SIZE);
        JournalHeader h = JournalHeader.decode(view, path);
        if (h.fileSize() != file.size()) {
            throw JournalHeader.corrupt(path, 96, "the file's size " + file.size(), Long.toString(h.fileSize()));
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
        invalidate(0, 8);
        return (long) LONGS.getAcquire(view, 0);
    }

    long committed() {
        invalidate(JournalHeader.COMMITTED_OFFSET, 8);
        return (long) LONGS.getAcquire(view, JournalHeader.COMMITTED_OFFSET);
    }

    void publishCommitted(long length) {
        LONGS.setRelease(view, JournalHeader.COMMITTED_OFFSET, length);
        flush(JournalHeader.COMMITTED_OFFSET, 8);
    }

    void publishMagic(long magic) {
        LONGS.setRelease(view, 0, magic);
        flush(0, 8);
    }

    void write(int offset, ByteBuffer src) {
        view.duplicate().position(offset).put(src.duplicate());
    }

    void flush(long offset, long length) {
        device.flush(file.deviceOffset(offset), length);
    }

    void invalidate(long offset, long length) {
        device.invalidate(file.deviceOffset(offset), length);
    }
}
