package io.famfsrocks.famfs.device;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.In;
import jnr.ffi.types.off_t;
import jnr.ffi.types.size_t;

/**
 * The few libc calls the device needs. {@code mmap} takes and returns a {@link Pointer}:
 * declared with plain {@code long} addresses it fails with EINVAL under jnr-ffi.
 */
public interface LibC {
    int O_RDONLY = 0;
    int O_RDWR = 2;
    int O_CLOEXEC = 0x80000;
    int PROT_READ = 1;
    int PROT_WRITE = 2;
    int PROT_EXEC = 4;
    int MAP_SHARED = 1;
    int MS_SYNC = 4;
    int MS_INVALIDATE = 2;
    int MADV_WILLNEED = 3;

    int open(@In String path, int flags, int mode);

    int close(int fd);

    Pointer mmap(Pointer addr, @size_t long length, int prot, int flags, int fd, @off_t long offset);

    int munmap(Pointer addr, @size_t long length);

    int mprotect(Pointer addr, @size_t long length, int prot);

    int msync(Pointer addr, @size_t long length, int flags);

    String strerror(int errnum);

    int flock(int fd, int operation);

    int LOCK_EX = 2;
    int LOCK_UN = 8;

    LibC INSTANCE = LibraryLoader.create(LibC.class).load("c");

    static int errno() {
        return Runtime.getRuntime(INSTANCE).getLastError();
    }

    static String lastError() {
        int e = errno();
        return INSTANCE.strerror(e) + " (errno " + e + ")";
    }
}
