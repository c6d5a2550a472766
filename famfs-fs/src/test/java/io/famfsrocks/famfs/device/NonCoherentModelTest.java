package io.famfsrocks.famfs.device;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The cache model's rules, with two simulated hosts in this process (two model instances). */
class NonCoherentModelTest {
    private Path path;
    private final NonCoherentModel hostA = new NonCoherentModel(1, 0);
    private final NonCoherentModel hostB = new NonCoherentModel(2, 0);

    @BeforeEach
    void device() {
        path = Path.of("/dev/shm", "famfs-model-" + UUID.randomUUID());
        MemoryDevice.createFile(path, 1 << 20);
    }

    @AfterEach
    void delete() throws Exception {
        Files.deleteIfExists(path);
    }

    @Test
    void anotherHostSeesAStoreOnlyAfterTheWritersWriteBackAndItsOwnInvalidate() {
        try (MemoryDevice a = MemoryDevice.open(path, true, hostA);
             MemoryDevice b = MemoryDevice.open(path, false, hostB);
             MemoryDevice memory = MemoryDevice.open(path, false, CacheCoherence.COHERENT)) {
            assertThat(b.getLong(4096)).isZero(); // B now holds the line
            a.putLong(4096, 42);
            assertThat(a.getLong(4096)).as("a host sees its own store at once").isEqualTo(42);
            assertThat(memory.getLong(4096)).as("not in memory before the write-back").isZero();
            b.invalidate(4096, 8);
            assertThat(b.getLong(4096)).as("an invalidate without the writer's write-back").isZero();
            a.flush(4096, 8);
            assertThat(memory.getLong(4096)).isEqualTo(42);
            assertThat(b.getLong(4096)).as("written back, but B still holds its old line").isZero();
            b.invalidate(4096, 8);
            assertThat(b.getLong(4096)).isEqualTo(42);
        }
    }

    @Test
    void aHostThatNeverHeldTheLineReadsMemory() {
        try (MemoryDevice a = MemoryDevice.open(path, true, hostA);
             MemoryDevice b = MemoryDevice.open(path, false, hostB)) {
            a.write(100, ByteBuffer.wrap(new byte[] {1, 2, 3}));
            a.flush(100, 3);
            ByteBuffer got = ByteBuffer.allocate(3);
            b.read(100, got);
            assertThat(got.array()).containsExactly(1, 2, 3);
        }
    }

    @Test
    void aWindowHandedOutEarlierSeesFreshBytesAfterAnInvalidate() {
        try (MemoryDevice a = MemoryDevice.open(path, true, hostA);
             MemoryDevice b = MemoryDevice.open(path, false, hostB)) {
            ByteBuffer view = b.window(8192, 256);
            a.window(8192 + 200, 8).putLong(0, 7);
            a.flush(8192 + 200, 8);
            assertThat(view.getLong(200)).isZero();
            b.invalidate(8192, 256);
            assertThat(view.getLong(200)).isEqualTo(7);
        }
    }

    @Test
    void aDirtyLineIsWrittenBackWholeStaleBytesIncluded() {
        try (MemoryDevice a = MemoryDevice.open(path, true, hostA);
             MemoryDevice b = MemoryDevice.open(path, true, hostB);
             MemoryDevice memory = MemoryDevice.open(path, false, CacheCoherence.COHERENT)) {
            a.getLong(0);
            b.putLong(8, 2); // B's word in the line A holds
            b.flush(8, 8);
            a.putLong(0, 1); // A's word in the same line, over A's stale copy of B's
            a.flush(0, 8);
            assertThat(memory.getLong(0)).isEqualTo(1);
            assertThat(memory.getLong(8)).as("false sharing: A's write-back carried its stale copy of B's word")
                    .isZero();
        }
    }

    @Test
    void anInvalidateWritesBackWhatIsDirtyFirstAndSameHostDevicesShareTheCache() {
        try (MemoryDevice a = MemoryDevice.open(path, true, hostA);
             MemoryDevice a2 = MemoryDevice.open(path, false, hostA);
             MemoryDevice memory = MemoryDevice.open(path, false, CacheCoherence.COHERENT)) {
            a.putLong(64, 5);
            assertThat(a2.getLong(64)).as("one host, one cache").isEqualTo(5);
            a.invalidate(64, 8);
            assertThat(memory.getLong(64)).isEqualTo(5);
            assertThat(a.getLong(64)).isEqualTo(5);
        }
    }

    @Test
    void evictionMayWriteAStoreBackBeforeItsWriterAsks() {
        NonCoherentModel evicting = new NonCoherentModel(3, 1.0);
        try (MemoryDevice a = MemoryDevice.open(path, true, evicting);
             MemoryDevice memory = MemoryDevice.open(path, false, CacheCoherence.COHERENT)) {
            long before = NonCoherentModel.linesEvicted();
            a.putLong(128, 9);
            a.getLong(4096); // any cache operation may evict a stored line
            assertThat(memory.getLong(128)).isEqualTo(9);
            assertThat(NonCoherentModel.linesEvicted()).isGreaterThan(before);
        }
    }

    @Test
    void aMappedRegionOnTheModelIsAWindowOfItsHostsCache() {
        try (MappedRegion a = MappedRegion.open(path, 4096 + 64, 64, true, hostA);
             MappedRegion b = MappedRegion.open(path, 4096 + 64, 64, false, hostB)) {
            assertThat(b.getLongAcquire(0)).isZero();
            a.write(8, ByteBuffer.allocate(8).putLong(0, 11));
            a.putLongRelease(0, 1);
            a.flush(0, 64);
            assertThat(b.getLongAcquire(0)).as("B still holds its line").isZero();
            b.invalidate(0, 64);
            assertThat(b.getLongAcquire(0)).isEqualTo(1);
            ByteBuffer got = ByteBuffer.allocate(8);
            b.read(8, got);
            assertThat(got.getLong(0)).isEqualTo(11);
        }
    }

    @Test
    void aBulkTransferGoesThroughTheCacheToo() throws Exception {
        Path src = Files.createTempFile("famfs-model-src", ".bin");
        try (MemoryDevice a = MemoryDevice.open(path, true, hostA);
             MemoryDevice memory = MemoryDevice.open(path, false, CacheCoherence.COHERENT);
             java.nio.channels.FileChannel in = java.nio.channels.FileChannel.open(src)) {
            byte[] bytes = new byte[300_000];
            java.util.Arrays.fill(bytes, (byte) 0x5a);
            Files.write(src, bytes);
            a.transferFrom(in, 65536, bytes.length);
            a.write(400_000, ByteBuffer.wrap(bytes)); // past the size that goes through the kernel when coherent
            assertThat(memory.getLong(65536)).isZero();
            assertThat(memory.getLong(400_000)).isZero();
            a.flush(65536, 400_000 + bytes.length - 65536);
            assertThat(memory.getLong(65536 + 299_992)).isEqualTo(0x5a5a5a5a5a5a5a5aL);
            assertThat(memory.getLong(400_000)).isEqualTo(0x5a5a5a5a5a5a5a5aL);
        } finally {
            Files.deleteIfExists(src);
        }
    }
}
