package io.famfsrocks.rocks.replica;

import io.famfsrocks.famfs.ErrorKind;
import io.famfsrocks.famfs.fs.FamfsFile;
import io.famfsrocks.famfs.fs.FamfsVolume;
import io.famfsrocks.rocks.BridgeException;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Test code only, never the product's read path: exports each famfs file, on first use,
 * into a local directory (tmpfs) by copying it from the device, for tests that run a
 * replica without FUSE. Users' replicas read SSTs through a mount ({@link MountedSharedFiles});
 * benchmarks measure that path. Files are immutable once published, so a copy never goes
 * stale. Thread-safe.
 */
public final class ExportedSharedFiles implements SharedFiles {
    private final FamfsVolume volume;
    private final Path dir;

    public ExportedSharedFiles(FamfsVolume volume, Path dir) {
        this.volume = volume;
        this.dir = dir;
    }

    @Override
    public synchronized Path pathOf(String famfsPath) {
        Path target = dir.resolve(famfsPath);
        if (Files.exists(target)) {
            return target;
        }
        volume.refresh();
        FamfsFile f = volume.openFile(famfsPath);
        f.invalidate();
        try {
            Files.createDirectories(target.getParent());
            Path tmp = target.resolveSibling(target.getFileName() + ".part");
            try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                f.transferTo(out);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            return target;
        } catch (IOException e) {
            throw new BridgeException(ErrorKind.IO, "cannot export " + famfsPath + " to " + dir + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "export " + dir;
    }
}
