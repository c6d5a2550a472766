package io.famfsrocks.rocks.publish;

import io.famfsrocks.famfs.ErrorKind;
import io.famfsrocks.famfs.fs.CreateOptions;
import io.famfsrocks.famfs.fs.FamfsFile;
import io.famfsrocks.famfs.fs.MasterVolume;
import io.famfsrocks.famfs.fs.Node;
import io.famfsrocks.rocks.BridgeException;
import io.famfsrocks.rocks.journal.Checksums;
import io.famfsrocks.rocks.journal.DatasetPaths;
import io.famfsrocks.rocks.journal.JournalRecord;
import io.famfsrocks.rocks.journal.SstEntry;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Puts a DB's SSTs and OPTIONS files into the dataset and knows which are there: copies an
 * SST, or reuses the copy an earlier run left when its CRC32C matches, and CRCs the famfs
 * bytes it will name in the journal. Confined to the publisher thread.
 */
final class SstCopier {
    private final MasterVolume volume;
    private final String dataset;
    private final PublisherStats stats;
    /** Shared SSTs by file number, as last published or verified. */
    private final Map<Long, SstEntry> shared = new HashMap<>();
    private String optionsShared;
    /** False while a rotation repacks into this copier's volume: those copies are counted as repacked, not copied. */
    private boolean counting = true;

    SstCopier(MasterVolume volume, String dataset, PublisherStats stats) {
        this.volume = volume;
        this.dataset = dataset;
        this.stats = stats;
    }

    /** Whether copies count in the publisher's copied figures (false during a repack). */
    void counting(boolean c) {
        counting = c;
    }

    /** On restart: keeps, as shared, the SSTs of {@code last} that are still there with their CRC. */
    void verify(JournalRecord.Version last) {
        for (SstEntry s : last.ssts()) {
            String p = DatasetPaths.sst(dataset, s.fileNumber());
            if (volume.lookup(p) instanceof Node.File nf && nf.size() == s.size()
                    && Checksums.of(volume.openFile(p)) == s.crc32c()) {
                shared.put(s.fileNumber(), s);
                stats.reused();
            }
        }
    }

    /** The entry of a shared SST, or null when it must be copied. */
    SstEntry shared(long number) {
        return shared.get(number);
    }

    boolean needsCopy(long number) {
        return !shared.containsKey(number);
    }

    /** Forgets SSTs that are no longer live. */
    void retain(Set<Long> live) {
        shared.keySet().retainAll(live);
    }

    /** Whether SST {@code number} has no file in famfs yet (it will take space and a log slot). */
    boolean isNew(long number) {
        return !shared.containsKey(number) && volume.lookup(DatasetPaths.sst(dataset, number)) == null;
    }

    /** Copies the version's OPTIONS file once (from the descriptor the listing opened). */
    void shareOptions(LiveVersion live) throws IOException {
        if (live.optionsName.equals(optionsShared)) {
            return;
        }
        String dest = DatasetPaths.options(dataset, live.optionsName);
        if (volume.lookup(dest) == null) {
            FileChannel in = live.optionsChannel();
            long size = in.size();
            if (size == 0) {
                throw new BridgeException(ErrorKind.IO, "OPTIONS file " + live.dir.resolve(live.optionsName) + " is empty");
            }
            volume.copyIn(in, size, dest, CreateOptions.file().withMode(0444), false, n -> { });
        }
        optionsShared = live.optionsName;
    }

    /** Copies one SST (or reuses a matching copy left by an earlier run) and CRCs the famfs bytes. */
    SstEntry copy(long number, long size, FileChannel src) throws IOException {
        String dest = DatasetPaths.sst(dataset, number);
        long t0 = System.nanoTime();
        if (volume.lookup(dest) instanceof Node.File nf) {
            if (nf.size() != size) {
                throw new BridgeException(ErrorKind.EXISTS, dest + " exists with " + nf.size()
                        + " bytes but the DB's SST has " + size + "; the dataset does not match this DB");
            }
            int crc = Checksums.of(volume.openFile(dest));
            if (crc == Checksums.of(src, size)) {
                SstEntry e = new SstEntry(number, size, crc);
                shared.put(number, e);
                stats.reused();
                return e;
            }
        }
        FamfsFile f = volume.copyIn(src, size, dest, CreateOptions.file().withMode(0444), true, n -> { }); // 0444: immutable through CLI and mounts
        SstEntry e = new SstEntry(number, size, Checksums.of(f));
        shared.put(number, e);
        if (counting) {
            stats.copied(size, System.nanoTime() - t0);
        }
        return e;
    }
}
