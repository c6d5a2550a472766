package io.famfsrocks.famfs.device;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The hardware hook runs: its machine code is called over every range the engine flushes or
 * invalidates and the bytes stay intact. This machine's memory is coherent, so whether the
 * lines really left the cache cannot be observed here.
 */
class CpuCacheFlushTest {
    @Test
    void writeBackAndInvalidateRunAndLeaveTheBytesIntact() throws Exception {
        String arch = System.getProperty("os.arch");
        assumeTrue(arch.equals("amd64") || arch.equals("x86_64"), "x86-64 only");
        CacheCoherence flush = CacheCoherence.named("cpu-flush");
        assertThat(flush.toString()).startsWith("cpu-flush (").contains("fence");
        Path path = Path.of("/dev/shm", "famfs-flush-" + UUID.randomUUID());
        MemoryDevice.createFile(path, 4 << 20);
        try (MemoryDevice d = MemoryDevice.open(path, true, flush);
             MemoryDevice other = MemoryDevice.open(path, false, CacheCoherence.COHERENT)) {
            byte[] bytes = new byte[3 << 20];
            new java.util.Random(7).nextBytes(bytes);
            d.write(100, ByteBuffer.wrap(bytes));
            d.flush(100, bytes.length); // unaligned start, length not a multiple of a line
            d.flush(0, 1);
            d.flush(64, 0);
            d.invalidate(100, bytes.length);
            ByteBuffer got = ByteBuffer.allocate(bytes.length);
            other.read(100, got);
            assertThat(got.array()).isEqualTo(bytes);
            d.putLong(4096, 99);
            d.flush(4096, 8);
            d.invalidate(4096, 8);
            assertThat(d.getLong(4096)).isEqualTo(99);
        } finally {
            Files.deleteIfExists(path);
        }
    }

    @Test
    void unknownNamesAreRefusedNamingTheKnownOnes() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> CacheCoherence.named("nope"))
                .hasMessageContaining("unknown cache coherence 'nope'").hasMessageContaining(CacheCoherence.NAMES);
        assertThat(CacheCoherence.named("coherent")).isSameAs(CacheCoherence.COHERENT);
        assertThat(CacheCoherence.named("msync").toString()).isEqualTo("msync");
        assertThat(CacheCoherence.named("model")).isInstanceOf(NonCoherentModel.class);
    }
}
