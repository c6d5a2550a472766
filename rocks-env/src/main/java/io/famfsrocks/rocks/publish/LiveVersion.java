package io.famfsrocks.rocks.publish;

import io.famfsrocks.famfs.ErrorKind;
import io.famfsrocks.rocks.BridgeException;
import io.famfsrocks.rocks.journal.DatasetPaths;
import io.famfsrocks.rocks.journal.JournalRecord;
import io.famfsrocks.rocks.journal.SstEntry;
import org.rocksdb.LiveFileMetaData;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.LongPredicate;

/**
 * The DB's current version as one publication sees it: its live SSTs, MANIFEST and OPTIONS
 * file, with descriptors open on everything still to be copied (an open descriptor keeps a
 * file readable after RocksDB deletes it). Confined to the publisher thread; closing it
 * closes the descriptors.
 */
final class LiveVersion implements AutoCloseable {
    final Path dir;
    /** File number to size of every live SST, in file-number order. */
    final TreeMap<Long, Long> sizes = new TreeMap<>();
    private final Map<Long, Path> paths = new HashMap<>();
    private final Map<Long, FileChannel> channels = new HashMap<>();
    private FileChannel manifest;
    private FileChannel options;
    long manifestNumber = -1;
    long manifestSize;
    /** Everything up to this sequence number is in the listed version. */
    long sequence;
    long maxFileNumberSeen;
    String optionsName;

    private LiveVersion(Path dir, long sequenceFloor) {
        this.dir = dir;
        this.sequence = sequenceFloor;
    }

    /**
     * Lists the current version of {@code db} and opens the MANIFEST and every SST
     * {@code needsCopy} names. Optimistic first: list, then open; the only race is a file
     * deleted between listing and opening, which shows as NoSuchFileException and makes us
     * list again. After a few such races it pins deletions around listing and opening
     * (disableFileDeletions / enableFileDeletions); pinning on every publication cost ~15 ms,
     * because re-enabling deletions makes RocksDB scan the whole DB directory.
     *
     * @param sequenceFloor the sequence number known to be flushed before listing (bottommost
     *                      compactions zero sequence numbers, so the files alone can under-report)
     */
    static LiveVersion take(RocksDB db, Path dir, long sequenceFloor, LongPredicate needsCopy)
            throws RocksDBException, IOException {
        return take(db, dir, sequenceFloor, needsCopy, needsCopy);
    }

    /**
     * As above, verifying the block checksums only of the SSTs {@code needsVerify} names (a
     * rotation's repack opens every SST, but those it published before were verified then).
     */
    static LiveVersion take(RocksDB db, Path dir, long sequenceFloor, LongPredicate needsCopy, LongPredicate needsVerify)
            throws RocksDBException, IOException {
        for (int attempt = 0; attempt < 5; attempt++) {
            try {
                return take(db, dir, sequenceFloor, needsCopy, needsVerify, false);
            } catch (NoSuchFileException raced) {
                // a compaction or MANIFEST rollover deleted a listed file: list again
            }
        }
        return take(db, dir, sequenceFloor, needsCopy, needsVerify, true);
    }

    /**
     * One listing of {@code db} and one opening of its files, without pinning (a read-only
     * instance cannot pin): a file deleted in between is a NoSuchFileException for the
     * caller, who lists again ({@link FollowedDb} with a fresh instance).
     */
    static LiveVersion takeOnce(RocksDB db, Path dir, long sequenceFloor, LongPredicate needsCopy)
            throws RocksDBException, IOException {
        return take(db, dir, sequenceFloor, needsCopy, needsCopy, false);
    }

    private static LiveVersion take(RocksDB db, Path dir, long sequenceFloor, LongPredicate needsCopy,
                                    LongPredicate needsVerify, boolean pin) throws RocksDBException, IOException {
        LiveVersion s = new LiveVersion(dir, sequenceFloor);
        if (pin) {
            db.disableFileDeletions();
        }
        try {
            for (int attempt = 0; ; attempt++) {
                // getLiveFiles lists every referenced file and the MANIFEST size; the metadata
                // (current version only) taken after it must name no file the listing lacks,
                // or a new version was installed in between and we list again.
                RocksDB.LiveFiles live = db.getLiveFiles(false);
                List<LiveFileMetaData> md = db.getLiveFilesMetaData();
                if (!listed(md, live) && attempt < 10) {
                    continue;
                }
                s.fill(md, live);
                break;
            }
            s.open(needsCopy, needsVerify);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        } finally {
            if (pin) {
                db.enableFileDeletions();
            }
        }
        return s;
    }

