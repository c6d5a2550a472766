package io.famfsrocks.famfs.fs;

import io.famfsrocks.famfs.ErrorKind;
import io.famfsrocks.famfs.FamfsException;
import io.famfsrocks.famfs.FaultPoint;
import io.famfsrocks.famfs.alloc.Allocator;
import io.famfsrocks.famfs.device.MemoryDevice;
import io.famfsrocks.famfs.format.FamfsLayout;
import io.famfsrocks.famfs.format.FamfsPaths;
import io.famfsrocks.famfs.format.FileLayout;
import io.famfsrocks.famfs.format.LogEntry;
import io.famfsrocks.famfs.format.Superblock;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.Random;
import java.util.UUID;
import java.util.function.LongConsumer;

/**
 * The volume as its master host sees it: everything a client can do, plus mkdir, create
 * and writes. Every change takes the host's writer lock, catches up with the log (another
 * master process may have appended), checks everything that can fail, and only then
 * appends; an error leaves the image as it was. Thread-safe.
 */
public final class MasterVolume extends FamfsVolume {
    /** Bytes per step of a copy-in (progress granularity). */
    public static final long COPY_STEP = 64L << 20;
    /** Crash points of a copy-in (docs/reliability.md, "Fault points"): created, nothing copied; copied, not flushed. */
    public static final FaultPoint CREATED_EMPTY = FaultPoint.named("create.before-fill");
    public static final FaultPoint FILLED_UNFLUSHED = FaultPoint.named("create.before-flush");

    private final WriterLock writerLock;
    private final Random random = new SecureRandom();

    MasterVolume(MemoryDevice device, Superblock superblock, UUID hostUuid) {
        super(device, superblock, hostUuid);
        this.writerLock = new WriterLock(device.path());
    }

    @Override
    public boolean isMaster() {
        return true;
    }

    /** Creates one directory; its parent must exist. */
    public Node.Dir mkdir(String path, CreateOptions opts) {
        String p = FamfsPaths.check(FamfsPaths.relative(path));
        try (WriterLock.Held held = writerLock.acquire()) {
            catchUp();
            checkPlacement(p);
            return (Node.Dir) appendAndApply(new LogEntry.MkdirEntry(opts.uid(), opts.gid(), opts.mode() & 07777, p));
        }
    }

    /** Creates {@code path} and any missing parents; existing directories are fine (mkdir -p). */
    public Node.Dir mkdirs(String path, CreateOptions opts) {
        String p = FamfsPaths.check(FamfsPaths.relative(path));
        try (WriterLock.Held held = writerLock.acquire()) {
            catchUp();
            String[] parts = p.split("/");
            int missing = 0;
            StringBuilder sb = new StringBuilder();
            for (String part : parts) {
                sb.append(sb.length() == 0 ? "" : "/").append(part);
                Node n = namespace.lookup(sb.toString());
                if (n == null) {
                    missing++;
                } else if (!(n instanceof Node.Dir)) {
                    throw new FamfsException(ErrorKind.NOT_A_DIRECTORY, "not a directory: " + display(sb.toString()));
                }
            }
            if (missing > log.lastIndex() + 1 - appliedEntries()) {
                throw logFull(missing);
            }
            sb.setLength(0);
            Node.Dir last = null;
            for (String part : parts) {
                sb.append(sb.length() == 0 ? "" : "/").append(part);
                Node n = namespace.lookup(sb.toString());
                last = n != null ? (Node.Dir) n
                        : (Node.Dir) appendAndApply(new LogEntry.MkdirEntry(opts.uid(), opts.gid(), opts.mode() & 07777, sb.toString()));
            }
            return last;
        }
    }

