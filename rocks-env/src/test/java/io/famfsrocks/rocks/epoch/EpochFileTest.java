package io.famfsrocks.rocks.epoch;

import io.famfsrocks.famfs.ErrorKind;
import io.famfsrocks.famfs.FamfsException;
import io.famfsrocks.famfs.format.FamfsLayout;
import io.famfsrocks.famfs.fs.CreateOptions;
import io.famfsrocks.famfs.fs.Famfs;
import io.famfsrocks.famfs.fs.FamfsVolume;
import io.famfsrocks.famfs.fs.Fsck;
import io.famfsrocks.famfs.fs.MasterVolume;
import io.famfsrocks.famfs.fs.Mkfs;
import io.famfsrocks.famfs.fs.OpenOptions;
import io.famfsrocks.famfs.pool.DevicePool;
import io.famfsrocks.rocks.TestDevice;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EpochFileTest {
    static final UUID POOL = UUID.randomUUID();

    static EpochHeader header(FamfsVolume v, long epoch) {
        return new EpochHeader(EpochFile.DEFAULT_SLOTS, POOL, v.superblock().fsUuid(), EpochHeader.NIL, epoch,
                System.currentTimeMillis(), "ds");
    }

    /** Child host: {@code DEV SLOT COUNT}: writes COUNT beats into its slot of ds's control file, through its own mapping. */
    public static void main(String[] args) {
        Path dev = Path.of(args[0]);
        int slot = Integer.parseInt(args[1]);
        int count = Integer.parseInt(args[2]);
        try (FamfsVolume v = Famfs.open(dev, OpenOptions.defaults())) {
            EpochFile f = EpochFile.open(v, "ds");
            UUID me = UUID.fromString(System.getenv("FAMFS_SYSTEM_UUID"));
            try (AckSlotWriter w = AckSlotWriter.open(dev, f, EpochGuard.of(v), me, slot)) {
                for (int i = 0; i < count; i++) {
                    w.write(f.header().epoch(), f.header().epoch() - 1);
                }
                System.out.println("beats=" + w.beats() + " master=" + v.isMaster());
            }
        } catch (FamfsException e) {
            System.out.println("error " + e.kind() + ": " + e.getMessage());
            System.exit(3);
        }
    }

    @Test
    void theControlFileIsTheFirstFileAtAFixedPlaceAndFsckAcceptsTheVolume() throws Exception {
        try (TestDevice dev = new TestDevice(64L << 20); MasterVolume m = dev.openMaster()) {
            EpochFile f = EpochFile.create(m, header(m, 1));
            m.mkdirs("ds/sst", CreateOptions.dir());
            m.create("ds/sst/000007.sst", 3 << 20, CreateOptions.file());
            assertThat(f.slotDeviceOffset(0)).isEqualTo(FamfsLayout.dataStart(m.superblock().logLen()) + 4096);
            try (FamfsVolume c = dev.openClient()) {
                EpochFile r = EpochFile.open(c, "ds");
                assertThat(r.ready()).isTrue();
                assertThat(r.header()).isEqualTo(f.header());
                assertThat(r.seal()).isNull();
                for (int i = 0; i < r.slotCount(); i++) {
                    assertThat(r.slot(i)).isNull();
                }
                assertThat(EpochFile.open(c, "other")).isNull();
            }
            Fsck.Report rep = Fsck.check(dev.path, OpenOptions.defaults().withSystemUuid(dev.master));
            assertThat(rep.defects()).isEmpty();
            assertThat(rep.files()).isEqualTo(2);
        }
    }

    @Test
    void refusesAVolumeWhoseFirstPlaceIsTaken() throws Exception {
        try (TestDevice dev = new TestDevice(64L << 20); MasterVolume m = dev.openMaster()) {
            m.create("something-else", 4096, CreateOptions.file());
            assertThatThrownBy(() -> EpochFile.create(m, header(m, 1)))
                    .isInstanceOf(FamfsException.class)
                    .satisfies(t -> assertThat(((FamfsException) t).kind()).isEqualTo(ErrorKind.INVALID_ARGUMENT))
                    .hasMessageContaining("first file of a fresh volume");
            assertThatThrownBy(() -> EpochFile.create(m, new EpochHeader(8, POOL, UUID.randomUUID(), EpochHeader.NIL, 1, 0, "ds")))
                    .hasMessageContaining("names volume");
        }
    }

    @Test
    void aNewEpochOnAReformattedDeviceStartsUnsealedWithEmptySlots() throws Exception {
        try (TestDevice dev = new TestDevice(64L << 20); TestDevice other = new TestDevice(64L << 20)) {
            OpenOptions opts = OpenOptions.defaults().withSystemUuid(dev.master);
            try (MasterVolume m = dev.openMaster()) {
                EpochFile f = EpochFile.create(m, header(m, 1));
                f.writeSeal(new SealRecord(2, UUID.randomUUID(), 10, 0));
                byte[] junk = new byte[64];
                java.util.Arrays.fill(junk, (byte) 0x5a);
                m.device().write(f.slotDeviceOffset(7), ByteBuffer.wrap(junk));
            }
            DevicePool pool = DevicePool.scan(List.of(dev.path, other.path), opts);
            pool.format(pool.devices().get(0), Mkfs.Options.defaults().withSystemUuid(dev.master));
            try (MasterVolume m = dev.openMaster()) {
                EpochFile f = EpochFile.create(m, header(m, 3));
                assertThat(f.seal()).isNull();
                assertThat(f.slot(7)).isNull();
                assertThat(f.header().epoch()).isEqualTo(3);
            }
        }
    }

    @Test
    void aSealIsWrittenOnceAndSeenByClients() throws Exception {
        try (TestDevice dev = new TestDevice(64L << 20); MasterVolume m = dev.openMaster()) {
            EpochFile f = EpochFile.create(m, header(m, 4));
            SealRecord s = new SealRecord(5, UUID.randomUUID(), 77, System.currentTimeMillis());
            f.writeSeal(s);
            f.writeSeal(s); // a restarted primary finishing the same rotation
            assertThatThrownBy(() -> f.writeSeal(new SealRecord(5, UUID.randomUUID(), 77, 0)))
                    .isInstanceOf(FamfsException.class)
                    .satisfies(t -> assertThat(((FamfsException) t).kind()).isEqualTo(ErrorKind.EXISTS));
            try (FamfsVolume c = dev.openClient()) {
                assertThat(EpochFile.open(c, "ds").seal()).isEqualTo(s);
            }
        }
    }

    @Test
    void aSlotHasOneWriterUnlessAnOperatorHandsItOver() throws Exception {
        try (TestDevice dev = new TestDevice(64L << 20)) {
            try (MasterVolume m = dev.openMaster()) {
                EpochFile.create(m, header(m, 2));
            }
            UUID first = UUID.randomUUID();
            UUID second = UUID.randomUUID();
            try (FamfsVolume v = dev.openClient()) {
                EpochFile f = EpochFile.open(v, "ds");
                try (AckSlotWriter w = AckSlotWriter.open(dev.path, f, EpochGuard.of(v), first, 4)) {
                    w.write(2, 1);
                }
                assertThatThrownBy(() -> AckSlotWriter.open(dev.path, f, EpochGuard.of(v), second, 4))
                        .isInstanceOf(FamfsException.class)
                        .satisfies(t -> assertThat(((FamfsException) t).kind()).isEqualTo(ErrorKind.BUSY))
                        .hasMessageContaining("belongs to host " + first);
                assertThat(f.slot(4).host()).isEqualTo(first);
                try (AckSlotWriter w = AckSlotWriter.open(dev.path, f, EpochGuard.of(v), second, 4, true)) {
                    w.write(2, 1);
                    assertThat(w.beats()).isEqualTo(1);
                }
                assertThat(f.slot(4).host()).isEqualTo(second);
                // The same host again continues its beat.
                try (AckSlotWriter w = AckSlotWriter.open(dev.path, f, EpochGuard.of(v), second, 4)) {
                    w.write(2, 1);
                    assertThat(w.beats()).isEqualTo(2);
                }
            }
        }
    }

    @Test
    void twoHostsThatOpenedOneSlotBeforeEitherWroteItDoNotShareIt() throws Exception {
        try (TestDevice dev = new TestDevice(64L << 20)) {
            try (MasterVolume m = dev.openMaster()) {
                EpochFile.create(m, header(m, 2));
            }
            UUID first = UUID.randomUUID();
            UUID second = UUID.randomUUID();
            try (FamfsVolume v = dev.openClient()) {
                EpochFile f = EpochFile.open(v, "ds");
                try (AckSlotWriter a = AckSlotWriter.open(dev.path, f, EpochGuard.of(v), first, 6);
                     AckSlotWriter b = AckSlotWriter.open(dev.path, f, EpochGuard.of(v), second, 6)) {
                    a.write(2, 1);
                    b.write(2, 1);
                    assertThatThrownBy(() -> a.write(2, 2))
                            .isInstanceOf(FamfsException.class)
                            .satisfies(t -> assertThat(((FamfsException) t).kind()).isEqualTo(ErrorKind.BUSY))
                            .hasMessageContaining("also written by host " + second);
                    b.write(2, 2);
                    assertThat(f.slot(6).host()).isEqualTo(second);
                    assertThat(f.slot(6).releasedThrough()).as("the first host's release never stored").isEqualTo(2);
                }
            }
        }
    }

    @Test
    void aReplicaProcessWritesOnlyItsOwnSlotInPlace() throws Exception {
        try (TestDevice dev = new TestDevice(64L << 20)) {
            try (MasterVolume m = dev.openMaster()) {
                EpochFile.create(m, header(m, 1));
            }
            String host = UUID.randomUUID().toString();
            try (Child c = Child.start(host, EpochFileTest.class, dev.path.toString(), "3", "25")) {
                assertThat(c.await("beats=", 60)).isEqualTo("beats=25 master=false");
                assertThat(c.waitFor(30)).isZero();
            }
            // A second run continues the beat: the primary sees the slot change.
            try (Child c = Child.start(host, EpochFileTest.class, dev.path.toString(), "3", "5")) {
                assertThat(c.await("beats=", 60)).isEqualTo("beats=30 master=false");
            }
            try (FamfsVolume v = dev.openClient()) {
                EpochFile f = EpochFile.open(v, "ds");
                AckSlot s = f.slot(3);
                assertThat(s.host()).isEqualTo(UUID.fromString(host));
                assertThat(s.beat()).isEqualTo(30);
                assertThat(s.epochTag()).isEqualTo(1);
                assertThat(s.servingEpoch()).isEqualTo(1);
                assertThat(s.slotIndex()).isEqualTo(3);
                for (int i = 0; i < f.slotCount(); i++) {
                    if (i != 3) {
                        assertThat(f.slot(i)).as("slot %d", i).isNull();
                    }
                }
                assertThat(f.seal()).isNull();
            }
            assertThat(Fsck.check(dev.path, OpenOptions.defaults().withSystemUuid(dev.master)).defects()).isEmpty();
        }
    }
}
