package io.famfsrocks.famfs.fs;

import io.famfsrocks.famfs.ErrorKind;
import io.famfsrocks.famfs.FamfsException;
import io.famfsrocks.famfs.alloc.AllocationBitmap;
import io.famfsrocks.famfs.alloc.Allocator;
import io.famfsrocks.famfs.format.FileLayout;
import io.famfsrocks.famfs.testing.TestDevices;
import org.assertj.core.api.ThrowableAssert;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VolumeTest {
    static final long MIB = 1 << 20;

    static OpenOptions as(String uuid) {
        return OpenOptions.defaults().withSystemUuid(uuid);
    }

    static void assertKind(ThrowableAssert.ThrowingCallable call, ErrorKind kind) {
        assertThatThrownBy(call).isInstanceOf(FamfsException.class)
                .satisfies(e -> assertThat(((FamfsException) e).kind()).isEqualTo(kind));
    }

    /** The metadata area (superblock region and default log): where every change lands first. */
    static byte[] image(Path p) throws Exception {
        try (var in = Files.newInputStream(p)) {
            return in.readNBytes(10 << 20);
        }
    }

    @Test
    void exactly507FilesOf1MiBFitIn1GiBWithTheDefaultLog() {
        try (TestDevices dev = TestDevices.formatted(1L << 30);
             MasterVolume v = Famfs.openMaster(dev.path, as(dev.masterUuid))) {
            for (int i = 0; i < 507; i++) {
                v.create("f" + i, MIB, CreateOptions.file());
            }
            assertKind(() -> v.create("one-more", MIB, CreateOptions.file()), ErrorKind.NO_SPACE);
            assertThat(v.appliedEntries()).isEqualTo(507);
            assertThat(Fsck.check(dev.path, as(dev.masterUuid)).defects()).isEmpty();
        }
    }

    @Test
    void fullLogRefusesTheNextCreateAndStaysClean() throws Exception {
        try (TestDevices dev = TestDevices.formatted(1L << 30);
             MasterVolume v = Famfs.openMaster(dev.path, as(dev.masterUuid))) {
            long slots = v.logSlots();
            assertThat(slots).isEqualTo(15420);
            for (long i = 0; i < slots; i++) {
                v.mkdir("d" + i, CreateOptions.dir());
            }
            byte[] before = image(dev.path);
            assertKind(() -> v.create("f", MIB, CreateOptions.file()), ErrorKind.LOG_FULL);
            assertKind(() -> v.mkdir("x", CreateOptions.dir()), ErrorKind.LOG_FULL);
            assertThat(image(dev.path)).isEqualTo(before);
            Fsck.Report r = Fsck.check(dev.path, as(dev.masterUuid));
            assertThat(r.defects()).isEmpty();
            assertThat(r.slotsLeft()).isZero();
        }
    }

    @Test
    void bitmapRebuiltFromTheLogEqualsTheLiveOne() {
        try (TestDevices dev = TestDevices.formatted(4L << 30);
             MasterVolume v = Famfs.openMaster(dev.path, as(dev.masterUuid))) {
            Random r = new Random(42);
            v.mkdir("d", CreateOptions.dir());
            for (int i = 0; i < 40; i++) {
                CreateOptions o = i % 5 == 0 ? CreateOptions.file().withInterleave(new Allocator.Interleave(4, 2, 2 * MIB))
                        : CreateOptions.file();
                v.create("d/f" + i, 1 + r.nextInt(9 << 20), o);
            }
            try (FamfsVolume c = Famfs.open(dev.path, as(UUID.randomUUID().toString()))) {
                AllocationBitmap live = v.namespace().bitmap();
                assertThat(c.namespace().bitmap()).isEqualTo(live);
                assertThat(c.namespace().allocatedBytes()).isEqualTo(v.namespace().allocatedBytes());
            }
        }
    }

    @Test
    void interleavedFilesSpreadChunksOverStripsAndReadBack() {
        try (TestDevices dev = TestDevices.formatted(4L << 30);
             MasterVolume v = Famfs.openMaster(dev.path, as(dev.masterUuid))) {
            long size = 20 * MIB + 12345;
            FamfsFile f = v.create("s", size, CreateOptions.file().withInterleave(new Allocator.Interleave(4, 4, 2 * MIB)));
            FileLayout.Interleaved il = (FileLayout.Interleaved) f.entry().layout();
            assertThat(il.strips()).hasSize(4);
            assertThat(il.strips()).allSatisfy(s -> assertThat(s.length()).isEqualTo(6 * MIB));
            assertThat(il.strips().stream().map(s -> s.offset() >> 30).distinct()).hasSize(4);
            byte[] data = new byte[(int) size];
            new Random(1).nextBytes(data);
            v.openWritable("s").write(0, ByteBuffer.wrap(data));
            ByteBuffer back = ByteBuffer.allocateDirect((int) size);
            assertThat(f.read(0, back)).isEqualTo((int) size);
            byte[] got = new byte[(int) size];
            back.flip().get(got);
            assertThat(got).isEqualTo(data);
            // Chunk 5 lives in strip 1 at strip offset 2 MiB.
            assertThat(f.deviceOffset(5 * 2 * MIB + 7)).isEqualTo(il.strips().get(1).offset() + 2 * MIB + 7);
        }
    }

    @Test
    void badInputIsRefusedAndChangesNothing() throws Exception {
        try (TestDevices dev = TestDevices.formatted(1L << 30);
             MasterVolume v = Famfs.openMaster(dev.path, as(dev.masterUuid))) {
            v.create("f", 100, CreateOptions.file());
            byte[] before = image(dev.path);
            assertKind(() -> v.create("x".repeat(80), 1, CreateOptions.file()), ErrorKind.BAD_NAME);
            assertKind(() -> v.create("a/../b", 1, CreateOptions.file()), ErrorKind.BAD_NAME);
            assertKind(() -> v.create("a\0b", 1, CreateOptions.file()), ErrorKind.BAD_NAME);
            assertKind(() -> v.create("z", 0, CreateOptions.file()), ErrorKind.INVALID_ARGUMENT);
            assertKind(() -> v.create("z", -5, CreateOptions.file()), ErrorKind.INVALID_ARGUMENT);
            assertKind(() -> v.create("z", 2L << 30, CreateOptions.file()), ErrorKind.NO_SPACE);
            assertKind(() -> v.create("f", 1, CreateOptions.file()), ErrorKind.EXISTS);
            assertKind(() -> v.create("nodir/f", 1, CreateOptions.file()), ErrorKind.NOT_FOUND);
            assertKind(() -> v.create("f/g", 1, CreateOptions.file()), ErrorKind.NOT_A_DIRECTORY);
            assertKind(() -> v.openWritable("f").write(99, ByteBuffer.wrap(new byte[2])), ErrorKind.NOT_PERMITTED);
            assertKind(() -> v.create("s", 5 * MIB, CreateOptions.file().withInterleave(new Allocator.Interleave(2, 4, 2 * MIB))),
                    ErrorKind.INVALID_ARGUMENT);
            assertThat(image(dev.path)).isEqualTo(before);
        }
    }

    @Test
    void aMasterWhoseReplayStopsAtABadEntryRefusesToAppendAndOverwritesNothing() throws Exception {
        try (TestDevices dev = TestDevices.formatted(1L << 30)) {
            try (MasterVolume v = Famfs.openMaster(dev.path, as(dev.masterUuid))) {
                for (String n : new String[] {"a", "b", "c"}) {
                    v.create(n, 2 * MIB, CreateOptions.file()).write(0, ByteBuffer.wrap(n.repeat(1000).getBytes()));
                }
            }
            long at = io.famfsrocks.famfs.format.FamfsLayout.logEntryOffset(1) + 100; // inside b's entry
            try (var f = new java.io.RandomAccessFile(dev.path.toFile(), "rw")) {
                f.seek(at);
                int old = f.read();
                f.seek(at);
                f.write(old ^ 0x10);
            }
            byte[] before = image(dev.path);
            try (MasterVolume v = Famfs.openMaster(dev.path, as(dev.masterUuid))) {
                assertThat(v.appliedEntries()).isEqualTo(1);
                assertThat(v.replayError()).isNotNull();
                // first fit would hand out b's and c's space: refuse instead, naming the entry's offset
                assertThatThrownBy(() -> v.create("d", MIB, CreateOptions.file()))
                        .isInstanceOf(io.famfsrocks.famfs.CorruptMediaException.class)
                        .hasMessageContaining("log replay stopped at entry 1 of 3")
                        .hasMessageContaining("corrupt log entry 1 at device offset 0x");
                assertKind(() -> v.mkdir("d", CreateOptions.dir()), ErrorKind.CORRUPT_MEDIA);
                assertKind(() -> v.mkdirs("d/e", CreateOptions.dir()), ErrorKind.CORRUPT_MEDIA);
                assertKind(() -> io.famfsrocks.famfs.fuse.FamfsMount.mount(v, dev.path.resolveSibling("nowhere"),
                        io.famfsrocks.famfs.fuse.FamfsMount.Options.defaults()), ErrorKind.CORRUPT_MEDIA);
            }
            assertThat(image(dev.path)).isEqualTo(before);
        }
    }

    /**
     * Issue 13 item 7: a device truncated after mkfs (1 GiB said, 512 MiB left). Before: replay
     * dropped the files past the end without a word, the master allocated over their space,
     * and a read past the end through a volume opened earlier was an InternalError (SIGBUS).
     */
    @Test
    void aTruncatedDeviceIsCorruptMediaForEveryUseAndNothingIsOverwritten() throws Exception {
        try (TestDevices dev = TestDevices.formatted(1L << 30)) {
            try (MasterVolume v = Famfs.openMaster(dev.path, as(dev.masterUuid));
                 FamfsVolume c = Famfs.open(dev.path, as(UUID.randomUUID().toString()))) {
                v.create("a", 2 * MIB, CreateOptions.file()).write(0, ByteBuffer.wrap("aaaa".getBytes()));
                FamfsFile big = v.create("big", 900 * MIB, CreateOptions.file());
                big.write(900 * MIB - 4, ByteBuffer.wrap("zzzz".getBytes()));
                big.flush();
                c.refresh();
                FamfsFile seen = c.openFile("big");
                try (var f = new java.io.RandomAccessFile(dev.path.toFile(), "rw")) {
                    f.setLength(512 * MIB);
                }
                byte[] before = image(dev.path);
                // live: reads past the end are CORRUPT_MEDIA (EIO from the mount), reads before it work
                assertThatThrownBy(() -> seen.read(900 * MIB - 4, ByteBuffer.allocate(4)))
                        .isInstanceOf(FamfsException.class).hasMessageContaining("is 536870912 bytes now")
                        .satisfies(e -> assertThat(((FamfsException) e).kind()).isEqualTo(ErrorKind.CORRUPT_MEDIA));
                ByteBuffer a = ByteBuffer.allocate(4);
                c.openFile("a").read(0, a);
                assertThat(new String(a.array())).isEqualTo("aaaa");
                // live: no write, no refresh on the short device
                assertThatThrownBy(() -> v.create("c", MIB, CreateOptions.file()))
                        .isInstanceOf(FamfsException.class)
                        .hasMessageContaining("is 536870912 bytes but its superblock says 1073741824");
                assertKind(() -> v.mkdir("d", CreateOptions.dir()), ErrorKind.CORRUPT_MEDIA);
                assertKind(c::refresh, ErrorKind.CORRUPT_MEDIA);
                assertThat(image(dev.path)).isEqualTo(before);
            }
            // a fresh open, in any role, is refused naming both sizes
            assertThatThrownBy(() -> Famfs.openMaster(dev.path, as(dev.masterUuid)))
                    .hasMessageContaining("is 536870912 bytes but its superblock says 1073741824");
            assertKind(() -> Famfs.open(dev.path, as(UUID.randomUUID().toString())), ErrorKind.CORRUPT_MEDIA);
            assertThat(Fsck.check(dev.path, OpenOptions.defaults()).defects())
                    .anyMatch(d -> d.contains("device_size 1073741824 exceeds the device's 536870912 bytes"));
        }
    }

    @Test
    void onlyTheMasterWrites() {
        try (TestDevices dev = TestDevices.formatted(1L << 30)) {
            String other = UUID.randomUUID().toString();
            assertKind(() -> Famfs.openMaster(dev.path, as(other)), ErrorKind.NOT_MASTER);
            try (FamfsVolume c = Famfs.open(dev.path, as(other))) {
                assertThat(c).isNotInstanceOf(MasterVolume.class);
                assertKind(() -> c.device().putLong(FamfsLayoutProbe.LOG_COUNTER, 5), ErrorKind.NOT_MASTER);
            }
        }
    }

    @Test
    void mkdirsCreatesMissingParentsOnly() {
        try (TestDevices dev = TestDevices.formatted(1L << 30);
             MasterVolume v = Famfs.openMaster(dev.path, as(dev.masterUuid))) {
            v.mkdir("a", CreateOptions.dir());
            v.mkdirs("a/b/c", CreateOptions.dir().withMode(0700).withOwner(7, 8));
            assertThat(v.appliedEntries()).isEqualTo(3);
            assertThat(v.stat("a/b/c")).isEqualTo(new Node.Dir("a/b/c", 7, 8, 0700, 2));
            v.mkdirs("a/b/c", CreateOptions.dir());
            assertThat(v.appliedEntries()).isEqualTo(3);
            assertKind(() -> v.mkdir("a", CreateOptions.dir()), ErrorKind.EXISTS);
        }
    }

    @Test
    void copyInMovesAFileAtMemorySpeedAndClientsSeeIt() throws Exception {
        Path src = Files.createTempFile(Path.of("/dev/shm"), "src", ".bin");
        try (TestDevices dev = TestDevices.formatted(1L << 30);
             MasterVolume v = Famfs.openMaster(dev.path, as(dev.masterUuid));
             FamfsVolume c = Famfs.open(dev.path, as(UUID.randomUUID().toString()))) {
            byte[] data = new byte[(int) (5 * MIB + 3)];
            new Random(7).nextBytes(data);
            Files.write(src, data);
            v.copyIn(src, "copy.bin", CreateOptions.file());
            assertThat(c.lookup("copy.bin")).isNull();
            assertThat(c.refresh()).isEqualTo(1);
            assertThat(c.refresh()).isZero();
            ByteBuffer view = c.openFile("copy.bin").mappedView();
            byte[] got = new byte[view.remaining()];
            view.get(got);
            assertThat(got).isEqualTo(data);
            assertThatThrownBy(() -> c.openFile("copy.bin").mappedView().put(0, (byte) 1))
                    .isInstanceOf(java.nio.ReadOnlyBufferException.class);
        } finally {
            Files.deleteIfExists(src);
        }
    }

    @Test
    void hugeSparseDeviceIsNotTouched() throws Exception {
        try (TestDevices dev = TestDevices.formatted(1L << 40);
             MasterVolume v = Famfs.openMaster(dev.path, as(dev.masterUuid))) {
            v.create("big", 100L << 30, CreateOptions.file());
            FamfsFile f = v.create("far", MIB, CreateOptions.file());
            assertThat(f.deviceOffset(0)).isGreaterThan(100L << 30);
            v.openWritable("far").write(MIB - 4, ByteBuffer.wrap(new byte[] {1, 2, 3, 4}));
            long allocatedKib = Long.parseLong(new ProcessBuilder("du", "-k", dev.path.toString()).start()
                    .inputReader().readLine().split("\\s+")[0]);
            assertThat(allocatedKib).isLessThan(64 * 1024);
        }
    }

    @Test
    void mkfsRefusesValidVolumesWithoutForceAndOtherHostsAlways() {
        try (TestDevices dev = TestDevices.formatted(1L << 30)) {
            assertKind(() -> Mkfs.format(dev.path, Mkfs.Options.defaults().withSystemUuid(dev.masterUuid)), ErrorKind.EXISTS);
            String other = UUID.randomUUID().toString();
            assertKind(() -> Mkfs.format(dev.path, Mkfs.Options.defaults().withSystemUuid(other).withForce(true)),
                    ErrorKind.NOT_MASTER);
            assertKind(() -> Mkfs.kill(dev.path, other), ErrorKind.NOT_MASTER);
            Mkfs.format(dev.path, Mkfs.Options.defaults().withSystemUuid(dev.masterUuid).withForce(true)
                    .withLogLen(16 << 20));
            assertThat(Famfs.readSuperblock(dev.path, as(dev.masterUuid)).logLen()).isEqualTo(16 << 20);
            assertKind(() -> Mkfs.format(dev.path, Mkfs.Options.defaults().withForce(true).withLogLen(12 << 20)),
                    ErrorKind.INVALID_ARGUMENT);
            Mkfs.kill(dev.path, dev.masterUuid);
            assertKind(() -> Famfs.open(dev.path, as(dev.masterUuid)), ErrorKind.NOT_FAMFS);
            Mkfs.format(dev.path, Mkfs.Options.defaults().withSystemUuid(other));
        }
    }

    @Test
    void versionMismatchIsItsOwnError() {
        try (TestDevices dev = TestDevices.formatted(1L << 30, Mkfs.Options.defaults().withVersion(47))) {
            assertKind(() -> Famfs.open(dev.path, as(dev.masterUuid)), ErrorKind.VERSION_MISMATCH);
            try (FamfsVolume v = Famfs.open(dev.path, as(dev.masterUuid).withVersion(47))) {
                assertThat(v.isMaster()).isTrue();
            }
        }
    }

    @Test
    void missingDeviceIsNotFound() {
        assertKind(() -> Famfs.open(Path.of("/dev/shm/does-not-exist-" + UUID.randomUUID()), OpenOptions.defaults()),
                ErrorKind.NOT_FOUND);
    }

    /** Where the log counters live, for the client write probe. */
    static final class FamfsLayoutProbe {
        static final long LOG_COUNTER = io.famfsrocks.famfs.format.FamfsLayout.LOG_OFFSET + 40;
    }
}
