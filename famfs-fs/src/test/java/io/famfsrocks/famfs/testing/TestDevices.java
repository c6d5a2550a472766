package io.famfsrocks.famfs.testing;

import io.famfsrocks.famfs.device.MemoryDevice;
import io.famfsrocks.famfs.fs.Mkfs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/** Sparse device files under /dev/shm that delete themselves. */
public final class TestDevices implements AutoCloseable {
    public final Path path;
    public final String masterUuid = UUID.randomUUID().toString();

    private TestDevices(Path path) {
        this.path = path;
    }

    /** A formatted device of {@code size} bytes with the default 8 MiB log. */
    public static TestDevices formatted(long size) {
        return formatted(size, Mkfs.Options.defaults());
    }

    public static TestDevices formatted(long size, Mkfs.Options opts) {
        TestDevices d = blank(size);
        Mkfs.format(d.path, opts.withSystemUuid(d.masterUuid));
        return d;
    }

    public static TestDevices blank(long size) {
        Path p = Path.of("/dev/shm", "famfs-test-" + UUID.randomUUID());
        MemoryDevice.createFile(p, size);
        p.toFile().deleteOnExit(); // also when a soak is stopped with SIGTERM or Ctrl-C
        return new TestDevices(p);
    }

    @Override
    public void close() {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
