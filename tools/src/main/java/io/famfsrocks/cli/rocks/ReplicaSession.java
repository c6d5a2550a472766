package io.famfsrocks.cli.rocks;

import io.famfsrocks.cli.CliException;
import io.famfsrocks.cli.ExitCode;
import io.famfsrocks.famfs.fs.Famfs;
import io.famfsrocks.famfs.fs.FamfsVolume;
import io.famfsrocks.famfs.fs.OpenOptions;
import io.famfsrocks.famfs.fuse.FamfsMount;
import io.famfsrocks.rocks.journal.DatasetPaths;
import io.famfsrocks.rocks.journal.JournalReader;
import io.famfsrocks.rocks.replica.FamfsReplica;
import io.famfsrocks.rocks.replica.MountedSharedFiles;
import io.famfsrocks.rocks.replica.ReplicaConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Everything one replica of a dataset needs on this host, opened in order and closed in
 * reverse: the volume (this host's role), a read-only FUSE mount unless the caller names
 * one, a local work directory, and the {@link FamfsReplica}. RocksDB reads the shared SSTs
 * through the mount over JNI, which is safe with the mount served in this JVM (see
 * {@link FamfsMount}). Thread-safe; close is idempotent.
 */
final class ReplicaSession implements AutoCloseable {
    /** One-shot reads: a dataset whose first version is not committed yet is not waited for long. */
    static final ReplicaConfig ONE_SHOT = ReplicaConfig.defaults().withOpenTimeout(java.time.Duration.ofSeconds(3));

    private final FamfsVolume volume;
    private final FamfsMount mount;
    private final Path ownMountPoint;
    private final Path workDir;
    private Path readsThrough;
    private FamfsReplica replica;
    private boolean closed;

    private ReplicaSession(FamfsVolume volume, FamfsMount mount, Path ownMountPoint, Path workDir) {
        this.volume = volume;
        this.mount = mount;
        this.ownMountPoint = ownMountPoint;
        this.workDir = workDir;
    }

    /**
     * Opens a replica of {@code dataset} on {@code device}; mounts the device (read-only, at a
     * temporary directory) when {@code mountPoint} is null. Unless {@code waitForDataset}, a
     * dataset that does not exist yet is NOT_FOUND at once (else it is waited for up to
     * {@code cfg.openTimeout()}).
     */
    static ReplicaSession open(Path device, Path mountPoint, String dataset, OpenOptions opts, ReplicaConfig cfg,
                               boolean waitForDataset) throws IOException {
        FamfsVolume v = Famfs.open(device, opts);
        ReplicaSession s = null;
        try {
            if (!waitForDataset && JournalReader.newestJournal(v, DatasetPaths.check(dataset)) < 0) {
                throw new CliException(ExitCode.NOT_FOUND, "no dataset " + dataset + " on " + device
                        + " (publish one with sst-publish)");
            }
            FamfsMount m = null;
            Path own = null;
            Path mp = mountPoint;
            if (mp == null) {
                own = Files.createTempDirectory("famfs-replica-mnt-");
                m = FamfsMount.mount(v, own, FamfsMount.Options.defaults().withReadOnly(true));
                mp = m.mountPoint();
            }
            s = new ReplicaSession(v, m, own, Files.createTempDirectory("famfs-replica-work-"));
            s.readsThrough = mp;
            s.replica = FamfsReplica.open(v, dataset, new MountedSharedFiles(mp, v, 5_000), s.workDir, cfg);
            return s;
        } catch (IOException | RuntimeException e) {
            if (s != null) {
                s.close();
            } else {
                v.close();
            }
            throw e;
        }
    }

    FamfsReplica replica() {
        return replica;
    }

    /** The mount RocksDB reads the shared SSTs through (this session's own or the caller's). */
    Path mountPoint() {
        return readsThrough;
    }

    FamfsVolume volume() {
        return volume;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (replica != null) {
            replica.close();
        }
        if (mount != null) {
            mount.close();
        }
        volume.close();
        deleteTree(workDir);
        if (ownMountPoint != null) {
            try {
                Files.deleteIfExists(ownMountPoint);
            } catch (IOException ignored) {
                // still busy: a stale mount point is cleared by the next mount there
            }
        }
    }

    static void deleteTree(Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (var s = Files.walk(root)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | java.io.UncheckedIOException ignored) {
            // best effort: temporary files only
        }
    }
}
