package io.famfsrocks.rocks.embed;

import io.famfsrocks.famfs.fs.Famfs;
import io.famfsrocks.famfs.fs.MasterVolume;
import io.famfsrocks.famfs.fs.OpenOptions;
import io.famfsrocks.rocks.BridgeException;
import io.famfsrocks.rocks.publish.FamfsPublisher;
import io.famfsrocks.rocks.publish.PublisherConfig;
import io.famfsrocks.rocks.publish.PublisherMetrics;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A RocksDB primary whose SSTs are published into a famfs dataset: the famfs volume (this
 * host must be its master), the {@link FamfsPublisher} and the DB, opened and closed as one.
 *
 * <pre>
 * try (Options options = new Options().setCreateIfMissing(true);
 *      PrimaryDb primary = PrimaryDb.builder(dbDir).device(device).dataset("orders").options(options).open()) {
 *     primary.db().put(key, value);
 * }
 * </pre>
 *
 * <p>Opening: the volume, then the publisher attached to the options (its listener added to
 * theirs), then {@code RocksDB.open}, then the first publication (the DB's live files);
 * {@code open()} returns once that version is published or publishing has stopped ({@link
 * #metrics()} says why; the DB serves either way). A failure at any step closes what was
 * opened. Closing runs the other way and is the reason this class exists: the publisher
 * stops before the DB closes (a DB closed under a running publisher is a native
 * use-after-free), the DB before the volume. Options given by the caller stay the caller's
 * (close them after this handle, as with {@code RocksDB}); default options are owned here.
 *
 * <p>Close is idempotent; {@link #db()} refuses use after it. Thread-safe.
 */
public final class PrimaryDb implements AutoCloseable {
    private final MasterVolume volume;
    private final FamfsPublisher publisher;
    private final RocksDB db;
    private final Options ownedOptions;
    private final Path path;
    private boolean closed;
    private PublisherMetrics finalMetrics;

    private PrimaryDb(MasterVolume volume, FamfsPublisher publisher, RocksDB db, Options ownedOptions, Path path) {
        this.volume = volume;
        this.publisher = publisher;
        this.db = db;
        this.ownedOptions = ownedOptions;
        this.path = path;
    }

    /** A builder for the primary of the RocksDB directory {@code dbDir}. */
    public static Builder builder(Path dbDir) {
        return new Builder(dbDir);
    }

    /** The RocksDB instance, for reads and writes as usual; refuses use after {@link #close}. */
    public synchronized RocksDB db() {
        if (closed) {
            throw new IllegalStateException("primary of " + path + " is closed");
        }
        return db;
    }

    public String dataset() {
        return publisher.dataset();
    }

    /**
     * The publisher's progress: last version, copies, lag, famfs space, and why it stopped if
     * it did. After {@link #close}, the figures as they were when the publisher stopped.
     */
    public synchronized PublisherMetrics metrics() {
        return closed ? finalMetrics : publisher.metrics();
    }

    /**
     * Asks for a publication of the DB's current version and waits up to {@code timeoutMs}
     * for it; returns the dataset's last version. Flush first to publish recent writes:
     * only flushed data is in SSTs.
     */
    public long publishNow(long timeoutMs) throws InterruptedException {
        return publisher.publishNow(timeoutMs);
    }

    /** Stops the publisher, then closes the DB, the default options if ours, and the volume. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            publisher.close();
            finalMetrics = publisher.metrics();
        } finally {
            db.close();
            if (ownedOptions != null) {
                ownedOptions.close();
            }
            volume.close();
        }
    }

    /** Settings of a {@link PrimaryDb}; {@link #open} may be called once per builder. Not thread-safe. */
    public static final class Builder {
        private final Path dbDir;
        private Path device;
        private String dataset;
        private String systemUuid;
        private Options options;
        private PublisherConfig config = PublisherConfig.defaults();

        private Builder(Path dbDir) {
            this.dbDir = Objects.requireNonNull(dbDir, "dbDir");
        }

        /** The famfs device this host is master of (a {@code /dev/daxX.Y}, or a file made by {@code mkfs}). */
        public Builder device(Path device) {
            this.device = device;
            return this;
        }

        /** The dataset's name in famfs (a path such as {@code orders} or {@code prod/orders}). */
        public Builder dataset(String dataset) {
            this.dataset = dataset;
            return this;
        }

        /** This host's system UUID (default: {@code $FAMFS_SYSTEM_UUID}, else {@code /opt/famfs/system_uuid}). */
        public Builder systemUuid(String uuid) {
            this.systemUuid = uuid;
            return this;
        }

        /**
         * The DB's options, still the caller's to close after the handle; the publisher adds
         * its listener and caps max_manifest_file_size in them. Default: create-if-missing.
         */
        public Builder options(Options options) {
            this.options = options;
            return this;
        }

        public Builder publisherConfig(PublisherConfig config) {
            this.config = Objects.requireNonNull(config, "config");
            return this;
        }

        /**
         * Opens the volume, the DB with the publisher attached, and publishes the first
         * version. Fails with a {@link io.famfsrocks.famfs.FamfsException} (NOT_MASTER when
         * this host is not the device's master, a RocksDB failure as {@link BridgeException}).
         */
        public PrimaryDb open() {
            if (device == null || dataset == null) {
                throw new IllegalStateException("a PrimaryDb needs a device and a dataset");
            }
            RocksDB.loadLibrary();
            MasterVolume volume = Famfs.openMaster(device, OpenOptions.defaults().withSystemUuid(systemUuid));
            Options owned = options == null ? new Options().setCreateIfMissing(true) : null;
            Options o = options == null ? owned : options;
            FamfsPublisher publisher = null;
            RocksDB db = null;
            try {
                volume.requireCompleteLog("publish into");
                publisher = FamfsPublisher.attach(o, volume, dataset, config);
                db = RocksDB.open(o, dbDir.toString());
                publisher.start(db);
                return new PrimaryDb(volume, publisher, db, owned, dbDir);
            } catch (RocksDBException | RuntimeException e) {
                if (publisher != null) {
                    publisher.close();
                }
                if (db != null) {
                    db.close();
                }
                if (owned != null) {
                    owned.close();
                }
                volume.close();
                throw e instanceof RocksDBException r ? BridgeException.rocks("open " + dbDir, r) : (RuntimeException) e;
            }
        }
    }
}
