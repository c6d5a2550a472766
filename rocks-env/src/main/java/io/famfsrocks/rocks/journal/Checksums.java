package io.famfsrocks.rocks.journal;

import io.famfsrocks.famfs.fs.FamfsFile;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.zip.CRC32C;

/** CRC32C of whole files, famfs or local. Stateless, thread-safe. */
public final class Checksums {
    private static final int CHUNK = 1 << 20;

    private Checksums() {}

    /** CRC32C of a famfs file's bytes, read straight from the device. */
    public static int of(FamfsFile f) {
        CRC32C c = new CRC32C();
        try {
            c.update(f.mappedView());
        } catch (RuntimeException notContiguous) {
            ByteBuffer buf = ByteBuffer.allocateDirect(CHUNK);
            for (long pos = 0; pos < f.size(); ) {
                buf.clear();
                int n = f.read(pos, buf);
                buf.flip();
                c.update(buf);
                pos += n;
            }
        }
        return (int) c.getValue();
    }

    /** CRC32C of the first {@code size} bytes of a local file. */
    public static int of(FileChannel ch, long size) throws IOException {
        CRC32C c = new CRC32C();
        ByteBuffer buf = ByteBuffer.allocateDirect(CHUNK);
        for (long pos = 0; pos < size; ) {
            buf.clear().limit((int) Math.min(CHUNK, size - pos));
            int n = ch.read(buf, pos);
            if (n < 0) {
                throw new IOException("file ended at " + pos + " of " + size + " bytes");
            }
            buf.flip();
            c.update(buf);
            pos += n;
        }
        return (int) c.getValue();
    }
}
