package io.famfsrocks.rocks.replica;

import io.famfsrocks.famfs.ErrorKind;
import io.famfsrocks.rocks.BridgeException;
import io.famfsrocks.rocks.journal.DatasetPaths;
import io.famfsrocks.rocks.journal.JournalRecord;
import io.famfsrocks.rocks.journal.SstEntry;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The private directory a secondary instance opens: symlinks named like the primary's SSTs
 * pointing into the shared files, the MANIFEST rebuilt from journal records, and CURRENT.
 * Order of a switch: SST links first, MANIFEST bytes next, CURRENT last (by atomic
 * rename, only when the MANIFEST changes). A secondary instance that reads MANIFEST
 * bytes naming an SST it cannot see yet catches up "successfully" yet stays on the old
 * version until a reopen, so the SSTs must be visible before the bytes that name them. Not thread-safe: the replica's
 * follower thread owns it.
 */
final class ReplicaDirectory {
    private final Path dir;
    private final SharedFiles shared;
    private final String dataset;
    /** File number -> the shared file its link points to (real path, as /proc/self/maps names it). */
    private final Map<Long, Path> linked = new HashMap<>();
    private long manifestNumber = -1;
    private long manifestLength;
    private long currentNumber = -1;
    private final ByteBuffer readAheadBuf = ByteBuffer.allocateDirect(1 << 20);
    long readAheadBytes;

    ReplicaDirectory(Path dir, SharedFiles shared, String dataset) throws IOException {
        this.dir = dir;
        this.shared = shared;
        this.dataset = dataset;
        if (Files.exists(dir)) {
            try (Stream<Path> s = Files.list(dir)) {
                for (Path p : (Iterable<Path>) s::iterator) {
                    Files.delete(p);
                }
            }
        }
        Files.createDirectories(dir);
    }

    Path path() {
        return dir;
    }

    long manifestNumber() {
        return manifestNumber;
    }

    /** Links (and reads ahead) every SST of {@code v} not linked yet. */
    void linkSsts(JournalRecord.Version v, boolean readAhead) throws IOException {
        for (SstEntry s : v.ssts()) {
            if (linked.containsKey(s.fileNumber())) {
                continue;
            }
            Path target = shared.pathOf(DatasetPaths.sst(dataset, s.fileNumber()));
            long size = Files.size(target);
            if (size != s.size()) {
                throw new BridgeException(ErrorKind.CORRUPT_MEDIA, target + " has " + size
                        + " bytes, the journal says " + s.size());
            }
            if (readAhead) {
                readAhead(target, size);
            }
            Path link = dir.resolve(DatasetPaths.sstName(s.fileNumber()));
            Files.deleteIfExists(link);
            Files.createSymbolicLink(link, target);
            linked.put(s.fileNumber(), target.toRealPath());
        }
    }

    private void readAhead(Path p, long size) throws IOException {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            long pos = 0;
            while (pos < size) {
                readAheadBuf.clear();
                int n = ch.read(readAheadBuf, pos);
                if (n < 0) {
                    break;
                }
                pos += n;
            }
            readAheadBytes += pos;
        }
    }

    /**
     * Appends the record's MANIFEST bytes (or starts a new MANIFEST); when CURRENT must
     * switch, {@link #currentBehind()} says so and the caller switches with
     * {@link #switchCurrent()} afterwards.
     */
    void applyManifest(JournalRecord.Version v) throws IOException {
        if (v.manifestNumber() != manifestNumber) {
            if (v.manifestOffset() != 0) {
                throw new BridgeException(ErrorKind.CORRUPT_MEDIA, "version " + v.version() + " continues MANIFEST-"
                        + v.manifestNumber() + " at " + v.manifestOffset() + " but this replica has not seen its start");
            }
            Path m = dir.resolve(DatasetPaths.manifestName(v.manifestNumber()));
            try (FileChannel ch = FileChannel.open(m, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                writeFully(ch, ByteBuffer.wrap(v.manifestBytes()), 0);
            }
            manifestNumber = v.manifestNumber();
            manifestLength = v.manifestEnd();
            return;
        }
        if (v.manifestOffset() > manifestLength) {
            throw new BridgeException(ErrorKind.CORRUPT_MEDIA, "version " + v.version() + " continues MANIFEST-"
                    + v.manifestNumber() + " at " + v.manifestOffset() + ", this replica has only " + manifestLength + " bytes");
        }
        if (v.manifestEnd() > manifestLength) {
            int skip = (int) (manifestLength - v.manifestOffset());
            try (FileChannel ch = FileChannel.open(dir.resolve(DatasetPaths.manifestName(manifestNumber)),
                    StandardOpenOption.WRITE)) {
                writeFully(ch, ByteBuffer.wrap(v.manifestBytes(), skip, v.manifestBytes().length - skip), manifestLength);
            }
            manifestLength = v.manifestEnd();
        }
    }

    void switchCurrent() throws IOException {
        Path tmp = dir.resolve("CURRENT.tmp");
        Files.writeString(tmp, DatasetPaths.currentContent(manifestNumber), StandardCharsets.US_ASCII);
        Files.move(tmp, dir.resolve("CURRENT"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        currentNumber = manifestNumber;
    }

    /** Whether CURRENT does not name the MANIFEST being written yet. */
    boolean currentBehind() {
        return manifestNumber >= 0 && currentNumber != manifestNumber;
    }

    /**
     * Removes links and MANIFESTs the applied version no longer uses (the secondary keeps open
     * files readable) and puts the shared files of the removed links into {@code unlinked}
     * (file number -> shared path), so the caller can drop their page cache.
     */
    void prune(Collection<Long> live, Map<Long, Path> unlinked) throws IOException {
        Set<Long> keep = new HashSet<>(live);
        for (Long n : Set.copyOf(linked.keySet())) {
            if (!keep.contains(n)) {
                Files.deleteIfExists(dir.resolve(DatasetPaths.sstName(n)));
                unlinked.put(n, linked.remove(n));
            }
        }
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                long mn = DatasetPaths.manifestNumber(p.getFileName().toString());
                if (mn >= 0 && mn != manifestNumber) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer b, long pos) throws IOException {
        while (b.hasRemaining()) {
            pos += ch.write(b, pos);
        }
    }
}
