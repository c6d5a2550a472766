package io.famfsrocks.rocks.epoch;

import io.famfsrocks.famfs.device.MemoryDevice;
import io.famfsrocks.famfs.fs.CreateOptions;
import io.famfsrocks.famfs.fs.Famfs;
import io.famfsrocks.famfs.fs.MasterVolume;
import io.famfsrocks.famfs.fs.Mkfs;
import io.famfsrocks.famfs.fs.OpenOptions;
import io.famfsrocks.famfs.pool.DevicePool;
import io.famfsrocks.famfs.pool.PoolDevice;
import io.famfsrocks.famfs.pool.PoolException;
import io.famfsrocks.famfs.pool.PoolException.Reason;
import io.famfsrocks.rocks.epoch.EpochPool.Role;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Reading a dataset's epochs from the devices: every state a rotation or a crash leaves. */
class EpochPoolTest {
    private final String master = UUID.randomUUID().toString();
    private final OpenOptions opts = OpenOptions.defaults().withSystemUuid(master);
    private final UUID pool = UUID.randomUUID();
    private Path dir;
    private Path a;
    private Path b;
    private Path c;

    @BeforeEach
    void setUp() throws Exception {
        dir = Files.createTempDirectory(Path.of("/dev/shm"), "epoch-pool-test");
        a = dev("a");
        b = dev("b");
        c = dev("c");
    }

    @AfterEach
    void tearDown() throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private Path dev(String name) {
        Path p = dir.resolve(name);
        MemoryDevice.createFile(p, 32L << 20);
        return p;
    }

    /** Formats {@code d} (a new UUID) and creates epoch {@code n} of "ds" there; returns the volume UUID. */
    private UUID epoch(Path d, long n, UUID previous) {
        return epoch(d, n, previous, pool);
    }

    private UUID epoch(Path d, long n, UUID previous, UUID poolId) {
        Mkfs.format(d, Mkfs.Options.defaults().withSystemUuid(master).withForce(true));
        try (MasterVolume m = Famfs.openMaster(d, opts)) {
            EpochFile.create(m, new EpochHeader(8, poolId, m.superblock().fsUuid(), previous, n, 0, "ds"));
            return m.superblock().fsUuid();
        }
    }

    private void seal(Path d, long next, UUID nextVolume) {
        try (MasterVolume m = Famfs.openMaster(d, opts)) {
            EpochFile.open(m, "ds").writeSeal(new SealRecord(next, nextVolume, 100, 0));
        }
    }

    private EpochPool read(Path... devices) {
        return EpochPool.read(DevicePool.scan(List.of(devices), opts), "ds", null);
    }

    private static Reason reason(Throwable t) {
        return ((PoolException) t).reason();
    }

    private static Role role(EpochPool p, Path d) {
        return p.members().stream().filter(m -> m.device().path().equals(d)).findFirst().orElseThrow().role();
    }

    @Test
    void aNewPoolHasNoActiveEpochAndOffersABlankDevice() {
        EpochPool p = read(a, b);
        assertThat(p.active()).isEmpty();
        assertThat(p.poolId()).isNull();
        assertThat(p.pickFree().isBlank()).isTrue();
    }

    @Test
    void oneEpochIsActiveAndTheOtherDeviceIsFree() {
        UUID v1 = epoch(a, 1, EpochHeader.NIL);
        EpochPool p = read(b, a);
        assertThat(p.active().orElseThrow().device().fsUuid()).isEqualTo(v1);
        assertThat(p.poolId()).isEqualTo(pool);
        assertThat(p.pickFree().path()).isEqualTo(b);
    }

    @Test
    void afterTheSealTheNewEpochIsActiveAndTheOldDrainsSoTwoDevicesHaveNoneFree() {
        UUID v1 = epoch(a, 1, EpochHeader.NIL);
        UUID v2 = epoch(b, 2, v1);
        seal(a, 2, v2);
        EpochPool p = read(a, b);
        assertThat(p.active().orElseThrow().device().path()).isEqualTo(b);
        assertThat(p.draining().orElseThrow().device().path()).isEqualTo(a);
        assertThatThrownBy(p::pickFree).isInstanceOf(PoolException.class)
                .satisfies(t -> assertThat(reason(t)).isEqualTo(Reason.NO_FREE_DEVICE))
                .hasMessageContaining("draining epoch must be released");
        assertThat(read(a, b, c).pickFree().path()).isEqualTo(c);
    }

