package io.famfsrocks.rocks;

import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.ConfigOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.OptionsUtil;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * One open RocksDB instance and every native object it needs (DB options, column family
 * options and handles), owned together: the publisher's DB in {@code sst-publish}, the
 * read-only listings and checkpoints, and each replica secondary are opened through it.
 * Opening loads the options (a DB's latest OPTIONS file, a given one, or defaults), lets the
 * caller adjust them, and opens; a failure closes what was made. {@link #close} is
 * idempotent and {@link #db} refuses use after it. Thread-safe.
 */
public final class RocksHandle implements AutoCloseable {
    /** How to open the DB once its options are loaded and adjusted. */
    @FunctionalInterface
    public interface Opener {
        RocksDB open(DBOptions options, List<ColumnFamilyDescriptor> families, List<ColumnFamilyHandle> handles)
                throws RocksDBException;
    }

    /** Where the options come from. */
    public enum OptionsSource { LATEST_IN_DIR, FILE, DEFAULTS }

    private final String name;
    private final RocksDB db;
    private final DBOptions options;
    private final List<ColumnFamilyDescriptor> families;
    private final List<ColumnFamilyHandle> handles;
    private final AtomicBoolean closed = new AtomicBoolean();

    private RocksHandle(String name, RocksDB db, DBOptions options, List<ColumnFamilyDescriptor> families,
                        List<ColumnFamilyHandle> handles) {
        this.name = name;
        this.db = db;
        this.options = options;
        this.families = families;
        this.handles = handles;
    }

    /**
     * Loads options from {@code source} ({@code path} is the DB directory for LATEST_IN_DIR,
     * the OPTIONS file for FILE, unused for DEFAULTS: create-if-missing, one default column
     * family), applies {@code adjust} to the DB options and {@code adjustFamily} to each
     * column family's, then opens with {@code opener}.
     */
    public static RocksHandle open(OptionsSource source, Path path, Consumer<DBOptions> adjust,
                                   Consumer<ColumnFamilyOptions> adjustFamily, Opener opener) throws RocksDBException {
        DBOptions dbo = new DBOptions();
        List<ColumnFamilyDescriptor> cfs = new ArrayList<>();
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        try (ConfigOptions co = new ConfigOptions()) {
            switch (source) {
                case LATEST_IN_DIR -> OptionsUtil.loadLatestOptions(co, path.toString(), dbo, cfs);
                case FILE -> OptionsUtil.loadOptionsFromFile(co, path.toString(), dbo, cfs);
                case DEFAULTS -> {
                    dbo.setCreateIfMissing(true);
                    cfs.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, new ColumnFamilyOptions()));
                }
            }
            adjust.accept(dbo);
            for (ColumnFamilyDescriptor d : cfs) {
                adjustFamily.accept(d.getOptions());
            }
            RocksDB db = opener.open(dbo, cfs, handles);
            return new RocksHandle(String.valueOf(path), db, dbo, cfs, handles);
        } catch (RocksDBException | RuntimeException e) {
            handles.forEach(ColumnFamilyHandle::close);
            cfs.forEach(d -> d.getOptions().close());
            dbo.close();
            throw e;
        }
    }

    /** A read-only instance of the DB in {@code dir}, with its latest options (takes no lock). */
    public static RocksHandle openReadOnly(Path dir) throws RocksDBException {
        return open(OptionsSource.LATEST_IN_DIR, dir, o -> { }, o -> { },
                (o, cfs, hs) -> RocksDB.openReadOnly(o, dir.toString(), cfs, hs));
    }

    /** The DB; refuses use after {@link #close}. */
    public RocksDB db() {
        if (closed.get()) {
            throw new IllegalStateException("RocksDB handle of " + name + " is closed");
        }
        return db;
    }

    /** The default column family (the first the options list). */
    public ColumnFamilyHandle defaultColumnFamily() {
        db();
        return handles.get(0);
    }

    /** The column family named {@code name}, or null when the DB has none of that name. */
    public ColumnFamilyHandle columnFamily(String name) {
        db();
        for (int i = 0; i < families.size(); i++) {
            if (new String(families.get(i).getName(), java.nio.charset.StandardCharsets.UTF_8).equals(name)) {
                return handles.get(i);
            }
        }
        return null;
    }

    /** Every column family's handle, the default first. */
    public List<ColumnFamilyHandle> columnFamilies() {
        db();
        return List.copyOf(handles);
    }

    public boolean isClosed() {
        return closed.get();
    }

    /** Closes the column family handles, the DB, then the options. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        handles.forEach(ColumnFamilyHandle::close);
        db.close();
        families.forEach(d -> d.getOptions().close());
        options.close();
    }
}
