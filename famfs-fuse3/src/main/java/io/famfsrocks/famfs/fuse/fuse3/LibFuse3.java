package io.famfsrocks.famfs.fuse.fuse3;

import io.famfsrocks.famfs.ErrorKind;
import io.famfsrocks.famfs.FamfsException;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.List;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * libfuse3 (3.12 or newer) on x86_64 Linux: the library, the functions the binding calls,
 * and the offsets of the structs it reads and writes (from {@code fuse3/fuse.h},
 * {@code fuse_common.h} 3.14 and glibc's x86_64 {@code struct stat} / {@code statvfs};
 * the fields used here sit at the same offsets in every 3.x release). Every native call
 * and its return code goes through this class. Immutable, thread-safe.
 */
final class LibFuse3 {
    /** FUSE_MAKE_VERSION(3, 12): {@code fuse_loop_mt_312} and {@code fuse_loop_cfg_*} appeared there. */
    static final int MIN_VERSION = 312;

    /** {@code struct fuse_operations}: 42 function pointers in 3.14 (getattr .. lseek); index of each used here. */
    static final int OPS_COUNT = 42;
    static final int OP_GETATTR = 0;
    static final int OP_MKNOD = 2;
    static final int OP_MKDIR = 3;
    static final int OP_UNLINK = 4;
    static final int OP_RMDIR = 5;
    static final int OP_SYMLINK = 6;
    static final int OP_RENAME = 7;
    static final int OP_LINK = 8;
    static final int OP_CHMOD = 9;
    static final int OP_CHOWN = 10;
    static final int OP_TRUNCATE = 11;
    static final int OP_OPEN = 12;
    static final int OP_READ = 13;
    static final int OP_WRITE = 14;
    static final int OP_STATFS = 15;
    static final int OP_RELEASE = 17;
    static final int OP_FSYNC = 18;
    static final int OP_READDIR = 24;
    static final int OP_INIT = 27;
    static final int OP_CREATE = 30;
    static final int OP_UTIMENS = 32;
    static final int OP_FALLOCATE = 39;

    /** {@code struct fuse_file_info}: int flags; a word of bit fields (writepage, direct_io, keep_cache, ...); uint64_t fh at 16. */
    static final long FI_SIZE = 40;
    static final long FI_FLAGS = 0;
    static final long FI_BITS = 4;
    static final int FI_KEEP_CACHE = 1 << 2;
    static final long FI_FH = 16;

    /** glibc x86_64 {@code struct stat} (144 bytes; libfuse zeroes it before getattr). */
    static final long ST_SIZE_OF = 144;
    static final long ST_INO = 8;
    static final long ST_NLINK = 16;
    static final long ST_MODE = 24;
    static final long ST_UID = 28;
    static final long ST_GID = 32;
    static final long ST_SIZE = 48;
    static final long ST_BLKSIZE = 56;
    static final long ST_BLOCKS = 64;
    static final long ST_ATIM = 72;
    static final long ST_MTIM = 88;
    static final long ST_CTIM = 104;

    /** glibc x86_64 {@code struct statvfs}: unsigned longs in this order, from offset 0. */
    static final long SV_SIZE_OF = 112;
    static final long SV_BSIZE = 0;
    static final long SV_FRSIZE = 8;
    static final long SV_BLOCKS = 16;
    static final long SV_BFREE = 24;
    static final long SV_BAVAIL = 32;
    static final long SV_FILES = 40;
    static final long SV_FFREE = 48;
    static final long SV_FAVAIL = 56;
    static final long SV_NAMEMAX = 80;

    /** {@code struct fuse_conn_info}: unsigned proto_major, proto_minor, max_write, max_read, max_readahead, capable, want, ... */
    static final long CONN_SIZE_OF = 128;
    static final long CONN_MAX_WRITE = 8;
    static final long CONN_MAX_READ = 12;
    static final long CONN_MAX_READAHEAD = 16;
    static final long CONN_CAPABLE = 20;
    static final long CONN_WANT = 24;
    static final int CAP_AUTO_INVAL_DATA = 1 << 12;

    /**
     * {@code struct fuse_config} (the high-level settings init may change; in 3.x they are no
     * longer command-line options): six ints, then double entry_timeout, negative_timeout,
     * attr_timeout, four ints (intr, intr_signal, remember, hard_remove), int use_ino.
     */
    static final long CFG_SIZE_OF = 68;
    static final long CFG_ENTRY_TIMEOUT = 24;
    static final long CFG_NEGATIVE_TIMEOUT = 32;
    static final long CFG_ATTR_TIMEOUT = 40;
    static final long CFG_USE_INO = 64;

