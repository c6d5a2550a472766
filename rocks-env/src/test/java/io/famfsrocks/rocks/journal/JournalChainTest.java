package io.famfsrocks.rocks.journal;

import io.famfsrocks.famfs.fs.FamfsVolume;
import io.famfsrocks.famfs.fs.MasterVolume;
import io.famfsrocks.rocks.TestDevice;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JournalChainTest {
    private static final int N = 200;

    /** A growing fake MANIFEST: byte i is (byte) i. */
    static byte[] manifest(long from, long to) {
        byte[] b = new byte[(int) (to - from)];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (from + i);
        }
        return b;
    }

    @Test
    void fullJournalsChainAndEveryJournalCarriesTheWholeManifest() throws Exception {
        try (TestDevice dev = new TestDevice(256L << 20); MasterVolume m = dev.openMaster()) {
            long journalSize = 72 * 1024;
            JournalWriter w = JournalWriter.open(m, "ds", journalSize, "id-1");
            long size = 0;
            for (int i = 1; i <= N; i++) {
                size += 300;
                w.append(i, 0, "OPTIONS-000001", List.of(new SstEntry(i, 10, i)), 1, size, JournalChainTest::manifest);
            }
            assertThat(w.journalIndex()).isGreaterThan(0);

            try (FamfsVolume c = dev.openClient()) {
                // A reader from journal 0 sees every version in order and reconstructs the MANIFEST.
                JournalReader r = new JournalReader(c, "ds").startAt(0);
                List<JournalRecord.Version> vs = new ArrayList<>();
                int seals = 0;
                byte[] rebuilt = new byte[0];
                for (JournalRecord rec : r.poll()) {
                    if (rec instanceof JournalRecord.Seal) {
                        seals++;
                        continue;
                    }
                    JournalRecord.Version v = (JournalRecord.Version) rec;
                    vs.add(v);
                    if (v.manifestOffset() == 0) {
                        rebuilt = v.manifestBytes();
                    } else {
                        assertThat(v.manifestOffset()).isEqualTo(rebuilt.length);
                        byte[] n = Arrays.copyOf(rebuilt, (int) v.manifestEnd());
                        System.arraycopy(v.manifestBytes(), 0, n, rebuilt.length, v.manifestBytes().length);
                        rebuilt = n;
                    }
                }
                assertThat(seals).isEqualTo(w.journalIndex());
                assertThat(vs).extracting(JournalRecord.Version::version).containsExactlyElementsOf(
                        java.util.stream.LongStream.rangeClosed(1, N).boxed().toList());
                assertThat(rebuilt).isEqualTo(manifest(0, size));

                // A reader starting fresh begins at the newest journal with the whole MANIFEST.
                JournalReader fresh = new JournalReader(c, "ds");
                JournalRecord.Version first = (JournalRecord.Version) fresh.poll().get(0);
                assertThat(first.manifestOffset()).isZero();
                assertThat(fresh.journalIndex()).isEqualTo(w.journalIndex());

                // It then follows new appends by polling the committed length.
                assertThat(fresh.poll()).isEmpty();
                w.append(N + 1, 0, "OPTIONS-000001", List.of(), 2, 100, JournalChainTest::manifest);
                JournalRecord.Version vNext = (JournalRecord.Version) fresh.poll().get(0);
                assertThat(vNext.version()).isEqualTo(N + 1);
                assertThat(vNext.manifestOffset()).isZero(); // MANIFEST rollover restarts at 0
            }

            // The writer resumes where it stopped and refuses another DB.
            JournalWriter again = JournalWriter.open(m, "ds", journalSize, "id-1");
            assertThat(again.lastVersion().version()).isEqualTo(N + 1);
            assertThat(again.journalIndex()).isEqualTo(w.journalIndex());
            assertThat(again.append(N + 2, 0, "OPTIONS-000001", List.of(), 2, 150, JournalChainTest::manifest)
                    .manifestOffset()).isEqualTo(100);
            assertThatThrownBy(() -> JournalWriter.open(m, "ds", journalSize, "other-db"))
                    .hasMessageContaining("identity");
        }
    }

    @Test
    void aRecordLargerThanAJournalIsRefusedWithoutWritingAnything() throws Exception {
        try (TestDevice dev = new TestDevice(256L << 20); MasterVolume m = dev.openMaster()) {
            JournalWriter w = JournalWriter.open(m, "big", 72 * 1024, "id");
            long before = w.committed();
            assertThatThrownBy(() -> w.append(1, 0, "OPTIONS-1", List.of(), 1, 100_000, JournalChainTest::manifest))
                    .hasMessageContaining("does not fit");
            assertThat(w.committed()).isEqualTo(before);
            assertThat(w.journalIndex()).isZero();
        }
    }
}
