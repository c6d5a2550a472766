package io.famfsrocks.famfs.fuse;

import io.famfsrocks.famfs.ErrorKind;
import io.famfsrocks.famfs.FamfsException;
import io.famfsrocks.famfs.device.MemoryDevice;
import io.famfsrocks.famfs.fs.CreateOptions;
import io.famfsrocks.famfs.fs.Famfs;
import io.famfsrocks.famfs.fs.FamfsVolume;
import io.famfsrocks.famfs.fs.MasterVolume;
import io.famfsrocks.famfs.fs.Mkfs;
import io.famfsrocks.famfs.fs.OpenOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The binding-neutral file system, without a kernel mount. */
class FamfsFuseOpsTest {
    private final String host = UUID.randomUUID().toString();
    private Path dev;
    private MasterVolume master;
    private FamfsVolume client;

    @BeforeEach
    void setUp() {
        dev = Path.of("/dev/shm/famfs-fuseops-" + UUID.randomUUID());
        MemoryDevice.createFile(dev, 64L << 20);
        Mkfs.format(dev, Mkfs.Options.defaults().withSystemUuid(host));
        master = Famfs.openMaster(dev, OpenOptions.defaults().withSystemUuid(host));
        client = Famfs.open(dev, OpenOptions.defaults().withSystemUuid(UUID.randomUUID().toString()));
        master.mkdirs("d", CreateOptions.dir());
        master.create("d/f", 5000, CreateOptions.file().withMode(0640).withOwner(7, 8));
        master.openWritable("d/f").write(0, ByteBuffer.wrap("hello".getBytes()));
    }

    @AfterEach
    void tearDown() throws Exception {
        client.close();
        master.close();
        Files.deleteIfExists(dev);
    }

    @Test
    void getattrShowsTheLogEntryAndClientsDropWriteBits() {
        long[] got = new long[6];
        AttrSink sink = (ino, mode, nlink, uid, gid, size, blocks, blksize, time) -> {
            got[0] = mode;
            got[1] = uid;
            got[2] = gid;
            got[3] = size;
        };
        assertThat(new FamfsFuseOps(master, false, true).getattr("/d/f", sink)).isZero();
        assertThat(got).startsWith(FamfsFuseOps.S_IFREG | 0640, 7, 8, 5000);
        assertThat(new FamfsFuseOps(client, false, true).getattr("/d/f", sink)).isZero();
        assertThat(got[0]).isEqualTo(FamfsFuseOps.S_IFREG | 0440);
        assertThat(new FamfsFuseOps(client, false, true).getattr("/.meta/.log", sink)).isZero();
        assertThat(got[0]).isEqualTo(FamfsFuseOps.S_IFREG | 0444);
        assertThat(got[3]).isEqualTo(master.superblock().logLen());
        assertThat(new FamfsFuseOps(client, false, true).getattr("/nope", sink)).isEqualTo(-Errno.ENOENT);
    }

    @Test
    void aMissRefreshesSoAFreshFileIsFoundAtOnce() {
        FamfsFuseOps ops = new FamfsFuseOps(client, false, true);
        master.create("fresh", 4096, CreateOptions.file());
        assertThat(ops.getattr("/fresh", (a, b, c, d, e, f, g, h, i) -> { })).isZero();
    }

    @Test
    void readdirListsDotsMetaAndChildren() {
        List<String> names = new ArrayList<>();
        FamfsFuseOps ops = new FamfsFuseOps(client, false, true);
        assertThat(ops.readdir("/", names::add)).isZero();
        assertThat(names).containsExactly(".", "..", ".meta", "d");
        names.clear();
        assertThat(ops.readdir("/d/f", names::add)).isEqualTo(-Errno.ENOTDIR);
    }

    /**
     * Issue 13 item 7: the device file truncated under the mount (64 MiB said, 32 MiB left).
     * A read or write of bytes past the new end is EIO, decided before the mapping is touched
     * (touching it is a SIGBUS, whose InternalError the JVM may raise later, elsewhere); files
     * before the end still read.
     */
    @Test
    void readsAndWritesPastATruncatedDevicesEndAreEio() throws Exception {
        master.create("big", 40L << 20, CreateOptions.file());
        FamfsFuseOps reader = new FamfsFuseOps(client, false, true);
        FamfsFuseOps writer = new FamfsFuseOps(master, false, true);
        long r = reader.open("/big", 0);
        long w = writer.open("/big", 2);
        try (var f = new java.io.RandomAccessFile(dev.toFile(), "rw")) {
            f.setLength(32L << 20);
        }
        assertThat(reader.read(r, "/big", ByteBuffer.allocateDirect(4096), (40L << 20) - 4096)).isEqualTo(-Errno.EIO);
        assertThat(writer.write(w, "/big", ByteBuffer.wrap(new byte[4096]), (40L << 20) - 4096)).isEqualTo(-Errno.EIO);
        long h = reader.open("/d/f", 0);
        ByteBuffer hello = ByteBuffer.allocate(5);
        assertThat(reader.read(h, "/d/f", hello, 0)).isEqualTo(5);
        assertThat(new String(hello.array())).isEqualTo("hello");
        try (var f = new java.io.RandomAccessFile(dev.toFile(), "rw")) {
            f.setLength(64L << 20); // tearDown closes the volumes
        }
    }

