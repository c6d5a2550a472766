package io.famfsrocks.famfs.fuse;

import com.kenai.jffi.MemoryIO;
import jnr.ffi.Pointer;
import jnr.ffi.Struct;
import jnr.ffi.types.mode_t;
import jnr.ffi.types.off_t;
import jnr.ffi.types.size_t;
import ru.serce.jnrfuse.FuseFillDir;
import ru.serce.jnrfuse.FuseStubFS;
import ru.serce.jnrfuse.struct.FileStat;
import ru.serce.jnrfuse.struct.FuseFileInfo;
import ru.serce.jnrfuse.struct.Statvfs;
import ru.serce.jnrfuse.struct.Timespec;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The jnr-fuse (libfuse2, high-level API) binding: each callback converts jnr structs
 * to plain values, calls {@link FamfsFuseOps} (which never throws) and converts back.
 * Only supported operations are overridden; jnr-fuse registers only those. Thread-safe
 * as {@link FamfsFuseOps} is; libfuse2 serves on several threads ({@code fuse_loop_mt}).
 *
 * <p>{@code flush} is deliberately not implemented (famfs has nothing to flush on close):
 * the first FLUSH gets ENOSYS and the kernel never sends another, so {@code close(2)} on
 * a famfs file never waits for the daemon. That matters when the daemon dies: a process
 * killed while it serves its own mount closes its open files on exit, and a FLUSH nobody
 * can answer would leave it a zombie holding the mount forever.
 */
public final class JnrFuseBinding extends FuseStubFS implements FuseBinding {
    /** Offset of the bit-field word holding {@code direct_io} and {@code keep_cache} in libfuse2's fuse_file_info. */
    private static final int FI_BITS_OFFSET = 20;
    private static final int FI_KEEP_CACHE = 1 << 1;
    private static final MemoryIO IO = MemoryIO.getInstance();
    /** Seconds a name or attribute stays cached: famfs names never go away and sizes never change. */
    static final long CACHE_SECONDS = 365L * 24 * 3600;
    static final int MAX_READ = 128 * 1024;

    private final FamfsFuseOps ops;

    public JnrFuseBinding(FamfsFuseOps ops) {
        this.ops = ops;
    }

    /** The libfuse2 options for a mount. */
    static List<String> fuseOptions(FamfsMount.Options o, boolean writable, String fsName) {
        List<String> opts = new ArrayList<>(List.of(
                "fsname=" + fsName.replace(",", "\\,"), "subtype=famfs", "default_permissions", "use_ino",
                "max_read=" + MAX_READ, "max_write=" + MAX_READ, "big_writes", "max_readahead=" + (o.readAheadKb() * 1024),
                "entry_timeout=" + CACHE_SECONDS, "attr_timeout=" + CACHE_SECONDS, "negative_timeout=0"));
        if (!writable) {
            opts.add("ro");
        }
        if (o.allowOther()) {
            opts.add("allow_other");
        }
        List<String> args = new ArrayList<>();
        for (String s : opts) {
            args.add("-o");
            args.add(s);
        }
        return args;
    }

    @Override
    public void serve(Path mountPoint, FamfsMount.Options options, String fsName) {
        String[] args = fuseOptions(options, ops.writable(), fsName).toArray(new String[0]);
        try {
            mount(mountPoint, true, options.debug(), args);
        } finally {
            mounted.set(false); // served to the end: jnr-fuse's exit hook must not unmount a later mount here
        }
    }

    @Override
    protected String getFSName() {
        return "famfs";
    }

    @Override
    public Pointer init(Pointer conn) {
        ops.init();
        return null;
    }

    @Override
    public int getattr(String path, FileStat stat) {
        return ops.getattr(path, (ino, mode, nlink, uid, gid, size, blocks, blksize, time) -> {
            stat.st_ino.set(ino);
            stat.st_mode.set(mode);
            stat.st_nlink.set(nlink);
            stat.st_uid.set(uid);
            stat.st_gid.set(gid);
            stat.st_size.set(size);
            stat.st_blocks.set(blocks);
            stat.st_blksize.set(blksize);
            setTime(stat.st_atim, time);
            setTime(stat.st_mtim, time);
            setTime(stat.st_ctim, time);
        });
    }

