package io.famfsrocks.famfs.device;

import io.famfsrocks.famfs.ErrorKind;
import io.famfsrocks.famfs.FamfsException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Bulk writes into a regular-file device through the kernel ({@code pwrite}, and
 * {@code copy_file_range}/{@code sendfile} behind {@link FileChannel#transferFrom}) rather than
 * through the mapping: the kernel fills the file's pages directly, with no page fault per
 * 4 KiB. The channel is opened on first use. Thread-safe; after {@link #close} it refuses use.
 */
final class KernelWrites implements AutoCloseable {
    private final Path path;
    private volatile FileChannel channel;
    private boolean closed; // guarded by this

    KernelWrites(Path path) {
        this.path = path;
    }

    /** Writes all of {@code src} at file offset {@code at}. */
    void write(ByteBuffer src, long at) {
        try {
            FileChannel out = channel();
            while (src.hasRemaining()) {
                at += out.write(src, at);
            }
        } catch (IOException e) {
            throw new FamfsException(ErrorKind.IO, "write to " + path + " failed: " + e.getMessage(), e);
        }
    }

    /** Copies {@code count} bytes of {@code in} (from its position) to file offset {@code offset}. */
    void transferFrom(FileChannel in, long offset, long count) throws IOException {
        FileChannel out = channel();
        long done = 0;
        while (done < count) {
            long n = out.transferFrom(in, offset + done, count - done);
            if (n <= 0) {
                throw new FamfsException(ErrorKind.IO, "source ended early: " + done + " of " + count + " bytes");
            }
            done += n;
        }
    }

    private FileChannel channel() throws IOException {
        FileChannel c = channel;
        if (c == null) {
            synchronized (this) {
                c = channel;
                if (c == null) {
                    if (closed) {
                        throw new IllegalStateException("device " + path + " is closed");
                    }
                    c = FileChannel.open(path, StandardOpenOption.WRITE);
                    channel = c;
                }
            }
        }
        return c;
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // the device's mapping is what matters
            }
        }
    }
}
