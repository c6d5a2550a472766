package io.famfsrocks.famfs.device;

import io.famfsrocks.famfs.ErrorKind;
import io.famfsrocks.famfs.FamfsException;
import jnr.ffi.Pointer;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * What a device path is and mapping it whole: a DAX character device (its size from sysfs)
 * or a regular file (its length; writes to it need {@code msync} unless it lives on a memory
 * file system). {@link MemoryDevice#open} uses both; nothing here keeps state.
 */
final class DeviceMapping {
    /** A probed device: its size, whether it is a DAX device, whether flushes need msync. */
    record Probe(long size, boolean dax, boolean needsMsync) {
    }

    private DeviceMapping() {
    }

    /** Stats {@code path}: NOT_FOUND, IO, or INVALID_ARGUMENT (neither kind, or empty) when it cannot be a device. */
    static Probe probe(Path path) {
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(path, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            throw new FamfsException(ErrorKind.NOT_FOUND, "device " + path + " does not exist");
        } catch (IOException e) {
            throw new FamfsException(ErrorKind.IO, "cannot stat device " + path + ": " + e.getMessage(), e);
        }
        boolean dax = attrs.isOther();
        long size;
        boolean msync = false;
        if (dax) {
            size = daxSize(path);
        } else if (attrs.isRegularFile()) {
            size = attrs.size();
            msync = !isMemoryFileSystem(path);
        } else {
            throw new FamfsException(ErrorKind.INVALID_ARGUMENT,
                    path + " is neither a DAX character device nor a regular file");
        }
        if (size <= 0) {
            throw new FamfsException(ErrorKind.INVALID_ARGUMENT, "device " + path + " is empty");
        }
        return new Probe(size, dax, msync);
    }

    /** Maps {@code [0, size)} of {@code path} with {@code MAP_SHARED}; the descriptor is closed again. */
    static Pointer map(Path path, long size, boolean writable) {
        LibC c = LibC.INSTANCE;
        int fd = c.open(path.toString(), (writable ? LibC.O_RDWR : LibC.O_RDONLY) | LibC.O_CLOEXEC, 0);
        if (fd < 0) {
            throw new FamfsException(ErrorKind.IO, "cannot open device " + path + ": " + LibC.lastError());
        }
        try {
            int prot = LibC.PROT_READ | (writable ? LibC.PROT_WRITE : 0);
            Pointer p = c.mmap(null, size, prot, LibC.MAP_SHARED, fd, 0);
            if (p == null || p.address() == -1L) {
                throw new FamfsException(ErrorKind.IO, "cannot map device " + path + " (" + size + " bytes): "
                        + LibC.lastError());
            }
            return p;
        } finally {
            c.close(fd); // the mapping keeps its own reference to the file
        }
    }

    private static long daxSize(Path path) {
        try {
            long rdev = ((Number) Files.getAttribute(path, "unix:rdev")).longValue();
            long major = ((rdev >>> 8) & 0xfff) | ((rdev >>> 32) & ~0xfffL);
            long minor = (rdev & 0xff) | ((rdev >>> 12) & ~0xffL);
            Path sys = Path.of("/sys/dev/char/" + major + ":" + minor + "/size");
            return Long.parseLong(Files.readString(sys).trim());
        } catch (IOException | RuntimeException e) {
            throw new FamfsException(ErrorKind.IO, "cannot read the size of DAX device " + path
                    + " from sysfs: " + e.getMessage(), e);
        }
    }

    private static boolean isMemoryFileSystem(Path path) {
        try {
            FileStore store = Files.getFileStore(path);
            String type = store.type();
            return type.equals("tmpfs") || type.equals("hugetlbfs") || type.equals("ramfs");
        } catch (IOException e) {
            return false;
        }
    }
}
