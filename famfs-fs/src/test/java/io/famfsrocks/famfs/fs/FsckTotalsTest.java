package io.famfsrocks.famfs.fs;

import io.famfsrocks.famfs.format.FamfsLayout;
import io.famfsrocks.famfs.format.LogEntry;
import io.famfsrocks.famfs.testing.TestDevices;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.zip.GZIPInputStream;

import static io.famfsrocks.famfs.fs.VolumeTest.MIB;
import static io.famfsrocks.famfs.fs.VolumeTest.as;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reference behaviour (issue 16, item 4): the reference fsck's totals. Its "allocated
 * bytes" count every allocation unit marked in a bitmap of the whole device, the
 * superblock's 2 MiB region and the log included, each unit once; its percentage is those
 * bytes over the bitmap's capacity; its amplification is them over the sum of file sizes;
 * it counts every entry that decodes, and the entries that do not as "bad log entries".
 */
class FsckTotalsTest {

    /** The reference-written golden image: the totals worked out by hand from its expected.json. */
    @Test
    void referenceImageTotalsAreTheReferenceFscksOwn() throws Exception {
        Path copy = Path.of("/dev/shm", "famfs-fsck-totals-" + UUID.randomUUID());
        try (InputStream in = new GZIPInputStream(
                FsckTotalsTest.class.getResourceAsStream("/famfs-golden-v48/image-first-10MiB.bin.gz"))) {
            Files.write(copy, in.readAllBytes());
            try (RandomAccessFile f = new RandomAccessFile(copy.toFile(), "rw")) {
                f.setLength(4L << 30);
            }
            Fsck.ReferenceTotals t = Fsck.check(copy, as(UUID.randomUUID().toString())).reference();
            // 2 MiB superblock region + 8 MiB log; files: 2 + 6 + 2 + 4 strips * 6 + 2 MiB
            assertThat(t.allocatedBytes()).isEqualTo((10 + 2 + 6 + 2 + 24 + 2) * MIB);
            assertThat(t.bitmapCapacity()).isEqualTo(4L << 30);
            assertThat(t.fileBytes()).isEqualTo(1_048_576 + 5_000_000 + 6 + 20_971_520 + 1_048_576);
            assertThat(t.files()).isEqualTo(5);
            assertThat(t.directories()).isEqualTo(3);
            assertThat(String.format(java.util.Locale.ROOT, "%.1f", t.percentUsed())).isEqualTo("1.1"); // 46/4096
            assertThat(String.format(java.util.Locale.ROOT, "%.2f", t.spaceAmplification())).isEqualTo("1.72");
        } finally {
            Files.deleteIfExists(copy);
        }
    }

    /**
     * The figure: a volume whose files hold 2,139,095,040 bytes shows 2,149,580,800
     * allocated in the reference (10 MiB more: superblock region and an 8 MiB log).
     */
    @Test
    void allocatedBytesIncludeTheSuperblockAndLog() {
        try (TestDevices dev = TestDevices.formatted(4L << 30);
             MasterVolume v = Famfs.openMaster(dev.path, as(dev.masterUuid))) {
            v.create("big", 2_139_095_040L, CreateOptions.file());
            Fsck.Report r = Fsck.check(dev.path, as(dev.masterUuid));
            assertThat(r.allocatedBytes()).isEqualTo(2_139_095_040L); // ours: the files only
            assertThat(r.reference().allocatedBytes()).isEqualTo(2_149_580_800L);
            assertThat(r.reference().percentUsed()).isEqualTo((double) (float) (100.0 * (2_149_580_800f / (4L << 30))));
        }
    }

    /** Entries that decode count even when replay skips them; those that do not are "bad log entries". */
    @Test
    void badAndSkippedEntriesCountAsInTheReference() throws Exception {
        try (TestDevices dev = TestDevices.formatted(1L << 30)) {
            LogEntry.FileEntry a;
            try (MasterVolume v = Famfs.openMaster(dev.path, as(dev.masterUuid))) {
                v.create("a", 2 * MIB, CreateOptions.file());
                v.create("b", 2 * MIB, CreateOptions.file());
                v.create("c", 2 * MIB, CreateOptions.file());
                a = ((Node.File) v.lookup("a")).entry();
            }
            // entry 1 becomes a second "a" on a's space: a duplicate path and a collision
            ReferenceSpellingTest.writeEntry(dev.path, 1, a);
            try (RandomAccessFile f = new RandomAccessFile(dev.path.toFile(), "rw")) {
                long at = FamfsLayout.logEntryOffset(2) + 100; // entry 2: CRC no longer matches
                f.seek(at);
                int old = f.read();
                f.seek(at);
                f.write(old ^ 1);
            }
            Fsck.Report r = Fsck.check(dev.path, as(dev.masterUuid));
            assertThat(r.badEntries()).isEqualTo(1);
            assertThat(r.reference().files()).isEqualTo(2); // a and its duplicate
            assertThat(r.reference().collisions()).isEqualTo(1);
            assertThat(r.reference().allocatedBytes()).isEqualTo(12 * MIB); // 10 MiB + a's unit, once
            assertThat(r.files()).isEqualTo(1); // what replay applies
            assertThat(r.clean()).isFalse();
        }
    }
}
