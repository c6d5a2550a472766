package io.famfsrocks.rocks.replica;

import io.famfsrocks.famfs.fs.FamfsFile;
import io.famfsrocks.famfs.fs.FamfsVolume;
import io.famfsrocks.rocks.journal.Checksums;
import io.famfsrocks.rocks.journal.DatasetPaths;
import io.famfsrocks.rocks.journal.JournalRecord;
import io.famfsrocks.rocks.journal.SstEntry;

import java.util.ArrayList;
import java.util.List;

/**
 * What a replica that refuses a version says about its files: the shared SSTs whose size or
 * CRC32C differs from what the journal recorded when they were published (a file rewritten
 * afterwards, e.g. by {@code creat -r} or {@code dd} through the master's mount). Read from
 * the device, not through the mount; run only after a failure. Stateless.
 */
final class DamagedSsts {
    private DamagedSsts() {
    }

    /** Null, or one line naming every SST of {@code target} that differs from its journal record. */
    static String describe(FamfsVolume volume, String dataset, JournalRecord.Version target) {
        List<String> bad = new ArrayList<>();
        for (SstEntry s : target.ssts()) {
            String path = DatasetPaths.sst(dataset, s.fileNumber());
            try {
                FamfsFile f = volume.openFile(path);
                if (f.size() != s.size()) {
                    bad.add("/" + path + " has " + f.size() + " bytes, the journal says " + s.size());
                    continue;
                }
                f.invalidate();
                int crc = Checksums.of(f);
                if (crc != s.crc32c()) {
                    bad.add(String.format("/%s has CRC32C 0x%08x, the journal says 0x%08x (rewritten after it was "
                            + "published)", path, crc, s.crc32c()));
                }
            } catch (RuntimeException e) {
                bad.add("/" + path + ": " + e.getMessage());
            }
        }
        return bad.isEmpty() ? null : String.join("; ", bad);
    }
}
