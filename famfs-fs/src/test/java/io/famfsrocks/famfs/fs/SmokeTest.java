package io.famfsrocks.famfs.fs;

import io.famfsrocks.famfs.device.MemoryDevice;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class SmokeTest {
    @Test
    void createWriteReadBack() throws Exception {
        Path dev = Path.of("/dev/shm/famfs-smoke-" + UUID.randomUUID());
        String host = UUID.randomUUID().toString();
        try {
            MemoryDevice.createFile(dev, 1L << 30);
            Mkfs.format(dev, Mkfs.Options.defaults().withSystemUuid(host));
            try (MasterVolume v = Famfs.openMaster(dev, OpenOptions.defaults().withSystemUuid(host))) {
                v.mkdirs("a/b", CreateOptions.dir());
                FamfsFile f = v.create("a/b/f", 5000, CreateOptions.file());
                v.openWritable("a/b/f").write(0, ByteBuffer.wrap("hello".getBytes()));
                ByteBuffer dst = ByteBuffer.allocate(5);
                assertThat(f.read(0, dst)).isEqualTo(5);
                assertThat(new String(dst.array())).isEqualTo("hello");
            }
            try (FamfsVolume c = Famfs.open(dev, OpenOptions.defaults().withSystemUuid(UUID.randomUUID().toString()))) {
                assertThat(c.isMaster()).isFalse();
                assertThat(c.stat("a/b/f")).isInstanceOf(Node.File.class);
            }
            Fsck.Report r = Fsck.check(dev, OpenOptions.defaults().withSystemUuid(host));
            assertThat(r.defects()).isEmpty();
            assertThat(r.files()).isEqualTo(1);
            assertThat(r.directories()).isEqualTo(2);
        } finally {
            Files.deleteIfExists(dev);
        }
    }
}
