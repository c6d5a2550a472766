package io.famfsrocks.rocks.publish;

import org.rocksdb.RocksDBException;

import java.io.IOException;
import java.util.function.LongPredicate;

/**
 * Where a publication's version comes from: the publisher's own DB (listed in place), or a
 * DB another process owns ({@link FollowedDb}). Called on the publisher thread only.
 */
interface VersionSource {
    /**
     * The DB's current version with its files held open ({@link LiveVersion}), or null when
     * the source knows nothing changed since the last version it returned.
     *
     * @param sequenceFloor the sequence number known to be in the version
     * @param needsCopy     which SSTs are not shared yet (their descriptors are opened)
     */
    LiveVersion take(long sequenceFloor, LongPredicate needsCopy) throws RocksDBException, IOException;
}