    /** Creates a file of exactly {@code size} bytes, preallocated (contents are whatever the memory held). */
    public FamfsFile create(String path, long size, CreateOptions opts) {
        String p = FamfsPaths.check(FamfsPaths.relative(path));
        checkSize(size);
        if (opts.interleave() != null) {
            opts.interleave().validate(superblock.allocUnit(), capacity());
        }
        try (WriterLock.Held held = writerLock.acquire()) {
            catchUp();
            checkPlacement(p);
            checkLogRoom();
            Allocator alloc = new Allocator(namespace.bitmap());
            FileLayout layout;
            synchronized (refreshLock()) {
                // The reference places files smaller than one chunk with the simple allocator.
                layout = opts.interleave() == null || size < opts.interleave().chunkSize() ? alloc.allocateSimple(size)
                        : alloc.allocateInterleaved(size, opts.interleave(), random);
            }
            return createWithLayout(p, size, opts, layout);
        }
    }

    /**
     * Creates a file with a layout the caller chose (tests that reproduce reference images,
     * tools that restore one). The layout is checked like any replayed entry.
     */
    public FamfsFile createWithLayout(String path, long size, CreateOptions opts, FileLayout layout) {
        String p = FamfsPaths.check(FamfsPaths.relative(path));
        checkSize(size);
        try (WriterLock.Held held = writerLock.acquire()) {
            catchUp();
            checkPlacement(p);
            checkLogRoom();
            LogEntry.FileEntry e = new LogEntry.FileEntry(size, FamfsLayout.FAMFS_FM_ALL_HOSTS_RW,
                    opts.uid(), opts.gid(), opts.mode() & 07777, p, layout);
            String bad = namespace.extentProblem(e);
            if (bad != null) {
                throw new FamfsException(ErrorKind.INVALID_ARGUMENT, "bad layout for " + display(p) + ": " + bad);
            }
            synchronized (refreshLock()) {
                var bitmap = namespace.bitmap();
                for (var x : layout.extents()) {
                    for (long b = x.offset() / bitmap.allocUnit(); b < x.end() / bitmap.allocUnit(); b++) {
                        if (bitmap.get(b)) {
                            throw new FamfsException(ErrorKind.INVALID_ARGUMENT,
                                    "bad layout for " + display(p) + ": extent at 0x" + Long.toHexString(x.offset()) + " is in use");
                        }
                    }
                }
            }
            Node.File node = (Node.File) appendAndApply(e);
            return new FamfsFile(device, node);
        }
    }

    /** A writable view of an existing file (writes stay inside its fixed size). */
    public WritableFile openWritable(String path) {
        return new WritableFile(openFile(path));
    }

    /**
     * A contiguous file mapped whole for writing a polled structure (see {@link WritableRegion}).
     *
     * @throws FamfsException INVALID_ARGUMENT when the file is not one extent
     */
    public WritableRegion openWritableRegion(String path) {
        return new WritableRegion(openFile(path));
    }

    /** Creates {@code dest} with the size of {@code src} and copies the bytes in at memory speed. */
    public FamfsFile copyIn(Path src, String dest, CreateOptions opts) {
        return copyIn(src, dest, opts, n -> { });
    }

    /**
     * {@link #copyIn(Path, String, CreateOptions)} telling {@code progress} each step's byte
     * count. A missing source is NOT_FOUND, an empty one INVALID_ARGUMENT (famfs files have
     * a fixed, non-zero size), any other local failure IO.
     */
    public FamfsFile copyIn(Path src, String dest, CreateOptions opts, LongConsumer progress) {
        try (FileChannel in = FileChannel.open(src, StandardOpenOption.READ)) {
            long size = in.size();
            if (size == 0) {
                throw new FamfsException(ErrorKind.INVALID_ARGUMENT, "cannot copy " + src
                        + ": it is empty, and famfs files have a fixed, non-zero size");
            }
            return copyIn(in, size, dest, opts, false, progress);
        } catch (NoSuchFileException e) {
            throw new FamfsException(ErrorKind.NOT_FOUND, "no such file: " + src);
        } catch (IOException e) {
            throw new FamfsException(ErrorKind.IO, "cannot copy " + src + ": " + e.getMessage(), e);
        }
    }