    /** {@code struct fuse_context}: struct fuse *fuse; uid_t uid; gid_t gid; ... */
    static final long CTX_SIZE_OF = 40;
    static final long CTX_UID = 8;
    static final long CTX_GID = 12;

    /** {@code fuse_fill_dir_t}: int (*)(void *buf, const char *name, const struct stat *st, off_t off, enum flags). */
    static final FunctionDescriptor FILLER = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT);

    private static final Linker LINKER = Linker.nativeLinker();
    private static final List<String> NAMES = List.of("libfuse3.so.3", "libfuse3.so");

    private final int version;
    private final MethodHandle fuseNew;
    private final MethodHandle fuseMount;
    private final MethodHandle fuseUnmount;
    private final MethodHandle fuseDestroy;
    private final MethodHandle loopMt;
    private final MethodHandle cfgCreate;
    private final MethodHandle cfgDestroy;
    private final MethodHandle cfgMaxThreads;
    private final MethodHandle cfgCloneFd;
    private final MethodHandle freeArgs;
    private final MethodHandle getContext;
    private final MethodHandle filler;

    private LibFuse3(SymbolLookup lib, int version) {
        this.version = version;
        fuseNew = handle(lib, "fuse_new_31", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS));
        fuseMount = handle(lib, "fuse_mount", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        fuseUnmount = handle(lib, "fuse_unmount", FunctionDescriptor.ofVoid(ADDRESS));
        fuseDestroy = handle(lib, "fuse_destroy", FunctionDescriptor.ofVoid(ADDRESS));
        loopMt = handle(lib, "fuse_loop_mt_312", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        cfgCreate = handle(lib, "fuse_loop_cfg_create", FunctionDescriptor.of(ADDRESS));
        cfgDestroy = handle(lib, "fuse_loop_cfg_destroy", FunctionDescriptor.ofVoid(ADDRESS));
        cfgMaxThreads = handle(lib, "fuse_loop_cfg_set_max_threads", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT));
        cfgCloneFd = handle(lib, "fuse_loop_cfg_set_clone_fd", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT));
        freeArgs = handle(lib, "fuse_opt_free_args", FunctionDescriptor.ofVoid(ADDRESS));
        getContext = handle(lib, "fuse_get_context", FunctionDescriptor.of(ADDRESS));
        filler = LINKER.downcallHandle(FILLER);
    }

    /**
     * Loads libfuse3 by its soname (the dynamic loader's search path).
     *
     * @throws UnsupportedOperationException with the reason when it cannot be used here
     */
    static LibFuse3 load() {
        if (!"amd64".equals(System.getProperty("os.arch")) || !"Linux".equals(System.getProperty("os.name"))) {
            throw new UnsupportedOperationException("struct offsets are for x86_64 Linux, this is "
                    + System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        }
        SymbolLookup lib = null;
        for (String name : NAMES) {
            try {
                lib = SymbolLookup.libraryLookup(name, Arena.global());
                break;
            } catch (IllegalArgumentException notFound) {
                // next name
            }
        }
        if (lib == null) {
            throw new UnsupportedOperationException("libfuse3 is not installed (apt-get install libfuse3-3)");
        }
        int v;
        try {
            v = (int) handle(lib, "fuse_version", FunctionDescriptor.of(JAVA_INT)).invokeExact();
        } catch (Throwable t) {
            throw new UnsupportedOperationException("fuse_version failed: " + t);
        }
        if (v < MIN_VERSION) {
            throw new UnsupportedOperationException("libfuse " + v / 100 + "." + v % 100 + " is older than 3.12");
        }
        return new LibFuse3(lib, v);
    }

    private static MethodHandle handle(SymbolLookup lib, String name, FunctionDescriptor d) {
        MemorySegment sym = lib.find(name)
                .orElseThrow(() -> new UnsupportedOperationException("libfuse3 lacks " + name));
        return LINKER.downcallHandle(sym, d);
    }

    /** The library's version, e.g. 314 for 3.14. */
    int version() {
        return version;
    }

    /** A {@code struct fuse_args} holding {@code argv} (all in {@code arena}). */
    static MemorySegment args(Arena arena, List<String> argv) {
        MemorySegment vec = arena.allocate(ADDRESS, argv.size() + 1L);
        for (int i = 0; i < argv.size(); i++) {
            vec.setAtIndex(ADDRESS, i, arena.allocateFrom(argv.get(i)));
        }
        vec.setAtIndex(ADDRESS, argv.size(), MemorySegment.NULL);
        MemorySegment args = arena.allocate(MemoryLayout.structLayout(JAVA_INT, MemoryLayout.paddingLayout(4), ADDRESS, JAVA_INT,
                MemoryLayout.paddingLayout(4)));
        args.set(JAVA_INT, 0, argv.size());
        args.set(ADDRESS, 8, vec);
        args.set(JAVA_INT, 16, 0);
        return args;
    }

    /**
     * {@code fuse_new}: parses the options in {@code args} and makes the file system handle.
     *
     * @throws FamfsException IO when libfuse refuses (it printed why on stderr: an unknown option)
     */
    MemorySegment fuseNew(MemorySegment args, MemorySegment ops) {
        MemorySegment f;
        try {
            f = (MemorySegment) fuseNew.invokeExact(args, ops, (long) OPS_COUNT * ADDRESS.byteSize(), MemorySegment.NULL);
            freeArgs.invokeExact(args);
        } catch (Throwable t) {
            throw new FamfsException(ErrorKind.IO, "fuse_new failed: " + t, t);
        }
        if (f.equals(MemorySegment.NULL)) {
            throw new FamfsException(ErrorKind.IO, "fuse_new refused the options (libfuse said why on stderr)");
        }
        return f;
    }

    /** @throws FamfsException IO when the kernel refuses the mount */
    void mount(MemorySegment fuse, Path mountPoint) {
        int rc;
        try (Arena a = Arena.ofConfined()) {
            rc = (int) fuseMount.invokeExact(fuse, a.allocateFrom(mountPoint.toString()));
        } catch (Throwable t) {
            throw new FamfsException(ErrorKind.IO, "fuse_mount failed: " + t, t);
        }
        if (rc != 0) {
            throw new FamfsException(ErrorKind.IO, "fuse_mount " + mountPoint + " failed (libfuse said why on stderr)");
        }
    }

    /**
     * {@code fuse_loop_mt}: serves on up to {@code maxThreads} worker threads until the file
     * system is unmounted.
     *
     * @return the loop's result: 0 after an unmount, else a negated errno or a signal number
     */
    int loop(MemorySegment fuse, int maxThreads, boolean cloneFd) {
        try {
            MemorySegment cfg = (MemorySegment) cfgCreate.invokeExact();
            if (cfg.equals(MemorySegment.NULL)) {
                throw new FamfsException(ErrorKind.IO, "fuse_loop_cfg_create: out of memory");
            }
            try {
                cfgMaxThreads.invokeExact(cfg, maxThreads);
                cfgCloneFd.invokeExact(cfg, cloneFd ? 1 : 0);
                return (int) loopMt.invokeExact(fuse, cfg);
            } finally {
                cfgDestroy.invokeExact(cfg);
            }
        } catch (FamfsException e) {
            throw e;
        } catch (Throwable t) {
            throw new FamfsException(ErrorKind.IO, "fuse_loop_mt failed: " + t, t);
        }
    }

    /** {@code fuse_unmount} then {@code fuse_destroy}; the handle is gone afterwards. */
    void unmountAndDestroy(MemorySegment fuse) {
        try {
            fuseUnmount.invokeExact(fuse);
            fuseDestroy.invokeExact(fuse);
        } catch (Throwable t) {
            throw new FamfsException(ErrorKind.IO, "fuse_unmount/fuse_destroy failed: " + t, t);
        }
    }

    /** {@code fuse_destroy} of a handle that never mounted. */
    void destroy(MemorySegment fuse) {
        try {
            fuseDestroy.invokeExact(fuse);
        } catch (Throwable t) {
            throw new FamfsException(ErrorKind.IO, "fuse_destroy failed: " + t, t);
        }
    }

    /** The calling request's context ({@code fuse_get_context}), valid for the running callback only. */
    MemorySegment context() throws Throwable {
        return ((MemorySegment) getContext.invokeExact()).reinterpret(CTX_SIZE_OF);
    }

    /** Calls readdir's filler with {@code name}: false when libfuse's buffer is full. */
    boolean fill(MemorySegment fillerFn, MemorySegment buf, MemorySegment name) throws Throwable {
        return (int) filler.invokeExact(fillerFn, buf, name, MemorySegment.NULL, 0L, 0) == 0;
    }
}
