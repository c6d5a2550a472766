package io.famfsrocks.famfs.fuse;

import io.famfsrocks.famfs.ErrorKind;
import io.famfsrocks.famfs.FamfsException;
import io.famfsrocks.famfs.fs.FormatInfo;
import io.famfsrocks.famfs.fs.VolumeUsage;
import io.famfsrocks.famfs.fs.CreateOptions;
import io.famfsrocks.famfs.fs.FamfsFile;
import io.famfsrocks.famfs.fs.FamfsVolume;
import io.famfsrocks.famfs.fs.MasterVolume;
import io.famfsrocks.famfs.fs.Node;

import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The file system a FUSE mount serves, independent of any binding: paths are the
 * mount-relative paths FUSE hands over ({@code "/a/b"}), results are errno-style ints
 * ({@code >= 0} success or a count, {@code -errno} failure). No method throws: each runs
 * inside the one guard ({@link #fail}), which maps the failure with {@link Errno#of},
 * logs it once (expected misses are not logged) and returns {@code -errno}.
 *
 * <p>Names: the volume's tree plus {@code /.meta/.superblock} (2 MiB, 0444) and
 * {@code /.meta/.log} (the log, 0644 on a writable master, 0444 otherwise), as the
 * reference shows them ({@link MetaFiles}). A lookup that misses refreshes the namespace from the log first,
 * so a file the master just created is found even before the follower thread sees it.
 *
 * <p>Writes (master, not read-only): inside a file's fixed size only. A write that starts
 * inside and runs past the end is cut at the end (a short write, as the reference kernel
 * module does); one that starts at or past the end fails with EFBIG (the module returns
 * 0 there, which makes writers loop). Raw writes to {@code .meta} files fail with EPERM.
 * Operations famfs never does are refused by {@link #refuse} (reasons in {@code Unsupported}).
 *
 * <p>Thread-safe: called concurrently by the binding's serving threads; open handles
 * live in a concurrent map.
 */
public final class FamfsFuseOps {
    public static final int S_IFDIR = 0040000;
    public static final int S_IFREG = 0100000;
    /** Preferred I/O size reported in {@code st_blksize}: the largest read libfuse2 makes. */
    public static final int BLKSIZE = 128 * 1024;
    private static final int O_ACCMODE = 3;
    private static final System.Logger LOG = System.getLogger(FamfsFuseOps.class.getName());

    private final FamfsVolume volume;
    private final MasterVolume master;
    private final boolean keepCache;
    private final long time = System.currentTimeMillis() / 1000;
    private final ConcurrentHashMap<Long, Handle> handles = new ConcurrentHashMap<>();
    private final AtomicLong nextHandle = new AtomicLong(1);
    private final CountDownLatch initialised = new CountDownLatch(1);
    private final MetaFiles meta;

    /** One open file: its bytes, and a writer when opened for writing on the master; or a meta file's range. */
    private record Handle(FamfsFile file, MasterVolume.WritableFile writer, MetaFiles.Range meta) {
        boolean isMeta() {
            return file == null;
        }
    }

    /**
     * @param readOnly refuse every change even on the master
     * @param keepCache keep the kernel's page cache of a file across opens (files are immutable)
     */
    public FamfsFuseOps(FamfsVolume volume, boolean readOnly, boolean keepCache) {
        this.volume = volume;
        this.master = !readOnly && volume instanceof MasterVolume m ? m : null;
        this.keepCache = keepCache;
        this.meta = new MetaFiles(volume, master != null, time);
    }

    public boolean writable() {
        return master != null;
    }

    public FamfsVolume volume() {
        return volume;
    }

    /** Called by the binding when the kernel has accepted the mount. */
    public void init() {
        initialised.countDown();
    }

    boolean awaitInit(long millis) throws InterruptedException {
        return initialised.await(millis, TimeUnit.MILLISECONDS);
    }

    public int getattr(String path, AttrSink sink) {
        try {
            if (meta.getattr(path, sink)) {
                return 0;
            }
            Node n = find(path);
            if (n == null) {
                return -Errno.ENOENT;
            }
            long ino = n.logIndex() + 2; // root (-1) becomes 1, FUSE's root id
            if (n instanceof Node.File f) {
                int mode = master != null ? f.mode() : f.mode() & ~0222; // clients: as the reference's logplay -c
                sink.set(ino, S_IFREG | mode, 1, f.uid(), f.gid(), f.size(),
                        f.allocatedBytes() / 512, BLKSIZE, time);
            } else {
                sink.set(ino, S_IFDIR | n.mode(), 1, n.uid(), n.gid(), 0, 0, BLKSIZE, time);
            }
            return 0;
        } catch (Throwable t) {
            return fail("getattr", path, t);
        }
    }

    public int readdir(String path, DirSink sink) {
        try {
            if (!sink.add(".") || !sink.add("..")) {
                return 0;
            }
            if (path.equals(MetaFiles.DIR)) {
                MetaFiles.list(sink);
                return 0;
            }
            volume.refresh();
            if (path.equals("/") && !sink.add(".meta")) {
                return 0;
            }
            for (Node n : volume.list(path)) {
                String p = n.path();
                if (!sink.add(p.substring(p.lastIndexOf('/') + 1))) {
                    break;
                }
            }
            return 0;
        } catch (Throwable t) {
            return fail("readdir", path, t);
        }
    }

    /**
     * Opens a file.
     *
     * @param flags the {@code open(2)} flags
     * @return a handle ({@code > 0}) for read/write/release, or {@code -errno}
     */
    public long open(String path, int flags) {
        try {
            boolean write = (flags & O_ACCMODE) != 0;
            if (write && master == null) {
                return -Errno.EROFS;
            }
            Handle h;
            if (MetaFiles.isFile(path)) {
                if (write) {
                    LOG.log(Level.INFO, "open {0} for writing: refused (EPERM); the log is written only by famfs-rocks commands", path);
                    return -Errno.EPERM;
                }
                h = new Handle(null, null, meta.range(path));
            } else {
                Node n = find(path);
                if (n == null) {
                    return -Errno.ENOENT;
                }
                if (write && (n.mode() & 0222) == 0) {
                    // A famfs file without write bits is immutable for everyone, root included
                    // (dataset files are 0444: a rewrite would break every replica).
                    return -Errno.EACCES;
                }
                FamfsFile f = volume.openFile(n.path());
                f.invalidate(); // non-coherent shared memory: drop stale lines before serving reads
                h = new Handle(f, write ? master.openWritable(n.path()) : null, null);
            }
            long id = nextHandle.getAndIncrement();
            handles.put(id, h);
            return id;
        } catch (Throwable t) {
            return fail("open", path, t);
        }
    }

    /** Whether the kernel may keep the page cache it has for this handle's file (never for .meta). */
    public boolean keepCache(long handle) {
        Handle h = handles.get(handle);
        return h != null && !h.isMeta() && keepCache;
    }

    /** Reads into {@code dst} (its remaining bytes) at {@code offset}: bytes read, 0 at the end. */
    public int read(long handle, String path, ByteBuffer dst, long offset) {
        try {
            Handle h = handles.get(handle);
            if (h == null) {
                return -Errno.EBADF;
            }
            if (h.isMeta()) {
                return meta.read(h.meta(), dst, offset);
            }
            int n = h.file().read(offset, dst);
            return Math.max(n, 0);
        } catch (Throwable t) {
            return fail("read", path, t);
        }
    }

    /** Writes {@code src} (its remaining bytes) at {@code offset} inside the file: bytes written. */
    public int write(long handle, String path, ByteBuffer src, long offset) {
        try {
            Handle h = handles.get(handle);
            if (h == null || h.writer() == null) {
                return -Errno.EBADF;
            }
            long size = h.writer().size();
            if (offset >= size) {
                return -Errno.EFBIG;
            }
            if (offset + src.remaining() > size) {
                src.limit(src.position() + (int) (size - offset));
            }
            int n = src.remaining();
            h.writer().write(offset, src);
            return n;
        } catch (Throwable t) {
            return fail("write", path, t);
        }
    }

    public int fsync(long handle, String path) {
        try {
            Handle h = handles.get(handle);
            if (h != null && h.writer() != null) {
                h.writer().flush();
            }
            return 0;
        } catch (Throwable t) {
            return fail("fsync", path, t);
        }
    }

    public int release(long handle, String path) {
        try {
            Handle h = handles.remove(handle);
            if (h != null && h.writer() != null) {
                h.writer().flush(); // durable and visible to other hosts once the writer closes
            }
            return 0;
        } catch (Throwable t) {
            return fail("release", path, t);
        }
    }

    public int statfs(StatfsSink sink) {
        try {
            long au = volume.allocUnit();
            VolumeUsage u = volume.usage();
            sink.set(au, au, u.capacity() / au, u.freeBytes() / au, u.logSlots(), u.logSlotsLeft(),
                    FormatInfo.MAX_NAME_BYTES);
            return 0;
        } catch (Throwable t) {
            return fail("statfs", "/", t);
        }
    }

    /** Creates a famfs directory (logged) on the master. */
    public int mkdir(String path, int mode, int uid, int gid) {
        try {
            if (master == null) {
                return -Errno.EROFS;
            }
            if (MetaFiles.isMeta(path)) {
                return -Errno.EPERM;
            }
            master.mkdir(path, CreateOptions.dir().withMode(mode & 07777).withOwner(uid, gid));
            return 0;
        } catch (Throwable t) {
            return fail("mkdir", path, t);
        }
    }

    /** Changing a size is refused (sizes are fixed); setting the size a file already has is a no-op. */
    public int truncate(String path, long size) {
        try {
            Node n = find(path);
            if (n == null) {
                return -Errno.ENOENT;
            }
            if (n instanceof Node.File f && f.size() == size) {
                return master != null ? 0 : -Errno.EROFS;
            }
            return refuse("truncate", path);
        } catch (Throwable t) {
            return fail("truncate", path, t);
        }
    }

    /**
     * Refuses an operation famfs never does through a mount, with the reference fused's
     * ENOTSUP, and says in the log what to do instead.
     */
    public int refuse(String op, String path) {
        if (master == null) {
            return -Errno.EROFS;
        }
        String why = Unsupported.why(op);
        LOG.log(Level.INFO, "{0} {1}: not supported (ENOTSUP): {2}", op, path, why);
        return -Errno.ENOTSUP;
    }

    /** Open handles (tests and diagnostics). */
    public int openHandles() {
        return handles.size();
    }

    private Node find(String path) {
        if (path.length() > FormatInfo.MAX_PATHLEN) {
            return null;
        }
        Node n = volume.lookup(path);
        if (n == null) {
            volume.refresh(); // returns 0 when the follower applied the entry first: look again anyway
            n = volume.lookup(path);
        }
        return n;
    }

    /** The guard: every failure of every operation ends here, once. */
    private int fail(String op, String path, Throwable t) {
        int errno = Errno.of(t);
        if (t instanceof FamfsException fe) {
            if (fe.kind() != ErrorKind.NOT_FOUND) {
                LOG.log(Level.INFO, "{0} {1}: {2} (errno {3})", op, path, fe.getMessage(), errno);
            }
        } else {
            LOG.log(Level.WARNING, "famfs fuse: " + op + " " + path + " failed (EIO)", t);
        }
        return -errno;
    }
}
