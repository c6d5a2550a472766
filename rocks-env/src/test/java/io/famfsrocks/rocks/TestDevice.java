package io.famfsrocks.rocks;

import io.famfsrocks.famfs.device.MemoryDevice;
import io.famfsrocks.famfs.fs.Famfs;
import io.famfsrocks.famfs.fs.FamfsVolume;
import io.famfsrocks.famfs.fs.MasterVolume;
import io.famfsrocks.famfs.fs.Mkfs;
import io.famfsrocks.famfs.fs.OpenOptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/** A sparse famfs device under /dev/shm with a master and client identity; deleted on close. */
public final class TestDevice implements AutoCloseable {
    public final Path path;
    public final String master = UUID.randomUUID().toString();

    public TestDevice(long size) {
        this(size, Mkfs.Options.defaults().logLen());
    }

    public TestDevice(long size, long logLen) {
        path = Path.of("/dev/shm/famfs-rocks-test-" + UUID.randomUUID());
        MemoryDevice.createFile(path, size);
        Mkfs.format(path, Mkfs.Options.defaults().withSystemUuid(master).withLogLen(logLen));
    }

    public MasterVolume openMaster() {
        return Famfs.openMaster(path, OpenOptions.defaults().withSystemUuid(master));
    }

    public FamfsVolume openClient() {
        return Famfs.open(path, OpenOptions.defaults().withSystemUuid(UUID.randomUUID().toString()));
    }

    @Override
    public void close() throws Exception {
        Files.deleteIfExists(path);
    }
}