    /**
     * The one copy of local bytes into famfs: the first {@code size} bytes of {@code in}
     * into {@code dest}, in steps of {@link #COPY_STEP} (each reported to {@code progress}),
     * then flushed (durable, visible to other hosts). {@code dest} is created with
     * {@code opts}; with {@code overwrite}, an existing file of exactly {@code size} bytes
     * (a copy an interrupted run left) is written over instead.
     */
    public FamfsFile copyIn(FileChannel in, long size, String dest, CreateOptions opts, boolean overwrite,
                            LongConsumer progress) throws IOException {
        FamfsFile f = overwrite && lookup(dest) instanceof Node.File nf && nf.size() == size ? openFile(dest)
                : create(dest, size, opts);
        CREATED_EMPTY.hit();
        for (long pos = 0; pos < size; ) {
            long n = Math.min(COPY_STEP, size - pos);
            f.transferFrom(in, pos, n);
            pos += n;
            progress.accept(n);
        }
        FILLED_UNFLUSHED.hit();
        f.flush();
        return f;
    }

    /** Write access to one file; writes are flushed by {@link #flush()}. Thread-safe. */
    public static final class WritableFile {
        private final FamfsFile file;

        WritableFile(FamfsFile file) {
            this.file = file;
        }

        public FamfsFile file() {
            return file;
        }

        public long size() {
            return file.size();
        }

        public void write(long pos, ByteBuffer src) {
            file.write(pos, src);
        }

        public void transferFrom(FileChannel in, long pos, long count) throws IOException {
            file.transferFrom(in, pos, count);
        }

        /** msync (persistent files) and write-back (non-coherent memory) of the whole file. */
        public void flush() {
            file.flush();
        }
    }

    /** Applies what other writers appended; refuses when replay stopped (the space held after a bad entry is unknown). */
    private void catchUp() {
        refresh();
        requireCompleteLog("append to");
    }

    private Node appendAndApply(LogEntry e) {
        long index = log.append(e);
        refresh();
        Node n = namespace.lookup(e.path());
        if (n == null || n.logIndex() != index) {
            throw new FamfsException(ErrorKind.IO, "entry " + index + " for " + display(e.path())
                    + " was appended but did not replay; run fsck");
        }
        return n;
    }

    private void checkPlacement(String p) {
        switch (namespace.placement(p)) {
            case FREE -> { }
            case EXISTS -> throw new FamfsException(ErrorKind.EXISTS, "already exists: " + display(p));
            case PARENT_MISSING -> throw new FamfsException(ErrorKind.NOT_FOUND, "parent directory does not exist: "
                    + display(FamfsPaths.parent(p)) + " (use mkdir -p)");
            case PARENT_NOT_A_DIRECTORY -> throw new FamfsException(ErrorKind.NOT_A_DIRECTORY,
                    "not a directory: " + display(FamfsPaths.parent(p)));
        }
    }

    private void checkLogRoom() {
        if (appliedEntries() > log.lastIndex()) {
            throw logFull(1);
        }
    }

    private FamfsException logFull(int needed) {
        return new FamfsException(ErrorKind.LOG_FULL, String.format(
                "famfs log full: %d of %d entries used, %d needed; make a new volume with a larger log (mkfs -l)",
                appliedEntries(), log.lastIndex() + 1, needed));
    }

    private void checkSize(long size) {
        if (size <= 0) {
            throw new FamfsException(ErrorKind.INVALID_ARGUMENT, "file size must be > 0, got " + size
                    + " (famfs files have a fixed size set at create time)");
        }
        if (size > capacity()) {
            throw new FamfsException(ErrorKind.NO_SPACE, "file size " + size + " exceeds the device ("
                    + capacity() + " bytes)");
        }
    }
}
