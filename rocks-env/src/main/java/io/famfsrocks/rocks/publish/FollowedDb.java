package io.famfsrocks.rocks.publish;

import io.famfsrocks.famfs.ErrorKind;
import io.famfsrocks.rocks.BridgeException;
import io.famfsrocks.rocks.RocksHandle;
import io.famfsrocks.rocks.journal.DatasetPaths;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.LongPredicate;

/**
 * A RocksDB directory owned by another process (any language), seen as versions for the
 * sidecar publisher ({@code sst-publish --follow}).
 *
 * <p>Every flush, compaction or MANIFEST roll-over of the owner appends to its MANIFEST or
 * rewrites CURRENT, so a poll first compares CURRENT's MANIFEST name and that MANIFEST's
 * size with the last version taken (two system calls) and returns null when they are
 * unchanged. Otherwise it opens a read-only instance (which takes no lock and writes
 * nothing: no info log, and its WAL directory is an empty one of ours, so the owner's
 * unflushed WAL is neither replayed nor published), lists the version it recovered
 * ({@link LiveVersion#takeOnce}: every live SST, the MANIFEST up to the bytes that version
 * was read from, the OPTIONS file) and opens the files to copy, then closes the instance.
 *
 * <p>Why a version never names an SST that was not copied: the MANIFEST bytes published
 * are exactly those the read-only instance recovered its version from, and every SST of
 * that version is open (an open descriptor keeps a file readable after the owner deletes
 * it) before the listing is returned. An SST the owner deleted before we opened it (a
 * compaction finished meanwhile) fails that opening, or the instance's own opening; then
 * a fresh instance lists the newer version, up to {@value #ATTEMPTS} times.
 *
 * <p>Confined to the publisher thread.
 */
final class FollowedDb implements VersionSource {
    static final int ATTEMPTS = 20;

    private final Path dir;
    private final Path emptyWalDir;
    private final PublisherStats stats;
    private String lastManifest;
    private long lastManifestSize = -1;

    /**
     * @param emptyWalDir an empty directory of ours, given to the read-only instances as
     *                    their WAL directory
     */
    FollowedDb(Path dir, Path emptyWalDir, PublisherStats stats) {
        this.dir = dir;
        this.emptyWalDir = emptyWalDir;
        this.stats = stats;
    }

    /** The owner's DB identity (its IDENTITY file): a dataset belongs to one DB. */
    String identity() {
        try {
            return Files.readString(dir.resolve("IDENTITY")).trim();
        } catch (IOException e) {
            throw new BridgeException(ErrorKind.IO, "cannot read the IDENTITY of " + dir + ": " + e.getMessage(), e);
        }
    }

    @Override
    public LiveVersion take(long sequenceFloor, LongPredicate needsCopy) throws RocksDBException, IOException {
        Exception last = null;
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            String manifest;
            long size;
            try {
                manifest = Files.readString(dir.resolve("CURRENT"), StandardCharsets.US_ASCII).trim();
                size = Files.size(dir.resolve(manifest));
            } catch (NoSuchFileException raced) { // CURRENT rewritten, the old MANIFEST deleted: read again
                last = raced;
                pause();
                continue;
            }
            if (manifest.equals(lastManifest) && size == lastManifestSize) {
                return null;
            }
            try (RocksHandle h = RocksHandle.open(RocksHandle.OptionsSource.LATEST_IN_DIR, dir, o -> {
                o.setWalDir(emptyWalDir.toString());
                o.setMaxOpenFiles(16); // list, do not open every table: new SSTs are verified one by one
            }, cf -> { }, (o, cfs, hs) -> RocksDB.openReadOnly(o, dir.toString(), cfs, hs))) {
                // Its sequence is the MANIFEST's last one (no WAL was replayed); the files alone can under-report it
                // (bottommost compactions zero sequence numbers).
                long floor = Math.max(sequenceFloor, h.db().getLatestSequenceNumber());
                LiveVersion v = LiveVersion.takeOnce(h.db(), dir, floor, needsCopy);
                recordCreation(v, needsCopy);
                lastManifest = manifest;
                lastManifestSize = size;
                return v;
            } catch (NoSuchFileException | RocksDBException raced) {
                last = raced; // a file deleted under the listing or the instance's recovery: list anew
                pause();
            }
        }
        throw new BridgeException(ErrorKind.IO, "the files of " + dir + " changed under " + ATTEMPTS
                + " listings in a row; last: " + last.getMessage(), last);
    }

    /** SSTs seen for the first time: their modification time stands for their creation (for the lag figures). */
    private void recordCreation(LiveVersion v, LongPredicate needsCopy) {
        for (Map.Entry<Long, Long> e : v.sizes.entrySet()) {
            if (needsCopy.test(e.getKey())) {
                try {
                    long mtime = Files.getLastModifiedTime(dir.resolve(DatasetPaths.sstName(e.getKey()))).toMillis();
                    stats.fileCreatedAt(e.getKey(), e.getValue(), mtime);
                } catch (IOException gone) {
                    // deleted since it was opened: it is copied from the descriptor anyway
                }
            }
        }
    }

    private static void pause() {
        try {
            Thread.sleep(5);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
