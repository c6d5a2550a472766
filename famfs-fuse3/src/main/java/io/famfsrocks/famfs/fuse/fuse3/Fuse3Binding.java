package io.famfsrocks.famfs.fuse.fuse3;

import io.famfsrocks.famfs.fuse.Errno;
import io.famfsrocks.famfs.fuse.FamfsFuseOps;
import io.famfsrocks.famfs.fuse.FamfsMount;
import io.famfsrocks.famfs.fuse.FuseBinding;

import java.lang.System.Logger.Level;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The libfuse3 binding (high-level API, {@code fuse_loop_mt}): each callback converts the
 * native arguments to plain values, calls {@link FamfsFuseOps} (which never throws) and
 * writes the results back into libfuse's structs. Only supported operations are bound;
 * every callback runs inside a guard that turns any {@code Throwable} into {@code -EIO}
 * (an exception escaping an upcall would end the JVM). Thread-safe as {@link FamfsFuseOps}
 * is: libfuse calls it from {@link #defaultThreads} worker threads (property {@value
 * #THREADS_PROPERTY}), each with its own {@code /dev/fuse} descriptor (property {@value
 * #CLONE_FD_PROPERTY}).
 *
 * <p>Same mount options and semantics as {@code JnrFuseBinding} (libfuse3 takes the cache
 * timeouts and {@code use_ino} in init's {@code fuse_config}, not as options): names and attributes cached
 * for a year, misses never, {@code use_ino}, {@code keep_cache} per open as {@link
 * FamfsFuseOps#keepCache} says, no {@code flush} (the first FLUSH gets ENOSYS and the
 * kernel sends no more, so {@code close(2)} never waits for the daemon). Unlike libfuse2,
 * reads are not capped at 128 KiB: the kernel sends up to 1 MiB per request (libfuse3
 * negotiates 256 pages), as far as the mount's read-ahead allows.
 */
public final class Fuse3Binding implements FuseBinding {
    static final String THREADS_PROPERTY = "famfs.fuse3.threads";
    static final String CLONE_FD_PROPERTY = "famfs.fuse3.cloneFd";
    /** Seconds a name or attribute stays cached (as JnrFuseBinding). */
    static final long CACHE_SECONDS = 365L * 24 * 3600;
    private static final System.Logger LOG = System.getLogger(Fuse3Binding.class.getName());

    private final FamfsFuseOps ops;
    private final LibFuse3 lib;

    Fuse3Binding(FamfsFuseOps ops, LibFuse3 lib) {
        this.ops = ops;
        this.lib = lib;
    }

    /** The libfuse3 command line for a mount: program name, options, nothing else (fuse_mount gets the point). */
    static List<String> fuseArgs(FamfsMount.Options o, boolean writable, String fsName) {
        List<String> opts = new ArrayList<>(List.of(
                "fsname=" + fsName.replace(",", "\\,"), "subtype=famfs", "default_permissions"));
        if (!writable) {
            opts.add("ro");
        }
        if (o.allowOther()) {
            opts.add("allow_other");
        }
        List<String> args = new ArrayList<>(List.of("famfs", "-o", String.join(",", opts)));
        if (o.debug()) {
            args.add("-d");
        }
        return args;
    }

    @Override
    public void serve(Path mountPoint, FamfsMount.Options options, String fsName) {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment table = arena.allocate(ADDRESS, LibFuse3.OPS_COUNT);
            bindAll(table, arena);
            MemorySegment fuse = lib.fuseNew(LibFuse3.args(arena, fuseArgs(options, ops.writable(), fsName)), table);
            try {
                lib.mount(fuse, mountPoint);
            } catch (RuntimeException e) {
                lib.destroy(fuse);
                throw e;
            }
            int rc;
            try {
                rc = lib.loop(fuse, Integer.getInteger(THREADS_PROPERTY, defaultThreads()),
                        Boolean.parseBoolean(System.getProperty(CLONE_FD_PROPERTY, "true")));
            } finally {
                lib.unmountAndDestroy(fuse);
            }
            if (rc != 0) {
                LOG.log(Level.DEBUG, "{0}: fuse_loop_mt returned {1}", mountPoint, rc);
            }
        }
    }

    /**
     * Worker threads: one per CPU, at least 4. Fewer threads cost less per request (a worker
     * that finds the next request queued takes it without sleeping, and sleeps and wakes are
     * the bulk of the server's CPU in perf), but 4 readers want 4 requests in flight. Server
     * CPU per cold 4 KiB read on 2 cores (2026-12-08, machine loaded, load 20-22): 9-13 us
     * with 2 threads, 12-14 us with 4, 14-15 us with 8, 22-45 us with 16; jnr-fuse 13-44 us.
     */
    static int defaultThreads() {
        return Math.max(4, Runtime.getRuntime().availableProcessors());
    }

    private void bindAll(MemorySegment table, Arena arena) {
        bind(table, arena, LibFuse3.OP_INIT, "init", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
        bind(table, arena, LibFuse3.OP_GETATTR, "getattr", fd(ADDRESS, ADDRESS, ADDRESS));
        bind(table, arena, LibFuse3.OP_READDIR, "readdir", fd(ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS, JAVA_INT));
        bind(table, arena, LibFuse3.OP_OPEN, "open", fd(ADDRESS, ADDRESS));
        bind(table, arena, LibFuse3.OP_READ, "read", fd(ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS));
        bind(table, arena, LibFuse3.OP_WRITE, "write", fd(ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS));
        bind(table, arena, LibFuse3.OP_FSYNC, "fsync", fd(ADDRESS, JAVA_INT, ADDRESS));
        bind(table, arena, LibFuse3.OP_RELEASE, "release", fd(ADDRESS, ADDRESS));
        bind(table, arena, LibFuse3.OP_STATFS, "statfs", fd(ADDRESS, ADDRESS));
        bind(table, arena, LibFuse3.OP_MKDIR, "mkdir", fd(ADDRESS, JAVA_INT));
        bind(table, arena, LibFuse3.OP_TRUNCATE, "truncate", fd(ADDRESS, JAVA_LONG, ADDRESS));
        bind(table, arena, LibFuse3.OP_CREATE, "create", fd(ADDRESS, JAVA_INT, ADDRESS));
        bind(table, arena, LibFuse3.OP_MKNOD, "mknod", fd(ADDRESS, JAVA_INT, JAVA_LONG));
        bind(table, arena, LibFuse3.OP_UNLINK, "unlink", fd(ADDRESS));
        bind(table, arena, LibFuse3.OP_RMDIR, "rmdir", fd(ADDRESS));
        bind(table, arena, LibFuse3.OP_RENAME, "rename", fd(ADDRESS, ADDRESS, JAVA_INT));
        bind(table, arena, LibFuse3.OP_LINK, "link", fd(ADDRESS, ADDRESS));
        bind(table, arena, LibFuse3.OP_SYMLINK, "symlink", fd(ADDRESS, ADDRESS));
        bind(table, arena, LibFuse3.OP_CHMOD, "chmod", fd(ADDRESS, JAVA_INT, ADDRESS));
        bind(table, arena, LibFuse3.OP_CHOWN, "chown", fd(ADDRESS, JAVA_INT, JAVA_INT, ADDRESS));
        bind(table, arena, LibFuse3.OP_UTIMENS, "utimens", fd(ADDRESS, ADDRESS, ADDRESS));
        bind(table, arena, LibFuse3.OP_FALLOCATE, "fallocate", fd(ADDRESS, JAVA_INT, JAVA_LONG, JAVA_LONG, ADDRESS));
    }

    private static FunctionDescriptor fd(java.lang.foreign.MemoryLayout... args) {
        return FunctionDescriptor.of(JAVA_INT, args);
    }

    private void bind(MemorySegment table, Arena arena, int index, String method, FunctionDescriptor d) {
        try {
            MethodHandle h = MethodHandles.lookup().findVirtual(Fuse3Binding.class, method, d.toMethodType()).bindTo(this);
            table.setAtIndex(ADDRESS, index, Linker.nativeLinker().upcallStub(h, d, arena));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("binding " + method + ": " + e, e);
        }
    }

    private static String str(MemorySegment cString) {
        return cString.reinterpret(Long.MAX_VALUE).getString(0);
    }

    /** The one guard: a failure in the translation itself (FamfsFuseOps never throws). */
    private static int guard(String op, Throwable t) {
        LOG.log(Level.WARNING, "famfs fuse3: " + op + " failed (EIO)", t);
        return -Errno.EIO;
    }

    // ---- callbacks (signatures as in struct fuse_operations of libfuse 3) ----

    private MemorySegment init(MemorySegment conn, MemorySegment cfg) {
        try {
            MemorySegment c = conn.reinterpret(LibFuse3.CONN_SIZE_OF);
            MemorySegment k = cfg.reinterpret(LibFuse3.CFG_SIZE_OF);
            k.set(JAVA_DOUBLE, LibFuse3.CFG_ENTRY_TIMEOUT, CACHE_SECONDS);
            k.set(JAVA_DOUBLE, LibFuse3.CFG_ATTR_TIMEOUT, CACHE_SECONDS);
            k.set(JAVA_DOUBLE, LibFuse3.CFG_NEGATIVE_TIMEOUT, 0);
            k.set(JAVA_INT, LibFuse3.CFG_USE_INO, 1);
            // as libfuse2: pages stay cached until dropped (famfs files never change size or mtime)
            c.set(JAVA_INT, LibFuse3.CONN_WANT, c.get(JAVA_INT, LibFuse3.CONN_WANT) & ~LibFuse3.CAP_AUTO_INVAL_DATA);
            LOG.log(Level.DEBUG, "libfuse {0}: max_write {1}, max_read {2}, max_readahead {3}", lib.version(),
                    Integer.toUnsignedString(c.get(JAVA_INT, LibFuse3.CONN_MAX_WRITE)),
                    Integer.toUnsignedString(c.get(JAVA_INT, LibFuse3.CONN_MAX_READ)),
                    Integer.toUnsignedString(c.get(JAVA_INT, LibFuse3.CONN_MAX_READAHEAD)));
            ops.init();
        } catch (Throwable t) {
            guard("init", t);
        }
        return MemorySegment.NULL;
    }

    private int getattr(MemorySegment path, MemorySegment stat, MemorySegment fi) {
        try {
            MemorySegment st = stat.reinterpret(LibFuse3.ST_SIZE_OF);
            return ops.getattr(str(path), (ino, mode, nlink, uid, gid, size, blocks, blksize, time) -> {
                st.set(JAVA_LONG, LibFuse3.ST_INO, ino);
                st.set(JAVA_LONG, LibFuse3.ST_NLINK, nlink);
                st.set(JAVA_INT, LibFuse3.ST_MODE, mode);
                st.set(JAVA_INT, LibFuse3.ST_UID, uid);
                st.set(JAVA_INT, LibFuse3.ST_GID, gid);
                st.set(JAVA_LONG, LibFuse3.ST_SIZE, size);
                st.set(JAVA_LONG, LibFuse3.ST_BLKSIZE, blksize);
                st.set(JAVA_LONG, LibFuse3.ST_BLOCKS, blocks);
                st.set(JAVA_LONG, LibFuse3.ST_ATIM, time);
                st.set(JAVA_LONG, LibFuse3.ST_MTIM, time);
                st.set(JAVA_LONG, LibFuse3.ST_CTIM, time);
            });
        } catch (Throwable t) {
            return guard("getattr", t);
        }
    }

    private int readdir(MemorySegment path, MemorySegment buf, MemorySegment filler, long offset, MemorySegment fi,
                        int flags) {
        try (Arena names = Arena.ofConfined()) {
            return ops.readdir(str(path), name -> {
                try {
                    return lib.fill(filler, buf, names.allocateFrom(name));
                } catch (Throwable t) {
                    throw new IllegalStateException("readdir filler: " + t, t);
                }
            });
        } catch (Throwable t) {
            return guard("readdir", t);
        }
    }

    private int open(MemorySegment path, MemorySegment fi) {
        try {
            MemorySegment f = fi.reinterpret(LibFuse3.FI_SIZE);
            long h = ops.open(str(path), f.get(JAVA_INT, LibFuse3.FI_FLAGS));
            if (h < 0) {
                return (int) h;
            }
            f.set(JAVA_LONG, LibFuse3.FI_FH, h);
            if (ops.keepCache(h)) {
                f.set(JAVA_INT, LibFuse3.FI_BITS, f.get(JAVA_INT, LibFuse3.FI_BITS) | LibFuse3.FI_KEEP_CACHE);
            }
            return 0;
        } catch (Throwable t) {
            return guard("open", t);
        }
    }

    private int read(MemorySegment path, MemorySegment buf, long size, long offset, MemorySegment fi) {
        try {
            long fh = fi.reinterpret(LibFuse3.FI_SIZE).get(JAVA_LONG, LibFuse3.FI_FH);
            return ops.read(fh, str(path), buf.reinterpret(size).asByteBuffer(), offset);
        } catch (Throwable t) {
            return guard("read", t);
        }
    }

    private int write(MemorySegment path, MemorySegment buf, long size, long offset, MemorySegment fi) {
        try {
            long fh = fi.reinterpret(LibFuse3.FI_SIZE).get(JAVA_LONG, LibFuse3.FI_FH);
            return ops.write(fh, str(path), buf.reinterpret(size).asByteBuffer(), offset);
        } catch (Throwable t) {
            return guard("write", t);
        }
    }

    private int fsync(MemorySegment path, int datasync, MemorySegment fi) {
        try {
            return ops.fsync(fi.reinterpret(LibFuse3.FI_SIZE).get(JAVA_LONG, LibFuse3.FI_FH), str(path));
        } catch (Throwable t) {
            return guard("fsync", t);
        }
    }

    private int release(MemorySegment path, MemorySegment fi) {
        try {
            return ops.release(fi.reinterpret(LibFuse3.FI_SIZE).get(JAVA_LONG, LibFuse3.FI_FH),
                    path.equals(MemorySegment.NULL) ? "?" : str(path));
        } catch (Throwable t) {
            return guard("release", t);
        }
    }

    private int statfs(MemorySegment path, MemorySegment statvfs) {
        try {
            MemorySegment sv = statvfs.reinterpret(LibFuse3.SV_SIZE_OF);
            return ops.statfs((bsize, frsize, blocks, bfree, files, ffree, namemax) -> {
                sv.set(JAVA_LONG, LibFuse3.SV_BSIZE, bsize);
                sv.set(JAVA_LONG, LibFuse3.SV_FRSIZE, frsize);
                sv.set(JAVA_LONG, LibFuse3.SV_BLOCKS, blocks);
                sv.set(JAVA_LONG, LibFuse3.SV_BFREE, bfree);
                sv.set(JAVA_LONG, LibFuse3.SV_BAVAIL, bfree);
                sv.set(JAVA_LONG, LibFuse3.SV_FILES, files);
                sv.set(JAVA_LONG, LibFuse3.SV_FFREE, ffree);
                sv.set(JAVA_LONG, LibFuse3.SV_FAVAIL, ffree);
                sv.set(JAVA_LONG, LibFuse3.SV_NAMEMAX, namemax);
            });
        } catch (Throwable t) {
            return guard("statfs", t);
        }
    }

    private int mkdir(MemorySegment path, int mode) {
        try {
            MemorySegment ctx = lib.context();
            return ops.mkdir(str(path), mode, ctx.get(JAVA_INT, LibFuse3.CTX_UID), ctx.get(JAVA_INT, LibFuse3.CTX_GID));
        } catch (Throwable t) {
            return guard("mkdir", t);
        }
    }

    private int truncate(MemorySegment path, long size, MemorySegment fi) {
        try {
            return ops.truncate(str(path), size);
        } catch (Throwable t) {
            return guard("truncate", t);
        }
    }

    private int refuse(String op, MemorySegment path) {
        try {
            return ops.refuse(op, str(path));
        } catch (Throwable t) {
            return guard(op, t);
        }
    }

    private int create(MemorySegment path, int mode, MemorySegment fi) {
        return refuse("create", path);
    }

    private int mknod(MemorySegment path, int mode, long rdev) {
        return refuse("mknod", path);
    }

    private int unlink(MemorySegment path) {
        return refuse("unlink", path);
    }

    private int rmdir(MemorySegment path) {
        return refuse("rmdir", path);
    }

    private int rename(MemorySegment from, MemorySegment to, int flags) {
        return refuse("rename", from);
    }

    private int link(MemorySegment from, MemorySegment to) {
        return refuse("link", to);
    }

    private int symlink(MemorySegment target, MemorySegment link) {
        return refuse("symlink", link);
    }

    private int chmod(MemorySegment path, int mode, MemorySegment fi) {
        return refuse("chmod", path);
    }

    private int chown(MemorySegment path, int uid, int gid, MemorySegment fi) {
        return refuse("chown", path);
    }

    private int utimens(MemorySegment path, MemorySegment times, MemorySegment fi) {
        return refuse("utimens", path);
    }

    private int fallocate(MemorySegment path, int mode, long offset, long length, MemorySegment fi) {
        return refuse("fallocate", path);
    }
}
