package io.famfsrocks.famfs.fs;

import io.famfsrocks.famfs.ErrorKind;
import io.famfsrocks.famfs.FamfsException;
import io.famfsrocks.famfs.device.LibC;

import java.nio.file.Path;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Serialises log writers on one host, as the reference does with {@code flock}: an
 * exclusive BSD lock on the device file, held for one operation (refresh, allocate,
 * append). {@code flock} belongs to the open file description, so unlike {@code fcntl}
 * locks it is not dropped when some other descriptor of the same file is closed, and it
 * also excludes other threads of this process that lock through their own descriptor.
 * Thread-safe; reentrant within a thread.
 */
final class WriterLock {

    private final Path path;
    private final ReentrantLock local = new ReentrantLock();
    private int fd = -1;

    WriterLock(Path path) {
        this.path = path;
    }

    /** Blocks until this thread holds the lock. */
    Held acquire() {
        local.lock();
        try {
            if (local.getHoldCount() == 1) {
                int f = LibC.INSTANCE.open(path.toString(), LibC.O_RDONLY | LibC.O_CLOEXEC, 0);
                if (f < 0) {
                    throw new FamfsException(ErrorKind.IO, "cannot open " + path + " to lock it: " + LibC.lastError());
                }
                if (LibC.INSTANCE.flock(f, LibC.LOCK_EX) != 0) {
                    String err = LibC.lastError();
                    LibC.INSTANCE.close(f);
                    throw new FamfsException(ErrorKind.IO, "cannot lock " + path + ": " + err);
                }
                fd = f;
            }
            return this::release;
        } catch (RuntimeException e) {
            local.unlock();
            throw e;
        }
    }

    private void release() {
        if (local.getHoldCount() == 1 && fd >= 0) {
            LibC.INSTANCE.flock(fd, LibC.LOCK_UN);
            LibC.INSTANCE.close(fd);
            fd = -1;
        }
        local.unlock();
    }

    /** A held lock; closing releases it. */
    interface Held extends AutoCloseable {
        @Override
        void close();
    }
}
