package io.famfsrocks.cli;

import io.famfsrocks.famfs.fs.FamfsFile;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Whether a famfs file holds exactly a host file's bytes (cp onto an existing copy). */
final class SameBytes {
    private static final int STEP = 1 << 20;

    private SameBytes() {}

    static boolean check(FamfsFile f, Path src) throws IOException {
        try (FileChannel in = FileChannel.open(src, StandardOpenOption.READ)) {
            if (in.size() != f.size()) {
                return false;
            }
            ByteBuffer a = ByteBuffer.allocateDirect(STEP);
            ByteBuffer b = ByteBuffer.allocateDirect(STEP);
            for (long pos = 0; pos < f.size(); ) {
                int n = (int) Math.min(STEP, f.size() - pos);
                a.clear().limit(n);
                b.clear().limit(n);
                while (a.hasRemaining()) {
                    if (in.read(a, pos + a.position()) < 0) {
                        return false;
                    }
                }
                while (b.hasRemaining()) {
                    f.read(pos + b.position(), b);
                }
                if (!a.flip().equals(b.flip())) {
                    return false;
                }
                pos += n;
            }
            return true;
        }
    }
}
