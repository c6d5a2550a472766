package io.famfsrocks.cli.rocks;

import io.famfsrocks.rocks.RocksHandle;
import io.famfsrocks.rocks.journal.DatasetPaths;
import org.rocksdb.Checkpoint;
import org.rocksdb.LiveFileMetaData;
import org.rocksdb.RocksDBException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * What {@code sst-publish} reads from a RocksDB directory before publishing it, without
 * taking the DB's lock (read-only opens): its live SSTs, its WAL bytes, and a checkpoint of
 * a DB another process has open.
 */
final class DbDirectory {
    private DbDirectory() {
    }

    /** File number to size of the DB's live SSTs, from a read-only open (which takes no lock). */
    static Map<Long, Long> liveSsts(Path dir) throws RocksDBException {
        Map<Long, Long> out = new TreeMap<>();
        try (RocksHandle h = RocksHandle.openReadOnly(dir)) {
            for (LiveFileMetaData m : h.db().getLiveFilesMetaData()) {
                out.put(DatasetPaths.sstNumber(m.fileName()), m.size());
            }
        }
        return out;
    }

    static long walBytes(Path dir) throws IOException {
        long n = 0;
        try (var s = Files.list(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (p.getFileName().toString().endsWith(".log") && Files.isRegularFile(p)) {
                    n += Files.size(p);
                }
            }
        }
        return n;
    }

    /**
     * A checkpoint of a DB another process has open: a read-only instance (no lock) lists and
     * hard-links its files. Its WAL files are dropped, so the version holds what the live DB
     * had flushed, under the live DB's own file numbers (a WAL flushed here would take a
     * number the live DB later gives another SST).
     */
    static Path checkpoint(Path live, Path target) throws RocksDBException, IOException {
        RocksDBException last = null;
        for (int attempt = 0; attempt < 5; attempt++) { // the live DB may delete a file meanwhile
            ReplicaSession.deleteTree(target);
            try (RocksHandle h = RocksHandle.openReadOnly(live); Checkpoint c = Checkpoint.create(h.db())) {
                c.createCheckpoint(target.toString());
                last = null;
                break;
            } catch (RocksDBException e) {
                last = e;
            }
        }
        if (last != null) {
            throw last;
        }
        try (var s = Files.list(target)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (p.getFileName().toString().endsWith(".log")) {
                    Files.delete(p);
                }
            }
        }
        return target;
    }
}
