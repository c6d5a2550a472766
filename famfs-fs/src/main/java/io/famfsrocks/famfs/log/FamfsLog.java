package io.famfsrocks.famfs.log;

import io.famfsrocks.famfs.CorruptMediaException;
import io.famfsrocks.famfs.ErrorKind;
import io.famfsrocks.famfs.FamfsException;
import io.famfsrocks.famfs.FaultPoint;
import io.famfsrocks.famfs.device.MemoryDevice;
import io.famfsrocks.famfs.format.FamfsLayout;
import io.famfsrocks.famfs.format.LogEntry;
import io.famfsrocks.famfs.format.LogHeader;

import java.nio.ByteBuffer;

/**
 * The log region of a device. Reads are safe from any thread; {@link #append} must be
 * serialised by the caller (the volume's writer lock does it).
 *
 * <p>Append order: the whole entry into slot {@code next_index}, write-back, then
 * {@code next_seqnum}, then {@code next_index}, write-back. A reader that sees the new
 * {@code next_index} therefore sees a complete entry; a crash before the counter leaves
 * garbage only in a slot no one reads.
 */
public final class FamfsLog {
    /** Crash points of {@link #append} (docs/reliability.md, "Fault points"). */
    public static final FaultPoint BEFORE_ENTRY = FaultPoint.named("log.before-entry");
    public static final FaultPoint AFTER_ENTRY = FaultPoint.named("log.after-entry");
    public static final FaultPoint BETWEEN_COUNTERS = FaultPoint.named("log.between-counters");

    private final MemoryDevice device;
    private final long logLen;
    private final long lastIndex;

    public FamfsLog(MemoryDevice device, long logLen) {
        this.device = device;
        this.logLen = logLen;
        this.lastIndex = FamfsLayout.lastIndex(logLen);
        if (FamfsLayout.LOG_OFFSET + logLen > device.size()) {
            throw new CorruptMediaException("superblock", 24, "log_len (within the device)",
                    "<= " + (device.size() - FamfsLayout.LOG_OFFSET), logLen);
        }
    }

    public long logLen() {
        return logLen;
    }

    public long lastIndex() {
        return lastIndex;
    }

    /** Reads and checks the whole header (magic, CRC, counters). */
    public LogHeader readHeader() {
        device.invalidate(FamfsLayout.LOG_OFFSET, LogHeader.SIZE);
        return LogHeader.decode(device.window(FamfsLayout.LOG_OFFSET, LogHeader.SIZE), logLen);
    }

    /** The cheap poll: one load of {@code next_index}, bounds-checked. */
    public long nextIndex() {
        long at = FamfsLayout.LOG_OFFSET + LogHeader.OFF_NEXT_INDEX;
        device.invalidate(at, 8);
        long n = device.getLong(at);
        if (n < 0 || n > lastIndex + 1) {
            throw new CorruptMediaException("log header", at, "next_index", "0.." + (lastIndex + 1), n);
        }
        return n;
    }

    /** Decodes entry {@code index}, retrying once after an invalidate as the reference does. */
    public LogEntry read(long index) {
        long at = FamfsLayout.logEntryOffset(index);
        try {
            return LogEntry.decode(device.window(at, LogEntry.SIZE), index);
        } catch (CorruptMediaException first) {
            device.invalidate(at, LogEntry.SIZE);
            return LogEntry.decode(device.window(at, LogEntry.SIZE), index);
        }
    }

    /** Raw bytes of slot {@code index} (for tools that dump entries). */
    public ByteBuffer rawEntry(long index) {
        return device.window(FamfsLayout.logEntryOffset(index), LogEntry.SIZE);
    }

    /** Receives replayed entries in log order. */
    @FunctionalInterface
    public interface EntryVisitor {
        void visit(long index, LogEntry entry);
    }

    /**
     * Replays entries {@code [from, to)}; stops at the first entry that does not decode.
     *
     * @return the index of the first entry not applied ({@code to} when all were)
     */
    public ReplayResult replay(long from, long to, EntryVisitor visitor) {
        // One window per batch: creating a direct buffer is a JNI call, slicing is not.
        long batch = Math.max(1, MemoryDevice.maxWindow() / LogEntry.SIZE);
        for (long start = from; start < to; start += batch) {
            long end = Math.min(to, start + batch);
            long at = FamfsLayout.logEntryOffset(start);
            ByteBuffer window = device.window(at, (int) ((end - start) * LogEntry.SIZE));
            for (long i = start; i < end; i++) {
                LogEntry e;
                try {
                    e = LogEntry.decode(window.slice((int) ((i - start) * LogEntry.SIZE), LogEntry.SIZE), i);
                } catch (CorruptMediaException first) {
                    try {
                        e = read(i);
                    } catch (CorruptMediaException bad) {
                        return new ReplayResult(i, bad);
                    }
                }
                visitor.visit(i, e);
            }
        }
        return new ReplayResult(to, null);
    }

    /** Where a replay stopped and why ({@code error} is null when it reached the end). */
    public record ReplayResult(long nextIndex, CorruptMediaException error) {
        public boolean complete() {
            return error == null;
        }
    }

    /** Writes a fresh, empty header (mkfs). */
    public void format() {
        LogHeader.empty(logLen).encodeTo(device.window(FamfsLayout.LOG_OFFSET, LogHeader.SIZE));
        device.flush(FamfsLayout.LOG_OFFSET, LogHeader.SIZE);
    }

    /**
     * Appends {@code entry} at the current {@code next_index}.
     *
     * @return the index it was written at
     * @throws FamfsException LOG_FULL when no slot is left (nothing written)
     */
    public long append(LogEntry entry) {
        LogHeader h = readHeader();
        long index = h.nextIndex();
        if (index > lastIndex) {
            throw new FamfsException(ErrorKind.LOG_FULL, String.format(
                    "famfs log full: all %d entries used (log_len %d MiB); mkfs a larger log with -l",
                    lastIndex + 1, logLen >> 20));
        }
        long at = FamfsLayout.logEntryOffset(index);
        BEFORE_ENTRY.hit();
        LogEntry.encode(entry, index, device.window(at, LogEntry.SIZE));
        device.flush(at, LogEntry.SIZE);
        AFTER_ENTRY.hit();
        device.putLong(FamfsLayout.LOG_OFFSET + LogHeader.OFF_NEXT_SEQNUM, index + 1);
        BETWEEN_COUNTERS.hit();
        device.putLong(FamfsLayout.LOG_OFFSET + LogHeader.OFF_NEXT_INDEX, index + 1);
        device.flush(FamfsLayout.LOG_OFFSET, LogHeader.SIZE);
        return index;
    }
}
