package io.famfsrocks.famfs.fs;

import io.famfsrocks.famfs.format.FamfsLayout;
import io.famfsrocks.famfs.format.FamfsPaths;
import io.famfsrocks.famfs.format.LogEntry;
import io.famfsrocks.famfs.testing.TestDevices;
import org.junit.jupiter.api.Test;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Path;

import static io.famfsrocks.famfs.fs.VolumeTest.MIB;
import static io.famfsrocks.famfs.fs.VolumeTest.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Reference behaviour (issue 16, item 1): the reference {@code creat} logs the path it is
 * given verbatim, so a volume it made can hold {@code names//double} or {@code names/./dot};
 * the reference's fsck accepts such entries and its logplay creates {@code names/double}
 * and {@code names/dot} (it resolves each path with realpath). Our CLI refuses to write
 * these spellings, so the test writes the entries itself with the format classes.
 */
class ReferenceSpellingTest {

    /** Rewrites slot {@code index} with {@code e} (CRC included), as another writer would have. */
    static void writeEntry(Path device, long index, LogEntry e) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(LogEntry.SIZE);
        LogEntry.encode(e, index, b);
        try (RandomAccessFile f = new RandomAccessFile(device.toFile(), "rw")) {
            f.seek(FamfsLayout.logEntryOffset(index));
            f.write(b.array());
        }
    }

    /** An MKDIR entry whose 80-byte path field is full, with no terminator (a name over 79 bytes). */
    static void writeUnterminated(Path device, long index, String path80) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(LogEntry.SIZE).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        LogEntry.encode(new LogEntry.MkdirEntry(0, 0, 0755, "x"), index, b);
        b.put(LogEntry.OFF_DIR_RELPATH, path80.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(b.array(), 0, LogEntry.CRC_COVERED);
        b.putLong(LogEntry.OFF_CRC, crc.getValue());
        try (RandomAccessFile f = new RandomAccessFile(device.toFile(), "rw")) {
            f.seek(FamfsLayout.logEntryOffset(index));
            f.write(b.array());
        }
    }

    static LogEntry.FileEntry renamed(LogEntry.FileEntry f, String path) {
        return new LogEntry.FileEntry(f.size(), f.flags(), f.uid(), f.gid(), f.mode(), path, f.layout());
    }

    /** A volume whose log reads: 0 names/, 1 names//double, 2 names/./dot, 3 ./names/sub/., 4 names/sub/later. */
    static TestDevices referenceSpelledVolume() throws Exception {
        TestDevices dev = TestDevices.formatted(1L << 30);
        LogEntry.FileEntry one;
        LogEntry.FileEntry two;
        try (MasterVolume v = Famfs.openMaster(dev.path, as(dev.masterUuid))) {
            v.mkdir("names", CreateOptions.dir());
            v.create("names/one", 2 * MIB, CreateOptions.file());
            one = ((Node.File) v.lookup("names/one")).entry();
            v.create("names/two", 2 * MIB, CreateOptions.file());
            two = ((Node.File) v.lookup("names/two")).entry();
            v.mkdir("names/sub", CreateOptions.dir());
            v.create("names/sub/later", MIB, CreateOptions.file());
        }
        writeEntry(dev.path, 1, renamed(one, "names//double"));
        writeEntry(dev.path, 2, renamed(two, "names/./dot"));
        writeEntry(dev.path, 3, new LogEntry.MkdirEntry(0, 0, 0755, "./names/sub/."));
        return dev;
    }

    @Test
    void replayReadsDoubleSlashAndDotComponentsAsTheReferenceLogplayDoes() throws Exception {
        try (TestDevices dev = referenceSpelledVolume();
             FamfsVolume v = Famfs.open(dev.path, as(dev.masterUuid))) {
            assertThat(v.replayError()).isNull();
            assertThat(v.appliedEntries()).isEqualTo(5);
            assertThat(v.list("names")).extracting(Node::path)
                    .containsExactly("names/dot", "names/double", "names/sub");
            assertThat(v.lookup("names/sub/later")).isInstanceOf(Node.File.class); // later entries stay visible
        }
    }

    @Test
    void fsckWarnsOncePerReferenceSpellingAndStaysClean() throws Exception {
        try (TestDevices dev = referenceSpelledVolume()) {
            Fsck.Report r = Fsck.check(dev.path, as(dev.masterUuid));
            assertThat(r.defects()).isEmpty();
            assertThat(r.badEntries()).isZero();
            assertThat(r.warnings()).filteredOn(w -> w.contains("components")).containsExactly(
                    "entry 1 'names//double': path has empty or '.' components (the reference's creat logs paths"
                            + " verbatim); read as 'names/double', as the reference's logplay resolves it",
                    "entry 2 'names/./dot': path has empty or '.' components (the reference's creat logs paths"
                            + " verbatim); read as 'names/dot', as the reference's logplay resolves it",
                    "entry 3 './names/sub/.': path has empty or '.' components (the reference's creat logs paths"
                            + " verbatim); read as 'names/sub', as the reference's logplay resolves it");
        }
    }

    @Test
    void dotDotAbsoluteAndOverlongPathsStayRefused() throws Exception {
        for (String bad : new String[] {"names/../x", "/names/x", ".", "./..", "overlong"}) {
            try (TestDevices dev = referenceSpelledVolume()) {
                if (bad.equals("overlong")) {
                    writeUnterminated(dev.path, 2, "names//" + "x".repeat(FamfsLayout.MAX_PATHLEN - 7));
                } else {
                    writeEntry(dev.path, 2, new LogEntry.MkdirEntry(0, 0, 0755, bad));
                }
                try (FamfsVolume v = Famfs.open(dev.path, as(dev.masterUuid))) {
                    assertThat(v.appliedEntries()).as(bad).isEqualTo(2);
                    assertThat(v.replayError()).as(bad).hasMessageContaining("relpath");
                }
                assertThat(Fsck.check(dev.path, as(dev.masterUuid)).badEntries()).as(bad).isEqualTo(1);
            }
        }
        // 80 stored bytes never fit; a 79-byte spelling whose reading is valid is accepted
        assertThat(FamfsPaths.readable("a//" + "b".repeat(76))).isEqualTo("a/" + "b".repeat(76));
    }

    @Test
    void writersNeverStoreTheseSpellings() {
        try (TestDevices dev = TestDevices.formatted(1L << 30);
             MasterVolume v = Famfs.openMaster(dev.path, as(dev.masterUuid))) {
            v.mkdir("names", CreateOptions.dir());
            for (String p : new String[] {"names//double", "names/./dot", "./names/x"}) {
                assertThatThrownBy(() -> v.create(p, MIB, CreateOptions.file())).as(p)
                        .isInstanceOf(io.famfsrocks.famfs.FamfsException.class)
                        .satisfies(e -> assertThat(((io.famfsrocks.famfs.FamfsException) e).kind())
                                .isEqualTo(io.famfsrocks.famfs.ErrorKind.BAD_NAME));
            }
        }
    }
}