    private static void setTime(Timespec t, long sec) {
        t.tv_sec.set(sec);
        t.tv_nsec.set(0);
    }

    @Override
    public int readdir(String path, Pointer buf, FuseFillDir filler, @off_t long offset, FuseFileInfo fi) {
        return ops.readdir(path, name -> filler.apply(buf, name, null, 0) == 0);
    }

    @Override
    public int open(String path, FuseFileInfo fi) {
        long h = ops.open(path, fi.flags.get());
        if (h < 0) {
            return (int) h;
        }
        fi.fh.set(h);
        if (ops.keepCache(h)) {
            jnr.ffi.Pointer mem = Struct.getMemory(fi);
            mem.putInt(FI_BITS_OFFSET, mem.getInt(FI_BITS_OFFSET) | FI_KEEP_CACHE);
        }
        return 0;
    }

    @Override
    public int read(String path, Pointer buf, @size_t long size, @off_t long offset, FuseFileInfo fi) {
        return ops.read(fi.fh.get(), path, IO.newDirectByteBuffer(buf.address(), (int) size), offset);
    }

    @Override
    public int write(String path, Pointer buf, @size_t long size, @off_t long offset, FuseFileInfo fi) {
        return ops.write(fi.fh.get(), path, IO.newDirectByteBuffer(buf.address(), (int) size), offset);
    }

    @Override
    public int fsync(String path, int isdatasync, FuseFileInfo fi) {
        return ops.fsync(fi.fh.get(), path);
    }

    @Override
    public int release(String path, FuseFileInfo fi) {
        return ops.release(fi.fh.get(), path);
    }

    @Override
    public int statfs(String path, Statvfs st) {
        return ops.statfs((bsize, frsize, blocks, bfree, files, ffree, namemax) -> {
            st.f_bsize.set(bsize);
            st.f_frsize.set(frsize);
            st.f_blocks.set(blocks);
            st.f_bfree.set(bfree);
            st.f_bavail.set(bfree);
            st.f_files.set(files);
            st.f_ffree.set(ffree);
            st.f_favail.set(ffree);
            st.f_namemax.set(namemax);
        });
    }

    @Override
    public int mkdir(String path, @mode_t long mode) {
        return ops.mkdir(path, (int) mode, (int) getContext().uid.get(), (int) getContext().gid.get());
    }

    @Override
    public int truncate(String path, @off_t long size) {
        return ops.truncate(path, size);
    }

    @Override
    public int ftruncate(String path, @off_t long size, FuseFileInfo fi) {
        return ops.truncate(path, size);
    }

    @Override
    public int create(String path, @mode_t long mode, FuseFileInfo fi) {
        return ops.refuse("create", path);
    }

    @Override
    public int mknod(String path, @mode_t long mode, long rdev) {
        return ops.refuse("mknod", path);
    }

    @Override
    public int unlink(String path) {
        return ops.refuse("unlink", path);
    }

    @Override
    public int rmdir(String path) {
        return ops.refuse("rmdir", path);
    }

    @Override
    public int rename(String oldpath, String newpath) {
        return ops.refuse("rename", oldpath);
    }

    @Override
    public int link(String oldpath, String newpath) {
        return ops.refuse("link", newpath);
    }

    @Override
    public int symlink(String oldpath, String newpath) {
        return ops.refuse("symlink", newpath);
    }

    @Override
    public int chmod(String path, @mode_t long mode) {
        return ops.refuse("chmod", path);
    }

    @Override
    public int chown(String path, long uid, long gid) {
        return ops.refuse("chown", path);
    }

    @Override
    public int utimens(String path, Timespec[] timespec) {
        return ops.refuse("utimens", path);
    }

    @Override
    public int fallocate(String path, int mode, @off_t long off, @off_t long length, FuseFileInfo fi) {
        return ops.refuse("fallocate", path);
    }
}