    @Test
    void readsAndBoundedWritesOnTheMaster() {
        FamfsFuseOps ops = new FamfsFuseOps(master, false, true);
        long h = ops.open("/d/f", 2);
        assertThat(h).isPositive();
        ByteBuffer dst = ByteBuffer.allocateDirect(10);
        assertThat(ops.read(h, "/d/f", dst, 0)).isEqualTo(10);
        assertThat(ops.read(h, "/d/f", ByteBuffer.allocate(10), 5000)).isZero();
        assertThat(ops.write(h, "/d/f", ByteBuffer.wrap(new byte[10]), 4995)).isEqualTo(5);
        assertThat(ops.write(h, "/d/f", ByteBuffer.wrap(new byte[10]), 5000)).isEqualTo(-Errno.EFBIG);
        assertThat(ops.release(h, "/d/f")).isZero();
        assertThat(ops.read(h, "/d/f", dst, 0)).isEqualTo(-Errno.EBADF);
        assertThat(ops.openHandles()).isZero();
    }

    /** Issue 13 item 8: a file without write bits (a dataset's files are 0444) is not writable through the mount, by anyone. */
    @Test
    void aFileWithoutWriteBitsCannotBeOpenedForWriting() {
        master.create("/d/ro", 4096, io.famfsrocks.famfs.fs.CreateOptions.file().withMode(0444));
        FamfsFuseOps ops = new FamfsFuseOps(master, false, true);
        assertThat(ops.open("/d/ro", 1)).isEqualTo(-Errno.EACCES);
        assertThat(ops.open("/d/ro", 2)).isEqualTo(-Errno.EACCES);
        long h = ops.open("/d/ro", 0);
        assertThat(h).isPositive();
        ops.release(h, "/d/ro");
    }

    @Test
    void clientsAndReadOnlyMountsRefuseChanges() {
        assertThat(new FamfsFuseOps(client, false, true).open("/d/f", 1)).isEqualTo(-Errno.EROFS);
        assertThat(new FamfsFuseOps(master, true, true).open("/d/f", 1)).isEqualTo(-Errno.EROFS);
        assertThat(new FamfsFuseOps(client, false, true).mkdir("/x", 0755, 0, 0)).isEqualTo(-Errno.EROFS);
        assertThat(new FamfsFuseOps(client, false, true).refuse("unlink", "/d/f")).isEqualTo(-Errno.EROFS);
    }

    @Test
    void theMasterMakesDirectoriesAndRefusesWhatFamfsNeverDoes() {
        FamfsFuseOps ops = new FamfsFuseOps(master, false, true);
        assertThat(ops.mkdir("/d/sub", 0750, 1, 2)).isZero();
        assertThat(master.lookup("d/sub").mode()).isEqualTo(0750);
        assertThat(ops.mkdir("/d/sub", 0750, 1, 2)).isEqualTo(-Errno.EEXIST);
        assertThat(ops.mkdir("/no/parent", 0750, 1, 2)).isEqualTo(-Errno.ENOENT);
        assertThat(ops.refuse("create", "/g")).isEqualTo(-Errno.ENOTSUP);
        assertThat(ops.truncate("/d/f", 10)).isEqualTo(-Errno.ENOTSUP);
        assertThat(ops.truncate("/d/f", 5000)).isZero();
        assertThat(ops.open("/.meta/.log", 1)).isEqualTo(-Errno.EPERM);
    }

    @Test
    void everyErrorKindMapsToAnErrno() {
        for (ErrorKind k : ErrorKind.values()) {
            assertThat(Errno.of(new FamfsException(k, "x"))).isPositive();
        }
        assertThat(Errno.of(new FamfsException(ErrorKind.NOT_FOUND, "x"))).isEqualTo(Errno.ENOENT);
        assertThat(Errno.of(new FamfsException(ErrorKind.NO_SPACE, "x"))).isEqualTo(Errno.ENOSPC);
        assertThat(Errno.of(new FamfsException(ErrorKind.NOT_PERMITTED, "x"))).isEqualTo(Errno.EPERM);
        assertThat(Errno.of(new IllegalStateException())).isEqualTo(Errno.EIO);
    }

    @Test
    void theGuardTurnsAnyThrowableIntoEio() {
        FamfsFuseOps ops = new FamfsFuseOps(client, false, true);
        assertThat(ops.getattr("/d/f", (a, b, c, d, e, f, g, h, i) -> {
            throw new IllegalStateException("binding bug");
        })).isEqualTo(-Errno.EIO);
        assertThat(ops.readdir("/", n -> {
            throw new OutOfMemoryError("simulated");
        })).isEqualTo(-Errno.EIO);
    }
}
