package io.famfsrocks.famfs.pool;

import io.famfsrocks.famfs.FamfsException;
import io.famfsrocks.famfs.format.FamfsLayout;
import io.famfsrocks.famfs.fs.CreateOptions;
import io.famfsrocks.famfs.fs.Famfs;
import io.famfsrocks.famfs.fs.FamfsFile;
import io.famfsrocks.famfs.fs.FamfsVolume;
import io.famfsrocks.famfs.fs.MasterVolume;
import io.famfsrocks.famfs.fs.OpenOptions;
import io.famfsrocks.famfs.testing.TestDevices;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A client's in-place slot of a master's file, the first-file placement, and the volume guard. */
class SharedSlotTest {
    @Test
    void aClientStoresIntoItsSlotOfTheMastersFileAndTheMasterSeesIt() {
        try (TestDevices dev = TestDevices.formatted(64L << 20)) {
            OpenOptions master = OpenOptions.defaults().withSystemUuid(dev.masterUuid);
            try (MasterVolume m = Famfs.openMaster(dev.path, master)) {
                FamfsFile f = FirstFile.create(m, "slots", 8192, CreateOptions.file());
                assertThat(f.deviceOffset(0)).isEqualTo(FamfsLayout.dataStart(m.superblock().logLen()));
                assertThat(FirstFile.isFirst(m, f)).isTrue();
                assertThatThrownBy(() -> FirstFile.create(m, "again", 4096, CreateOptions.file()))
                        .isInstanceOf(FamfsException.class).hasMessageContaining("in use");
            }
            try (FamfsVolume client = Famfs.open(dev.path, OpenOptions.defaults().withSystemUuid(UUID.randomUUID().toString()));
                 SharedSlot s = SharedSlot.open(dev.path, client.openFile("slots"), 4096 + 64, 64)) {
                assertThat(client.isMaster()).isFalse();
                s.write(8, ByteBuffer.wrap(new byte[] {9, 9}));
                s.putLongRelease(0, 77);
                s.flush();
                assertThat(s.deviceOffset()).isEqualTo(client.openFile("slots").deviceOffset(4096 + 64));
                assertThatThrownBy(() -> SharedSlot.open(dev.path, client.openFile("slots"), 8192 - 32, 64))
                        .hasMessageContaining("outside");
                assertThat(VolumeGuard.of(client).intact()).isTrue();
                assertThat(VolumeId.of(client)).isEqualTo(client.superblock().fsUuid());
            }
            try (MasterVolume m = Famfs.openMaster(dev.path, master)) {
                ByteBuffer b = ByteBuffer.allocate(16);
                m.openFile("slots").read(4096 + 64, b);
                assertThat(b.order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong(0)).isEqualTo(77);
                assertThat(b.get(8)).isEqualTo((byte) 9);
            }
        }
    }
}
