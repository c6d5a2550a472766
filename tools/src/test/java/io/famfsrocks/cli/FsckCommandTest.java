package io.famfsrocks.cli;

import io.famfsrocks.famfs.device.MemoryDevice;
import io.famfsrocks.famfs.format.FamfsLayout;
import io.famfsrocks.famfs.format.LogEntry;
import io.famfsrocks.famfs.fs.Mkfs;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class FsckCommandTest extends CliTestBase {
    @Test
    void cleanVolumeReportsLikeTheReference() {
        mkfs();
        master("mkdir", "--device", d(), "d").expect(ExitCode.OK);
        master("creat", "-s", "2m", "--device", d(), "d/f").expect(ExitCode.OK);
        String out = master("fsck", d()).expect(ExitCode.OK).out();
        assertThat(out).contains("Famfs Superblock:", "role of this node: Owner", "# of log entries in use: 2 of 15420",
                "No allocation errors found", "1 files\n  1 directories", "is clean");
        // the reference's lines and totals: superblock region and log count as allocated (10 MiB + 2 MiB)
        assertThat(out).contains("  Device UUID:       ", "  alloc_unit:        0x200000\n", "  OMF major version: 2\n",
                "  log size (bytes):  8388608\n", "  Log size (total bytes)    8388608\n",
                "  Bitmap capacity:        1073741824\n", "  Sum of file sizes:      2097152\n",
                "  Allocated bytes:        12582912\n", "  Free space:             1061158912\n",
                "  Space amplification:     6.00\n", "  Percent used:            1.2%\n",
                "  0 bad log entries detected\n");
        // ours, as extra lines: the files alone
        assertThat(out).contains("  Allocated to files:     2097152\n", "  File space amplification: 1.00\n");
        assertThat(client("fsck", "-h", "-v", d()).expect(ExitCode.OK).out())
                .contains("role of this node: Client", "Device capacity:        1.00G", "sizeof(log_entry)  544");
        assertThat(client("fsck", "--json", d()).expect(ExitCode.OK).out())
                .contains("\"clean\": true", "\"role\": \"Client\"", "\"defects\": []", "\"allocated_bytes\": 12582912",
                        "\"file_allocated_bytes\": 2097152", "\"bitmap_capacity\": 1073741824");
    }

    /** The reference prints with glibc's printf: exact value, ties to even; inf for x / 0. */
    @Test
    void numbersArePrintedAsCsPrintfPrintsThem() {
        assertThat(FsckCommand.cFixed(12.25, 1)).isEqualTo("12.2");
        assertThat(FsckCommand.cFixed(12.35f, 1)).isEqualTo("12.4"); // 12.35f is 12.3500003...: above the tie
        assertThat(FsckCommand.cFixed(6.0, 2)).isEqualTo("6.00");
        assertThat(FsckCommand.cFixed((float) 12582912 / 0f, 2)).isEqualTo("inf");
        assertThat(FsckCommand.cFixed(0.0 / 0.0, 2)).isEqualTo("nan");
    }

    @Test
    void corruptEntryIsADefect() {
        mkfs();
        master("creat", "-s", "2m", "--device", d(), "f").expect(ExitCode.OK);
        try (MemoryDevice m = MemoryDevice.open(dev, true)) {
            long at = FamfsLayout.logEntryOffset(0) + LogEntry.OFF_FILE_SIZE;
            m.putLong(at, m.getLong(at) + 1);
        }
        Result r = client("fsck", d()).expect(ExitCode.CHECK_FAILED);
        assertThat(r.out()).contains("defect: bad entry", "  1 bad log entries detected\n", "  0 files\n");
        assertThat(r.err()).contains("fsck found 1 defect(s)");
        assertThat(client("fsck", "--json", d()).expect(ExitCode.CHECK_FAILED).out()).contains("\"clean\": false");
        // other verbs see the corruption through replay
        assertThat(client("logplay", d()).expect(ExitCode.CORRUPT_MEDIA).err()).contains("replay stopped at entry 0");
    }

    @Test
    void aCorruptEntryStopsReadsMountsAndAppendsWithTheOffsetAndChangesNothing() throws Exception {
        mkfs();
        for (String f : new String[] {"a", "b", "c"}) {
            master("creat", "-s", "2m", "-r", "-S", "7", "--device", d(), f).expect(ExitCode.OK);
        }
        long at = FamfsLayout.logEntryOffset(1) + LogEntry.OFF_FILE_SIZE; // b: c follows it
        try (MemoryDevice m = MemoryDevice.open(dev, true)) {
            m.putLong(at, m.getLong(at) + 1);
        }
        byte[] before = head(dev); // the log and the three files' data
        String offset = "corrupt log entry 1 at device offset 0x";
        // What follows entry 1 (c, and the space it holds) is unknown: a listing, a mount or
        // an append on that view would be wrong, and an append could overwrite c.
        assertThat(client("ls", "--device", d()).expect(ExitCode.CORRUPT_MEDIA).err())
                .contains("log replay stopped at entry 1 of 3", offset, "fsck");
        assertThat(client("df", d()).expect(ExitCode.CORRUPT_MEDIA).err()).contains(offset);
        assertThat(master("creat", "-s", "2m", "--device", d(), "d").expect(ExitCode.CORRUPT_MEDIA).err())
                .contains("cannot write", offset);
        assertThat(master("mkdir", "--device", d(), "dir").expect(ExitCode.CORRUPT_MEDIA).err()).contains(offset);
        java.nio.file.Path mp = java.nio.file.Files.createTempDirectory("famfs-corrupt-mp");
        try {
            assertThat(client("mount", "-f", d(), mp.toString()).expect(ExitCode.CORRUPT_MEDIA).err())
                    .contains("cannot mount", offset);
        } finally {
            java.nio.file.Files.deleteIfExists(mp);
        }
        assertThat(head(dev)).as("the image is unchanged").isEqualTo(before);
        // fsck and logplay still show what there is
        assertThat(client("logplay", d()).expect(ExitCode.CORRUPT_MEDIA).err()).contains("replay stopped at entry 1");
        client("fsck", d()).expect(ExitCode.CHECK_FAILED);
    }

    private static byte[] head(java.nio.file.Path p) throws java.io.IOException {
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(p.toFile(), "r")) {
            byte[] b = new byte[(int) FamfsLayout.dataStart(8L << 20) + (16 << 20)];
            f.readFully(b);
            return b;
        }
    }

    @Test
    void corruptSuperblockIsCorruptMediaForOtherVerbs() {
        mkfs();
        try (MemoryDevice m = MemoryDevice.open(dev, true)) {
            m.putLong(24, m.getLong(24) * 2); // log_len, CRC-covered
        }
        client("fsck", d()).expect(ExitCode.CHECK_FAILED);
        assertThat(client("ls", "--device", d()).expect(ExitCode.CORRUPT_MEDIA).err()).contains("corrupt");
    }

    @Test
    void otherVersionIsVersionMismatch() throws Exception {
        MemoryDevice.createFile(dev, 1L << 30);
        Mkfs.format(dev, Mkfs.Options.defaults().withSystemUuid(MASTER).withVersion(47));
        client("df", d()).expect(ExitCode.VERSION_MISMATCH);
        assertThat(client("fsck", "--json", d()).expect(ExitCode.CHECK_FAILED).out()).contains("version");
    }

    @Test
    void missingOrForeignDevice() throws Exception {
        assertThat(client("fsck", d()).expect(ExitCode.NOT_FOUND).err()).contains("does not exist");
        MemoryDevice.createFile(dev, 1L << 30);
        assertThat(client("fsck", d()).expect(ExitCode.CHECK_FAILED).out()).contains("defect:");
        client("ls", "--device", d()).expect(ExitCode.NOT_FAMFS);
    }
}
