package io.famfsrocks.rocks.journal;

import io.famfsrocks.famfs.device.CacheCoherence;
import io.famfsrocks.famfs.device.TornWalk;
import io.famfsrocks.famfs.fs.Famfs;
import io.famfsrocks.famfs.fs.FamfsVolume;
import io.famfsrocks.famfs.fs.Fsck;
import io.famfsrocks.famfs.fs.MasterVolume;
import io.famfsrocks.famfs.fs.Node;
import io.famfsrocks.famfs.fs.OpenOptions;
import io.famfsrocks.rocks.TestDevice;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The version journal survives a crash of its writer at every step, with any subset of the
 * writer's unfenced cache lines in memory ({@link TornWalk} on the cache model), both while
 * a dataset's first journal is made and its first versions appended, and while a full
 * journal chains to the next: fsck has no defect, the versions readable are 1..K without a
 * gap and decode whole (no torn record, header or seal is ever taken for data), every
 * version whose append returned is among them, a replica's reader (starting at the newest
 * journal) ends at K, and a new writer resumes and publishes K + 1.
 */
class JournalTornStoreTest {
    static final long JOURNAL = 68 * 1024; // the smallest the writer takes
    private int checks;

    private static OpenOptions coherent(String uuid) {
        return OpenOptions.defaults().withSystemUuid(uuid).withCoherence(CacheCoherence.COHERENT);
    }

    static JournalRecord.Version append(JournalWriter w, long v) throws Exception {
        return w.append(v, 0, "OPTIONS-000001", List.of(new SstEntry(v, 10, (int) v)), 1, 200 * v, JournalChainTest::manifest);
    }

    @Test
    void aNewDatasetsJournalAndItsFirstVersionsSurviveEveryTornSubsetAtEveryStep() throws Exception {
        try (TestDevice dev = new TestDevice(16L << 20)) {
            TornWalk.Result r = TornWalk.walk(dev.path, (work, model, progress) -> {
                try (MasterVolume m = Famfs.openMaster(work, coherent(dev.master).withCoherence(model))) {
                    JournalWriter w = JournalWriter.open(m, "ds", JOURNAL, "id-1");
                    for (long v = 1; v <= 2; v++) {
                        append(w, v);
                        progress.add("v" + v);
                    }
                }
            }, (work, progress, where) -> check(work, dev.master, progress, where));
            System.out.println("JournalTornStoreTest: new dataset, 2 versions: " + r + ", " + checks + " checks");
            assertThat(r.steps()).isGreaterThan(10);
        }
    }

    @Test
    void aFullJournalChainingToTheNextSurvivesEveryTornSubsetAtEveryStep() throws Exception {
        try (TestDevice dev = new TestDevice(16L << 20)) {
            long last;
            try (MasterVolume m = Famfs.openMaster(dev.path, coherent(dev.master))) {
                JournalWriter w = JournalWriter.open(m, "ds", JOURNAL, "id-1");
                long v = 0;
                while (w.remaining() > 1200) { // the walk's appends fill it within a few versions and chain
                    append(w, ++v);
                }
                last = v;
            }
            long first = last + 1;
            TornWalk.Result r = TornWalk.walk(dev.path, (work, model, progress) -> {
                try (MasterVolume m = Famfs.openMaster(work, coherent(dev.master).withCoherence(model))) {
                    JournalWriter w = JournalWriter.open(m, "ds", JOURNAL, "id-1");
                    for (long v = first; w.journalIndex() == 0 || v <= first + 3; v++) {
                        append(w, v);
                        progress.add("v" + v);
                    }
                }
            }, (work, progress, where) -> check(work, dev.master, progress, where));
            System.out.println("JournalTornStoreTest: chaining after " + last + " versions: " + r + ", " + checks + " checks");
            assertThat(r.steps()).isGreaterThan(10);
        }
    }

    private void check(Path work, String master, List<String> progress, String where) throws Exception {
        assertThat(Fsck.check(work, coherent(master)).defects()).as("fsck, " + where).isEmpty();
        long reported = progress.isEmpty() ? 0 : Long.parseLong(progress.get(progress.size() - 1).substring(1));
        long k = readable(work, where);
        assertThat(k).as("newest readable version, " + where).isGreaterThanOrEqualTo(reported);
        if (checks++ % 16 == 0) {
            Path carry = TornWalk.copy(work, work.resolveSibling(work.getFileName() + ".carry"));
            try {
                try (MasterVolume m = Famfs.openMaster(carry, coherent(master))) {
                    JournalWriter w = JournalWriter.open(m, "ds", JOURNAL, "id-1");
                    assertThat(w.lastVersion() == null ? 0 : w.lastVersion().version()).as("resumed at, " + where)
                            .isEqualTo(k);
                    append(w, k + 1);
                }
                assertThat(readable(carry, where + ", then one more version")).isEqualTo(k + 1);
            } finally {
                Files.deleteIfExists(carry);
            }
        }
    }

    /** Reads the chain from journal 0 and as a replica does (from the newest); returns the newest version. */
    private static long readable(Path device, String where) {
        try (FamfsVolume c = Famfs.open(device, coherent(UUID.randomUUID().toString()))) {
            if (!(c.lookup(DatasetPaths.journal("ds", 0)) instanceof Node.File)
                    || JournalFile.reading(c, DatasetPaths.journal("ds", 0)).uninitialised()) {
                assertThat(new JournalReader(c, "ds").poll()).as("no header yet, no version, " + where).isEmpty();
                return 0;
            }
            List<Long> versions = new ArrayList<>();
            for (JournalRecord rec : new JournalReader(c, "ds").startAt(0).poll()) {
                if (rec instanceof JournalRecord.Version v) {
                    assertThat(v.manifestBytes()).isEqualTo(
                            JournalChainTest.manifest(v.manifestOffset(), v.manifestEnd()));
                    versions.add(v.version());
                }
            }
            for (int i = 0; i < versions.size(); i++) {
                assertThat(versions.get(i)).as("versions 1..K without a gap, " + where).isEqualTo(i + 1L);
            }
            long k = versions.size();
            List<JournalRecord> fresh = new JournalReader(c, "ds").poll();
            long newest = fresh.stream().filter(x -> x instanceof JournalRecord.Version)
                    .mapToLong(x -> ((JournalRecord.Version) x).version()).max().orElse(0);
            assertThat(newest).as("a replica's reader ends at the newest version, " + where).isEqualTo(k);
            return k;
        }
    }
}
