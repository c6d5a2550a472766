package io.famfsrocks.famfs.pool;

import io.famfsrocks.famfs.ErrorKind;
import io.famfsrocks.famfs.FamfsException;
import io.famfsrocks.famfs.device.MemoryDevice;
import io.famfsrocks.famfs.format.Superblock;
import io.famfsrocks.famfs.fs.CreateOptions;
import io.famfsrocks.famfs.fs.Famfs;
import io.famfsrocks.famfs.fs.Fsck;
import io.famfsrocks.famfs.fs.MasterVolume;
import io.famfsrocks.famfs.fs.Mkfs;
import io.famfsrocks.famfs.fs.OpenOptions;
import io.famfsrocks.famfs.testing.TestDevices;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DevicePoolTest {
    private static final long SIZE = 64L << 20;
    private final String master = UUID.randomUUID().toString();
    private final OpenOptions opts = OpenOptions.defaults().withSystemUuid(master);
    private Path dir;

    @BeforeEach
    void setUp() throws Exception {
        dir = Files.createTempDirectory(Path.of("/dev/shm"), "pool-test");
    }

    @AfterEach
    void tearDown() throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private Path blank(String name) {
        Path p = dir.resolve(name);
        MemoryDevice.createFile(p, SIZE);
        return p;
    }

    private Path formatted(String name) {
        Path p = blank(name);
        Mkfs.format(p, Mkfs.Options.defaults().withSystemUuid(master));
        return p;
    }

    private static PoolException.Reason reason(Throwable t) {
        return ((PoolException) t).reason();
    }

    @Test
    void recognisesVolumesByTheirUuidWhateverPathNamesThem() throws Exception {
        Path a = formatted("a");
        Path b = blank("b");
        UUID fs = Famfs.readSuperblock(a, opts).fsUuid();
        // Another host names the same memory differently.
        Path other = Files.createDirectory(dir.resolve("other-host"));
        Path a2 = Files.createSymbolicLink(other.resolve("dax1.0"), a);
        Path b2 = Files.createSymbolicLink(other.resolve("dax0.0"), b);

        DevicePool here = DevicePool.scan(List.of(a, b), opts);
        DevicePool there = DevicePool.scan(List.of(b2, a2), opts);

        assertThat(here.byFsUuid(fs).orElseThrow().path()).isEqualTo(a);
        assertThat(there.byFsUuid(fs).orElseThrow().path()).isEqualTo(a2);
        assertThat(there.byFsUuid(fs).orElseThrow().state()).isEqualTo(PoolDevice.State.FAMFS);
        assertThat(there.devices().get(0).state()).isEqualTo(PoolDevice.State.BLANK);
        assertThat(there.byFsUuid(UUID.randomUUID())).isEmpty();
    }

    @Test
    void refusesAPoolOfOneDevice() {
        Path a = blank("a");
        assertThatThrownBy(() -> DevicePool.scan(List.of(a), opts))
                .isInstanceOf(PoolException.class).satisfies(t -> assertThat(reason(t)).isEqualTo(PoolException.Reason.TOO_FEW_DEVICES))
                .hasMessageContaining("at least two devices");
    }

    @Test
    void refusesOneDeviceListedTwiceUnderAnotherName() throws Exception {
        Path a = blank("a");
        Path alias = Files.createSymbolicLink(dir.resolve("alias"), a);
        assertThatThrownBy(() -> DevicePool.scan(List.of(a, blank("b"), alias), opts))
                .isInstanceOf(PoolException.class)
                .satisfies(t -> assertThat(reason(t)).isEqualTo(PoolException.Reason.DUPLICATE_DEVICE))
                .hasMessageContaining("listed twice");
    }

    @Test
    void refusesTwoDevicesHoldingOneVolume() throws Exception {
        Path a = formatted("a");
        Path copy = dir.resolve("copy");
        Files.copy(a, copy, StandardCopyOption.COPY_ATTRIBUTES);
        assertThatThrownBy(() -> DevicePool.scan(List.of(a, copy), opts))
                .isInstanceOf(PoolException.class)
                .satisfies(t -> assertThat(reason(t)).isEqualTo(PoolException.Reason.DUPLICATE_VOLUME))
                .hasMessageContaining("both hold famfs volume");
    }

    @Test
    void refusesADeviceWithADamagedSuperblock() {
        Path a = formatted("a");
        try (MemoryDevice d = MemoryDevice.open(a, true)) {
            d.putLong(Superblock.OFF_LOG_LEN, d.getLong(Superblock.OFF_LOG_LEN) ^ 1); // CRC no longer matches
        }
        assertThatThrownBy(() -> DevicePool.scan(List.of(a, blank("b")), opts))
                .isInstanceOf(PoolException.class)
                .satisfies(t -> assertThat(reason(t)).isEqualTo(PoolException.Reason.DAMAGED_DEVICE))
                .satisfies(t -> assertThat(((FamfsException) t).kind()).isEqualTo(ErrorKind.CORRUPT_MEDIA))
                .hasMessageContaining("never reuses it silently");
    }

    @Test
    void formatMakesAPlainVolumeWithANewUuidEachTime() {
        Path a = formatted("a");
        DevicePool pool = DevicePool.scan(List.of(a, blank("b")), opts);
        UUID before = pool.devices().get(0).fsUuid();
        try (MasterVolume m = Famfs.openMaster(a, opts)) {
            m.create("old-data", 3 << 20, CreateOptions.file());
        }

        Superblock fresh = pool.format(pool.devices().get(0), Mkfs.Options.defaults().withSystemUuid(master));
        Superblock blankFormatted = pool.format(pool.devices().get(1), Mkfs.Options.defaults().withSystemUuid(master));

        assertThat(fresh.fsUuid()).isNotEqualTo(before).isNotEqualTo(blankFormatted.fsUuid());
        DevicePool again = pool.rescan();
        assertThat(again.byFsUuid(fresh.fsUuid()).orElseThrow().path()).isEqualTo(a);
        assertThat(again.byFsUuid(before)).isEmpty();
        Fsck.Report r = Fsck.check(a, opts);
        assertThat(r.defects()).isEmpty();
        assertThat(r.files()).isZero();
    }

    @Test
    void formatRefusesADeviceThatChangedSinceTheScan() {
        Path a = blank("a");
        DevicePool pool = DevicePool.scan(List.of(a, blank("b")), opts);
        PoolDevice stale = pool.devices().get(0);
        Superblock someoneElses = Mkfs.format(a, Mkfs.Options.defaults().withSystemUuid(master));

        assertThatThrownBy(() -> pool.format(stale, Mkfs.Options.defaults().withSystemUuid(master)))
                .isInstanceOf(PoolException.class)
                .satisfies(t -> assertThat(reason(t)).isEqualTo(PoolException.Reason.DEVICE_CHANGED))
                .hasMessageContaining("changed since it was chosen");
        assertThat(Famfs.readSuperblock(a, opts).fsUuid()).isEqualTo(someoneElses.fsUuid());
    }

    @Test
    void formatNeverTakesAVolumeWhoseMasterIsAnotherHost() {
        try (TestDevices other = TestDevices.formatted(SIZE)) {
            DevicePool pool = DevicePool.scan(List.of(other.path, blank("b")), opts);
            UUID theirs = pool.devices().get(0).fsUuid();
            assertThatThrownBy(() -> pool.format(pool.devices().get(0), Mkfs.Options.defaults().withSystemUuid(master)))
                    .isInstanceOf(FamfsException.class)
                    .satisfies(t -> assertThat(((FamfsException) t).kind()).isEqualTo(ErrorKind.NOT_MASTER));
            assertThat(Famfs.readSuperblock(other.path, opts).fsUuid()).isEqualTo(theirs);
        }
    }

    @Test
    void aDeviceHoldingAFileSystemOrOtherDataIsRefusedNeverTakenAsFree() throws Exception {
        Path ext4 = blank("ext4");
        try (var ch = java.nio.channels.FileChannel.open(ext4, java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(new byte[] {0x53, (byte) 0xef}), 1080); // ext2/3/4 magic
        }
        Path data = blank("data");
        byte[] junk = new byte[8192];
        new java.util.Random(1).nextBytes(junk);
        try (var ch = java.nio.channels.FileChannel.open(data, java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(junk), 0);
        }
        Path free = blank("free");

        for (Path foreign : List.of(ext4, data)) {
            assertThatThrownBy(() -> DevicePool.scan(List.of(free, foreign), opts))
                    .satisfies(t -> assertThat(reason(t)).isEqualTo(PoolException.Reason.FOREIGN_DEVICE))
                    .hasMessageContaining(foreign.toString()).hasMessageContaining("never overwrites");
        }
        assertThat(Files.readAllBytes(data)).startsWith(junk); // nothing written
    }

    @Test
    void aKilledVolumeOrAFormatStoppedWhileZeroingIsFree() throws Exception {
        Path killed = formatted("killed");
        Mkfs.kill(killed, master);
        Path torn = formatted("torn");
        try (var ch = java.nio.channels.FileChannel.open(torn, java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.allocate(64), 0); // magic and the first bytes zeroed, the rest of the superblock left
        }

        DevicePool pool = DevicePool.scan(List.of(killed, torn), opts);

        assertThat(pool.devices()).allMatch(PoolDevice::isBlank);
    }

    @Test
    void aHardLinkToADeviceIsTheSameDeviceListedTwice() throws Exception {
        Path a = formatted("a");
        Path link = Files.createLink(dir.resolve("a-link"), a);

        assertThatThrownBy(() -> DevicePool.scan(List.of(a, link), opts))
                .satisfies(t -> assertThat(reason(t)).isEqualTo(PoolException.Reason.DUPLICATE_DEVICE))
                .hasMessageContaining("listed twice");
    }
}
