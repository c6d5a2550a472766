package io.famfsrocks.famfs.fs;

import io.famfsrocks.famfs.CorruptMediaException;
import io.famfsrocks.famfs.ErrorKind;
import io.famfsrocks.famfs.FamfsException;
import io.famfsrocks.famfs.device.MemoryDevice;
import io.famfsrocks.famfs.format.FamfsLayout;
import io.famfsrocks.famfs.format.FamfsPaths;
import io.famfsrocks.famfs.format.LogEntry;
import io.famfsrocks.famfs.format.LogHeader;
import io.famfsrocks.famfs.format.Superblock;
import io.famfsrocks.famfs.log.FamfsLog;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An open famfs volume as any host sees it: the superblock, the namespace replayed from
 * the log, and the files' bytes. Reading is safe from any thread; {@link #refresh()}
 * applies entries appended since the last one (reading one counter when there are none).
 * Open with {@link Famfs}; a host that is the master gets a {@link MasterVolume}.
 */
public class FamfsVolume implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(FamfsVolume.class.getName());
    final MemoryDevice device;
    final Superblock superblock;
    final FamfsLog log;
    final UUID hostUuid;
    final Namespace namespace;
    private final Object refreshLock = new Object();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile long applied;
    private volatile CorruptMediaException replayError;
    private volatile Thread follower;

    FamfsVolume(MemoryDevice device, Superblock superblock, UUID hostUuid) {
        this.device = device;
        this.superblock = superblock;
        this.hostUuid = hostUuid;
        this.log = new FamfsLog(device, superblock.logLen());
        requireWholeDevice();
        // Checks magic and CRC before anything is trusted; sizes the namespace for the log.
        long entries = log.readHeader().nextIndex();
        // Extents are checked against what is mapped, not only what the superblock claims.
        this.namespace = new Namespace(Math.min(superblock.deviceSize(), device.size()), superblock.logLen(),
                superblock.allocUnit(), entries, log::read);
        refresh();
    }

    public Superblock superblock() {
        return superblock;
    }

    public MemoryDevice device() {
        return device;
    }

    /** The device (or device file) this volume is on. */
    public java.nio.file.Path devicePath() {
        return device.path();
    }

    /** Bytes of the metadata log on the device (it starts at {@link FormatInfo#LOG_OFFSET}). */
    public long logLength() {
        return superblock.logLen();
    }

    /**
     * Reads raw device bytes at {@code deviceOffset} into {@code dst} after dropping stale
     * cached copies: for showing the superblock and log as files, nothing else.
     */
    public void readMetadata(long deviceOffset, ByteBuffer dst) {
        device.invalidate(deviceOffset, dst.remaining());
        device.read(deviceOffset, dst);
    }

    public UUID hostUuid() {
        return hostUuid;
    }

    public boolean isMaster() {
        return false;
    }

    /** Usable bytes: the device size the superblock records, capped by what is mapped. */
    public long capacity() {
        return Math.min(superblock.deviceSize(), device.size());
    }

    /** What the superblock says (read when the volume was opened). */
    public VolumeInfo info() {
        return VolumeInfo.of(superblock);
    }

    /** The allocation unit: every extent is a whole number of them. */
    public long allocUnit() {
        return superblock.allocUnit();
    }

    public LogHeader logHeader() {
        return log.readHeader();
    }

    public long appliedEntries() {
        return applied;
    }

    public long logSlots() {
        return log.lastIndex() + 1;
    }

    /** The error that stopped replay, if an entry did not decode (null when the log is clean). */
    public CorruptMediaException replayError() {
        return replayError;
    }

    /**
     * Throws CORRUPT_MEDIA when replay stopped at an entry that does not decode: nothing
     * after it is known (files, directories, the space they hold), so mounting, serving or
     * appending on this view would give wrong answers or overwrite data. fsck and logplay
     * report the partial view instead.
     */
    public void requireCompleteLog(String purpose) {
        CorruptMediaException e = replayError;
        if (e != null) {
            throw new CorruptMediaException(String.format("cannot %s %s: log replay stopped at entry %d of %d "
                    + "(run fsck)", purpose, device.path(), applied, log.nextIndex()), e);
        }
    }

    public Namespace namespace() {
        return namespace;
    }

    /**
     * Null, or why this volume cannot be trusted: the device is shorter than its superblock
     * says (truncated after mkfs). Replay would drop the files past the end without a word
     * and the master would then allocate over their space (issue 13 item 7).
     */
    public String truncation() {
        long now = device.currentSize();
        long want = superblock.deviceSize();
        if (now >= want) {
            return null;
        }
        // device_size lies past the superblock's CRC (as in the reference), so a flipped bit
        // there reads the same way: name the field and its offset, and say both causes.
        return String.format("device %s is %d bytes but its superblock says %d (device_size at superblock offset "
                + "0x%x, not covered by its CRC): it was truncated after mkfs and files past byte %d are lost "
                + "(restore its size, or mkfs -f), or that field is corrupt", device.path(), now, want,
                Superblock.OFF_DEVICE_SIZE, now);
    }

    /** CORRUPT_MEDIA naming both sizes when the device is shorter than its superblock says. */
    public void requireWholeDevice() {
        String t = truncation();
        if (t != null) {
            throw new FamfsException(ErrorKind.CORRUPT_MEDIA, t);
        }
    }

    /**
     * Applies log entries appended since the last refresh.
     *
     * @return how many entries were applied
     */
    public int refresh() {
        checkOpen();
        requireWholeDevice(); // before reading a log that may now be past the device's end
        synchronized (refreshLock) {
            long next = log.nextIndex();
            long from = applied;
            if (next <= from && replayError == null) {
                return 0;
            }
            FamfsLog.ReplayResult r = log.replay(from, next, namespace::apply);
            applied = r.nextIndex();
            replayError = r.error();
            return (int) (r.nextIndex() - from);
        }
    }

    /**
     * Starts a daemon thread that refreshes every {@code intervalMicros}: new files appear
     * without anyone asking. Idempotent.
     */
    public synchronized void follow(long intervalMicros) {
        if (follower != null) {
            return;
        }
        Thread t = new Thread(() -> {
            String reported = null; // say each problem once, not every interval
            while (!closed.get()) {
                String problem;
                try {
                    refresh();
                    CorruptMediaException stop = replayError;
                    problem = stop == null ? null : "log replay stopped at entry " + applied
                            + "; serving the entries before it (run fsck): " + stop.getMessage();
                } catch (RuntimeException e) {
                    if (closed.get()) {
                        return;
                    }
                    problem = "cannot follow the log: " + e.getMessage();
                }
                if (problem != null && !problem.equals(reported)) {
                    LOG.log(System.Logger.Level.WARNING, "{0}: {1}", device.path(), problem);
                }
                reported = problem;
                java.util.concurrent.locks.LockSupport.parkNanos(intervalMicros * 1000L);
            }
        }, "famfs-follow-" + device.path().getFileName());
        t.setDaemon(true);
        follower = t;
        t.start();
    }

    /** The node at {@code path} (relative or volume-rooted), or throws NOT_FOUND. */
    public Node stat(String path) {
        String p = normalise(path);
        Node n = namespace.lookup(p);
        if (n == null) {
            throw new FamfsException(ErrorKind.NOT_FOUND, "no such file or directory: " + display(p));
        }
        return n;
    }

    /** The node, or null. */
    public Node lookup(String path) {
        return namespace.lookup(normalise(path));
    }

    public List<Node> list(String dir) {
        Node n = stat(dir);
        if (!(n instanceof Node.Dir)) {
            throw new FamfsException(ErrorKind.NOT_A_DIRECTORY, "not a directory: " + display(n.path()));
        }
        return namespace.list(n.path());
    }

    /** A read view of a file. */
    public FamfsFile openFile(String path) {
        Node n = stat(path);
        if (!(n instanceof Node.File f)) {
            throw new FamfsException(ErrorKind.IS_A_DIRECTORY, "is a directory: " + display(n.path()));
        }
        return new FamfsFile(device, f);
    }

    /** Space and log slots in use, read now (one header read and one bitmap count). */
    public VolumeUsage usage() {
        long cap = capacity();
        return new VolumeUsage(cap, cap - FamfsLayout.dataStart(superblock.logLen()), freeBytes(), logSlots(),
                log.nextIndex());
    }

    /**
     * The log entries this view has applied, in order (what {@code logplay} lists). Reads
     * them again from the device; an entry that no longer decodes throws CORRUPT_MEDIA.
     */
    public List<LogRecord> logRecords() {
        long n = applied;
        List<LogRecord> out = new java.util.ArrayList<>((int) Math.min(n, 1 << 20));
        for (long i = 0; i < n; i++) {
            LogEntry e = log.read(i);
            if (e instanceof LogEntry.FileEntry f) {
                out.add(new LogRecord(i, LogRecord.Type.FILE, f.path(), f.size(), f.mode(), f.uid(), f.gid(),
                        f.layout().extents().size(), 0));
            } else if (e instanceof LogEntry.MkdirEntry d) {
                out.add(new LogRecord(i, LogRecord.Type.MKDIR, d.path(), 0, d.mode(), d.uid(), d.gid(), 0, 0));
            } else if (e instanceof LogEntry.DaxdevEntry x) {
                out.add(new LogRecord(i, LogRecord.Type.ADD_DAXDEV, null, x.deviceSize(), 0, 0, 0, 0, x.deviceIndex()));
            }
        }
        return out;
    }

    /**
     * A contiguous file mapped whole for polling (see {@link SharedRegion}).
     *
     * @throws FamfsException INVALID_ARGUMENT when the file is not one extent
     */
    public SharedRegion openRegion(String path) {
        return new SharedRegion(device, openFile(path));
    }

    /** Free bytes in the data area, from the bitmap. */
    public long freeBytes() {
        synchronized (refreshLock) {
            return (namespace.bitmap().size() - namespace.bitmap().countSet()) * namespace.bitmap().allocUnit();
        }
    }

    static String normalise(String path) {
        String p = FamfsPaths.relative(path == null ? "" : path);
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p;
    }

    static String display(String p) {
        return "/" + p;
    }

    Object refreshLock() {
        return refreshLock;
    }

    void checkOpen() {
        if (closed.get()) {
            throw new IllegalStateException("volume " + device.path() + " is closed");
        }
    }

    public boolean isClosed() {
        return closed.get();
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            Thread t = follower;
            if (t != null) {
                t.interrupt();
                try {
                    t.join(1000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            device.close();
        }
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + device.path() + ", fs " + superblock.fsUuid() + "]";
    }

}
