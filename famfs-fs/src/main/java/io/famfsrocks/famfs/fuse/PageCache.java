package io.famfsrocks.famfs.fuse;

import io.famfsrocks.famfs.ErrorKind;
import io.famfsrocks.famfs.FamfsException;
import jnr.ffi.LibraryLoader;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The page cache a FUSE mount keeps of the files read through it: the kernel copies what a
 * reader reads into it, and famfs never deletes a file, so nothing else frees the pages of a
 * file nobody reads any more until memory runs short. {@link #drop} frees one file's pages
 * ({@code posix_fadvise(POSIX_FADV_DONTNEED)}; Java has none). The kernel drops only pages
 * that are clean and not mapped: pages a process still maps stay, so a caller drops a file
 * once no mapping of it is left ({@link #mappedHere} for this process). Thread-safe.
 */
public final class PageCache {
    /** The few libc calls this needs. */
    public interface Libc {
        int open(String path, int flags, int mode);

        int posix_fadvise(int fd, long offset, long len, int advice);

        int close(int fd);
    }

    private static final int O_RDONLY = 0;
    private static final int POSIX_FADV_DONTNEED = 4;
    private static volatile Libc libc;

    private PageCache() {}

    private static Libc libc() {
        Libc l = libc;
        if (l == null) {
            l = LibraryLoader.create(Libc.class).load("c");
            libc = l;
        }
        return l;
    }

    /** Drops the page cache of the file at {@code path} (all of it, clean unmapped pages). */
    public static void drop(Path path) {
        Libc l = libc();
        int fd = l.open(path.toString(), O_RDONLY, 0);
        if (fd < 0) {
            throw new FamfsException(ErrorKind.IO, "cannot open " + path + " to drop its page cache");
        }
        try {
            int rc = l.posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
            if (rc != 0) { // posix_fadvise returns the error number, it does not set errno
                throw new FamfsException(ErrorKind.IO, "posix_fadvise(DONTNEED) failed on " + path + ": error " + rc);
            }
        } finally {
            l.close(fd);
        }
    }

    /**
     * Those of {@code paths} (absolute, without symlinks: as the kernel names them) that this
     * process maps now, from {@code /proc/self/maps}.
     */
    public static Set<Path> mappedHere(Set<Path> paths) {
        Set<Path> mapped = new HashSet<>();
        if (paths.isEmpty()) {
            return mapped;
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(Path.of("/proc/self/maps"));
        } catch (IOException e) {
            throw new FamfsException(ErrorKind.IO, "cannot read /proc/self/maps: " + e.getMessage(), e);
        }
        for (String line : lines) {
            int slash = line.indexOf('/');
            if (slash < 0) {
                continue;
            }
            Path p = Path.of(line.substring(slash));
            if (paths.contains(p)) {
                mapped.add(p);
            }
        }
        return mapped;
    }
}