    @Test
    void onceMarkedDrainedTheOldDeviceIsReusableEvenAfterARestart() {
        UUID v1 = epoch(a, 1, EpochHeader.NIL);
        UUID v2 = epoch(b, 2, v1);
        seal(a, 2, v2);
        try (MasterVolume m = Famfs.openMaster(a, opts)) {
            EpochFile.open(m, "ds").markDrained();
        }
        EpochPool p = read(a, b); // a new reading, as a restarted primary makes
        assertThat(p.draining()).isEmpty();
        assertThat(role(p, a)).isEqualTo(Role.RETIRED);
        assertThat(p.pickFree().path()).isEqualTo(a);
    }

    @Test
    void anActiveEpochCannotBeMarkedDrained() {
        epoch(a, 1, EpochHeader.NIL);
        try (MasterVolume m = Famfs.openMaster(a, opts)) {
            assertThatThrownBy(() -> EpochFile.open(m, "ds").markDrained())
                    .hasMessageContaining("an active epoch never drains");
        }
    }

    @Test
    void aRotationThatStoppedDuringItsRepackIsRolledBack() {
        UUID v1 = epoch(a, 1, EpochHeader.NIL);
        epoch(b, 2, v1); // created and partly filled, never sealed into
        EpochPool p = read(a, b);
        assertThat(p.active().orElseThrow().device().fsUuid()).isEqualTo(v1);
        assertThat(role(p, b)).isEqualTo(Role.ABANDONED);
        assertThat(p.pickFree().path()).isEqualTo(b);
    }

    @Test
    void aRotationThatStoppedDuringTheFormatLeavesAFreeDevice() {
        UUID v1 = epoch(a, 1, EpochHeader.NIL);
        epoch(b, 2, v1);
        Mkfs.kill(b, master); // the format's first store: the magic is gone
        assertThat(role(read(a, b), b)).isEqualTo(Role.FREE);
        // Formatted, dataset directory made, control file not yet published: free as well.
        Mkfs.format(b, Mkfs.Options.defaults().withSystemUuid(master).withForce(true));
        try (MasterVolume m = Famfs.openMaster(b, opts)) {
            m.mkdirs("ds", CreateOptions.dir());
        }
        EpochPool p = read(a, b);
        assertThat(role(p, b)).isEqualTo(Role.FREE);
        assertThat(p.active().orElseThrow().device().path()).isEqualTo(a);
    }

    @Test
    void anEpochWhoseHeaderWasNeverPublishedIsFree() {
        UUID v1 = epoch(a, 1, EpochHeader.NIL);
        epoch(b, 2, v1);
        try (MasterVolume m = Famfs.openMaster(b, opts)) {
            // The creator stopped before its last store: the header magic.
            long at = m.openFile("ds/epoch.ctl").deviceOffset(0);
            m.device().putLong(at, 0);
        }
        EpochPool p = read(a, b);
        assertThat(role(p, b)).isEqualTo(Role.FREE);
        assertThat(p.active().orElseThrow().device().fsUuid()).isEqualTo(v1);
    }

    @Test
    void twoRotationsOverTwoDevicesReuseTheFirst() {
        UUID v1 = epoch(a, 1, EpochHeader.NIL);
        UUID v2 = epoch(b, 2, v1);
        seal(a, 2, v2);
        UUID v3 = epoch(a, 3, v2); // epoch 1 drained, its device reformatted
        seal(b, 3, v3);
        EpochPool p = read(a, b);
        assertThat(p.active().orElseThrow().epoch()).isEqualTo(3);
        assertThat(p.active().orElseThrow().device().fsUuid()).isEqualTo(v3).isNotEqualTo(v1);
        assertThat(p.draining().orElseThrow().epoch()).isEqualTo(2);
    }

    @Test
    void olderSealedEpochsAreRetiredAndReusedFirstByAge() {
        UUID v1 = epoch(a, 1, EpochHeader.NIL);
        UUID v2 = epoch(b, 2, v1);
        seal(a, 2, v2);
        UUID v3 = epoch(c, 3, v2);
        seal(b, 3, v3);
        EpochPool p = read(a, b, c);
        assertThat(role(p, a)).isEqualTo(Role.RETIRED);
        assertThat(role(p, b)).isEqualTo(Role.DRAINING);
        assertThat(role(p, c)).isEqualTo(Role.ACTIVE);
        assertThat(p.pickFree().path()).isEqualTo(a);
    }

