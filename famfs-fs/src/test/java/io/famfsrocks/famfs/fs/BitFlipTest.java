package io.famfsrocks.famfs.fs;

import io.famfsrocks.famfs.FamfsException;
import io.famfsrocks.famfs.format.FamfsLayout;
import io.famfsrocks.famfs.format.LogEntry;
import io.famfsrocks.famfs.format.LogHeader;
import io.famfsrocks.famfs.format.Superblock;
import io.famfsrocks.famfs.testing.TestDevices;
import org.junit.jupiter.api.Test;

import java.io.RandomAccessFile;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Random single-bit flips in the superblock, the log header and log entries: open,
 * replay and fsck either fail with a FamfsException or carry on; they never crash, and
 * fsck never reports a flipped CRC-covered byte as clean.
 */
class BitFlipTest {
    @Test
    void flipsNeverCrashOpenReplayOrFsck() throws Exception {
        try (TestDevices dev = TestDevices.formatted(1L << 30)) {
            try (MasterVolume v = Famfs.openMaster(dev.path, OpenOptions.defaults().withSystemUuid(dev.masterUuid))) {
                v.mkdirs("a/b", CreateOptions.dir());
                for (int i = 0; i < 10; i++) {
                    v.create("a/b/f" + i, 1 + i * 300_000L, CreateOptions.file());
                }
            }
            OpenOptions client = OpenOptions.defaults().withSystemUuid(UUID.randomUUID().toString());
            Random r = new Random(2024);
            List<long[]> regions = List.of(
                    new long[] {0, Superblock.SIZE},
                    new long[] {FamfsLayout.LOG_OFFSET, LogHeader.SIZE},
                    new long[] {FamfsLayout.logEntryOffset(0), 12L * LogEntry.SIZE});
            int flips = 0;
            int detected = 0;
            List<String> surprises = new ArrayList<>();
            try (RandomAccessFile f = new RandomAccessFile(dev.path.toFile(), "rw")) {
                for (long[] region : regions) {
                    for (int k = 0; k < 150; k++) {
                        long off = region[0] + (long) r.nextInt((int) region[1]);
                        int bit = r.nextInt(8);
                        f.seek(off);
                        int old = f.read();
                        f.seek(off);
                        f.write(old ^ (1 << bit));
                        flips++;
                        try {
                            Fsck.Report rep = Fsck.check(dev.path, client);
                            if (!rep.clean()) {
                                detected++;
                            } else if (coveredByCrc(off)) {
                                surprises.add("fsck clean after flip at 0x" + Long.toHexString(off));
                            }
                            try (FamfsVolume vol = Famfs.open(dev.path, client)) {
                                vol.refresh();
                                for (int i = 0; i < 10; i++) {
                                    Node n = vol.lookup("a/b/f" + i);
                                    if (n instanceof Node.File file) {
                                        vol.openFile(file.path()).read(0, java.nio.ByteBuffer.allocate(64));
                                    }
                                }
                            } catch (FamfsException expected) {
                                // a clear, typed refusal is a correct answer
                            }
                        } catch (RuntimeException | Error crash) {
                            surprises.add("flip at 0x" + Long.toHexString(off) + " bit " + bit + ": " + crash);
                        } finally {
                            f.seek(off);
                            f.write(old);
                        }
                    }
                }
            }
            System.out.printf("bit flips: %d flips, %d reported by fsck, %d crashes or missed CRC flips%n",
                    flips, detected, surprises.size());
            assertThat(surprises).isEmpty();
            assertThat(flips).isEqualTo(450);
            assertThat(detected).isGreaterThan(300);
            assertThat(Fsck.check(dev.path, client).clean()).isTrue();
        }
    }

    /** Bytes whose flip a CRC must catch: superblock [0,96), header [0,24), entry slots in use. */
    static boolean coveredByCrc(long off) {
        if (off < Superblock.CRC_COVERED + 8) {
            return true;
        }
        if (off >= Superblock.SIZE && off < FamfsLayout.LOG_OFFSET) {
            return false;
        }
        long h = off - FamfsLayout.LOG_OFFSET;
        if (h >= 0 && h < LogHeader.SIZE) {
            return h < LogHeader.OFF_CRC + 8;
        }
        long e = off - FamfsLayout.logEntryOffset(0);
        return e >= 0 && e < 12L * LogEntry.SIZE;
    }
}
