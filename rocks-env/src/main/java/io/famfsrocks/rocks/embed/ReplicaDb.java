package io.famfsrocks.rocks.embed;

import io.famfsrocks.famfs.ErrorKind;
import io.famfsrocks.famfs.fs.Famfs;
import io.famfsrocks.famfs.fs.FamfsVolume;
import io.famfsrocks.famfs.fs.OpenOptions;
import io.famfsrocks.famfs.fuse.ChildMount;
import io.famfsrocks.rocks.BridgeException;
import io.famfsrocks.rocks.replica.FamfsReplica;
import io.famfsrocks.rocks.replica.Freshness;
import io.famfsrocks.rocks.replica.MountedSharedFiles;
import io.famfsrocks.rocks.replica.ReplicaConfig;
import io.famfsrocks.rocks.replica.ReplicaIterator;
import io.famfsrocks.rocks.replica.ReplicaStats;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * A read replica of a published famfs dataset, on any host that sees the device: the volume
 * (this host's role), a read-only mount of it, a private work directory and the {@link
 * FamfsReplica} that follows the primary, opened and closed as one.
 *
 * <pre>
 * try (ReplicaDb replica = ReplicaDb.builder(device, "orders").open()) {
 *     byte[] v = replica.get(key);
 * }
 * </pre>
 *
 * <p>The mount: RocksDB opens the shared SSTs by path, so they are read through a FUSE mount
 * of the device. Unless the caller names one ({@link Builder#mountPoint}), a child JVM serves
 * it ({@link ChildMount}; a process must not read through a FUSE mount it serves itself) at a
 * temporary directory; when that child dies it is restarted and the replica reopened
 * through the new mount. Reads always go to the newest verified version.
 *
 * <p>Closing stops following, then the mount server, then closes the volume and deletes
 * the temporary directories. Idempotent; reads after it fail with IllegalStateException.
 * Thread-safe.
 */
public final class ReplicaDb implements AutoCloseable {
    private final FamfsVolume volume;
    private final String dataset;
    private final ReplicaConfig cfg;
    private final Path workRoot;
    private final List<Consumer<Freshness>> listeners = new CopyOnWriteArrayList<>();
    private ChildMount mount;
    private Path mountPoint;
    private volatile FamfsReplica replica;
    private int reopens;
    private boolean closed;

    private ReplicaDb(FamfsVolume volume, String dataset, ReplicaConfig cfg, Path workRoot) {
        this.volume = volume;
        this.dataset = dataset;
        this.cfg = cfg;
        this.workRoot = workRoot;
    }

    /** A builder for a replica of {@code dataset} on {@code device}. */
    public static Builder builder(Path device, String dataset) {
        return new Builder(device, dataset);
    }

    public byte[] get(byte[] key) {
        return replica().get(key);
    }

    public List<byte[]> multiGet(List<byte[]> keys) {
        return replica().multiGet(keys);
    }

    /** An iterator over the version current now (it keeps reading that version); close it. */
    public ReplicaIterator newIterator() {
        return replica().newIterator();
    }

    /** Which version the reads reflect, how far behind the primary it is, and why if it is stuck. */
    public Freshness freshness() {
        return replica().freshness();
    }

    public ReplicaStats stats() {
        return replica().stats();
    }

    /** Runs {@code listener} on the follower thread after every switch to a newer version. */
    public void onApplied(Consumer<Freshness> listener) {
        listeners.add(listener);
        replica().onApplied(listener);
    }

    public String dataset() {
        return dataset;
    }

    /** Where this replica reads the shared SSTs (its own mount, or the one the caller named). */
    public Path mountPoint() {
        return mountPoint;
    }

    private FamfsReplica replica() {
        FamfsReplica r = replica;
        if (r == null) {
            throw new IllegalStateException("replica of " + dataset + " is closed");
        }
        return r;
    }

    /** The mount server was restarted: files opened through the dead mount fail, so open anew. */
    private synchronized void reopen() {
        if (closed) {
            return;
        }
        FamfsReplica fresh;
        try {
            fresh = openReplica(++reopens);
        } catch (IOException | RuntimeException e) {
            System.err.println("famfs-rocks: cannot reopen replica " + dataset + " after the mount server restarted: "
                    + e.getMessage());
            return;
        }
        listeners.forEach(fresh::onApplied);
        FamfsReplica old = replica;
        replica = fresh;
        if (old != null) {
            old.close(); // reads in flight hold their instance until they finish
        }
    }

    private FamfsReplica openReplica(int generation) throws IOException {
        Path work = Files.createDirectories(workRoot.resolve("work-" + generation));
        return FamfsReplica.open(volume, dataset, new MountedSharedFiles(mountPoint, volume, 5_000), work, cfg);
    }

    /** Stops following, stops the mount server, closes the volume, deletes the temporary files. Idempotent. */
    @Override
    public void close() {
        ChildMount m;
        FamfsReplica r;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            m = mount;
            r = replica;
            replica = null;
        }
        try {
            if (r != null) {
                r.close();
            }
        } finally {
            if (m != null) {
                m.close(); // after the replica: nothing reads through it any more
            }
            volume.close();
            deleteTree(workRoot);
        }
    }

    private static void deleteTree(Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | java.io.UncheckedIOException ignored) {
            // temporary files only: a leftover is harmless
        }
    }

    /** Settings of a {@link ReplicaDb}; {@link #open} may be called once per builder. Not thread-safe. */
    public static final class Builder {
        private final Path device;
        private final String dataset;
        private String systemUuid;
        private Path mountPoint;
        private Path workDir;
        private ReplicaConfig config = ReplicaConfig.defaults();

        private Builder(Path device, String dataset) {
            this.device = Objects.requireNonNull(device, "device");
            this.dataset = Objects.requireNonNull(dataset, "dataset");
        }

        /** This host's system UUID (default: {@code $FAMFS_SYSTEM_UUID}, else {@code /opt/famfs/system_uuid}). */
        public Builder systemUuid(String uuid) {
            this.systemUuid = uuid;
            return this;
        }

        /** An existing mount of the device to read through (a {@code famfs-rocks mount}); default: one of our own. */
        public Builder mountPoint(Path mountPoint) {
            this.mountPoint = mountPoint;
            return this;
        }

        /** Where the temporary work directory goes (default: {@code java.io.tmpdir}). */
        public Builder workDir(Path parent) {
            this.workDir = parent;
            return this;
        }

        /** Polling, open timeout (how long to wait for a first version), read-ahead, mmap reads. */
        public Builder config(ReplicaConfig config) {
            this.config = Objects.requireNonNull(config, "config");
            return this;
        }

        /**
         * Opens the volume, mounts it unless a mount point was given, and opens the replica
         * at the newest version (waiting up to the config's open timeout for a first one).
         * Fails with a {@link io.famfsrocks.famfs.FamfsException}: NOT_FOUND when no version
         * appears in time, IO when the mount server cannot start.
         */
        public ReplicaDb open() {
            FamfsVolume v = Famfs.open(device, OpenOptions.defaults().withSystemUuid(systemUuid));
            ReplicaDb r = null;
            try {
                Path root = workDir == null ? Files.createTempDirectory("famfs-replicadb-")
                        : Files.createTempDirectory(Files.createDirectories(workDir), "famfs-replicadb-");
                r = new ReplicaDb(v, dataset, config, root);
                if (mountPoint != null) {
                    r.mountPoint = mountPoint;
                } else {
                    Path mp = Files.createDirectories(root.resolve("mnt"));
                    r.mount = ChildMount.start(device.toAbsolutePath(), mp, systemUuid, true, root.resolve("mount.log"),
                            r::reopen);
                    r.mountPoint = r.mount.mountPoint();
                }
                FamfsReplica first = r.openReplica(0);
                synchronized (r) {
                    r.replica = first;
                }
                return r;
            } catch (IOException | RuntimeException e) {
                if (r != null) {
                    r.close();
                } else {
                    v.close();
                }
                throw e instanceof IOException io ? new BridgeException(ErrorKind.IO, "cannot open a replica of "
                        + dataset + " on " + device + ": " + io.getMessage(), io) : (RuntimeException) e;
            }
        }
    }
}