    @Test
    void recognisesTheEpochsWhateverPathsThisHostUses() throws Exception {
        UUID v1 = epoch(a, 1, EpochHeader.NIL);
        UUID v2 = epoch(b, 2, v1);
        seal(a, 2, v2);
        Path other = Files.createDirectory(dir.resolve("host2"));
        Path x = Files.createSymbolicLink(other.resolve("dax3.0"), a);
        Path y = Files.createSymbolicLink(other.resolve("dax7.0"), b);
        EpochPool p = read(y, x);
        assertThat(p.active().orElseThrow().device().path()).isEqualTo(y);
        assertThat(p.byFsUuid(v1).orElseThrow().role()).isEqualTo(Role.DRAINING);
    }

    @Test
    void refusesTwoActiveEpochs() {
        epoch(a, 1, EpochHeader.NIL);
        epoch(b, 1, EpochHeader.NIL);
        assertThatThrownBy(() -> read(a, b)).isInstanceOf(PoolException.class)
                .satisfies(t -> assertThat(reason(t)).isEqualTo(Reason.TWO_ACTIVE_EPOCHS))
                .hasMessageContaining("only one epoch can be active");
        UUID v1 = epoch(a, 4, EpochHeader.NIL);
        epoch(b, 5, UUID.randomUUID()); // newer, but not a successor of epoch 4
        assertThat(v1).isNotNull();
        assertThatThrownBy(() -> read(a, b)).satisfies(t -> assertThat(reason(t)).isEqualTo(Reason.TWO_ACTIVE_EPOCHS));
    }

    @Test
    void refusesADeviceOfAnotherPoolOrHoldingOtherFiles() {
        epoch(a, 1, EpochHeader.NIL);
        epoch(b, 1, EpochHeader.NIL, UUID.randomUUID());
        assertThatThrownBy(() -> read(a, b)).isInstanceOf(PoolException.class)
                .satisfies(t -> assertThat(reason(t)).isEqualTo(Reason.FOREIGN_DEVICE))
                .hasMessageContaining("of pool");
        Mkfs.format(b, Mkfs.Options.defaults().withSystemUuid(master).withForce(true));
        try (MasterVolume m = Famfs.openMaster(b, opts)) {
            m.create("someone-elses-file", 4096, CreateOptions.file());
        }
        assertThatThrownBy(() -> read(a, b)).satisfies(t -> assertThat(reason(t)).isEqualTo(Reason.FOREIGN_DEVICE))
                .hasMessageContaining("holds files but no epoch");
    }

    @Test
    void refusesEpochVolumesFormattedWithAnotherLogLength() {
        UUID v1 = epoch(a, 1, EpochHeader.NIL);
        assertThat(read(a, b).controlFileOffset()).isEqualTo((2L << 20) + (8L << 20));
        Mkfs.format(b, Mkfs.Options.defaults().withSystemUuid(master).withForce(true).withLogLen(16L << 20));
        try (MasterVolume m = Famfs.openMaster(b, opts)) {
            EpochFile.create(m, new EpochHeader(8, pool, m.superblock().fsUuid(), v1, 2, 0, "ds"));
        }
        assertThatThrownBy(() -> read(a, b)).isInstanceOf(PoolException.class)
                .satisfies(t -> assertThat(reason(t)).isEqualTo(Reason.FOREIGN_DEVICE))
                .hasMessageContaining("different log lengths");
    }

    @Test
    void refusesASealThatNamesAVolumeThePoolDoesNotHold() {
        epoch(a, 1, EpochHeader.NIL);
        seal(a, 2, UUID.randomUUID());
        assertThatThrownBy(() -> read(a, b)).isInstanceOf(PoolException.class)
                .satisfies(t -> assertThat(reason(t)).isEqualTo(Reason.BROKEN_CHAIN))
                .hasMessageContaining("which no device of the list holds");
        UUID v1 = epoch(a, 1, EpochHeader.NIL);
        epoch(b, 2, v1);
        seal(a, 2, UUID.randomUUID()); // sealed towards a volume that is not the active one
        assertThatThrownBy(() -> read(a, b)).satisfies(t -> assertThat(reason(t)).isEqualTo(Reason.BROKEN_CHAIN));
    }

    @Test
    void aFreeDeviceIsPreferredBlankThenAbandonedThenRetired() {
        UUID v1 = epoch(a, 1, EpochHeader.NIL);
        epoch(b, 2, v1);
        EpochPool p = read(a, b, c);
        PoolDevice pick = p.pickFree();
        assertThat(pick.path()).isEqualTo(c);
        assertThat(pick.isBlank()).isTrue();
    }
}