    private static boolean listed(List<LiveFileMetaData> md, RocksDB.LiveFiles live) {
        Set<String> names = new HashSet<>(live.files);
        for (LiveFileMetaData m : md) {
            String n = m.fileName().startsWith("/") ? m.fileName() : "/" + m.fileName();
            if (!names.contains(n)) {
                return false;
            }
        }
        return true;
    }

    private void fill(List<LiveFileMetaData> md, RocksDB.LiveFiles live) {
        for (LiveFileMetaData m : md) {
            long n = DatasetPaths.sstNumber(m.fileName());
            sizes.put(n, m.size());
            paths.put(n, Path.of(m.path(), m.fileName().startsWith("/") ? m.fileName().substring(1) : m.fileName()));
            sequence = Math.max(sequence, m.largestSeqno());
            maxFileNumberSeen = Math.max(maxFileNumberSeen, n);
        }
        for (String f : live.files) {
            long mn = DatasetPaths.manifestNumber(f);
            if (mn >= 0) {
                manifestNumber = mn;
                maxFileNumberSeen = Math.max(maxFileNumberSeen, mn);
            } else if (f.startsWith("/OPTIONS-")) {
                optionsName = f.substring(1);
            }
        }
        manifestSize = live.manifestFileSize;
        if (manifestNumber < 0 || optionsName == null) {
            throw new BridgeException(ErrorKind.IO, "RocksDB listed no MANIFEST or OPTIONS file in " + live.files);
        }
    }

    private void open(LongPredicate needsCopy, LongPredicate needsVerify) throws IOException {
        manifest = FileChannel.open(dir.resolve(DatasetPaths.manifestName(manifestNumber)), StandardOpenOption.READ);
        // Held open too: an owner in another process may replace its OPTIONS file (SetOptions) meanwhile.
        options = FileChannel.open(dir.resolve(optionsName), StandardOpenOption.READ);
        for (Map.Entry<Long, Long> e : sizes.entrySet()) {
            if (needsCopy.test(e.getKey())) {
                channels.put(e.getKey(), FileChannel.open(paths.get(e.getKey()), StandardOpenOption.READ));
                if (needsVerify.test(e.getKey())) {
                    SstVerifier.verify(paths.get(e.getKey())); // a corrupt SST is never published (issue 13)
                }
            }
        }
        if (manifest.size() < manifestSize) {
            // The MANIFEST we opened is not the one listed (rolled over and reused name): list again.
            throw new NoSuchFileException(DatasetPaths.manifestName(manifestNumber));
        }
    }

    /** The open descriptor of the version's OPTIONS file. */
    FileChannel optionsChannel() {
        return options;
    }

    /** The open descriptor of SST {@code number} (one that needed copying when listed). */
    FileChannel channel(long number) {
        return channels.get(number);
    }

    /** Whether {@code last} already names exactly this version (nothing to publish). */
    boolean isPublishedAs(JournalRecord.Version last) {
        if (last == null || last.manifestNumber() != manifestNumber || last.manifestEnd() != manifestSize
                || !optionsName.equals(last.optionsName()) || last.ssts().size() != sizes.size()) {
            return false;
        }
        for (SstEntry s : last.ssts()) {
            if (!sizes.containsKey(s.fileNumber())) {
                return false;
            }
        }
        return true;
    }

    /** MANIFEST bytes {@code [from, to)}, from the descriptor opened when listing. */
    byte[] readManifest(long from, long to) throws IOException {
        ByteBuffer b = ByteBuffer.allocate((int) (to - from));
        while (b.hasRemaining()) {
            if (manifest.read(b, from + b.position()) < 0) {
                throw new IOException("MANIFEST ended early");
            }
        }
        return b.array();
    }

    @Override
    public void close() {
        for (FileChannel c : channels.values()) {
            closeQuietly(c);
        }
        closeQuietly(manifest);
        closeQuietly(options);
    }

    private static void closeQuietly(FileChannel c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException ignored) {
                // read-only descriptor: nothing to lose
            }
        }
    }
}
