package io.famfsrocks.cli.rocks;

import io.famfsrocks.cli.CliException;
import io.famfsrocks.cli.ExitCode;
import io.famfsrocks.cli.OwnedTemp;
import io.famfsrocks.famfs.fs.Famfs;
import io.famfsrocks.famfs.fs.FamfsVolume;
import io.famfsrocks.famfs.fs.OpenOptions;
import io.famfsrocks.famfs.fuse.ChildMount;
import io.famfsrocks.rocks.journal.DatasetPaths;
import io.famfsrocks.rocks.journal.JournalReader;
import io.famfsrocks.rocks.replica.ChildEpochMounts;
import io.famfsrocks.rocks.replica.FamfsReplica;
import io.famfsrocks.rocks.replica.MountedSharedFiles;
import io.famfsrocks.rocks.replica.ReplicaConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Everything one replica of a dataset needs on this host, opened in order and closed in
 * reverse: the volume (this host's role), a read-only FUSE mount unless the caller names
 * one, a local work directory, and the {@link FamfsReplica}. The mount is never served by
 * this JVM: a process must not read through a FUSE mount it serves itself (a fault that
 * waits for its own FUSE threads can hang it beyond SIGKILL). It is served by a supervised
 * child process ({@link ChildMount}); when that child dies, it is restarted and the replica
 * is reopened through the new mount (the old one's open files are dead). Over a pool
 * ({@link #openPool}) the replica mounts each epoch itself through the same kind of
 * supervised child ({@link ChildEpochMounts}) and reopens an epoch's instance when its
 * mount server restarts; the session then holds no volume of its own.
 * Thread-safe; close is idempotent.
 */
final class ReplicaSession implements AutoCloseable {
    static final String MOUNT_POINT_PREFIX = "famfs-replica-mnt-";
    static final String MOUNT_LOG_PREFIX = "famfs-replica-mount-";
    static final String WORK_PREFIX = "famfs-replica-work-";

    /** One-shot reads: a dataset whose first version is not committed yet is not waited for long. */
    static final ReplicaConfig ONE_SHOT = ReplicaConfig.defaults().withOpenTimeout(java.time.Duration.ofSeconds(3));

    private final FamfsVolume volume;
    private final Path ownMountPoint;
    private final String dataset;
    private final ReplicaConfig cfg;
    private ChildMount mount;
    private Path mountLog;
    private Path mountPoint;
    private Path workDir;
    private volatile FamfsReplica replica;
    private boolean closed;
    /** SIGTERM at any time, even while opening, stops the mount server and removes the temporary directories. */
    private final Thread exitHook = new Thread(this::close, "replica-session-close");

    private ReplicaSession(FamfsVolume volume, Path ownMountPoint, String dataset, ReplicaConfig cfg) {
        this.volume = volume;
        this.ownMountPoint = ownMountPoint;
        this.dataset = dataset;
        this.cfg = cfg;
        Runtime.getRuntime().addShutdownHook(exitHook);
    }

    /**
     * Opens a replica of {@code dataset} on {@code device}; mounts the device (read-only, at a
     * temporary directory) when {@code mountPoint} is null. Unless {@code waitForDataset}, a
     * dataset that does not exist yet is NOT_FOUND at once (else it is waited for up to
     * {@code cfg.openTimeout()}).
     */
    static ReplicaSession open(ReplicaOptions where, String envDevice, OpenOptions opts, ReplicaConfig cfg,
                               boolean waitForDataset) throws IOException {
        ReplicaConfig c = where.config(cfg);
        return where.isPool() ? openPool(where.pool(), where.dataset, opts, c)
                : open(where.device(envDevice), where.mount, where.dataset, opts, c, waitForDataset);
    }

    /**
     * Opens a replica over the pool {@code devices}: its active epoch, mounted (and each later
     * epoch) through a supervised mount server at a temporary directory of this session.
     */
    static ReplicaSession openPool(List<Path> devices, String dataset, OpenOptions opts, ReplicaConfig cfg)
            throws IOException {
        sweepDeadSessions();
        ReplicaSession s = new ReplicaSession(null, null, dataset, cfg);
        try {
            s.workDir = OwnedTemp.createDirectory(WORK_PREFIX);
            ChildEpochMounts mounts = new ChildEpochMounts(opts.systemUuid(), new ChildEpochMounts.Places() {
                @Override
                public Path newMountPoint() throws IOException {
                    return OwnedTemp.createDirectory(MOUNT_POINT_PREFIX);
                }

                @Override
                public Path newLog() throws IOException {
                    return OwnedTemp.createFile(MOUNT_LOG_PREFIX, ".log");
                }
            });
            s.replica = FamfsReplica.openPool(devices, opts, dataset, mounts, s.workDir, cfg);
            return s;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    static ReplicaSession open(Path device, Path mountPoint, String dataset, OpenOptions opts, ReplicaConfig cfg,
                               boolean waitForDataset) throws IOException {
        sweepDeadSessions();
        FamfsVolume v = Famfs.open(device, opts);
        ReplicaSession s = null;
        try {
            refuseOneEpochOfAPool(v, dataset, device);
            if (!waitForDataset && JournalReader.newestJournal(v, DatasetPaths.check(dataset)) < 0) {
                throw new CliException(ExitCode.NOT_FOUND, "no dataset " + dataset + " on " + device
                        + " (publish one with sst-publish)");
            }
            Path own = mountPoint == null ? OwnedTemp.createDirectory(MOUNT_POINT_PREFIX) : null;
            s = new ReplicaSession(v, own, dataset, cfg);
            s.mountPoint = mountPoint;
            if (own != null) {
                s.mountLog = OwnedTemp.createFile(MOUNT_LOG_PREFIX, ".log");
                s.mount = ChildMount.start(device.toAbsolutePath(), own, opts.systemUuid(), true, s.mountLog,
                        s::reopen);
                s.mountPoint = s.mount.mountPoint();
            }
            s.workDir = OwnedTemp.createDirectory(WORK_PREFIX);
            s.replica = FamfsReplica.open(v, dataset, new MountedSharedFiles(s.mountPoint, v, 5_000), s.workDir, cfg);
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

    /**
     * Removes what sessions of processes that died without closing (SIGKILL) left in the
     * temporary directory: work directories, mount-server logs, and empty mount points (a
     * stale mount there is left alone). Another live session's files are untouched.
     */
    static void sweepDeadSessions() {
        OwnedTemp.sweep(WORK_PREFIX, false);
        OwnedTemp.sweep(MOUNT_LOG_PREFIX, false);
        OwnedTemp.sweep(MOUNT_POINT_PREFIX, true);
    }

    /** The one volume this session reads; null over a pool (the replica mounts each epoch's itself). */
    FamfsVolume volume() {
        return volume;
    }

    /** The replica now: another one after the mount server was restarted. */
    FamfsReplica replica() {
        return replica;
    }

    /** The mount server was restarted: files the replica opened through the dead mount fail; open anew. */
    private synchronized void reopen() {
        if (closed || volume == null) {
            return;
        }
        Path work;
        FamfsReplica fresh;
        try {
            work = OwnedTemp.createDirectory(WORK_PREFIX);
            fresh = FamfsReplica.open(volume, dataset, new MountedSharedFiles(mountPoint, volume, 5_000), work, cfg);
        } catch (IOException | RuntimeException e) {
            System.err.println("famfs-rocks: cannot reopen replica " + dataset + " after the mount server restarted: "
                    + e.getMessage());
            return;
        }
        FamfsReplica old = replica;
        Path oldWork = workDir;
        replica = fresh;
        workDir = work;
        System.err.println("famfs-rocks: replica " + dataset + " reopened through the restarted mount (version "
                + fresh.freshness().appliedVersion() + ")");
        if (old != null) {
            old.close(); // in-flight reads hold their handle until they finish
        }
        deleteTree(oldWork);
    }

    /** The mount RocksDB reads the shared SSTs through (this session's own or the caller's). */
    Path mountPoint() {
        return mountPoint;
    }


    @Override
    public void close() {
        ChildMount m;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            m = mount;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(exitHook);
        } catch (IllegalStateException | IllegalArgumentException shuttingDown) {
            // running as the hook, or the JVM is exiting
        }
        if (replica != null) {
            replica.close();
        }
        if (m != null) {
            m.close(); // after the replica: nothing reads through it any more
        }
        if (volume != null) {
            volume.close();
        }
        deleteTree(workDir);
        if (mountLog != null) {
            try {
                Files.deleteIfExists(mountLog);
            } catch (IOException ignored) {
                // a leftover log is harmless
            }
        }
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

    /**
     * A dataset kept in epochs is opened through its whole pool: one of its devices alone
     * serves (or publishes into) one epoch until it rotates away, and then reads as a corrupt
     * journal or forks the chain.
     */
    static void refuseOneEpochOfAPool(io.famfsrocks.famfs.fs.FamfsVolume v, String dataset, Path device) {
        if (v.lookup(DatasetPaths.check(dataset) + "/" + io.famfsrocks.rocks.epoch.EpochFile.NAME) != null) {
            throw new CliException(ExitCode.USAGE, "dataset " + dataset + " on " + device + " is one epoch of a pool "
                    + "of devices; give every device of the pool (--device for each)");
        }
    }
}
